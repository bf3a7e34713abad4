/** Neighbours within radii: sum((o_i / r_i)^2) <= 1, Euclidean distance in pixels. */
import { describe, expect, it } from 'vitest';
import { Neighbourhood } from '../../../../../core/src/samfire/strategies/local/neighbourhood.js';

function offsets(h: Neighbourhood): number[][] {
  const dims = h.shape.length;
  return Array.from({ length: h.size }, (_, k) =>
    Array.from(h.offsets.subarray(k * dims, k * dims + dims)),
  );
}

describe('neighbourhood', () => {
  it('radius 1 in 2-D is the four nearest pixels', () => {
    const h = new Neighbourhood([5, 5], [1, 1]);
    expect(offsets(h)).toEqual([
      [-1, 0],
      [0, -1],
      [0, 1],
      [1, 0],
    ]);
    expect(Array.from(h.distance)).toEqual([1, 1, 1, 1]);
  });

  it('radius 1.5 adds the diagonals at distance sqrt(2)', () => {
    const h = new Neighbourhood([5, 5], [1.5, 1.5]);
    expect(h.size).toBe(8);
    expect(offsets(h)).toContainEqual([1, 1]);
    expect(Math.max(...h.distance)).toBeCloseTo(Math.SQRT2, 15);
  });

  it('takes one radius per dimension; a zero radius keeps that coordinate', () => {
    expect(offsets(new Neighbourhood([5, 5], [0, 2]))).toEqual([
      [0, -2],
      [0, -1],
      [0, 1],
      [0, 2],
    ]);
    expect(new Neighbourhood([3, 3, 3], [1, 1, 1]).size).toBe(6);
    expect(new Neighbourhood([], []).size).toBe(0);
  });

  it('collects only neighbours inside the grid', () => {
    const h = new Neighbourhood([3, 4], [1, 1]);
    const pixels = new Int32Array(h.size);
    const which = new Int32Array(h.size);
    const n = h.collect(0, pixels, which);
    expect(Array.from(pixels.subarray(0, n))).toEqual([1, 4]);
    const m = h.collect(5, pixels, which);
    expect(Array.from(pixels.subarray(0, m)).sort((a, b) => a - b)).toEqual([1, 4, 6, 9]);
  });

  it('names what is wrong', () => {
    expect(() => new Neighbourhood([3, 3], [1])).toThrow(/1 radii for 2 navigation dimensions/);
    expect(() => new Neighbourhood([3], [-1])).toThrow(/radius must be finite and >= 0/);
  });
});
