/** Marker arithmetic: counts, the next-pixel candidates, and the refresh steps. */
import { describe, expect, it } from 'vitest';
import {
  clearCandidates,
  collectMaxima,
  countDone,
  countLeft,
  fittedMask,
  ignoreFitted,
  overwriteFitted,
} from '../../../core/src/samfire/marker.js';

const m = (...v: number[]): Float64Array => Float64Array.from(v);

describe('marker', () => {
  it('counts done (<= -1) and left (> 0)', () => {
    const marker = m(-1, -2, 0, 0.5, 2, -0.5, 0);
    expect(countDone(marker)).toBe(2);
    expect(countLeft(marker)).toBe(2);
  });

  it('collects every pixel sharing the largest positive value, skipping running pixels', () => {
    const marker = m(0.5, 3, -1, 3, 1, 3);
    const out = new Int32Array(6);
    expect(collectMaxima(marker, new Uint8Array(6), out)).toBe(3);
    expect(Array.from(out.subarray(0, 3))).toEqual([1, 3, 5]);
    expect(collectMaxima(marker, Uint8Array.of(0, 1, 0, 1, 0, 1), out)).toBe(1);
    expect(out[0]).toBe(4);
    expect(collectMaxima(m(0, -1, -2), new Uint8Array(3), out)).toBe(0);
  });

  it('turns -1 into -2 when a global strategy takes over', () => {
    const marker = m(-1, -2, 0, 1);
    ignoreFitted(marker);
    expect(Array.from(marker)).toEqual([-2, -2, 0, 1]);
  });

  it('overwrites: given pixels (or all fitted ones) become -1, the rest 0', () => {
    const a = m(-2, -1, 3, 0);
    overwriteFitted(a, null);
    expect(Array.from(a)).toEqual([-1, -1, 0, 0]);
    const b = m(-2, -1, 3, 0);
    overwriteFitted(b, Uint8Array.of(0, 0, 1, 1));
    expect(Array.from(b)).toEqual([0, 0, -1, -1]);
  });

  it('clears candidates but keeps fitted and ignored levels', () => {
    const marker = m(-2, -1, 3, 0);
    clearCandidates(marker);
    expect(Array.from(marker)).toEqual([-2, -1, 0, 0]);
    expect(Array.from(fittedMask(m(-2, -1, 3, 0)))).toEqual([1, 1, 0, 0]);
  });
});
