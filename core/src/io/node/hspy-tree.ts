/**
 * HyperSpy's dictionary encoding in HDF5, both ways, and small builders for
 * the write tree (hspy-hdf5.ts).
 *
 * HyperSpy stores a nested dictionary as groups and attributes, with these
 * conventions (observed in files HyperSpy 1.7.3 writes):
 *   - None is the string '_None_';
 *   - a list or tuple of numbers or strings is a dataset `_list_<key>` /
 *     `_tuple_<key>`; of mixed items a group `_list_<N>_<key>` whose members
 *     are named 0, 1, ...; an empty one an attribute `_list_empty_<key>`;
 *   - a signal is a group `_sig_<key>`, an axes manager `_hspy_AxesManager_<key>`;
 *   - bytes are an attribute `_bs_<key>`.
 */
import { HOST_LITTLE_ENDIAN, encodeLittleEndian } from '../binary.js';
import { dtypeOf, type DType, type NumericArray } from '../../model/dtype.js';
import type { H5Attribute, H5Dataset, H5Group, H5Node, H5Type } from './hspy-hdf5.js';
import type { H5DatasetView, H5GroupView, H5Value } from './hspy-h5read.js';

export const VSTR: H5Type = { class: 'vstr' };
export const BOOL: H5Type = { class: 'bool' };
export const F64: H5Type = { class: 'float', size: 8 };
export const I64: H5Type = { class: 'int', size: 8, signed: true };

/** Little-endian bytes of a typed array; a view, not a copy, on little-endian machines. */
export function leBytes(data: NumericArray): Uint8Array {
  return HOST_LITTLE_ENDIAN
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : encodeLittleEndian(data);
}

export function h5TypeOf(dtype: DType): H5Type {
  switch (dtype) {
    case 'bool':
      return BOOL;
    case 'float32':
      return { class: 'float', size: 4 };
    case 'float64':
      return F64;
    case 'int8':
    case 'uint8':
      return { class: 'int', size: 1, signed: dtype === 'int8' };
    case 'int16':
    case 'uint16':
      return { class: 'int', size: 2, signed: dtype === 'int16' };
    case 'int32':
    case 'uint32':
      return { class: 'int', size: 4, signed: dtype === 'int32' };
    case 'int64':
    case 'uint64':
      return { class: 'int', size: 8, signed: dtype === 'int64' };
  }
}

/** Attribute builders, named after the Python types HyperSpy writes. */
export const attr = {
  str: (name: string, value: string): H5Attribute => ({
    name,
    type: VSTR,
    shape: [],
    data: [value],
  }),
  none: (name: string): H5Attribute => attr.str(name, '_None_'),
  f64: (name: string, value: number): H5Attribute => ({
    name,
    type: F64,
    shape: [],
    data: leBytes(Float64Array.of(value)),
  }),
  i64: (name: string, value: number | bigint): H5Attribute => ({
    name,
    type: I64,
    shape: [],
    data: leBytes(BigInt64Array.of(BigInt(value))),
  }),
  bool: (name: string, value: boolean): H5Attribute => ({
    name,
    type: BOOL,
    shape: [],
    data: Uint8Array.of(value ? 1 : 0),
  }),
  /** A number as HyperSpy would have it: int64 when integral, else float64. */
  number: (name: string, value: number): H5Attribute =>
    Number.isSafeInteger(value) && !Object.is(value, -0)
      ? attr.i64(name, value)
      : attr.f64(name, value),
  /** A float bound or value that may be open: float64, or '_None_'. */
  floatOrNone: (name: string, value: number | null): H5Attribute =>
    value === null || Number.isNaN(value) ? attr.none(name) : attr.f64(name, value),
};

export function group(attrs: H5Attribute[] = [], children: [string, H5Node][] = []): H5Group {
  return { kind: 'group', attrs, children: new Map(children) };
}

export function dataset(
  type: H5Type,
  shape: readonly number[],
  data: Uint8Array | readonly string[],
  attrs: H5Attribute[] = [],
): H5Dataset {
  return { kind: 'dataset', type, shape, data, attrs };
}

export function numericDataset(
  data: NumericArray,
  shape: readonly number[],
  dtype?: DType,
): H5Dataset {
  return dataset(h5TypeOf(dtype ?? dtypeOf(data)), shape, leBytes(data));
}

/** A whitelist group: which attributes HyperSpy saved and how to restore them. */
export function whitelist(entries: Record<string, string>): H5Group {
  return group(Object.entries(entries).map(([k, v]) => attr.str(k, v)));
}

// --- plain tree -> HDF5 (writing metadata) --------------------------------------

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isNumericArray(v: unknown): v is NumericArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof Uint8ClampedArray);
}

/** HDF5 names cannot hold '/' (HyperSpy writes '-' instead) nor be empty or '.'. */
export function safeName(key: string): string {
  const name = key.replaceAll('/', '-');
  return name === '' || name === '.' ? '_' : name;
}

/** Adds `value` under `key` to `g` the way HyperSpy encodes dictionaries. */
function putValue(g: H5Group, key: string, value: unknown): void {
  const name = safeName(key);
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return;
  if (value === null) g.attrs.push(attr.none(name));
  else if (typeof value === 'string') g.attrs.push(attr.str(name, value));
  else if (typeof value === 'boolean') g.attrs.push(attr.bool(name, value));
  else if (typeof value === 'bigint') g.attrs.push(attr.i64(name, value));
  else if (typeof value === 'number') g.attrs.push(attr.number(name, value));
  else if (value instanceof Date) g.attrs.push(attr.str(name, value.toISOString()));
  else if (isNumericArray(value)) g.children.set(name, numericDataset(value, [value.length]));
  else if (Array.isArray(value)) putList(g, name, value);
  else if (value instanceof Map) g.children.set(name, encodeTree(Object.fromEntries(value)));
  else if (isPlainObject(value)) g.children.set(name, encodeTree(value));
  else g.attrs.push(attr.str(name, String(value)));
}

function putList(g: H5Group, name: string, items: readonly unknown[]): void {
  if (items.length === 0) {
    g.attrs.push(attr.none(`_list_empty_${name}`));
  } else if (items.every((x) => typeof x === 'string')) {
    g.children.set(`_list_${name}`, dataset(VSTR, [items.length], items as string[]));
  } else if (items.every((x) => typeof x === 'boolean')) {
    g.children.set(
      `_list_${name}`,
      dataset(BOOL, [items.length], Uint8Array.from(items as boolean[], Number)),
    );
  } else if (items.every((x) => typeof x === 'number')) {
    const numbers = items as number[];
    g.children.set(
      `_list_${name}`,
      numbers.every((x) => Number.isSafeInteger(x))
        ? numericDataset(
            BigInt64Array.from(numbers, (x) => BigInt(x)),
            [numbers.length],
          )
        : numericDataset(Float64Array.from(numbers), [numbers.length]),
    );
  } else {
    const sub = group();
    items.forEach((x, i) => putValue(sub, String(i), x));
    g.children.set(`_list_${items.length}_${name}`, sub);
  }
}

/** A plain tree (objects, arrays, scalars, typed arrays) as HyperSpy's HDF5 dictionary. */
export function encodeTree(tree: Readonly<Record<string, unknown>>): H5Group {
  const g = group();
  for (const [k, v] of Object.entries(tree)) putValue(g, k, v);
  return g;
}

// --- HDF5 -> plain tree (reading metadata) ---------------------------------------

const LIST_GROUP = /^_(?:list|tuple)_(\d+)_(.*)$/s;
const LIST_DATASET = /^_(?:list|tuple)_(.*)$/s;
const LIST_EMPTY = /^_(?:list|tuple)_empty_(.*)$/s;

function plainValue(v: H5Value): unknown {
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && ArrayBuffer.isView(v)) return v;
  if (Array.isArray(v)) return v.map(plainValue);
  return v;
}

/** Numbers, booleans and strings; a compound or other exotic dataset is not part of a metadata tree. */
function datasetValue(d: H5DatasetView): unknown {
  return d.isNumeric || d.isString ? plainValue(d.value()) : null;
}

/**
 * HyperSpy's HDF5 dictionary under `g` as a plain tree. `skip` names
 * subgroups not to descend into (e.g. a variance signal read separately).
 */
export function decodeTree(
  g: H5GroupView,
  skip: (name: string) => boolean = () => false,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of g.attrs()) {
    const empty = LIST_EMPTY.exec(name);
    if (empty) out[empty[1]!] = [];
    else if (name.startsWith('_bs_')) out[name.slice(4)] = value;
    else out[name] = plainValue(value);
  }
  for (const name of g.keys()) {
    if (skip(name) || name.startsWith('_sig_') || name.startsWith('_hspy_AxesManager_')) continue;
    const sub = g.group(name);
    if (sub !== null) {
      const list = LIST_GROUP.exec(name);
      if (list) {
        const n = Number(list[1]);
        const items = decodeTree(sub);
        out[list[2]!] = Array.from({ length: n }, (_x, i) => items[String(i)] ?? null);
      } else {
        out[name] = decodeTree(sub);
      }
      continue;
    }
    const d = g.dataset(name);
    if (d === null) continue;
    const list = LIST_DATASET.exec(name);
    const value = datasetValue(d);
    if (list) {
      out[list[1]!] = isNumericArray(value)
        ? Array.from(value as ArrayLike<number | bigint>, Number)
        : Array.isArray(value)
          ? value
          : [value];
    } else {
      out[name] = value;
    }
  }
  return out;
}
