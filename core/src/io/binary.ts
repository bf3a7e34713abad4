/**
 * Byte-level helpers shared by the pure readers: typed arrays from bytes in
 * either byte order, typed arrays to little-endian bytes, and text decoding.
 * Every result is a copy, so the caller's buffer can be released and the
 * typed array is always aligned.
 */
import { DTYPE_SIZE, allocate, type DType, type NumericArray } from '../model/dtype.js';

/** Whether this machine stores numbers little-endian (all current targets do). */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses each `size`-byte group of `bytes` in place. */
function swapBytes(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

/**
 * `count` elements of `dtype` starting at byte `offset` of `bytes`, stored
 * with the given byte order, into `into` when given (a cube from
 * allocateCube, checked against the file). The caller has checked that the
 * bytes exist.
 */
export function decodeTypedArray(
  bytes: Uint8Array,
  offset: number,
  dtype: DType,
  count: number,
  littleEndian: boolean,
  into?: NumericArray,
): NumericArray {
  const size = DTYPE_SIZE[dtype];
  const out = into ?? allocate(dtype, count);
  const view = new Uint8Array(out.buffer, out.byteOffset, count * size);
  view.set(bytes.subarray(offset, offset + count * size));
  if (littleEndian !== HOST_LITTLE_ENDIAN) swapBytes(view, size);
  return out;
}

/** The bytes of `data` in little-endian order (a copy). */
export function encodeLittleEndian(data: NumericArray): Uint8Array {
  const size = data.BYTES_PER_ELEMENT;
  const out = new Uint8Array(data.length * size);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.length * size));
  if (!HOST_LITTLE_ENDIAN) swapBytes(out, size);
  return out;
}

/** ISO-8859-1 text: every byte is one character (no decoder needed, never fails). */
export function latin1(bytes: Uint8Array): string {
  let s = '';
  const chunk = 8192;
  for (let i = 0; i < bytes.length; i += chunk) {
    s += String.fromCharCode(...bytes.subarray(i, Math.min(bytes.length, i + chunk)));
  }
  return s;
}

/** UTF-8 text; invalid sequences become U+FFFD rather than errors. */
export function utf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

/**
 * Text of a file given as text or bytes, a leading BOM dropped. Bytes are
 * UTF-8 unless they are not valid UTF-8, in which case they are read as
 * latin-1: older instrument software writes 'µm' or 'Å' in that encoding.
 */
export function asText(input: string | Uint8Array | ArrayBuffer): string {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    const bytes = toBytes(input);
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      text = latin1(bytes);
    }
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function toBytes(input: Uint8Array | ArrayBuffer): Uint8Array {
  return input instanceof Uint8Array ? input : new Uint8Array(input);
}

/** The product of `shape`, or Infinity when it exceeds 2^53 (a sure sign of a bad header). */
export function shapeProduct(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (n > Number.MAX_SAFE_INTEGER) return Infinity;
  }
  return n;
}

/** A file name's last path component without its extension ("a/b/x.dm3" gives "x"). */
export function fileStem(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** `parts` one after another in one array of `length` bytes (their total); a lone part as it is. */
export function concatBytes(parts: readonly Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
