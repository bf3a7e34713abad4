/**
 * Histogram bins and most frequent values. Expected counts were computed
 * with numpy 1.24 (np.histogram with bins='fd', 'scott', 'sturges', 7) on
 * the same values.
 */
import { describe, expect, it } from 'vitest';
import { histogram, histogramModes, HistogramSegmenter } from '@samfire/core';
import { binCount, MAX_BINS } from '../../../../../core/src/samfire/strategies/global/histogram.js';

// Two clusters: 30 values around 10 (sd 1), 20 around 20 (sd 1.5).
const BIMODAL = [
  11.789, 10.437, 10.096, 8.137, 9.723, 9.645, 9.917, 9.373, 9.956, 9.523, 8.686, 10.885, 10.881,
  11.71, 10.05, 9.595, 9.455, 8.454, 10.982, 8.899, 8.815, 9.794, 11.486, 10.237, 8.976, 9.287,
  10.625, 9.839, 9.231, 9.77, 21.118, 22.964, 18.134, 19.06, 18.794, 16.371, 18.614, 18.464, 21.686,
  19.802, 17.565, 20.97, 19.466, 17.385, 19.105, 19.117, 18.689, 20.045, 16.628, 19.598,
];

// 120 values ((i * 37) % 101) / 10, plus 5 for every third i.
const SPREAD = Array.from({ length: 120 }, (_, i) => ((i * 37) % 101) / 10 + (i % 3 === 0 ? 5 : 0));

describe('histogram', () => {
  it.each([
    ['fd', BIMODAL, [30, 0, 12, 8]],
    ['scott', BIMODAL, [30, 0, 12, 8]],
    ['sturges', BIMODAL, [22, 8, 0, 1, 7, 8, 4]],
    [7, BIMODAL, [22, 8, 0, 1, 7, 8, 4]],
    ['fd', SPREAD, [18, 17, 23, 25, 19, 9, 9]],
    ['scott', SPREAD, [22, 18, 30, 30, 9, 11]],
    ['sturges', SPREAD, [16, 16, 16, 22, 22, 13, 8, 7]],
  ] as const)('bins %s give numpy counts', (rule, values, counts) => {
    const h = histogram(values, rule)!;
    expect(Array.from(h.counts)).toEqual(counts);
    expect(h.edges[0]).toBe(Math.min(...values));
    expect(h.edges[h.edges.length - 1]).toBe(Math.max(...values));
  });

  it('uses 10 equal bins for 4 values or fewer', () => {
    const h = histogram([1, 2, 2.5, 4], 'fd')!;
    expect(Array.from(h.counts)).toEqual([1, 0, 0, 1, 0, 1, 0, 0, 0, 1]);
    expect(h.edges[1]).toBeCloseTo(1.3, 12);
  });

  it('gives one bin when the interquartile range is zero (fd), and a unit range around one value', () => {
    expect(Array.from(histogram([2, 2, 2, 2, 2, 2, 7], 'fd')!.counts)).toEqual([7]);
    const same = histogram([3, 3, 3, 3, 3, 3], 'fd')!;
    expect(Array.from(same.edges)).toEqual([2.5, 3.5]);
  });

  it('caps the number of bins at 250', () => {
    const values = Float64Array.from({ length: 1000 }, (_, i) => (i === 0 ? 1e9 : i / 1000));
    expect(binCount(values.slice().sort(), 'fd', 1e9)).toBe(MAX_BINS);
    expect(histogram(values, 1000)!.counts.length).toBe(MAX_BINS);
  });

  it('skips non-finite values and has no histogram without finite ones', () => {
    expect(histogram([NaN, Infinity], 'fd')).toBeNull();
    expect(histogram([1, NaN, 2, 3, 4, 5], 'sturges')!.counts.reduce((a, b) => a + b)).toBe(5);
  });

  it('rejects unknown rules', () => {
    expect(() => histogram([1, 2], 'auto' as 'fd')).toThrow(
      /'fd', 'scott', 'sturges' or a whole number/,
    );
  });
});

describe('most frequent values', () => {
  it('are the centres of the local maxima, most frequent first', () => {
    const fd = histogram(BIMODAL, 'fd')!;
    const width = (22.964 - 8.137) / 4;
    const modes = histogramModes(fd);
    expect(modes).toHaveLength(2);
    expect(modes[0]).toBeCloseTo(8.137 + 0.5 * width, 12);
    expect(modes[1]).toBeCloseTo(8.137 + 2.5 * width, 12);
    // Sturges: maxima at bins 0 (22) and 5 (8); bin 3 (1) rises from 0 but is not a maximum.
    const st = histogramModes(histogram(BIMODAL, 'sturges')!);
    const w7 = (22.964 - 8.137) / 7;
    expect(st[0]).toBeCloseTo(8.137 + 0.5 * w7, 12);
    expect(st[1]).toBeCloseTo(8.137 + 5.5 * w7, 12);
    expect(st).toHaveLength(2);
  });

  it('count a flat top once, at its middle', () => {
    const h = { edges: Float64Array.of(0, 1, 2, 3, 4, 5), counts: Float64Array.of(1, 4, 4, 4, 0) };
    expect(histogramModes(h)).toEqual([2.5]);
    const two = { edges: Float64Array.of(0, 1, 2, 3), counts: Float64Array.of(2, 0, 2) };
    expect(histogramModes(two)).toEqual([0.5, 2.5]);
  });

  it('come per component and slot from the segmenter (null for fixed slots and components without data)', () => {
    const seg = new HistogramSegmenter();
    expect(seg.bins).toBe('fd');
    seg.update([[Float64Array.from(BIMODAL), null], null, [new Float64Array(0)]]);
    const mf = seg.mostFrequent();
    expect(mf[0]![0]).toHaveLength(2);
    expect(mf[0]![1]).toBeNull();
    expect(mf[1]).toBeNull();
    expect(mf[2]).toBeNull();
    seg.clear();
    expect(seg.mostFrequent()).toEqual([]);
  });
});
