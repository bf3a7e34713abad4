/**
 * Worker threads can share memory: a typed array over a SharedArrayBuffer is
 * passed by reference by postMessage, so N threads read one copy of the
 * spectra instead of N. Child processes cannot share; fork's 'advanced'
 * serialisation copies a shared array like any other.
 */
import type { NumericArray } from '../../model/dtype.js';
import type { WorkerInit } from '../protocol.js';

/** The same elements over a SharedArrayBuffer (the array itself when it already is). */
export function toShared<T extends NumericArray>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const buffer = new SharedArrayBuffer(array.byteLength);
  new Uint8Array(buffer).set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  // Same constructor over the new buffer: the element type is unchanged.
  const Ctor = array.constructor as new (buffer: SharedArrayBuffer) => T;
  return new Ctor(buffer);
}

/**
 * The init for worker threads: the spectra and an array variance (pixels x
 * channels, the large, read-only inputs) are shared. The starting maps stay
 * per worker (small, and a kernel may write to its copy).
 */
export function shareForThreads(init: WorkerInit): WorkerInit {
  const variance =
    init.variance.kind === 'array'
      ? { kind: 'array' as const, data: toShared(init.variance.data) }
      : init.variance;
  return { ...init, data: toShared(init.data), variance };
}
