/**
 * NumPy .npy files (format versions 1.0, 2.0 and 3.0).
 *
 * Layout: the magic "\x93NUMPY", major and minor version bytes, the header
 * length (uint16 little-endian in 1.0, uint32 in 2.0 and 3.0), then a Python
 * dict literal such as `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }`
 * (latin-1 in 1.0/2.0, UTF-8 in 3.0), padded with spaces and ending in '\n',
 * then the raw array bytes.
 */
import { DTYPE_SIZE, dtypeOf, type DType, type NumericArray } from '../model/dtype.js';
import type { AxisSpec } from '../model/axis.js';
import type { Signal } from '../model/signal.js';
import {
  decodeTypedArray,
  encodeLittleEndian,
  fileStem,
  latin1,
  shapeProduct,
  toBytes,
  utf8,
} from './binary.js';
import { FileFormatError, signalFromFile } from './errors.js';
import { allocateCube } from './source.js';

export interface NpyArray {
  data: NumericArray;
  dtype: DType;
  /** C-order shape (Fortran-ordered files are transposed on read). */
  shape: number[];
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** numpy type characters and sizes we read, keyed by "kind + itemsize". */
const DESCR_DTYPES: Readonly<Record<string, DType>> = {
  b1: 'bool',
  '?1': 'bool',
  i1: 'int8',
  u1: 'uint8',
  i2: 'int16',
  u2: 'uint16',
  i4: 'int32',
  u4: 'uint32',
  i8: 'int64',
  u8: 'uint64',
  f4: 'float32',
  f8: 'float64',
};

const DTYPE_DESCR: Readonly<Record<DType, string>> = {
  bool: '|b1',
  int8: '|i1',
  uint8: '|u1',
  int16: '<i2',
  uint16: '<u2',
  int32: '<i4',
  uint32: '<u4',
  int64: '<i8',
  uint64: '<u8',
  float32: '<f4',
  float64: '<f8',
};

export function readNpy(input: Uint8Array | ArrayBuffer, fileName: string): NpyArray {
  const bytes = toBytes(input);
  const fail = (problem: string): never => {
    throw new FileFormatError(fileName, problem);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    fail('not a NumPy .npy file (missing the \\x93NUMPY magic)');
  }
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3) fail(`unsupported .npy format version ${major}.${minor}`);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) fail('truncated .npy header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = 8 + lengthBytes;
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) {
    fail(`header claims ${headerLength} bytes but only ${bytes.length - headerStart} remain`);
  }
  const headerBytes = bytes.subarray(headerStart, dataStart);
  const headerText = major === 3 ? utf8(headerBytes) : latin1(headerBytes);
  const header = parseHeader(headerText, fail);

  const descr = header.get('descr');
  if (typeof descr !== 'string')
    fail('the header has no string "descr" (structured dtypes are not supported)');
  const { dtype, littleEndian } = parseDescr(descr as string, fail);
  const fortran = header.get('fortran_order');
  if (typeof fortran !== 'boolean') fail('the header has no boolean "fortran_order"');
  const shapeValue = header.get('shape');
  if (!Array.isArray(shapeValue)) fail('the header has no tuple "shape"');
  const shape = (shapeValue as unknown[]).map((d) => {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      return fail(`invalid dimension ${String(d)} in shape`);
    }
    return d;
  });

  const count = shapeProduct(shape);
  const needed = count * DTYPE_SIZE[dtype];
  const available = bytes.length - dataStart;
  // Checked before allocating: a header claiming terabytes must fail here.
  if (!Number.isFinite(needed)) fail(`shape (${shape.join(', ')}) is implausibly large`);
  if (!(needed <= available)) {
    fail(
      `shape (${shape.join(', ')}) of ${dtype} needs ${needed} data bytes but the file has ${available}`,
    );
  }
  const cube = allocateCube(fileName, dtype, count, { limitBytes: available });
  const raw = decodeTypedArray(bytes, dataStart, dtype, count, littleEndian, cube);
  const data = fortran && shape.length > 1 ? fortranToC(raw, shape) : raw;
  return { data, dtype, shape };
}

/** `data` and `shape` as .npy bytes: little-endian, C order, version 1.0 when the header fits. */
export function writeNpy(
  data: NumericArray,
  shape: readonly number[],
  dtype: DType = dtypeOf(data),
): Uint8Array {
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new RangeError(`writeNpy: invalid shape (${shape.join(', ')})`);
  }
  const count = shapeProduct(shape);
  if (count !== data.length) {
    throw new RangeError(
      `writeNpy: ${data.length} elements do not fill shape (${shape.join(', ')})`,
    );
  }
  if (DTYPE_SIZE[dtype] !== data.BYTES_PER_ELEMENT) {
    throw new RangeError(`writeNpy: a ${data.constructor.name} cannot be written as ${dtype}`);
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${DTYPE_DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // numpy pads the header with spaces so the data start on a 64-byte boundary.
  const version = dict.length + 1 + 10 <= 0xffff ? 1 : 2;
  const prefix = version === 1 ? 10 : 12;
  const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  const headerText = dict.padEnd(total - prefix - 1, ' ') + '\n';
  const body = encodeLittleEndian(data);
  const out = new Uint8Array(total + body.length);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, headerText.length, true);
  else view.setUint32(8, headerText.length, true);
  for (let i = 0; i < headerText.length; i++) out[prefix + i] = headerText.charCodeAt(i);
  out.set(body, total);
  return out;
}

/**
 * A .npy array as a Signal: the last axis is the signal axis, the others
 * navigation axes; every axis is uncalibrated (offset 0, scale 1).
 */
export function signalFromNpy(input: Uint8Array | ArrayBuffer, fileName: string): Signal {
  const { data, dtype, shape } = readNpy(input, fileName);
  if (shape.length < 1 || shape.length > 4) {
    throw new FileFormatError(
      fileName,
      `a signal needs 1 to 4 dimensions (0 to 3 navigation axes and one signal axis), the array has ${shape.length}`,
    );
  }
  const axes: AxisSpec[] = shape.map((size, i) => ({
    name: '',
    size,
    offset: 0,
    scale: 1,
    units: '',
    navigate: i < shape.length - 1,
  }));
  return signalFromFile(fileName, { data, dtype, axes, title: fileStem(fileName) });
}

function parseDescr(
  descr: string,
  fail: (p: string) => never,
): { dtype: DType; littleEndian: boolean } {
  const m = /^([<>|=]?)([a-zA-Z?])(\d+)$/.exec(descr);
  const dtype = m ? DESCR_DTYPES[`${m[2]}${m[3]}`] : undefined;
  if (!m || dtype === undefined) return fail(`unsupported dtype '${descr}'`);
  // '=' is the writer's native order; every numpy build we meet is little-endian.
  return { dtype, littleEndian: m[1] !== '>' };
}

/** Converts a Fortran-ordered (column-major) array to C order. */
function fortranToC(src: NumericArray, shape: readonly number[]): NumericArray {
  const rank = shape.length;
  const out = src.slice();
  // Fortran strides: dimension 0 varies fastest.
  const fStride = new Array<number>(rank);
  let s = 1;
  for (let d = 0; d < rank; d++) {
    fStride[d] = s;
    s *= shape[d]!;
  }
  const index = new Array<number>(rank).fill(0);
  let f = 0;
  for (let c = 0; c < src.length; c++) {
    (out as { [i: number]: number | bigint })[c] = src[f]!;
    // Advance the C-order multi-index (last dimension fastest), tracking the Fortran offset.
    for (let d = rank - 1; d >= 0; d--) {
      index[d]!++;
      f += fStride[d]!;
      if (index[d]! < shape[d]!) break;
      f -= fStride[d]! * shape[d]!;
      index[d] = 0;
    }
  }
  return out;
}

type PyValue = string | number | boolean | null | PyValue[] | Map<string, PyValue>;

/** Parses the header's Python dict literal (strings, ints, True/False/None, tuples, lists). */
function parseHeader(text: string, fail: (p: string) => never): Map<string, PyValue> {
  let pos = 0;
  const skip = (): void => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const value = (depth: number): PyValue => {
    if (depth > 16) fail('header nests too deeply');
    skip();
    const c = text[pos];
    if (c === undefined) return fail('truncated header dict');
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, pos + 1);
      if (end < 0) fail('unterminated string in header');
      const s = text.slice(pos + 1, end);
      pos = end + 1;
      return s;
    }
    if (c === '{' || c === '(' || c === '[') {
      const close = c === '{' ? '}' : c === '(' ? ')' : ']';
      pos++;
      const items: PyValue[] = [];
      const dict = new Map<string, PyValue>();
      for (;;) {
        skip();
        if (text[pos] === close) {
          pos++;
          return c === '{' ? dict : items;
        }
        const item = value(depth + 1);
        skip();
        if (c === '{') {
          if (typeof item !== 'string') fail('header dict keys must be strings');
          if (text[pos] !== ':') fail(`expected ':' at header character ${pos}`);
          pos++;
          dict.set(item as string, value(depth + 1));
          skip();
        } else {
          items.push(item);
        }
        if (text[pos] === ',') pos++;
        else if (text[pos] !== close) fail(`expected ',' or '${close}' at header character ${pos}`);
      }
    }
    const word = /^(?:True|False|None|-?\d+L?)/.exec(text.slice(pos, pos + 32));
    if (!word) return fail(`unexpected '${c}' at header character ${pos}`);
    pos += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    return Number(word[0].replace('L', ''));
  };
  const result = value(0);
  if (!(result instanceof Map)) fail('the header is not a dict');
  return result as Map<string, PyValue>;
}
