/**
 * Reading HDF5 through h5wasm, with everything that comes out of the file
 * typed as data to check: attribute values become plain values (h5py's
 * booleans as booleans, HyperSpy's '_None_' as null), datasets give their
 * shape and either a typed array or raw element bytes with the member layout
 * (compound `map`s are decoded from bytes, not from h5wasm's row arrays, to
 * stay fast on large navigation spaces).
 *
 * h5wasm is loaded on first use, so importing the file readers does not
 * start the WebAssembly module.
 */
import { open, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Attribute, Dataset, Group, Metadata } from 'h5wasm/node';
import type * as H5WasmNamespace from 'h5wasm/node';
import { toShared } from '../shared-array.js';
import { FileFormatError } from '../errors.js';
import { checkCube } from '../source.js';
import type { ReadWork } from './read-work.js';

type H5WasmModule = typeof H5WasmNamespace;

let loading: Promise<H5WasmModule> | undefined;
let loaded: H5WasmModule | undefined;

/** h5wasm, ready, with HDF5 errors thrown as exceptions instead of printed. */
export function h5wasm(): Promise<H5WasmModule> {
  loading ??= import('h5wasm/node').then(async (m) => {
    await m.default.ready;
    m.Module.activate_throwing_error_handler();
    loaded = m;
    return m;
  });
  return loading;
}

/** The loaded module; views exist only after `h5wasm()` resolved. */
function lib(): H5WasmModule {
  if (loaded === undefined) throw new Error('internal: h5wasm used before it was loaded');
  return loaded;
}

/** A value read from an attribute, or from a small dataset. */
export type H5Value =
  | string
  | number
  | bigint
  | boolean
  | null
  | readonly H5Value[]
  | Float64Array
  | Float32Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** A numeric dataset's values. */
export type H5Array = Exclude<
  H5Value,
  string | number | bigint | boolean | null | readonly H5Value[]
>;

const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_STRING = 3;
const H5T_COMPOUND = 6;
const H5T_ENUM = 8;
const H5T_ARRAY = 10;

/** Datasets larger than this are read in blocks (see typedArray). */
const BLOCK_BYTES = 8 * 1024 * 1024;

/**
 * The most a compressed dataset can decode to per byte of file: deflate's
 * limit (about 1032:1), the filter HyperSpy files use. Unfiltered data are
 * at most the file's size.
 */
const MAX_COMPRESSION_RATIO = 1032;

/** The open file, for checking what a dataset declares against what it can hold. */
interface OpenFile {
  name: string;
  size: number;
}

/** h5py's booleans: an enum with exactly FALSE = 0 and TRUE = 1. */
export function isBoolEnum(meta: Metadata): boolean {
  const members = meta.enum_type?.members;
  return (
    meta.type === H5T_ENUM &&
    members !== undefined &&
    Object.keys(members).length === 2 &&
    members['FALSE'] === 0 &&
    members['TRUE'] === 1
  );
}

function isTypedArray(v: unknown): v is H5Array {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

/** A 64-bit integer as a number when exact, else left a bigint. */
function int64(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(v)
    : v;
}

/** Converts what h5wasm returns for an attribute into an H5Value. */
function convert(raw: unknown, meta: Metadata): H5Value {
  const scalar = (meta.shape ?? []).length === 0;
  if (isBoolEnum(meta)) {
    if (typeof raw === 'number' || typeof raw === 'bigint') return Number(raw) !== 0;
    if (isTypedArray(raw)) return Array.from(raw as ArrayLike<number>, (x) => Number(x) !== 0);
  }
  if (typeof raw === 'string') return raw === '_None_' ? null : raw;
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'bigint') return int64(raw);
  if (typeof raw === 'boolean') return raw;
  if (isTypedArray(raw)) {
    if (scalar && raw.length === 1) {
      const v = raw[0]!;
      return typeof v === 'bigint' ? int64(v) : v;
    }
    return raw;
  }
  if (Array.isArray(raw)) {
    const items = raw.map((x: unknown) => convert(x, { ...meta, shape: [] }));
    return scalar && items.length === 1 ? items[0]! : items;
  }
  return null;
}

/**
 * Every attribute converted. One of a type h5wasm cannot decode (a
 * reference, say) is left out rather than making the file unreadable.
 */
function readAttributes(attrs: Record<string, Attribute>): Map<string, H5Value> {
  const out = new Map<string, H5Value>();
  for (const name of Object.keys(attrs)) {
    try {
      const a = attrs[name]!;
      out.set(name, convert(a.value, a.metadata));
    } catch {
      // skipped: see above
    }
  }
  return out;
}

/** Raw element bytes of a dataset with its member layout (for compounds). */
export interface RawDataset {
  bytes: Uint8Array;
  shape: number[];
  meta: Metadata;
}

/** A view of an open group; children by name, attributes converted. */
export class H5GroupView {
  readonly #group: Group;
  readonly #file: OpenFile;
  readonly path: string;

  constructor(group: Group, file: OpenFile) {
    this.#group = group;
    this.#file = file;
    this.path = group.path;
  }

  keys(): string[] {
    return this.#group.keys();
  }

  attrs(): Map<string, H5Value> {
    return readAttributes(this.#group.attrs);
  }

  group(name: string): H5GroupView | null {
    const e = this.#get(name);
    return e instanceof lib().Group ? new H5GroupView(e, this.#file) : null;
  }

  dataset(name: string): H5DatasetView | null {
    const e = this.#get(name);
    return e instanceof lib().Dataset ? new H5DatasetView(e, this.#file) : null;
  }

  #get(name: string): unknown {
    return this.#group.keys().includes(name) ? this.#group.get(name) : null;
  }

  has(name: string): boolean {
    return this.#group.keys().includes(name);
  }
}

export class H5DatasetView {
  readonly #dataset: Dataset;
  readonly #file: OpenFile;
  readonly path: string;

  constructor(dataset: Dataset, file: OpenFile) {
    this.#dataset = dataset;
    this.#file = file;
    this.path = dataset.path;
  }

  /**
   * Refuses a dataset that declares more than the file can hold, before
   * HDF5 is asked for it: a chunked dataset whose chunks were never written
   * reads as fill values of any declared size, so a forged dataspace would
   * otherwise allocate whatever it says.
   */
  #checkFits(): void {
    const meta = this.meta;
    const { Module } = lib();
    const filtered = Module.get_dataset_filters(this.#dataset.file_id, this.path).length > 0;
    checkCube(this.#file.name, meta.total_size, meta.size, {
      limitBytes: this.#file.size * (filtered ? MAX_COMPRESSION_RATIO : 1),
      what: `dataset ${this.path} (${this.shape.join(' x ')} values of ${meta.size} bytes)`,
    });
  }

  get meta(): Metadata {
    return this.#dataset.metadata;
  }

  get shape(): number[] {
    return this.#dataset.shape ?? [];
  }

  attrs(): Map<string, H5Value> {
    return readAttributes(this.#dataset.attrs);
  }

  /** Whether the elements are plain integers, floats or h5py booleans. */
  get isNumeric(): boolean {
    const t = this.meta.type;
    return t === H5T_INTEGER || t === H5T_FLOAT || isBoolEnum(this.meta);
  }

  get isString(): boolean {
    return this.meta.type === H5T_STRING;
  }

  get isCompound(): boolean {
    return this.meta.type === H5T_COMPOUND;
  }

  /**
   * Numeric data as a typed array in C order (h5wasm reads little-endian).
   * Large datasets are read in blocks of whole chunks along the first axis:
   * h5wasm's WebAssembly memory grows to hold what one read returns and never
   * shrinks, so reading a 1 GB map in one go would keep 1 GB more resident
   * for the life of the process.
   */
  typedArray(options: { shared?: boolean } = {}): H5Array {
    this.#checkFits();
    const shape = this.shape;
    const meta = this.meta;
    const bytes = meta.size * meta.total_size;
    const shared = options.shared ?? false;
    if (this.#blocked(shape, bytes)) {
      const blocks = this.#readBlocks(shape, bytes, shared);
      let step = blocks.next();
      while (!step.done) step = blocks.next();
      if (step.value) return step.value;
    }
    return this.#whole(shared);
  }

  /**
   * As typedArray, telling `work` of each block read (in bytes) and letting
   * a cancel in between blocks: what a reader with progress and Cancel uses.
   */
  async typedArrayAsync(
    work: ReadWork,
    options: { shared?: boolean; stage?: string } = {},
  ): Promise<H5Array> {
    this.#checkFits();
    const shape = this.shape;
    const meta = this.meta;
    const bytes = meta.size * meta.total_size;
    const shared = options.shared ?? false;
    const stage = options.stage ?? 'reading';
    await work.checkpoint();
    if (this.#blocked(shape, bytes)) {
      const blocks = this.#readBlocks(shape, bytes, shared);
      for (let step = blocks.next(); ; step = blocks.next()) {
        if (step.done) {
          if (step.value) return step.value;
          break;
        }
        work.advance(step.value, stage);
        await work.checkpoint();
      }
    }
    const whole = this.#whole(shared);
    work.advance(bytes, stage);
    return whole;
  }

  #blocked(shape: number[], bytes: number): boolean {
    return shape.length >= 2 && bytes > BLOCK_BYTES && this.meta.type !== H5T_COMPOUND;
  }

  #whole(shared: boolean): H5Array {
    const v: unknown = this.#dataset.value;
    if (isTypedArray(v)) return shared ? toShared(v) : v;
    if (typeof v === 'number') return Float64Array.of(v);
    if (typeof v === 'bigint') return BigInt64Array.of(v);
    throw new Error(`dataset ${this.path} is not numeric`);
  }

  /** Reads the blocks one by one, yielding each one's bytes; returns the whole (null: cannot slice). */
  *#readBlocks(
    shape: number[],
    bytes: number,
    shared: boolean,
  ): Generator<number, H5Array | null, void> {
    const rows = shape[0]!;
    const rowBytes = bytes / rows;
    const chunkRows = Math.max(1, this.meta.chunks?.[0] ?? 1);
    const step = Math.max(chunkRows, Math.floor(BLOCK_BYTES / rowBytes / chunkRows) * chunkRows);
    const rowLength = this.meta.total_size / rows;
    type Out = H5Array;
    let out: Out | null = null;
    for (let r = 0; r < rows; r += step) {
      const stop = Math.min(rows, r + step);
      const part: unknown = this.#dataset.slice([[r, stop]]);
      if (!isTypedArray(part) || part.length !== (stop - r) * rowLength) return null;
      if (out === null) {
        const Ctor = part.constructor as new (n: number | SharedArrayBuffer) => Out;
        out = new Ctor(shared ? new SharedArrayBuffer(bytes) : this.meta.total_size);
      }
      (out as unknown as { set(a: ArrayLike<unknown>, at: number): void }).set(
        part as ArrayLike<unknown>,
        r * rowLength,
      );
      yield (stop - r) * rowBytes;
    }
    return out;
  }

  /** A small dataset as a value (strings, numbers, booleans, arrays of them). */
  value(): H5Value {
    this.#checkFits();
    return convert(this.#dataset.value, this.meta);
  }

  /** Every element's bytes, as stored in memory by HDF5 (compounds packed as in the file type). */
  raw(): RawDataset {
    this.#checkFits();
    const { Module } = lib();
    const meta = this.meta;
    const n = meta.size * meta.total_size;
    const ptr = Module._malloc(Math.max(1, n));
    if (ptr === 0) throw new Error(`cannot allocate ${n} bytes for ${this.path}`);
    try {
      Module.get_dataset_data(this.#dataset.file_id, this.path, null, null, null, BigInt(ptr));
      return { bytes: Module.HEAPU8.slice(ptr, ptr + n), shape: this.shape, meta };
    } finally {
      Module._free(ptr);
    }
  }
}

export { H5T_ARRAY, H5T_COMPOUND, H5T_FLOAT, H5T_INTEGER };

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Checks that `path` is an HDF5 file and not cut short, before h5wasm sees
 * it, so that the usual mistakes get a plain message. The signature may sit
 * after a user block (at 512, 1024, 2048, ... bytes).
 */
export async function checkHdf5(path: string, name: string): Promise<number> {
  const size = (await stat(path)).size;
  const handle = await open(path, 'r');
  try {
    for (let at = 0; at + 8 <= size; at = at === 0 ? 512 : at * 2) {
      const head = new Uint8Array(48);
      const { bytesRead } = await handle.read(head, 0, 48, at);
      if (bytesRead < 8 || SIGNATURE.some((b, i) => head[i] !== b)) continue;
      if (bytesRead < 48)
        throw new FileFormatError(name, `truncated: ${size} bytes end inside the HDF5 superblock`);
      const view = new DataView(head.buffer);
      const version = head[8]!;
      // End-of-file address: after 8 more bytes (v0/v1: 16 + K fields) or in the short v2/v3 superblock.
      const offsetSize = version >= 2 ? head[9]! : head[13]!;
      if (offsetSize !== 8) return size; // unusual files: let the library judge
      const eofAt = version >= 2 ? 28 : version === 1 ? 44 : 40;
      if (eofAt + 8 > bytesRead) return size;
      const eof = Number(view.getBigUint64(eofAt, true)) + at;
      if (eof > size) {
        throw new FileFormatError(
          name,
          `truncated: the file has ${size} bytes but its HDF5 superblock says ${eof}`,
        );
      }
      return size;
    }
    throw new FileFormatError(name, 'not an HDF5 file (no HDF5 signature)');
  } finally {
    await handle.close();
  }
}

/**
 * Opens `path` read-only, runs `fn` on its root group, and closes the file
 * whatever happens. Errors that are not already FileFormatErrors become
 * FileFormatErrors naming the file.
 */
export async function withHdf5File<T>(
  path: string,
  fn: (root: H5GroupView, name: string) => Promise<T> | T,
): Promise<T> {
  const name = basename(path);
  const size = await checkHdf5(path, name).catch((err: unknown) => {
    if (err instanceof FileFormatError) throw err;
    throw new FileFormatError(name, `cannot open: ${describe(err)}`, { cause: err });
  });
  const { default: h5 } = await h5wasm();
  let file: InstanceType<typeof h5.File> | undefined;
  try {
    file = new h5.File(resolve(path), 'r');
    return await fn(new H5GroupView(file, { name, size }), name);
  } catch (err) {
    // A cancelled read stays a cancel (the caller's AbortError), not a broken file.
    if (err instanceof FileFormatError || (err instanceof Error && err.name === 'AbortError'))
      throw err;
    throw new FileFormatError(name, `cannot read HDF5: ${describe(err)}`, { cause: err });
  } finally {
    try {
      file?.close();
    } catch {
      // a failed close of a read-only file loses nothing
    }
  }
}

export function describe(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  // HDF5's error stack: '#000: file line N in F(): what failed', down to '#0NN: ... the cause'.
  const frames = [...text.matchAll(/#\d+: .* in \w+\(\): (.+)/g)].map((m) => m[1]!.trim());
  if (frames.length > 0) {
    const [first, cause] = [frames[0]!, frames[frames.length - 1]!];
    return first === cause ? first : `${first} (${cause})`;
  }
  return (
    text
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? text
  );
}
