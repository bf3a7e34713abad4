/** The spectrum plot option, built in Node. */
import { describe, expect, it } from 'vitest';
import type { SpectrumView } from '../../../core/src/api/types.js';
import {
  excludedRanges,
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
