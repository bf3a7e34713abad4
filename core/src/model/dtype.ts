/**
 * Native numeric storage of signal data. Data stay in the typed array they
 * were read into; fitting reads one pixel at a time as float64.
 */

export type DType =
  | 'bool'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64';

export type NumericArray =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

export const DTYPES: readonly DType[] = [
  'bool',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'float32',
  'float64',
];

/** Bytes per element of each dtype. */
export const DTYPE_SIZE: Readonly<Record<DType, number>> = {
  bool: 1,
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
  float32: 4,
  float64: 8,
};

export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && (DTYPES as readonly string[]).includes(value);
}

/** A zero-filled typed array of `length` elements of `dtype`. */
export function allocate(dtype: DType, length: number): NumericArray {
  switch (dtype) {
    case 'bool':
    case 'uint8':
      return new Uint8Array(length);
    case 'int8':
      return new Int8Array(length);
    case 'int16':
      return new Int16Array(length);
    case 'uint16':
      return new Uint16Array(length);
    case 'int32':
      return new Int32Array(length);
    case 'uint32':
      return new Uint32Array(length);
    case 'int64':
      return new BigInt64Array(length);
    case 'uint64':
      return new BigUint64Array(length);
    case 'float32':
      return new Float32Array(length);
    case 'float64':
      return new Float64Array(length);
  }
}

/** The dtype naturally stored by a typed array (Uint8Array reads as uint8, not bool). */
export function dtypeOf(array: NumericArray): DType {
  if (array instanceof Float64Array) return 'float64';
  if (array instanceof Float32Array) return 'float32';
  if (array instanceof Int8Array) return 'int8';
  if (array instanceof Uint8Array) return 'uint8';
  if (array instanceof Int16Array) return 'int16';
  if (array instanceof Uint16Array) return 'uint16';
  if (array instanceof Int32Array) return 'int32';
  if (array instanceof Uint32Array) return 'uint32';
  if (array instanceof BigInt64Array) return 'int64';
  return 'uint64';
}

/** Whether `array` is a typed array that can hold `dtype`. */
export function arrayMatchesDType(array: NumericArray, dtype: DType): boolean {
  const natural = dtypeOf(array);
  return natural === dtype || (dtype === 'bool' && natural === 'uint8');
}

/**
 * Copy `count` elements of `src` starting at `start` into `out` as float64.
 * 64-bit integers go through Number (exact up to 2^53).
 */
export function readAsFloat64(
  src: NumericArray,
  start: number,
  count: number,
  out: Float64Array,
  outStart = 0,
): void {
  if (src instanceof BigInt64Array || src instanceof BigUint64Array) {
    for (let i = 0; i < count; i++) out[outStart + i] = Number(src[start + i]);
  } else {
    for (let i = 0; i < count; i++) out[outStart + i] = src[start + i] as number;
  }
}

/** Whole array as a new Float64Array. */
export function toFloat64(src: NumericArray): Float64Array {
  if (src instanceof Float64Array) return src;
  const out = new Float64Array(src.length);
  readAsFloat64(src, 0, src.length, out);
  return out;
}
