/**
 * Marker arithmetic. The marker holds one float per pixel and is the
 * engine's whole memory of progress:
 *   -1  fitted and good, may propagate (FITTED)
 *   -2  fitted and good, ignored by the next local strategy (IGNORED)
 *    0  no information, a failed fit, or being fitted now
 *   >0  a candidate: the larger, the sooner it is fitted
 */
export const FITTED = -1;
export const IGNORED = -2;

/** Pixels done: marker <= -1. */
export function countDone(marker: Float64Array): number {
  let n = 0;
  for (let i = 0; i < marker.length; i++) if (marker[i]! <= FITTED) n++;
  return n;
}

/** Pixels left: marker > 0 (grows as the engine learns). */
export function countLeft(marker: Float64Array): number {
  let n = 0;
  for (let i = 0; i < marker.length; i++) if (marker[i]! > 0) n++;
  return n;
}

/**
 * The pixels that share the largest positive marker value, skipping those
 * being fitted (`running[p]` = 1), into `out`; returns how many.
 */
export function collectMaxima(marker: Float64Array, running: Uint8Array, out: Int32Array): number {
  let max = 0;
  let n = 0;
  for (let p = 0; p < marker.length; p++) {
    const v = marker[p]!;
    if (!(v > 0) || running[p]) continue;
    if (v > max) {
      max = v;
      n = 0;
    }
    if (v === max) out[n++] = p;
  }
  return n;
}

/** -1 becomes -2: the fitted pixels are kept but a later local strategy will not spread from them. */
export function ignoreFitted(marker: Float64Array): void {
  for (let i = 0; i < marker.length; i++) if (marker[i] === FITTED) marker[i] = IGNORED;
}

/**
 * With overwrite: the `given` pixels (or every fitted one, forgetting the
 * ignored level) become -1, every other pixel 0.
 */
export function overwriteFitted(marker: Float64Array, given: Uint8Array | null): void {
  for (let i = 0; i < marker.length; i++) {
    const fitted = given ? given[i] === 1 : marker[i]! < 0;
    marker[i] = fitted ? FITTED : 0;
  }
}

/**
 * Without overwrite: the ignored level (-2) stays; a fitted pixel (-1) stays
 * fitted only where `given` (when there is one) holds 1, else it becomes a
 * candidate again; every other pixel goes back to 0. (HyperSpy 1.7.3 does
 * the same: test/interop/py/samfire_semantics.py.)
 */
export function clearCandidates(marker: Float64Array, given: Uint8Array | null = null): void {
  for (let i = 0; i < marker.length; i++) {
    const v = marker[i]!;
    if (v > 0 || (given !== null && v === FITTED && given[i] !== 1)) marker[i] = 0;
  }
}

/** Pixels being fitted hold 0 so that they are not picked twice. */
export function clearRunning(marker: Float64Array, running: Uint8Array): void {
  for (let i = 0; i < marker.length; i++) if (running[i]) marker[i] = 0;
}

/** The pixels with marker < 0 (fitted, whether propagating or ignored) as a 0/1 mask. */
export function fittedMask(marker: Float64Array): Uint8Array {
  return Uint8Array.from(marker, (v) => (v < 0 ? 1 : 0));
}
