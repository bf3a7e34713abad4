/** A line scan's map as a line plot against the calibrated position, with error bars and gaps. */
import { describe, expect, it } from 'vitest';
import type { NavigatorImage } from '@samfire/core/api';
import {
  errorBarPoints,
  lineIndex,
  lineScanOption,
  nanRuns,
} from '../../../renderer/src/lib/charts/line-scan-option.js';

const axis = { name: 'x', offset: 1, scale: 0.5, units: 'µm' };
const image: NavigatorImage = {
  request: { kind: 'parameter', parameter: 'g.centre' },
  label: 'g.centre',
  units: 'nm',
  shape: [1, 5],
  values: Float64Array.of(846, 850, NaN, NaN, 861),
  min: 846,
  max: 861,
};
const std = Float64Array.of(0.5, 1, NaN, NaN, 2);

type Series = {
  type: string;
  name: string;
  data: unknown[];
  markArea?: { data: { xAxis: number }[][] };
  markLine?: { data: { xAxis: number }[] };
};

describe('line scan option', () => {
  it('plots the value against the calibrated position, with gaps where unfitted', () => {
    const o = lineScanOption({ image, axis, selected: 4 }) as {
      series: Series[];
      xAxis: object;
      yAxis: object;
      title: { text: string; subtext: string };
    };
    const line = o.series[0]!;
    expect(line.type).toBe('line');
    expect(line.data).toEqual([
      [1, 846],
      [1.5, 850],
      [2, '-'],
      [2.5, '-'],
      [3, 861],
    ]);
    // Positions along x in µm, the values' units on the other axis, no zero forced in.
    expect(o.xAxis).toMatchObject({ type: 'value', name: 'x (µm)', min: 0.75, max: 3.25 });
    expect(o.yAxis).toMatchObject({ type: 'value', scale: true });
    expect(o.title.text).toBe('g.centre (nm)');
    // The unfitted run shaded grey and named; the current pixel as a line at its position.
    expect(line.markArea!.data).toEqual([[{ xAxis: 1.75 }, { xAxis: 2.75 }]]);
    expect(o.title.subtext).toBe('grey: not fitted (2 of 5)');
    expect(line.markLine!.data).toEqual([{ xAxis: 3 }]);
    expect(lineScanOption({ image, axis, selected: null }).series).not.toContainEqual(
      expect.objectContaining({ markLine: expect.anything() }),
    );
  });

  it('draws ±1 std error bars with caps for the fitted pixels only', () => {
    const pts = errorBarPoints(axis, image.values, std, 0.1);
    // Three segments (bar, upper cap, lower cap) of 3 points each, for the 3 fitted pixels.
    expect(pts).toHaveLength(3 * 9);
    expect(pts.slice(0, 3)).toEqual([
      [1, 845.5],
      [1, 846.5],
      [1, '-'],
    ]);
    expect(pts.slice(3, 5)).toEqual([
      [0.9, 846.5],
      [1.1, 846.5],
    ]);
    const o = lineScanOption({ image, axis, std, selected: null }) as {
      series: Series[];
      title: { subtext: string };
    };
    const bars = o.series.find((s) => s.name === '± std')!;
    expect(bars.data.filter((p) => (p as [number, unknown])[0] === 3)).toContainEqual([3, 863]);
    expect(o.title.subtext).toContain('error bars: ±1 std');
  });

  it('finds the pixel at a position, and runs of unfitted pixels', () => {
    expect(lineIndex(axis, 1.6, 5)).toBe(1);
    expect(lineIndex(axis, 3.2, 5)).toBe(4);
    expect(lineIndex(axis, 3.3, 5)).toBeNull();
    expect(lineIndex(axis, NaN, 5)).toBeNull();
    expect(nanRuns(Float64Array.of(NaN, 1, NaN, NaN, 2, NaN))).toEqual([
      [0, 0],
      [2, 3],
      [5, 5],
    ]);
  });
});
