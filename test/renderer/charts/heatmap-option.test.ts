/** The map (heatmap) option, built in Node. */
import { describe, expect, it } from 'vitest';
import type { NavigatorImage } from '../../../core/src/api/types.js';
import {
  colourScale,
  heatmapCells,
  heatmapGrid,
  heatmapOption,
  imageRange,
  mapHeight,
  scaleLabel,
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

type Option = Record<string, unknown> & { series: { name: string; data: unknown }[] };

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
    const o = heatmapOption({ image, selected: 4 }) as Option;
    expect(o.series.find((s) => s.name === 'current pixel')!.data).toEqual([[1, 1]]);
    expect((o.yAxis as { inverse: boolean }).inverse).toBe(true);
    expect(o.visualMap).toMatchObject({ type: 'continuous', min: 1, max: 6, text: ['6', '1'] });
  });

  it('marks seeds and leaves the current pixel out when there is none', () => {
    const o = heatmapOption({ image, selected: null, seeds: [0, 5] }) as Option;
    expect(o.series.map((s) => s.name)).toEqual(['Sum', 'seeds']);
    expect(o.series[1]!.data).toEqual([
      [0, 0],
      [2, 1],
    ]);
  });

  it('keeps a usable colour scale for a constant or empty image', () => {
    expect(imageRange({ ...image, min: 2, max: 2 })).toEqual({ min: 2, max: 3 });
    expect(imageRange({ ...image, min: NaN, max: NaN })).toEqual({ min: 0, max: 1 });
    const flat = heatmapOption({ image: { ...image, min: 2, max: 2 }, selected: 0 });
    expect(flat.visualMap).toMatchObject({ min: 2, max: 3 });
  });

  it('uses a robust range on request', () => {
    const values = Float64Array.from({ length: 100 }, (_, i) => (i === 99 ? 1e6 : i));
    const big: NavigatorImage = { ...image, shape: [10, 10], values, min: 0, max: 1e6 };
    const r = imageRange(big, 'robust');
    expect(r.max).toBeLessThan(100);
    expect(r.min).toBeGreaterThan(0);
  });

  it('draws on/off maps and the marker with discrete colours', () => {
    const onOff = colourScale(
      { kind: 'active', component: 'l2' },
      { min: 0, max: 1 },
      'viridis',
      '#000',
    );
    expect(onOff).toMatchObject({ type: 'piecewise' });
    expect((onOff as { pieces: { label: string }[] }).pieces.map((p) => p.label)).toEqual([
      'off',
      'on',
    ]);
    const marker = colourScale({ kind: 'marker' }, { min: -2, max: 8 }, 'viridis', '#000');
    expect((marker as { pieces: { label: string }[] }).pieces.map((p) => p.label)).toEqual([
      'kept',
      'done',
      'none',
      'candidate',
      'next',
    ]);
  });

  it('draws a rectangle selection over the cells once the size is known', () => {
    const o = heatmapOption({
      image,
      selected: 0,
      size: { width: 200, height: 200 },
      selection: { r0: 0, c0: 1, r1: 1, c1: 2 },
    });
    const g = heatmapGrid({ width: 200, height: 200 }, image.shape);
    const rect = (
      o.graphic as { shape: { x: number; y: number; width: number; height: number } }[]
    )[0]!;
    expect(rect.shape.x).toBeCloseTo(g.left + g.width / 3, 9);
    expect(rect.shape.width).toBeCloseTo((2 * g.width) / 3, 9);
    expect(rect.shape.height).toBeCloseTo(g.height, 9);
  });

  it('keeps cells square and centres the map in the chart', () => {
    const g = heatmapGrid({ width: 410, height: 392 }, [7, 15]);
    expect(g.width / 15).toBeCloseTo(g.height / 7, 9);
    expect(g.width).toBeCloseTo(360, 9);
    expect(g.left).toBeCloseTo(34, 9);
    expect(g.top).toBeCloseTo(26 + (300 - 168) / 2, 9);
  });

  it('sizes a chart for square cells within limits', () => {
    // 15 columns in 300 - 50 px: cells of 16.7 px, 7 rows, plus title and scale.
    expect(mapHeight(300, [7, 15])).toBe(Math.round((250 / 15) * 7 + 92));
    expect(mapHeight(2000, [7, 15])).toBe(7 * 40 + 92);
    expect(mapHeight(300, [1, 200])).toBe(170);
    expect(mapHeight(300, [500, 10])).toBe(520);
  });

  it('labels scale ends briefly', () => {
    expect(scaleLabel(313583)).toBe('3.14e+5');
    expect(scaleLabel(400.3459)).toBe('400.3');
    expect(scaleLabel(0)).toBe('0');
    expect(scaleLabel(0.000123)).toBe('1.23e-4');
  });
});
