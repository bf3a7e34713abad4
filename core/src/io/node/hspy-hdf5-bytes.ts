/**
 * The building blocks of the HDF5 writer (hspy-hdf5.ts): the write tree's
 * types, little-endian byte assembly, datatype and dataspace messages, and
 * the global heap that holds variable-length strings. Encodings follow the
 * HDF5 file format specification in the versions h5py writes with
 * libver='earliest' (checked against hex dumps of files h5py 3 made).
 */

/** An HDF5 datatype as written here. */
export type H5Type =
  | { readonly class: 'int'; readonly size: 1 | 2 | 4 | 8; readonly signed: boolean }
  | { readonly class: 'float'; readonly size: 4 | 8 }
  /** h5py's boolean: an enum FALSE = 0, TRUE = 1 over int8. */
  | { readonly class: 'bool' }
  /** A variable-length UTF-8 string (h5py's `str`). */
  | { readonly class: 'vstr' }
  | { readonly class: 'compound'; readonly members: readonly H5Member[] }
  | { readonly class: 'array'; readonly dims: readonly number[]; readonly base: H5Type };

export interface H5Member {
  readonly name: string;
  readonly type: H5Type;
}

/** Raw little-endian element bytes, or the strings of a `vstr` value. */
export type H5Data = Uint8Array | readonly string[];

export interface H5Attribute {
  readonly name: string;
  readonly type: H5Type;
  /** [] for a scalar. */
  readonly shape: readonly number[];
  readonly data: H5Data;
}

export interface H5Dataset {
  readonly kind: 'dataset';
  readonly type: H5Type;
  readonly shape: readonly number[];
  readonly data: H5Data;
  readonly attrs: H5Attribute[];
}

export interface H5Group {
  readonly kind: 'group';
  readonly children: Map<string, H5Node>;
  readonly attrs: H5Attribute[];
}

export type H5Node = H5Group | H5Dataset;

const GLOBAL_HEAP_MIN_SIZE = 4096;
/** Heap objects per collection (the index is 16 bits). */
const GLOBAL_HEAP_MAX_OBJECTS = 60000;

export const textEncoder = new TextEncoder();

export const pad8 = (n: number): number => (n + 7) & ~7;

/** Size in bytes of one element of `type`. */
export function typeSize(type: H5Type): number {
  switch (type.class) {
    case 'int':
    case 'float':
      return type.size;
    case 'bool':
      return 1;
    case 'vstr':
      return 16; // sequence length (4), collection address (8), object index (4)
    case 'compound':
      return type.members.reduce((n, m) => n + typeSize(m.type), 0);
    case 'array':
      return type.dims.reduce((n, d) => n * d, 1) * typeSize(type.base);
  }
}

/** Byte offsets of a compound's members, packed in order (as h5py packs them). */
export function memberOffsets(members: readonly H5Member[]): number[] {
  let offset = 0;
  return members.map((m) => {
    const o = offset;
    offset += typeSize(m.type);
    return o;
  });
}

/** A growable little-endian byte writer. */
export class ByteWriter {
  #bytes = new Uint8Array(256);
  #view = new DataView(this.#bytes.buffer);
  length = 0;

  #ensure(extra: number): void {
    if (this.length + extra <= this.#bytes.length) return;
    let size = this.#bytes.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#bytes.subarray(0, this.length));
    this.#bytes = next;
    this.#view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.#ensure(1);
    this.#view.setUint8(this.length, v);
    this.length += 1;
    return this;
  }

  u16(v: number): this {
    this.#ensure(2);
    this.#view.setUint16(this.length, v, true);
    this.length += 2;
    return this;
  }

  u32(v: number): this {
    this.#ensure(4);
    this.#view.setUint32(this.length, v, true);
    this.length += 4;
    return this;
  }

  u64(v: number | bigint): this {
    this.#ensure(8);
    this.#view.setBigUint64(this.length, BigInt(v), true);
    this.length += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.#ensure(b.length);
    this.#bytes.set(b, this.length);
    this.length += b.length;
    return this;
  }

  zeros(n: number): this {
    this.#ensure(n);
    this.#bytes.fill(0, this.length, this.length + n);
    this.length += n;
    return this;
  }

  padTo8(): this {
    return this.zeros(pad8(this.length) - this.length);
  }

  result(): Uint8Array {
    return this.#bytes.slice(0, this.length);
  }
}

/** A name, NUL-terminated and padded to a multiple of 8 bytes (symbol names, enum and member names). */
export function paddedName(name: string): Uint8Array {
  const utf8 = textEncoder.encode(name);
  const out = new Uint8Array(pad8(utf8.length + 1));
  out.set(utf8);
  return out;
}

function encodeType(type: H5Type, w: ByteWriter): void {
  switch (type.class) {
    case 'int':
      // version 1, class 0; bit 3 of the class bits: signed; little-endian.
      w.u8(0x10)
        .u8(type.signed ? 0x08 : 0)
        .u8(0)
        .u8(0)
        .u32(type.size);
      w.u16(0).u16(type.size * 8);
      return;
    case 'float': {
      // version 1, class 1; mantissa normalisation "implied msb" (0x20); sign bit position.
      const double = type.size === 8;
      w.u8(0x11)
        .u8(0x20)
        .u8(double ? 63 : 31)
        .u8(0)
        .u32(type.size);
      w.u16(0).u16(type.size * 8);
      w.u8(double ? 52 : 23)
        .u8(double ? 11 : 8)
        .u8(0)
        .u8(double ? 52 : 23);
      w.u32(double ? 1023 : 127);
      return;
    }
    case 'bool':
      // version 1, class 8 (enum) with 2 members over int8, as h5py writes numpy bools.
      w.u8(0x18).u8(2).u8(0).u8(0).u32(1);
      encodeType({ class: 'int', size: 1, signed: true }, w);
      w.bytes(paddedName('FALSE')).bytes(paddedName('TRUE'));
      w.u8(0).u8(1);
      return;
    case 'vstr':
      // version 1, class 9 (variable length): type string, NUL-terminated, UTF-8, over uint8.
      w.u8(0x19).u8(0x01).u8(0x01).u8(0).u32(16);
      encodeType({ class: 'int', size: 1, signed: false }, w);
      return;
    case 'compound': {
      // version 2, class 6: names padded to 8 bytes, then a 4-byte offset and the member type.
      const n = type.members.length;
      w.u8(0x26)
        .u8(n & 0xff)
        .u8(n >> 8)
        .u8(0)
        .u32(typeSize(type));
      const offsets = memberOffsets(type.members);
      type.members.forEach((m, i) => {
        w.bytes(paddedName(m.name)).u32(offsets[i]!);
        encodeType(m.type, w);
      });
      return;
    }
    case 'array':
      // version 2, class 10: rank, dimensions, permutation indices, base type.
      w.u8(0x2a).u8(0).u8(0).u8(0).u32(typeSize(type));
      w.u8(type.dims.length).zeros(3);
      for (const d of type.dims) w.u32(d);
      type.dims.forEach((_d, i) => w.u32(i));
      encodeType(type.base, w);
      return;
  }
}

export function typeBytes(type: H5Type): Uint8Array {
  const w = new ByteWriter();
  encodeType(type, w);
  return w.result();
}

/** Dataspace message version 1 (rank 0 is a scalar), no maximum dimensions. */
export function dataspaceBytes(shape: readonly number[]): Uint8Array {
  const w = new ByteWriter();
  w.u8(1).u8(shape.length).u8(0).u8(0).u32(0);
  for (const d of shape) w.u64(d);
  return w.result();
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

export function containsVstr(type: H5Type): boolean {
  switch (type.class) {
    case 'vstr':
      return true;
    case 'compound':
      return type.members.some((m) => containsVstr(m.type));
    case 'array':
      return containsVstr(type.base);
    default:
      return false;
  }
}

/** Where one string lives in the global heap. */
export interface HeapRef {
  collection: number;
  index: number;
  length: number;
}

/** Collects the strings of every `vstr` value into global heap collections. */
export class GlobalHeap {
  readonly collections: { objects: Uint8Array[]; size: number }[] = [];

  add(text: string): HeapRef {
    const bytes = textEncoder.encode(text);
    let c = this.collections[this.collections.length - 1];
    if (c === undefined || c.objects.length >= GLOBAL_HEAP_MAX_OBJECTS) {
      c = { objects: [], size: 16 };
      this.collections.push(c);
    }
    c.objects.push(bytes);
    c.size += 16 + pad8(bytes.length);
    return {
      collection: this.collections.length - 1,
      index: c.objects.length,
      length: bytes.length,
    };
  }

  /** Bytes on disk of collection `i`: at least 4096, as the HDF5 library requires. */
  collectionSize(i: number): number {
    return Math.max(GLOBAL_HEAP_MIN_SIZE, this.collections[i]!.size);
  }

  encode(i: number): Uint8Array {
    const c = this.collections[i]!;
    const size = this.collectionSize(i);
    const w = new ByteWriter();
    w.bytes(textEncoder.encode('GCOL')).u8(1).zeros(3).u64(size);
    c.objects.forEach((obj, k) => {
      w.u16(k + 1)
        .u16(0)
        .u32(0)
        .u64(obj.length)
        .bytes(obj)
        .padTo8();
    });
    const free = size - w.length;
    // The rest is one free-space object (index 0) whose size counts its own header.
    if (free >= 16) w.u16(0).u16(0).u32(0).u64(free);
    w.zeros(size - w.length);
    return w.result();
  }
}
