/**
 * The linear whole-map fit on the real AgCu EDS map's model (families tied
 * to the calibration, a quadratic background, variance max(counts, 1)):
 * the same values, std and chi-squared as `lm` pixel by pixel.
 */
import { describe, expect, it } from 'vitest';
import { readHspy } from '@samfire/core/node';
import { buildEdsModel, calibrate, fitLinear } from '@samfire/core';
import { SHARED } from '../../helpers/reference.js';

const SEED = `${SHARED}data/real/eds-agcu-50x50-seed.hspy`;

describe('fitLinear on the real EDS map', () => {
  it('equals lm at every pixel checked, Poisson-weighted and unweighted', async () => {
    const signal = (await readHspy(SEED)).signals[0]!;
    expect(signal.variance.kind).not.toBe('none');
    const model = buildEdsModel(signal, { elements: ['Al', 'Ag'], range: [1.2, 3.6] });
    calibrate(model);
    const original = signal.variance;
    for (const weighted of [true, false]) {
      const r = fitLinear(model, { weighted });
      expect(r.weighting).toBe(weighted ? 'per-pixel' : 'none');
      expect(r.fitted).toBe(2500);
      const names = model.parameters.filter((p) => p.free);
      for (const px of [0, 777, 1275, 2499]) {
        const linear = names.map((p) =>
          Array.from(p.map.values.subarray(px * p.length, (px + 1) * p.length)),
        );
        const std = names.map((p) =>
          Array.from(p.map.std.subarray(px * p.length, (px + 1) * p.length)),
        );
        const chisq = model.chisq[px]!;
        const fixedTie = model.parameter('Ag_L.fwhm_MnKa').map.values[px];
        expect(fixedTie).toBe(model.parameter('calibration.fwhm_MnKa').value);
        model.fetchStoredValues(px);
        if (!weighted) signal.setVariance({ kind: 'none' });
        const fit = model.fit(px);
        signal.setVariance(original);
        expect(fit.status).toBe('linear');
        expect(Math.abs(fit.chisq - chisq)).toBeLessThan(1e-8 * chisq);
        names.forEach((p, i) => {
          for (let j = 0; j < p.length; j++) {
            const v = p.map.values[px * p.length + j]!;
            expect(Math.abs(v - linear[i]![j]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(v)));
            const s = p.map.std[px * p.length + j]!;
            expect(Math.abs(s - std[i]![j]!)).toBeLessThan(1e-6 * s);
          }
        });
      }
    }
  });
});
