/**
 * Single-pixel fits against HyperSpy 1.7.3 (scipy leastsq, MINPACK) on the
 * same data from the same starts: ../shared/data/reference/pixel-fits.json.
 */
import { describe, expect, it } from 'vitest';
import { Model } from '@samfire/core';
import { domainSignal, pixelFits, type PixelFit } from '../../helpers/reference.js';

const signal = domainSignal();
const fits = pixelFits();

function fitFrom(ref: PixelFit, optimizer: 'lm' | 'mljs' = 'lm'): Model {
  const model = new Model(signal, [
    { kind: 'Gaussian', name: 'g' },
    { kind: 'Lorentzian', name: 'l1' },
    { kind: 'Lorentzian', name: 'l2' },
  ]);
  model.component('l2').active = ref.l2_active;
  for (const [name, value] of Object.entries(ref.start)) model.parameter(name).value = value;
  model.fit(ref.pixel, { optimizer });
  return model;
}

describe('lm against HyperSpy 1.7.3 (MINPACK) on the reference pixels', () => {
  const near = fits.filter((f) => f.start_kind === 'near');
  const defaults = fits.filter((f) => f.start_kind === 'default');

  it('has the 12 pixels from both starts', () => {
    expect(near).toHaveLength(12);
    expect(defaults).toHaveLength(12);
  });

  it.each(near.map((f) => [f.pixel.join(','), f] as const))(
    'from the near start at (%s) reaches the reference chisq and parameters',
    (_label, ref) => {
      const model = fitFrom(ref);
      const i = signal.pixelIndex(ref.pixel);
      expect(Math.abs(model.chisq[i]! - ref.chisq) / ref.chisq).toBeLessThan(1e-6);
      for (const [name, value] of Object.entries(ref.result)) {
        expect(Math.abs(model.parameter(name).value - value) / Math.abs(value), name).toBeLessThan(
          1e-4,
        );
      }
    },
  );

  it.each(near.map((f) => [f.pixel.join(','), f] as const))(
    'from the near start at (%s) reports HyperSpy std (covariance scaled by reduced chi-squared)',
    (_label, ref) => {
      const model = fitFrom(ref);
      for (const [name, std] of Object.entries(ref.std)) {
        expect(Math.abs(model.parameter(name).std / std - 1), name).toBeLessThan(1e-3);
      }
    },
  );

  it('from the default starts ends no worse than the reference in at least 10 of 12 pixels', () => {
    let noWorse = 0;
    for (const ref of defaults) {
      const model = fitFrom(ref);
      const chisq = model.chisq[signal.pixelIndex(ref.pixel)]!;
      if (chisq <= ref.chisq * (1 + 1e-6)) noWorse++;
    }
    expect(noWorse).toBeGreaterThanOrEqual(10);
  });

  it('stores redChisq = chisq / (fitted channels - free parameters)', () => {
    const ref = near[0]!;
    const model = fitFrom(ref);
    const i = signal.pixelIndex(ref.pixel);
    const free = ref.l2_active ? 9 : 6;
    expect(model.dof[i]).toBe(400 - free);
    expect(model.redChisq[i]).toBeCloseTo(model.chisq[i]! / (400 - free), 12);
  });
});

describe('mljs (ml-levenberg-marquardt) behind the same interface', () => {
  it('converges from a near start to the reference chisq within 1e-3', () => {
    const ref = fits.find((f) => f.start_kind === 'near')!;
    const model = fitFrom(ref, 'mljs');
    const chisq = model.chisq[signal.pixelIndex(ref.pixel)]!;
    expect(Math.abs(chisq - ref.chisq) / ref.chisq).toBeLessThan(1e-3);
  });
});
