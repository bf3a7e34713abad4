/**
 * Poisson maximum-likelihood fits (lossFunction 'ML-poisson', HyperSpy's
 * loss_function="ML-poisson"): recovery on synthetic counts, std from the
 * Fisher information against the Monte Carlo spread, optimality of the
 * deviance, zero-count channels, and the refusals.
 */
import { describe, expect, it } from 'vitest';
import { Model, Signal, poissonDeviance } from '@samfire/core';
import type { AxisSpec } from '@samfire/core';
import { mulberry32, poissonSample } from '../../helpers/random.js';

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

interface Truth {
  A: number;
  centre: number;
  sigma: number;
  offset: number;
}

function axis(size: number): AxisSpec {
  return { name: 'Energy', size, offset: 0, scale: 1, units: 'eV', navigate: false };
}

function navAxis(size: number): AxisSpec {
  return { name: 'x', size, offset: 0, scale: 1, units: '', navigate: true };
}

function expected(t: Truth, channels: number): Float64Array {
  return Float64Array.from(
    { length: channels },
    (_, i) =>
      ((t.A * INV_SQRT_2PI) / t.sigma) * Math.exp(-0.5 * ((i - t.centre) / t.sigma) ** 2) +
      t.offset,
  );
}

/** `pixels` independent Poisson draws of the same expected spectrum. */
function countsSignal(t: Truth, pixels: number, channels: number, seed: number): Signal {
  const mean = expected(t, channels);
  const rand = mulberry32(seed);
  const data = new Float64Array(pixels * channels);
  for (let p = 0; p < pixels; p++)
    for (let i = 0; i < channels; i++) data[p * channels + i] = poissonSample(rand, mean[i]!);
  return new Signal({
    data,
    axes: pixels > 1 ? [navAxis(pixels), axis(channels)] : [axis(channels)],
    variance: { kind: 'poisson', gain: 1, offset: 0, floor: 1 },
  });
}

function peakModel(signal: Signal, start: Truth): Model {
  const model = new Model(signal, [
    { kind: 'Gaussian', name: 'g' },
    { kind: 'Offset', name: 'bg' },
  ]);
  model.parameter('g.A').value = start.A;
  model.parameter('g.centre').value = start.centre;
  model.parameter('g.sigma').value = start.sigma;
  model.parameter('bg.offset').value = start.offset;
  model.assignCurrentValuesToAll();
  return model;
}

const NAMES = ['g.A', 'g.centre', 'g.sigma', 'bg.offset'] as const;
const KEYS = ['A', 'centre', 'sigma', 'offset'] as const;

describe('ML-poisson fits', () => {
  const truth: Truth = { A: 600, centre: 50, sigma: 4, offset: 1.5 };
  const start: Truth = { A: 400, centre: 48, sigma: 6, offset: 3 };

  it('recover the parameters within their std, which agree with the Monte Carlo spread', () => {
    const pixels = 400;
    const signal = countsSignal(truth, pixels, 100, 7);
    const model = peakModel(signal, start);
    const values: number[][] = NAMES.map(() => []);
    const stds: number[][] = NAMES.map(() => []);
    let within = 0;
    for (let p = 0; p < pixels; p++) {
      const r = model.fit(p, { lossFunction: 'ML-poisson' });
      expect(r.converged, `pixel ${p}: ${r.message}`).toBe(true);
      expect(r.lossFunction).toBe('ML-poisson');
      NAMES.forEach((name, k) => {
        const par = model.parameter(name);
        values[k]!.push(par.value);
        stds[k]!.push(par.std);
        if (Math.abs(par.value - truth[KEYS[k]!]) < 2 * par.std) within++;
      });
    }
    // About 95% of estimates within 2 std of the truth.
    expect(within / (pixels * NAMES.length)).toBeGreaterThan(0.92);
    NAMES.forEach((name, k) => {
      const v = values[k]!;
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const spread = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
      const reported = stds[k]!.reduce((a, b) => a + b, 0) / v.length;
      // Unbiased within the standard error of the mean (4 of them), and the
      // Fisher std within 12% of the spread (400 samples: about 3.5% error).
      expect(Math.abs(mean - truth[KEYS[k]!]), name).toBeLessThan((4 * spread) / Math.sqrt(pixels));
      expect(Math.abs(reported / spread - 1), `${name}: ${reported} vs ${spread}`).toBeLessThan(
        0.12,
      );
    });
  });

  it('is less biased than least squares with variance max(counts, 1) at low counts', () => {
    const low: Truth = { A: 150, centre: 50, sigma: 4, offset: 0.4 };
    const pixels = 200;
    const signal = countsSignal(low, pixels, 100, 11);
    const ml = peakModel(signal, start);
    const ls = peakModel(signal, start);
    let sumMl = 0;
    let sumLs = 0;
    for (let p = 0; p < pixels; p++) {
      ml.fit(p, { lossFunction: 'ML-poisson' });
      ls.fit(p);
      sumMl += ml.parameter('g.A').value;
      sumLs += ls.parameter('g.A').value;
    }
    const biasMl = Math.abs(sumMl / pixels - low.A);
    const biasLs = Math.abs(sumLs / pixels - low.A);
    // Weighted least squares with variance max(counts, 1) underestimates areas at low counts.
    expect(biasLs).toBeGreaterThan(0.05 * low.A);
    expect(biasMl).toBeLessThan(0.03 * low.A);
  });

  it('ends at a minimum of the deviance, and reports chi-squared with the signal variance', () => {
    const signal = countsSignal(truth, 1, 100, 3);
    const model = peakModel(signal, start);
    const r = model.fit(0, { lossFunction: 'ML-poisson' });
    expect(r.status).not.toBe('failed');
    const y = Float64Array.from(signal.readSpectrum(0, new Float64Array(100)));
    const deviance = (): number => poissonDeviance(y, model.evaluate(), 100);
    const best = deviance();
    expect(r.deviance).toBeCloseTo(best, 9);
    expect(model.deviance(0)).toBeCloseTo(best, 9);
    for (const name of NAMES) {
      const par = model.parameter(name);
      const v = par.value;
      for (const dir of [-1, 1]) {
        par.value = v + dir * 0.05 * par.std;
        expect(deviance(), name).toBeGreaterThan(best);
      }
      par.value = v;
    }
    // chisq is Pearson's with the Poisson variance max(counts, 1), as HyperSpy stores it.
    const mu = model.evaluate();
    let chisq = 0;
    for (let i = 0; i < 100; i++) chisq += (y[i]! - mu[i]!) ** 2 / Math.max(y[i]!, 1);
    expect(r.chisq).toBeCloseTo(chisq, 8);
    expect(model.chisq[0]).toBe(r.chisq);
    expect(r.redChisq).toBeCloseTo(chisq / 96, 10);
  });

  it('differs from least squares and is not solved as a linear problem with only amplitudes free', () => {
    const signal = countsSignal({ ...truth, offset: 0.3 }, 1, 100, 5);
    const model = peakModel(signal, truth);
    model.parameter('g.centre').free = false;
    model.parameter('g.sigma').free = false;
    const ls = model.fit(0);
    expect(ls.status).toBe('linear');
    const aLs = model.parameter('g.A').value;
    const ml = model.fit(0, { lossFunction: 'ML-poisson' });
    expect(ml.status).not.toBe('linear');
    expect(ml.converged).toBe(true);
    expect(model.parameter('g.A').value).not.toBeCloseTo(aLs, 3);
  });

  it('handles zero-count channels: sparse spectra and an all-zero one', () => {
    // About 30 counts in a peak on a background of 0.01 a channel: mostly zeros.
    const sparse: Truth = { A: 30, centre: 50, sigma: 3, offset: 0.01 };
    const signal = countsSignal(sparse, 50, 100, 13);
    const zeros = signal.data.filter((v) => v === 0).length;
    expect(zeros / signal.data.length).toBeGreaterThan(0.8);
    const model = peakModel(signal, { A: 20, centre: 49, sigma: 4, offset: 0.05 });
    let fitted = 0;
    for (let p = 0; p < 50; p++) {
      model.parameter('g.A').value = 20;
      model.parameter('g.centre').value = 49;
      model.parameter('g.sigma').value = 4;
      model.parameter('bg.offset').value = 0.05;
      const r = model.fit(p, { lossFunction: 'ML-poisson' });
      expect(r.status).not.toBe('failed');
      expect(Number.isFinite(r.deviance)).toBe(true);
      if (
        r.converged &&
        Math.abs(model.parameter('g.A').value - sparse.A) < 3 * model.parameter('g.A').std
      )
        fitted++;
    }
    expect(fitted).toBeGreaterThan(40);

    // Nothing counted: the offset goes to zero (within the floor), not below it.
    const empty = new Signal({ data: new Float64Array(64), axes: [axis(64)] });
    const flat = new Model(empty, [{ kind: 'Offset', name: 'bg' }]);
    flat.parameter('bg.offset').value = 2;
    const r = flat.fit(0, { lossFunction: 'ML-poisson' });
    expect(r.status).not.toBe('failed');
    expect(Math.abs(flat.parameter('bg.offset').value)).toBeLessThan(1e-5);
    // A start whose model is negative somewhere still fits (the deviance is continued below zero).
    const signal2 = countsSignal(truth, 1, 100, 17);
    const model2 = peakModel(signal2, { ...start, offset: -5 });
    const r2 = model2.fit(0, { lossFunction: 'ML-poisson' });
    expect(r2.converged, r2.message).toBe(true);
    expect(Math.abs(model2.parameter('g.A').value - truth.A)).toBeLessThan(
      4 * model2.parameter('g.A').std,
    );
  });

  it('refuses negative data, mljs and unknown losses with clear errors', () => {
    const signal = new Signal({
      data: Float64Array.from({ length: 20 }, (_, i) => (i === 7 ? -1 : 3)),
      axes: [axis(20)],
    });
    const model = new Model(signal, [{ kind: 'Offset', name: 'bg' }]);
    expect(() => model.fit(0, { lossFunction: 'ML-poisson' })).toThrow(
      /pixel \(\): data at channel 7 is -1; a Poisson \(ML-poisson\) fit needs counts >= 0/,
    );
    const ok = new Model(new Signal({ data: new Float64Array(20).fill(3), axes: [axis(20)] }), [
      { kind: 'Offset', name: 'bg' },
    ]);
    expect(() => ok.fit(0, { lossFunction: 'ML-poisson', optimizer: 'mljs' })).toThrow(
      /mljs minimises sums of squares only; use optimizer 'lm'/,
    );
    expect(() => ok.fit(0, { lossFunction: 'huber' as 'ls' })).toThrow(
      /unknown lossFunction 'huber' \(known: ls, ML-poisson\)/,
    );
    // The same model fits by least squares afterwards: the loss does not stick.
    ok.parameter('bg.offset').value = 1;
    const ls = ok.fit(0);
    expect(ls.lossFunction).toBe('ls');
    expect(ls.status).toBe('linear');
  });
});
