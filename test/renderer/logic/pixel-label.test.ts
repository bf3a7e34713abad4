/** One way of writing a pixel: data order, with HyperSpy's inav form in the tooltip. */
import { describe, expect, it } from 'vitest';
import {
  inavText,
  pixelOrder,
  pixelPosition,
  pixelText,
  pixelTip,
} from '../../../renderer/src/lib/logic/pixel-label.js';

describe('pixel labels', () => {
  it('turns a flat index into indices in data order for any navigation shape', () => {
    expect(pixelPosition(52, [7, 15])).toEqual([3, 7]);
    expect(pixelPosition(12, [40])).toEqual([12]);
    expect(pixelPosition(0, [])).toEqual([]);
    // 3 navigation axes: not the navigator's flattened (row, column).
    expect(pixelPosition(2 * 12 + 1 * 4 + 3, [3, 3, 4])).toEqual([2, 1, 3]);
  });

  it('writes (row, column) and names the order; HyperSpy takes it reversed', () => {
    expect(pixelText([3, 7])).toBe('(3, 7)');
    expect(pixelText([12])).toBe('(12)');
    expect(pixelText([])).toBe('(single spectrum)');
    expect(pixelOrder([{ name: 'y' }, { name: 'x' }])).toBe('(y, x)');
    expect(pixelOrder([{ name: '' }])).toBe('(index)');
    expect(pixelOrder([{ name: '' }, { name: '' }])).toBe('(row, column)');
    expect(pixelOrder([{ name: '' }, { name: 'b' }, { name: '' }])).toBe('(axis 0, b, axis 2)');
    expect(inavText([3, 7])).toBe('s.inav[7, 3]');
    expect(pixelTip([3, 7], [{ name: 'y' }, { name: 'x' }])).toBe(
      "Pixel indices in data order (row, column = (y, x)), counted from 0; HyperSpy's s.inav takes them reversed: s.inav[7, 3]",
    );
    expect(pixelTip([12], [{ name: 'x' }])).toContain('(index = (x))');
  });
});
