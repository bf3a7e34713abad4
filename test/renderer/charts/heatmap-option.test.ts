/** The navigator heatmap option, built in Node. */
import { describe, expect, it } from 'vitest';
import type { NavigatorImage } from '../../../core/src/api/types.js';
import {
  heatmapCells,
  heatmapGrid,
  heatmapOption,
} from '../../../renderer/src/lib/charts/heatmap-option.js';

const image: NavigatorImage = {
  request: { kind: 'sum' },
  label: 'Sum',
  units: 'counts',
  shape: [2, 3],
  values: Float64Array.of(1, 2, NaN, 4, 5, 6),
  min: 1,
  max: 6,
};

describe('heatmap option', () => {
  it('turns the image into [col, row, value] cells, leaving NaN out', () => {
    expect(heatmapCells(image)).toEqual([
      [0, 0, 1],
      [1, 0, 2],
      [0, 1, 4],
      [1, 1, 5],
      [2, 1, 6],
    ]);
  });

  it('marks the current pixel, puts row 0 on top and scales colours over the finite range', () => {
    const o = heatmapOption({ image, selected: 4 }) as Record<string, unknown> & {
      series: { data: unknown }[];
    };
    expect(o.series[1]!.data).toEqual([[1, 1]]);
    expect((o.yAxis as { inverse: boolean }).inverse).toBe(true);
    expect(o.visualMap).toMatchObject({ min: 1, max: 6 });
  });

  it('keeps a usable colour scale for a constant or empty image', () => {
    const flat = heatmapOption({ image: { ...image, min: 2, max: 2 }, selected: 0 });
    expect(flat.visualMap).toMatchObject({ min: 2, max: 3 });
    const empty = heatmapOption({ image: { ...image, min: NaN, max: NaN }, selected: 0 });
    expect(empty.visualMap).toMatchObject({ min: 0, max: 1 });
  });

  it('keeps cells square and centres the map in the chart', () => {
    const g = heatmapGrid({ width: 410, height: 356 }, [7, 15]);
    expect(g.width / 15).toBeCloseTo(g.height / 7, 9);
    expect(g.width).toBeCloseTo(300, 9);
    expect(g.left).toBeCloseTo(40, 9);
    expect(g.top).toBeCloseTo(28 + (300 - 140) / 2, 9);
  });
});
