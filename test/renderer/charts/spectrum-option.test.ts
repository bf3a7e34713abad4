/** The spectrum plot option, built in Node. */
import { describe, expect, it } from 'vitest';
import type { ModelState, SpectrumView } from '@samfire/core/api';
import { peakEdits, peakHandles, valueAt } from '../../../renderer/src/lib/charts/peak-handles.js';
import {
  excludedRanges,
  spectrumGrids,
  spectrumOption,
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
