/** Picking pixels: cells, rectangles, thresholds and arrow-key moves. */
import { describe, expect, it } from 'vitest';
import {
  cellAt,
  movePixel,
  pixelsAbove,
  pixelsUnfitted,
  rectPixels,
  rowCol,
  spanRect,
} from '../../../renderer/src/lib/logic/selection.js';

describe('selection', () => {
  it('finds the cell under a point, or none outside the map', () => {
    expect(cellAt([7.2, 3.4], [7, 15])).toBe(3 * 15 + 7);
    expect(cellAt([-0.6, 0], [7, 15])).toBeNull();
    expect(cellAt([15, 0], [7, 15])).toBeNull();
    expect(cellAt([NaN, 0], [7, 15])).toBeNull();
    expect(rowCol(52, 15)).toEqual([3, 7]);
  });

  it('spans a rectangle between two cells in either order', () => {
    expect(spanRect(3 * 15 + 7, 15 + 2, [7, 15])).toEqual({ r0: 1, c0: 2, r1: 3, c1: 7 });
    expect(rectPixels({ r0: 0, c0: 1, r1: 1, c1: 2 }, [3, 4])).toEqual([1, 2, 5, 6]);
    expect(rectPixels({ r0: -2, c0: 3, r1: 0, c1: 9 }, [3, 4])).toEqual([3]);
  });

  it('selects pixels above a threshold, never the unfitted ones', () => {
    expect(pixelsAbove(Float64Array.of(0.5, 3, NaN, 2.01, 2), 2)).toEqual([1, 3]);
    expect(pixelsUnfitted(Float64Array.of(0.5, NaN, 3, Infinity, 2))).toEqual([1, 3]);
    expect(pixelsUnfitted(Float64Array.of(1, 2))).toEqual([]);
  });

  it('moves with the arrow keys, stopping at the edges', () => {
    expect(movePixel(0, -1, -1, [7, 15])).toBe(0);
    expect(movePixel(0, 1, 1, [7, 15])).toBe(16);
    expect(movePixel(104, 1, 1, [7, 15])).toBe(104);
    expect(movePixel(14, 0, 1, [7, 15])).toBe(14);
  });
});
