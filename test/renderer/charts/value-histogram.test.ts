/** The reduced χ² histogram: unfitted pixels (NaN) left out and counted, bins over the rest. */
import { describe, expect, it } from 'vitest';
import {
  stepPoints,
  valueHistogram,
  valueHistogramOption,
} from '../../../renderer/src/lib/charts/value-histogram.js';

describe('value histogram', () => {
  it('leaves NaN and infinities out, and counts every finite value once', () => {
    const values = Float64Array.from({ length: 200 }, (_, i) =>
      i % 10 === 0 ? NaN : 0.5 + (i % 37) / 20,
    );
    values[1] = Infinity;
    const h = valueHistogram(values);
    expect(h.missing).toBe(21);
    expect(h.finite).toBe(179);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(179);
    expect(h.edges[0]).toBe(0.5);
    expect(h.edges.at(-1)).toBe(0.5 + 36 / 20);
    expect(h.counts.length).toBeGreaterThanOrEqual(5);
    expect(h.counts.length).toBeLessThanOrEqual(60);
    expect(Array.from(h.edges).every(Number.isFinite)).toBe(true);
  });

  it('keeps one bin for a constant map and none for an empty one', () => {
    expect(Array.from(valueHistogram([2, 2, NaN]).counts)).toEqual([2]);
    expect(valueHistogram([NaN, NaN])).toMatchObject({ finite: 0, missing: 2 });
    expect(stepPoints(valueHistogram([NaN]))).toEqual([]);
  });

  it('draws a closed step outline and shades the accepted band, saying how many are left out', () => {
    const h = valueHistogram([0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const pts = stepPoints(h);
    expect(pts[0]).toEqual([0, 0]);
    expect(pts.at(-1)).toEqual([10, 0]);
    const o = valueHistogramOption({
      values: [0.5, 1.2, NaN, 29],
      label: 'Reduced χ²',
      band: [0, 2],
    }) as {
      title: { text: string };
      series: { step: string; markArea: { data: { xAxis: number }[][] } }[];
    };
    expect(o.title.text).toBe('Reduced χ² over 3 of 4 pixels (1 not fitted, left out)');
    expect(o.series[0]!.step).toBe('end');
    expect(o.series[0]!.markArea.data[0]!.map((d) => d.xAxis)).toEqual([0.5, 2]);
  });
});
