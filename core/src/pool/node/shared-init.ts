/**
 * Worker threads can share memory: a typed array over a SharedArrayBuffer is
 * passed by reference by postMessage, so N threads read one copy of the
 * spectra instead of N (toShared, io/shared-array.ts). Child processes cannot
 * share; fork's 'advanced' serialisation copies a shared array like any other.
 */
import { toShared } from '../../io/shared-array.js';
import type { WorkerInit } from '../protocol.js';

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
