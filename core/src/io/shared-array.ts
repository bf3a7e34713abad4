/**
 * Arrays over shared memory. A typed array over a SharedArrayBuffer is
 * passed by reference by postMessage, so worker threads read one copy of a
 * file's spectra instead of one each; readers put large arrays there when
 * asked (see ReadOptions). Child processes cannot share; fork's 'advanced'
 * serialisation copies a shared array like any other.
 */
import type { NumericArray } from '../model/dtype.js';

/** The same elements over a SharedArrayBuffer (the array itself when it already is). */
export function toShared<T extends NumericArray>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const buffer = new SharedArrayBuffer(array.byteLength);
  new Uint8Array(buffer).set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  // Same constructor over the new buffer: the element type is unchanged.
  const Ctor = array.constructor as new (buffer: SharedArrayBuffer) => T;
  return new Ctor(buffer);
}
