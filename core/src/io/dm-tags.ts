/**
 * Gatan DigitalMicrograph tag files (.dm3 version 3, .dm4 version 4).
 *
 * Header (big-endian): version, file size (uint32 in 3, uint64 in 4), and a
 * uint32 byte-order flag (1: the tag *data* are little-endian). Then the root
 * tag group: sorted and open bytes and a tag count (uint32 / uint64). Each tag
 * is a type byte (20 group, 21 data), a uint16 name length and the name; in
 * version 4 a uint64 byte size follows. A data tag is "%%%%", an info-word
 * count, the info words (uint32 / uint64, big-endian) describing the type,
 * then the value. Arrays are not decoded here: they are kept as references
 * into the file, so a large image is copied once, straight into its typed
 * array.
 *
 * Every count and length read from the file is checked against the bytes
 * left before it is used, group nesting is limited, and every loop advances
 * through the file, so no input can allocate beyond its own size or hang.
 */
import { latin1 } from './binary.js';
import { FileFormatError } from './errors.js';

/** Simple DM type codes (the info word of a scalar). */
export const DM_SIMPLE = {
  int16: 2,
  int32: 3,
  uint16: 4,
  uint32: 5,
  float32: 6,
  float64: 7,
  bool: 8,
  int8: 9,
  uint8: 10,
  int64: 11,
  uint64: 12,
} as const;

const SIMPLE_SIZE: Readonly<Record<number, number>> = {
  2: 2,
  3: 4,
  4: 2,
  5: 4,
  6: 4,
  7: 8,
  8: 1,
  9: 1,
  10: 1,
  11: 8,
  12: 8,
};

const STRUCT = 15;
const STRING = 18;
const ARRAY = 20;
const TAG_GROUP = 20;
const TAG_DATA = 21;
/** Deeper nesting than any real file uses; stops stack exhaustion on hostile input. */
const MAX_DEPTH = 64;

export type DmType =
  | { kind: 'simple'; code: number; size: number }
  | { kind: 'string'; size: number }
  | { kind: 'struct'; fields: DmType[]; size: number }
  | { kind: 'array'; element: DmType; count: number; size: number };

/** An array left in the file: `count` elements of `element` at byte `offset`. */
export interface DmArray {
  kind: 'array';
  element: DmType;
  count: number;
  offset: number;
  byteLength: number;
}

/** A struct is a plain array of its field values. */
export type DmValue = number | bigint | boolean | string | DmArray | DmValue[];

export interface DmGroup {
  kind: 'group';
  /** Tags in file order; list entries have empty names. */
  tags: DmTag[];
}

export interface DmTag {
  name: string;
  value: DmGroup | DmValue;
}

export interface DmFile {
  version: 3 | 4;
  /** Byte order of tag data (headers are always big-endian). */
  littleEndian: boolean;
  root: DmGroup;
  bytes: Uint8Array;
  fileName: string;
}

export function parseDmFile(bytes: Uint8Array, fileName: string): DmFile {
  const r = new Reader(bytes, fileName);
  if (bytes.length < 16) r.fail('too short for a DigitalMicrograph header', 0);
  const version = r.view.getUint32(0, false);
  if (version !== 3 && version !== 4) {
    r.fail(`not a DigitalMicrograph 3/4 file (version field ${version})`, 0);
  }
  r.wide = version === 4;
  r.pos = 4;
  r.word(); // file size: not trusted, writers disagree on what it counts
  const order = r.u32();
  if (order !== 0 && order !== 1) r.fail(`invalid byte-order flag ${order}`, r.pos - 4);
  r.littleEndian = order === 1;
  const root = r.group(0);
  return { version: version as 3 | 4, littleEndian: r.littleEndian, root, bytes, fileName };
}

class Reader {
  readonly view: DataView;
  pos = 0;
  wide = false;
  littleEndian = true;

  constructor(
    readonly bytes: Uint8Array,
    readonly fileName: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(problem: string, at = this.pos): never {
    throw new FileFormatError(this.fileName, `${problem} at byte ${at}`);
  }

  need(n: number, what: string): void {
    if (!(n <= this.bytes.length - this.pos)) {
      this.fail(`truncated ${what} (needs ${n} bytes, ${this.bytes.length - this.pos} left)`);
    }
  }

  u8(): number {
    this.need(1, 'tag header');
    return this.bytes[this.pos++]!;
  }

  u16(): number {
    this.need(2, 'tag header');
    const v = this.view.getUint16(this.pos, false);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4, 'tag header');
    const v = this.view.getUint32(this.pos, false);
    this.pos += 4;
    return v;
  }

  /** A header word: uint32 in version 3, uint64 in version 4 (must fit in 2^53). */
  word(): number {
    if (!this.wide) return this.u32();
    this.need(8, 'tag header');
    const v = this.view.getBigUint64(this.pos, false);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`implausible count ${v}`);
    this.pos += 8;
    return Number(v);
  }

  group(depth: number): DmGroup {
    if (depth > MAX_DEPTH) this.fail(`tag groups nested deeper than ${MAX_DEPTH}`);
    const start = this.pos;
    if (!(2 + (this.wide ? 8 : 4) <= this.bytes.length - this.pos)) {
      this.fail('truncated tag group', start);
    }
    this.pos += 2; // sorted, open flags
    const count = this.word();
    const tags: DmTag[] = [];
    // Each tag takes at least 3 bytes, so a claimed count larger than that is a lie
    // caught here rather than after a long loop.
    if (count * 3 > this.bytes.length - this.pos) {
      this.fail(`tag group claims ${count} tags in ${this.bytes.length - this.pos} bytes`, start);
    }
    for (let i = 0; i < count; i++) tags.push(this.tag(depth));
    return { kind: 'group', tags };
  }

  tag(depth: number): DmTag {
    const at = this.pos;
    const type = this.u8();
    const nameLength = this.u16();
    this.need(nameLength, 'tag name');
    const name = latin1(this.bytes.subarray(this.pos, this.pos + nameLength));
    this.pos += nameLength;
    if (this.wide) {
      const size = this.word();
      this.need(size, `tag '${name}'`);
    }
    if (type === TAG_GROUP) return { name, value: this.group(depth + 1) };
    if (type === TAG_DATA) return { name, value: this.data(name) };
    return this.fail(`unknown tag type ${type} for tag '${name}'`, at);
  }

  data(name: string): DmValue {
    const at = this.pos;
    this.need(4, `tag '${name}'`);
    if (latin1(this.bytes.subarray(this.pos, this.pos + 4)) !== '%%%%') {
      this.fail(`missing %%%% delimiter in tag '${name}'`);
    }
    this.pos += 4;
    const n = this.word();
    const wordSize = this.wide ? 8 : 4;
    if (n < 1) this.fail(`tag '${name}' has no type description`, at);
    if (n * wordSize > this.bytes.length - this.pos) {
      this.fail(`truncated type of tag '${name}' (claims ${n} type words)`, at);
    }
    const info: number[] = [];
    for (let i = 0; i < n; i++) info.push(this.word());
    const cursor = { i: 0 };
    const type = this.type(info, cursor, name, 0);
    if (cursor.i !== info.length)
      this.fail(`tag '${name}' has ${info.length - cursor.i} unused type words`, at);
    this.need(type.size, `value of tag '${name}'`);
    return this.value(type);
  }

  /** Decodes the type described by `info` from word `cursor.i` on, computing its byte size. */
  type(info: readonly number[], cursor: { i: number }, name: string, depth: number): DmType {
    if (depth > 8) this.fail(`type of tag '${name}' nests too deeply`);
    const next = (): number => {
      if (cursor.i >= info.length) this.fail(`tag '${name}' has an incomplete type description`);
      return info[cursor.i++]!;
    };
    const code = next();
    const size = SIMPLE_SIZE[code];
    if (size !== undefined) return { kind: 'simple', code, size };
    if (code === STRING) return { kind: 'string', size: next() };
    if (code === STRUCT) {
      next(); // struct name length (always 0)
      const nFields = next();
      if (nFields * 2 > info.length - cursor.i)
        this.fail(`tag '${name}' claims ${nFields} struct fields`);
      const fields: DmType[] = [];
      let total = 0;
      for (let f = 0; f < nFields; f++) {
        next(); // field name length (always 0)
        const field = this.type(info, cursor, name, depth + 1);
        fields.push(field);
        total += field.size;
      }
      return { kind: 'struct', fields, size: total };
    }
    if (code === ARRAY) {
      const element = this.type(info, cursor, name, depth + 1);
      const count = next();
      return { kind: 'array', element, count, size: element.size * count };
    }
    return this.fail(`tag '${name}' has unknown data type ${code}`);
  }

  value(type: DmType): DmValue {
    switch (type.kind) {
      case 'simple': {
        const v = readSimple(this.view, this.pos, type.code, this.littleEndian);
        this.pos += type.size;
        return v;
      }
      case 'string': {
        const s = latin1(this.bytes.subarray(this.pos, this.pos + type.size));
        this.pos += type.size;
        return s;
      }
      case 'struct':
        return type.fields.map((f) => this.value(f));
      case 'array': {
        const arr: DmArray = {
          kind: 'array',
          element: type.element,
          count: type.count,
          offset: this.pos,
          byteLength: type.size,
        };
        this.pos += type.size;
        return arr;
      }
    }
  }
}

function readSimple(
  view: DataView,
  at: number,
  code: number,
  le: boolean,
): number | bigint | boolean {
  switch (code) {
    case 2:
      return view.getInt16(at, le);
    case 3:
      return view.getInt32(at, le);
    case 4:
      return view.getUint16(at, le);
    case 5:
      return view.getUint32(at, le);
    case 6:
      return view.getFloat32(at, le);
    case 7:
      return view.getFloat64(at, le);
    case 8:
      return view.getUint8(at) !== 0;
    case 9:
      return view.getInt8(at);
    case 10:
      return view.getUint8(at);
    case 11:
      return view.getBigInt64(at, le);
    default:
      return view.getBigUint64(at, le);
  }
}

/** The first tag named `name` in `group` (undefined when absent). */
export function child(group: DmGroup | undefined, name: string): DmGroup | DmValue | undefined {
  return group?.tags.find((t) => t.name === name)?.value;
}

/** The subgroup at a path of tag names, or undefined when any step is missing or not a group. */
export function groupAt(group: DmGroup | undefined, ...path: string[]): DmGroup | undefined {
  let g = group;
  for (const name of path) {
    const v = child(g, name);
    g = isGroup(v) ? v : undefined;
  }
  return g;
}

export function isGroup(v: unknown): v is DmGroup {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'group';
}

export function isArray(v: unknown): v is DmArray {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'array';
}

/** A scalar tag as a number (booleans as 0/1, 64-bit integers through Number). */
export function asNumber(v: DmGroup | DmValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}

/**
 * Text stored the DM way: an array of uint16 (UTF-16 code units) or of
 * 8-bit characters. Undefined for anything else or anything huge.
 */
export function asText(
  file: DmFile,
  v: DmGroup | DmValue | undefined,
  limit = 4096,
): string | undefined {
  if (typeof v === 'string') return v;
  if (!isArray(v) || v.element.kind !== 'simple' || v.count > limit) return undefined;
  const { code } = v.element;
  if (code === DM_SIMPLE.uint16 || code === DM_SIMPLE.int16) {
    const view = new DataView(file.bytes.buffer, file.bytes.byteOffset + v.offset, v.byteLength);
    let s = '';
    for (let i = 0; i < v.count; i++)
      s += String.fromCharCode(view.getUint16(i * 2, file.littleEndian));
    return s;
  }
  if (code === DM_SIMPLE.uint8 || code === DM_SIMPLE.int8) {
    return latin1(file.bytes.subarray(v.offset, v.offset + v.byteLength));
  }
  return undefined;
}

/**
 * A tag tree as plain JSON-like data for metadata: groups become objects
 * (lists, whose tags are unnamed, become arrays), text arrays become strings,
 * short numeric arrays become number arrays, and long arrays a short note.
 */
export function toPlain(file: DmFile, v: DmGroup | DmValue, depth = 0): unknown {
  if (depth > MAX_DEPTH) return null;
  if (isGroup(v)) {
    if (v.tags.length > 0 && v.tags.every((t) => t.name === '')) {
      return v.tags.map((t) => toPlain(file, t.value, depth + 1));
    }
    const out: Record<string, unknown> = {};
    for (const t of v.tags) out[t.name] = toPlain(file, t.value, depth + 1);
    return out;
  }
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map((x) => toPlain(file, x, depth + 1));
  if (isArray(v)) {
    const text =
      v.element.kind === 'simple' && v.element.code === DM_SIMPLE.uint16
        ? asText(file, v)
        : undefined;
    if (text !== undefined) return text;
    if (v.element.kind === 'simple' && v.count <= 64) {
      const values: unknown[] = [];
      const view = new DataView(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength);
      for (let i = 0; i < v.count; i++) {
        values.push(
          toPlain(
            file,
            readSimple(view, v.offset + i * v.element.size, v.element.code, file.littleEndian),
          ),
        );
      }
      return values;
    }
    return `<array of ${v.count}>`;
  }
  return v;
}
