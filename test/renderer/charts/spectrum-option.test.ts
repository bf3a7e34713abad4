/** The spectrum plot option, built in Node. */
import { describe, expect, it } from 'vitest';
import type { ModelState, SpectrumView } from '@samfire/core/api';
import { peakEdits, peakHandles, valueAt } from '../../../renderer/src/lib/charts/peak-handles.js';
import {
  axisDecimals,
  countLabel,
  excludedRanges,
  gappedPairs,
  logScale,
  spectrumGrids,
  spectrumName,
  spectrumOption,
  tickLabel,
  xyPairs,
} from '../../../renderer/src/lib/charts/spectrum-option.js';
import { formatSeconds, progressText } from '../../../renderer/src/lib/charts/progress.js';

const x = Float64Array.of(0, 1, 2, 3, 4);
const view: SpectrumView = {
  pixel: 7,
  position: [1, 2],
  x,
  data: Float64Array.of(1, 2, 3, 2, 1),
  model: Float64Array.of(1, 2, 2.5, 2, 1),
  components: [{ name: 'g', values: Float64Array.of(0, 1, 2, 1, 0) }],
  residual: Float64Array.of(0, 0, 0.5, 0, 0),
  channelSwitches: Uint8Array.of(0, 1, 1, 1, 0),
  redChisq: 1.23456,
  xLabel: 'Energy',
  xUnits: 'eV',
};

describe('spectrum option', () => {
  it('pairs x and y, skipping NaN', () => {
    expect(xyPairs(x, Float64Array.of(1, NaN, 3, 4, 5))).toEqual([
      [0, 1],
      [2, 3],
      [3, 4],
      [4, 5],
    ]);
  });

  it('finds the channels outside the signal range', () => {
    expect(excludedRanges(x, Uint8Array.of(0, 1, 1, 1, 0))).toEqual([
      [0, 0],
      [4, 4],
    ]);
    expect(excludedRanges(x, Uint8Array.of(1, 1, 1, 1, 1))).toEqual([]);
  });

  it('draws data, model, components and residual with the calibrated axis name', () => {
    const o = spectrumOption(view);
    const series = o.series as { name: string; xAxisIndex?: number }[];
    expect(series.map((s) => s.name)).toEqual(['data', 'model', 'g', 'residual']);
    expect(series[3]!.xAxisIndex).toBe(1);
    expect((o.xAxis as { name?: string }[])[1]!.name).toBe('Energy (eV)');
    expect((o.title as { text: string }).text).toBe('Pixel (1, 2)   reduced χ² = 1.235');
  });

  it('draws its tooltip on the canvas (the CSP forbids inline styles) and keeps the zoom', () => {
    const o = spectrumOption(view, false, { zoom: { start: 10, end: 60 }, brush: true });
    expect(o.tooltip).toMatchObject({ renderMode: 'richText' });
    const zoom = o.dataZoom as { start: number; end: number; moveOnMouseMove?: boolean }[];
    expect(zoom.map((z) => [z.start, z.end])).toEqual([
      [10, 60],
      [10, 60],
    ]);
    // In range mode a drag selects (the brush) instead of panning.
    expect(zoom[0]!.moveOnMouseMove).toBe(false);
    expect(o.brush).toMatchObject({ brushType: 'lineX', xAxisIndex: 0 });
  });

  it('formats run progress', () => {
    expect(formatSeconds(42.4)).toBe('42 s');
    expect(formatSeconds(125)).toBe('2 min 5 s');
    expect(formatSeconds(NaN)).toBe('–');
    const p = {
      state: 'running' as const,
      pixels: 105,
      pixelsDone: 42,
      pixelsLeft: 10,
      count: 50,
      rate: 12.34,
      etaSeconds: 5,
      activeStrategy: 0,
      elapsedSeconds: 3,
    };
    expect(progressText(p)).toBe('42 / 105 pixels · 12.3 px/s · ETA 5 s · running');
  });
});

type Axis = {
  min?: unknown;
  max?: unknown;
  name?: string;
  type?: string;
  show?: boolean;
  axisLabel?: { show?: boolean; formatter?: (v: number) => string };
};
type Grid = { left: number; right: number; outerBoundsMode?: string };
type Series = { name: string; data: [number, number | '-'][]; xAxisIndex?: number };

/** The CL axis of the issue: 811 to 936 nm, 1024 channels. */
const cl = Float64Array.from({ length: 1024 }, (_, i) => 811 + (i * 125) / 1023);

describe('the x axis of the spectrum (issue 16, item 5)', () => {
  const noModel: SpectrumView = {
    ...view,
    model: null,
    components: [],
    residual: null,
    channelSwitches: Uint8Array.of(1, 1, 1, 1, 1),
  };

  it('has tick labels and its name on the spectrum itself before there is a model', () => {
    const o = spectrumOption(noModel);
    const [main] = o.xAxis as Axis[];
    expect(main!.axisLabel?.show).not.toBe(false);
    expect(main!.axisLabel?.formatter).toBeTypeOf('function');
    expect(main!.name).toBe('Energy (eV)');
    // No residual: no empty strip below.
    expect((o.xAxis as Axis[])[1]!.show).toBe(false);
  });

  it('keeps the tick labels on the spectrum once a model and its residual show', () => {
    const [main, strip] = spectrumOption(view).xAxis as Axis[];
    expect(main!.axisLabel?.show).not.toBe(false);
    expect(strip!.show).toBe(true);
    expect(strip!.name).toBe('Energy (eV)');
  });

  it('gives both plots one x extent: the same min and max, the same grid edges', () => {
    const o = spectrumOption({
      ...view,
      x: cl,
      data: new Float64Array(1024).fill(1),
      model: new Float64Array(1024),
      components: [],
      residual: new Float64Array(1024),
      channelSwitches: new Uint8Array(1024).fill(1),
    });
    const [main, strip] = o.xAxis as Axis[];
    expect(main!.min).toBe(811);
    expect(main!.max).toBe(936);
    expect(strip!.min).toBe(main!.min);
    expect(strip!.max).toBe(main!.max);
    for (const h of [undefined, 600]) {
      const grids = spectrumGrids(h) as unknown as Grid[];
      expect(grids[1]!.left).toBe(grids[0]!.left);
      expect(grids[1]!.right).toBe(grids[0]!.right);
      // ECharts may not shrink one grid to fit its labels (that moved the strip's right edge).
      for (const g of grids) expect(g.outerBoundsMode).toBe('none');
    }
  });

  it('rounds tick labels to the precision of the axis', () => {
    const eds = Float64Array.from({ length: 2048 }, (_, i) => -0.2 + i * 0.01);
    expect(axisDecimals(eds)).toBe(2);
    expect(tickLabel(19.988651339999997, axisDecimals(eds))).toBe('19.99');
    expect(axisDecimals(cl)).toBe(1);
    expect(tickLabel(936.0000000001, 1)).toBe('936');
    expect(tickLabel(811.1221896383, 1)).toBe('811.1');
    expect(axisDecimals(Float64Array.of(0, 1, 2))).toBe(0);
    expect(tickLabel(-0.0001, 2)).toBe('0');
    const o = spectrumOption({
      ...view,
      x: Float64Array.of(0.1, 0.2, 0.30000000000000004, 0.4, 0.5),
    });
    const f = (o.xAxis as Axis[])[0]!.axisLabel!.formatter!;
    expect(f(0.30000000000000004)).toBe('0.3');
    expect(countLabel(1234567)).toBe('1.2e6');
    expect(countLabel(0.5)).toBe('0.5');
  });
});

describe('the residual (issue 16, item 13)', () => {
  it('is drawn over the signal range only', () => {
    const series = spectrumOption(view).series as Series[];
    const residual = series.find((s) => s.name === 'residual')!;
    const drawn = residual.data.filter((d) => d[1] !== '-').map((d) => d[0]);
    expect(drawn).toEqual([1, 2, 3]);
    // The data are drawn everywhere.
    expect(series[0]!.data.map((d) => d[0])).toEqual([0, 1, 2, 3, 4]);
  });

  it('breaks the line across a gap in the range instead of bridging it', () => {
    const y = Float64Array.of(1, 2, 3, 4, 5);
    expect(gappedPairs(x, y, (i) => i !== 2)).toEqual([
      [0, 1],
      [1, 2],
      [2, '-'],
      [3, 4],
      [4, 5],
    ]);
  });
});

describe('log scale, pinned spectra and regions (issue 16, item 15)', () => {
  it('draws a log y axis from the decade below the smallest positive count, leaving out zeros', () => {
    expect(logScale(Float64Array.of(0, -2, 3, 450))).toEqual({ min: 1, hidden: 2 });
    expect(logScale(Float64Array.of(0.02, 5))).toEqual({ min: 0.01, hidden: 0 });
    expect(logScale(Float64Array.of(0, -1))).toBeNull();
    const o = spectrumOption({ ...view, data: Float64Array.of(0, 20, 300, 40, -1) }, false, {
      logY: true,
    });
    const y = (o.yAxis as { type: string; min?: number }[])[0]!;
    expect(y).toMatchObject({ type: 'log', min: 10 });
    const data = (o.series as Series[])[0]!.data;
    expect(data.filter((d) => d[1] !== '-').map((d) => d[0])).toEqual([1, 2, 3]);
    expect((o.title as { text: string }).text).toContain('log scale: 2 channels ≤ 0 not drawn');
    // No positive value at all: it stays linear and says why.
    const flat = spectrumOption({ ...view, data: new Float64Array(5) }, false, { logY: true });
    expect((flat.yAxis as { type: string }[])[0]!.type).toBe('value');
    expect((flat.title as { text: string }).text).toContain('no positive value');
  });

  it('overlays a pinned pixel with its model and residual', () => {
    const pinned: SpectrumView = { ...view, pixel: 9, position: [3, 4], redChisq: 2.5 };
    const o = spectrumOption(view, false, { pinned });
    const series = o.series as Series[];
    expect(series.map((s) => s.name)).toEqual([
      'data',
      'model',
      'g',
      'residual',
      'pinned Pixel (3, 4)',
      'pinned model',
      'pinned residual',
    ]);
    expect(series[6]!.xAxisIndex).toBe(1);
    expect((o.title as { text: string }).text).toContain('vs pinned Pixel (3, 4) (χ²ᵣ 2.500)');
  });

  it('names a region by its rows, columns and pixel count', () => {
    expect(
      spectrumName({
        ...view,
        region: { rows: [1, 3], cols: [2, 2], reduce: 'mean', pixels: 3 },
      }),
    ).toBe('Mean of rows 1–3, columns 2 (3 pixels)');
  });
});

describe('spectrum layout', () => {
  it('keeps the residual strip below the spectrum at any height', () => {
    for (const h of [300, 560, 900]) {
      const [main, strip] = spectrumGrids(h) as unknown as { top: number; bottom: number }[];
      const mainBottom = h - main!.bottom;
      expect(strip!.top).toBeGreaterThan(mainBottom);
      expect(h - strip!.bottom).toBeGreaterThan(strip!.top);
    }
  });
});

describe('peak handles', () => {
  const model = {
    components: [
      {
        name: 'g',
        kind: 'Gaussian',
        options: {},
        active: true,
        optional: false,
        parameters: [
          {
            name: 'A',
            fullName: 'g.A',
            values: [10],
            std: [],
            free: true,
            bmin: null,
            bmax: null,
            units: '',
            isSet: true,
          },
          {
            name: 'centre',
            fullName: 'g.centre',
            values: [2.5],
            std: [],
            free: true,
            bmin: null,
            bmax: null,
            units: '',
            isSet: true,
          },
        ],
      },
      {
        name: 'bg',
        kind: 'Offset',
        options: {},
        active: true,
        optional: false,
        parameters: [
          {
            name: 'offset',
            fullName: 'bg.offset',
            values: [1],
            std: [],
            free: true,
            bmin: null,
            bmax: null,
            units: '',
            isSet: true,
          },
        ],
      },
    ],
  } as unknown as ModelState;

  it('reads a curve between channels', () => {
    expect(valueAt(x, Float64Array.of(0, 1, 2, 1, 0), 2.5)).toBe(1.5);
    expect(valueAt(x, Float64Array.of(0, 1, 2, 1, 0), 9)).toBeNaN();
  });

  it('puts a handle on the top of each peak with a centre and an amplitude', () => {
    const handles = peakHandles(model, view);
    expect(handles).toEqual([
      { component: 'g', x: 2.5, y: 1.5, centre: 'g.centre', amplitude: 'g.A', amplitudeValue: 10 },
    ]);
  });

  it('moves the centre and scales the amplitude to the new height', () => {
    const [h] = peakHandles(model, view);
    expect(peakEdits(h!, 3, 3)).toEqual([
      { parameter: 'g.centre', value: 3 },
      { parameter: 'g.A', value: 20 },
    ]);
    expect(peakEdits(h!, 2.5, -1)).toEqual([]);
  });
});

describe('X-ray line markers (issue 13)', () => {
  it('draws a labelled vertical line at each line, weak lines unlabelled, none when off', () => {
    const lines = [
      { name: 'Al_Ka', position: 1.4866, weight: 0.97 },
      { name: 'Ag_Ll', position: 2.63, weight: 0.03 },
    ];
    const series = spectrumOption(view, false, { lines }).series as {
      name?: string;
      markLine?: { data: { name: string; xAxis: number; label?: { show: boolean } }[] };
    }[];
    const marks = series.find((s) => s.name === 'X-ray lines')!.markLine!.data;
    expect(marks.map((m) => [m.name, m.xAxis])).toEqual([
      ['Al_Ka', 1.4866],
      ['Ag_Ll', 2.63],
    ]);
    expect(marks[0]!.label).toBeUndefined();
    expect(marks[1]!.label).toEqual({ show: false });
    const none = spectrumOption(view, false, { lines: [] }).series as { name?: string }[];
    expect(none.some((s) => s.name === 'X-ray lines')).toBe(false);
  });
});

describe('non-uniform axes and spike marks (issue 14)', () => {
  // An energy axis from a wavelength: its step grows along the axis.
  const ex = Float64Array.of(1.3, 1.31, 1.33, 1.36, 1.4);
  const energy: SpectrumView = { ...view, x: ex, xLabel: 'Energy', xUnits: 'eV' };

  it('draws every curve at the channels’ own values, on a value axis spanning them', () => {
    const o = spectrumOption(energy);
    const series = o.series as { name: string; data: [number, number | string][] }[];
    for (const name of ['data', 'model', 'g']) {
      expect(series.find((s) => s.name === name)!.data.map((p) => p[0])).toEqual([...ex]);
    }
    // The residual over the signal range only (channels 1–3), at their values.
    expect(series.find((s) => s.name === 'residual')!.data[0]).toEqual([1.31, 0]);
    const axes = o.xAxis as { type: string; min: number; max: number }[];
    expect(axes.map((a) => [a.type, a.min, a.max])).toEqual([
      ['value', 1.3, 1.4],
      ['value', 1.3, 1.4],
    ]);
    // The shaded channels outside the range are at their values too.
    const shaded = (series[0] as unknown as { markArea: { data: { xAxis: number }[][] } }).markArea
      .data;
    expect(shaded.map(([a, b]) => [a!.xAxis, b!.xAxis])).toEqual([
      [1.3, 1.3],
      [1.4, 1.4],
    ]);
  });

  it('reads a curve between channels of a non-uniform axis (peak handles), either direction', () => {
    const y = Float64Array.of(0, 10, 20, 30, 40);
    expect(valueAt(ex, y, 1.3)).toBe(0);
    expect(valueAt(ex, y, 1.34)).toBeCloseTo(20 + 10 / 3, 10); // a third of the way from 1.33 to 1.36
    expect(valueAt(ex, y, 1.4)).toBe(40);
    expect(valueAt(ex, y, 1.41)).toBeNaN();
    const down = Float64Array.from(ex).reverse();
    expect(valueAt(down, y, 1.34)).toBeCloseTo(10 + 20 / 3, 10);
    expect(valueAt(down, y, 1.29)).toBeNaN();
    // The handle of a peak sits on its curve at the centre.
    const model = {
      pixel: 7,
      components: [
        {
          name: 'g',
          active: true,
          parameters: [
            { name: 'A', fullName: 'g.A', values: [5], free: true },
            { name: 'centre', fullName: 'g.centre', values: [1.345], free: true },
          ],
        },
      ],
    } as unknown as ModelState;
    const withPeak = { ...energy, components: [{ name: 'g', values: y }] };
    expect(peakHandles(model, withPeak)[0]!.y).toBeCloseTo(25, 10);
  });

  it('marks the spikes under review at their axis value and value, the picked one larger', () => {
    const spikes = [
      { x: 1.31, y: 900, selected: false },
      { x: 1.36, y: 600, selected: true },
    ];
    const series = spectrumOption(energy, false, { spikes }).series as {
      name?: string;
      type?: string;
      data: { value: [number, number]; symbolSize: number }[];
    }[];
    const marks = series.find((s) => s.name === 'spikes (2)')!;
    expect(marks.type).toBe('scatter');
    expect(marks.data.map((d) => [...d.value, d.symbolSize])).toEqual([
      [1.31, 900, 11],
      [1.36, 600, 16],
    ]);
    const none = spectrumOption(energy, false, { spikes: [] }).series as { name?: string }[];
    expect(none.some((s) => s.name?.startsWith('spikes'))).toBe(false);
  });
});
