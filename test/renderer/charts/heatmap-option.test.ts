/** The map (heatmap) option, built in Node. */
import { describe, expect, it } from 'vitest';
import type { NavigatorImage } from '@samfire/core/api';
import type { BitmapScale } from '../../../renderer/src/lib/charts/bitmap.js';
import type { BitmapPainter, GridBox } from '../../../renderer/src/lib/charts/heatmap-option.js';
import {
  colourScale,
  heatmapCells,
  heatmapGrid,
  heatmapOption,
  imageRange,
  mapHeight,
  roundLength,
  scaleBar,
  scaleLabel,
} from '../../../renderer/src/lib/charts/heatmap-option.js';
import {
  COLOUR_MAP_NAMES,
  MARKER_COLOURS,
  NAN_COLOURS,
  ON_OFF_COLOURS,
  colourAt,
  hexToRgb,
} from '../../../renderer/src/lib/logic/colour-scale.js';

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
    // The units follow the scale's upper end.
    expect(o.visualMap).toMatchObject({
      type: 'continuous',
      min: 1,
      max: 6,
      text: ['6 counts', '1'],
    });
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
      o.graphic as { id?: string; shape: { x: number; y: number; width: number; height: number } }[]
    ).find((x) => x.id === 'selection')!;
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

  it('draws unfitted (NaN) pixels grey behind the cells, names them in a legend, and keeps them out of the range', () => {
    // A centre map: 846 to 861 nm fitted, one pixel unfitted (it used to read 0 and stretch the scale).
    const centre: NavigatorImage = {
      request: { kind: 'parameter', parameter: 'g.centre' },
      label: 'g.centre',
      units: 'nm',
      shape: [2, 3],
      values: Float64Array.of(846, 850, NaN, 855, 858, 861),
      min: 846,
      max: 861,
    };
    const size = { width: 300, height: 240 };
    const o = heatmapOption({ image: centre, selected: null, size }) as Option & {
      graphic: {
        id?: string;
        z?: number;
        shape?: object;
        style?: { fill?: string };
        children?: { style: { text?: string } }[];
      }[];
    };
    expect(o.visualMap).toMatchObject({ min: 846, max: 861, text: ['861 nm', '846'] });
    expect(o.series[0]!.data).toHaveLength(5);
    const grid = heatmapGrid(size, centre.shape);
    const back = o.graphic.find((g) => g.id === 'unfitted-background')!;
    expect(back.style!.fill).toBe(NAN_COLOURS.viridis);
    expect(back.shape).toEqual({
      x: grid.left,
      y: grid.top,
      width: grid.width,
      height: grid.height,
    });
    // Under the heatmap's cells (series z 2).
    expect(back.z).toBeLessThan(2);
    const legend = o.graphic.find((g) => g.id === 'unfitted-legend')!;
    expect(legend.children!.map((c) => c.style.text).join('')).toBe('not fitted (1)');
    // A map with every pixel fitted has neither.
    const full = heatmapOption({
      image: { ...centre, values: Float64Array.of(1, 2, 3, 4, 5, 6) },
      selected: null,
      size,
    });
    expect(JSON.stringify(full.graphic ?? [])).not.toContain('unfitted');
  });

  it('chooses a grey for unfitted pixels that no colour map and no "off" uses', () => {
    for (const name of COLOUR_MAP_NAMES) {
      const nan = hexToRgb(NAN_COLOURS[name]);
      for (let t = 0; t <= 1; t += 1 / 256) {
        const c = hexToRgb(colourAt(name, t));
        const d = Math.hypot(c[0] - nan[0], c[1] - nan[1], c[2] - nan[2]);
        expect(d, `${name} at ${t}`).toBeGreaterThan(30);
      }
      for (const off of [...ON_OFF_COLOURS, ...Object.values(MARKER_COLOURS)]) {
        const c = hexToRgb(off);
        expect(Math.hypot(c[0] - nan[0], c[1] - nan[1], c[2] - nan[2])).toBeGreaterThan(30);
      }
    }
  });

  it('draws a scale bar of a round length from the calibrated x axis, and none for pixel units', () => {
    expect([0.7, 1, 1.9, 2, 4.99, 5, 9.9, 0.034, 1234].map(roundLength)).toEqual([
      0.5, 1, 1, 2, 2, 5, 5, 0.02, 1000,
    ]);
    // 15 columns of 0.25 µm in a 360 px wide map: 3.75 µm wide, a fifth is 0.75, so 0.5 µm.
    const bar = scaleBar({ scale: 0.25, units: 'µm' }, 15, 360)!;
    expect(bar.length).toBe(0.5);
    expect(bar.pixels).toBeCloseTo(48, 9);
    expect(bar.label).toBe('500 nm');
    expect(scaleBar({ scale: 2, units: 'nm' }, 50, 400)!.label).toBe('20 nm');
    expect(scaleBar({ scale: 1, units: 'px' }, 15, 360)).toBeNull();
    expect(scaleBar({ scale: 1, units: '<undefined>' }, 15, 360)).toBeNull();
    expect(scaleBar({ scale: 5, units: 'mrad' }, 10, 300)!.label).toBe('10 mrad');

    const size = { width: 410, height: 392 };
    const axes = [
      { name: 'y', size: 7, scale: 0.25, units: 'µm' },
      { name: 'x', size: 15, scale: 0.25, units: 'µm' },
    ];
    const map: NavigatorImage = {
      ...image,
      shape: [7, 15],
      values: new Float64Array(105).fill(1),
      min: 1,
      max: 1,
    };
    const o = heatmapOption({ image: map, selected: 0, size, axes });
    const group = (
      o.graphic as {
        id?: string;
        children: { type: string; shape?: { width: number }; style: { text?: string } }[];
      }[]
    ).find((g) => g.id === 'scale-bar')!;
    expect(group.children.find((c) => c.type === 'text')!.style.text).toBe('500 nm');
    const grid = heatmapGrid(size, [7, 15]);
    const white = group.children.filter((c) => c.type === 'rect')[1]!;
    // Every part above the heatmap's cells (series z 2) and the cursor (z 10).
    expect(group.children.every((c) => (c as { z?: number }).z! > 10)).toBe(true);
    expect(white.shape!.width).toBeCloseTo((0.5 / 0.25) * (grid.width / 15), 9);
    // Uncalibrated axes: no bar.
    const plain = heatmapOption({
      image: map,
      selected: 0,
      size,
      axes: axes.map((a) => ({ ...a, units: 'px' })),
    });
    expect(JSON.stringify(plain.graphic ?? [])).not.toContain('scale-bar');
  });

  it('labels scale ends briefly', () => {
    expect(scaleLabel(313583)).toBe('3.14e+5');
    expect(scaleLabel(400.3459)).toBe('400.3');
    expect(scaleLabel(0)).toBe('0');
    expect(scaleLabel(0.000123)).toBe('1.23e-4');
  });
});

/** A square map of n × n pixels, values 0 .. n² - 1, one NaN. */
function square(n: number): NavigatorImage {
  const values = Float64Array.from({ length: n * n }, (_, i) => i);
  values[1] = NaN;
  return {
    request: { kind: 'sum' },
    label: 'Sum',
    units: 'counts',
    shape: [n, n],
    values,
    min: 0,
    max: n * n - 1,
  };
}

/** A painter that records its calls and returns a stand-in image. */
function recorder(): { paint: BitmapPainter; calls: [NavigatorImage, BitmapScale, GridBox][] } {
  const calls: [NavigatorImage, BitmapScale, GridBox][] = [];
  return {
    calls,
    paint: (image, scale, grid) => {
      calls.push([image, scale, grid]);
      return 'bitmap';
    },
  };
}

type Graphic = {
  type: string;
  id?: string;
  z: number;
  style: Record<string, unknown>;
  shape?: unknown;
};

describe('heatmap option of a large map (a bitmap)', () => {
  const size = { width: 420, height: 480 };

  it('keeps small maps (up to 128×128) on the exact heatmap path', () => {
    for (const img of [image, square(128)]) {
      const { paint, calls } = recorder();
      const input = { image: img, selected: 3, size, seeds: [0], selection: null };
      expect(heatmapOption({ ...input, paint })).toEqual(heatmapOption(input));
      expect(calls).toHaveLength(0);
    }
  });

  it('draws one image filling the square-celled grid instead of a cell per pixel', () => {
    const big = square(129);
    const { paint, calls } = recorder();
    const o = heatmapOption({ image: big, selected: 130, size, seeds: [5], paint }) as Option;
    expect(o.series.map((s) => s.name)).toEqual(['seeds', 'current pixel']);
    expect(o.series.some((s) => (s as { type?: string }).type === 'heatmap')).toBe(false);
    expect(o.series[1]!.data).toEqual([[1, 1]]);
    const grid = heatmapGrid(size, [129, 129]);
    expect(o.grid).toEqual(grid);
    const img = (o.graphic as Graphic[]).find((g) => g.type === 'image')!;
    expect(img.style).toEqual({
      image: 'bitmap',
      x: grid.left,
      y: grid.top,
      width: grid.width,
      height: grid.height,
    });
    // Above the axes, under the seeds (z 9) and the current pixel (z 10).
    expect(img.z).toBeLessThan(9);
    expect(calls).toHaveLength(1);
    const [painted, scale, box] = calls[0]!;
    expect(painted).toBe(big);
    expect(scale).toMatchObject({ kind: 'continuous', min: 0, max: 129 * 129 - 1 });
    expect(box).toEqual(grid);
  });

  it('keeps the colour scale with the same ends, applied to no series', () => {
    const big = square(200);
    const cells = heatmapOption({ image: big, selected: null, size }) as Option;
    const bitmap = heatmapOption({ image: big, selected: null, size, ...recorder() }) as Option;
    expect(bitmap.visualMap).toEqual({ ...(cells.visualMap as object), seriesIndex: [] });
    expect(bitmap.visualMap).toMatchObject({ min: 0, max: 39999, text: ['40000 counts', '0'] });
    expect(bitmap.xAxis).toEqual(cells.xAxis);
    expect(bitmap.yAxis).toEqual(cells.yAxis);
    expect(bitmap.title).toEqual(cells.title);
  });

  it('paints with the robust range and colour map chosen', () => {
    const big = square(150);
    big.values[0] = -1e9;
    const { paint, calls } = recorder();
    const o = heatmapOption({
      image: { ...big, min: -1e9 },
      selected: null,
      size,
      colourMap: 'magma',
      rangeMode: 'robust',
      paint,
    });
    const scale = calls[0]![1];
    expect(scale).toMatchObject({ kind: 'continuous', colourMap: 'magma' });
    expect(o.visualMap).toMatchObject({
      min: (scale as { min: number }).min,
      max: (scale as { max: number }).max,
    });
    expect((scale as { min: number }).min).toBeGreaterThan(0);
  });

  it('shows on/off and marker legends that do not filter anything', () => {
    const big = square(130);
    for (const request of [{ kind: 'active', component: 'l2' }, { kind: 'marker' }] as const) {
      const { paint, calls } = recorder();
      const o = heatmapOption({ image: { ...big, request }, selected: null, size, paint });
      expect(o.visualMap).toMatchObject({
        type: 'piecewise',
        seriesIndex: [],
        selectedMode: false,
      });
      expect(calls[0]![1].kind).toBe(request.kind === 'marker' ? 'marker' : 'binary');
    }
  });

  it('draws the rectangle selection over the image', () => {
    const big = square(256);
    const o = heatmapOption({
      image: big,
      selected: null,
      size,
      selection: { r0: 10, c0: 20, r1: 11, c1: 23 },
      ...recorder(),
    });
    const img = (o.graphic as Graphic[]).find((g) => g.type === 'image');
    const rect = (o.graphic as Graphic[]).find((g) => g.id === 'selection');
    expect(rect!.type).toBe('rect');
    expect(rect!.z).toBeGreaterThan(img!.z);
    // The grey of the unfitted pixel (square() has one NaN) shows through the image, under it.
    const grey = (o.graphic as Graphic[]).find((g) => g.id === 'unfitted-background');
    expect(grey!.z).toBeLessThan(img!.z);
    const g = heatmapGrid(size, [256, 256]);
    expect(rect!.shape).toMatchObject({
      x: g.left + (20 * g.width) / 256,
      width: (4 * g.width) / 256,
    });
  });

  it('draws neither cells nor an image before the chart has a size', () => {
    const { paint, calls } = recorder();
    const o = heatmapOption({ image: square(256), selected: null, paint }) as Option;
    expect(o.series).toEqual([]);
    expect(o.graphic).toBeUndefined();
    expect(calls).toHaveLength(0);
  });
});
