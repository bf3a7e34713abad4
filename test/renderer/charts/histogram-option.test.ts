/** The live histograms of a global strategy, built in Node. */
import { describe, expect, it } from 'vitest';
import {
  binCentres,
  histogramOption,
  panelLayout,
} from '../../../renderer/src/lib/charts/histogram-option.js';
import { markerImage } from '../../../renderer/src/lib/charts/live-marker.js';

describe('histogram option', () => {
  it('lays panels out near square', () => {
    expect(panelLayout(1)).toEqual({ cols: 1, rows: 1 });
    expect(panelLayout(9)).toEqual({ cols: 3, rows: 3 });
    expect(panelLayout(10)).toEqual({ cols: 4, rows: 3 });
  });

  it('labels bins by their centres and draws one bar series per parameter', () => {
    expect(binCentres(Float64Array.of(0, 1, 3))).toEqual(['0.5', '2']);
    const o = histogramOption({
      kind: 'histograms',
      strategy: 'Histogram global strategy',
      histograms: [
        { parameter: 'g.A', edges: Float64Array.of(0, 1, 2), counts: Float64Array.of(3, 4) },
        { parameter: 'g.centre', edges: Float64Array.of(0, 1, 2), counts: Float64Array.of(1, 0) },
      ],
    });
    const series = o.series as { name: string; data: number[]; xAxisIndex: number }[];
    expect(series.map((s) => s.name)).toEqual(['g.A', 'g.centre']);
    expect(series[1]!.data).toEqual([1, 0]);
    expect(series[1]!.xAxisIndex).toBe(1);
    expect((o.grid as unknown[]).length).toBe(2);
  });

  it('turns a live marker into a map image with its finite range', () => {
    const img = markerImage({
      kind: 'marker',
      strategy: 's',
      shape: [1, 3],
      marker: Float64Array.of(-1, 0, 5),
    });
    expect(img).toMatchObject({ request: { kind: 'marker' }, shape: [1, 3], min: -1, max: 5 });
  });
});
