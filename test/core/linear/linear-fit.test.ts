/**
 * The linear whole-map fit against `lm` (the same answer from any start),
 * weighting (unit weights change nothing; Poisson weights per pixel as
 * Model.fit weights them), non-negative amplitudes against a brute-force
 * search over every active set, and bad input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Model, Signal, fitLinear, nnlsGram, NnlsWorkspace, refinePixels } from '@samfire/core';
import { mulberry32, poissonNoise } from '../../helpers/random.js';

const ROWS = 3;
const COLS = 4;
const CHANNELS = 160;

function signalOf(data: Float64Array, binned = false): Signal {
  return new Signal({
    data,
    axes: [
      { name: 'y', size: ROWS, offset: 0, scale: 1, units: '', navigate: true },
      { name: 'x', size: COLS, offset: 0, scale: 1, units: '', navigate: true },
      {
        name: 'E',
        size: CHANNELS,
        offset: 0.5,
        scale: 0.025,
        units: 'keV',
        navigate: false,
        isBinned: binned,
      },
    ],
  });
}

/** Polynomial(1) + three Gaussians of fixed centre and width: 5 linear parameters. */
function linearModel(signal: Signal): Model {
  const model = new Model(signal, [
    { kind: 'Polynomial', name: 'bg', options: { order: 1 } },
    { kind: 'Gaussian', name: 'g1' },
    { kind: 'Gaussian', name: 'g2' },
    { kind: 'Gaussian', name: 'g3' },
  ]);
  const place: [string, number, number][] = [
    ['g1', 1.5, 0.08],
    ['g2', 2.2, 0.1],
    ['g3', 3.6, 0.12],
  ];
  for (const [name, centre, sigma] of place) {
    model.parameter(`${name}.centre`).set({ value: centre, free: false });
    model.parameter(`${name}.sigma`).set({ value: sigma, free: false });
    model.parameter(`${name}.A`).set({ bmin: 0 });
  }
  model.setSignalRange(0.8, 4.2);
  return model;
}

/** Counts from the model with amplitudes varying over the map (Poisson noise). */
function countsMap(seed: number, amplitudes = [40, 25, 60]): Float64Array {
  const gen = linearModel(signalOf(new Float64Array(ROWS * COLS * CHANNELS)));
  const mean = new Float64Array(ROWS * COLS * CHANNELS);
  const spectrum = new Float64Array(CHANNELS);
  for (let p = 0; p < ROWS * COLS; p++) {
    gen.parameter('bg.coefficients').setValues([-1, 12 + p]);
    gen.parameter('g1.A').value = amplitudes[0]! * (1 + 0.1 * p);
    gen.parameter('g2.A').value = amplitudes[1]! * (1 + 0.05 * ((p * 7) % 5));
    gen.parameter('g3.A').value = amplitudes[2]!;
    gen.evaluate(spectrum);
    mean.set(spectrum, p * CHANNELS);
  }
  return poissonNoise(mulberry32(seed), mean);
}

const FREE = ['bg.coefficients', 'g1.A', 'g2.A', 'g3.A'];

/** Every free value, std and statistic at a pixel. */
function results(model: Model, px: number): number[] {
  const out: number[] = [model.chisq[px]!, model.dof[px]!, model.redChisq[px]!];
  for (const name of FREE) {
    const p = model.parameter(name);
    for (let j = 0; j < p.length; j++)
      out.push(p.map.values[px * p.length + j]!, p.map.std[px * p.length + j]!);
  }
  return out;
}

function expectClose(a: number[], b: number[], rel = 1e-7): void {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => {
    const scale = Math.max(1, Math.abs(v), Math.abs(b[i]!));
    expect(Math.abs(v - b[i]!), `element ${i}: ${v} vs ${b[i]}`).toBeLessThan(rel * scale);
  });
}

describe('fitLinear', () => {
  it('equals lm from any start, unweighted and Poisson-weighted (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 5, maxLength: 5 }),
        fc.boolean(),
        fc.boolean(),
        (seed, start, poisson, binned) => {
          const data = countsMap(seed);
          const linear = linearModel(signalOf(data, binned));
          const lm = linearModel(signalOf(data, binned));
          if (poisson) {
            linear.signal.estimatePoissonianNoiseVariance();
            lm.signal.estimatePoissonianNoiseVariance();
          }
          const r = fitLinear(linear);
          expect(r.weighting).toBe(poisson ? 'per-pixel' : 'none');
          expect(r.fitted).toBe(ROWS * COLS);
          for (let px = 0; px < ROWS * COLS; px++) {
            lm.parameter('bg.coefficients').setValues([start[0]!, start[1]!]);
            lm.parameter('g1.A').value = start[2]!;
            lm.parameter('g2.A').value = start[3]!;
            lm.parameter('g3.A').value = start[4]!;
            const fit = lm.fit(px);
            expect(fit.status).toBe('linear');
            expectClose(results(linear, px), results(lm, px));
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('gives the unweighted answer with unit weights, shared or per pixel', () => {
    const data = countsMap(3);
    const plain = linearModel(signalOf(data));
    fitLinear(plain);
    const shared = linearModel(signalOf(data));
    shared.signal.setVariance({ kind: 'constant', value: 1 });
    expect(fitLinear(shared).weighting).toBe('shared');
    const perPixel = linearModel(signalOf(data));
    perPixel.signal.setVariance({ kind: 'array', data: new Float64Array(data.length).fill(1) });
    expect(fitLinear(perPixel).weighting).toBe('per-pixel');
    const oneSpectrum = linearModel(signalOf(data));
    oneSpectrum.signal.setVariance({ kind: 'array', data: new Float64Array(CHANNELS).fill(1) });
    expect(fitLinear(oneSpectrum).weighting).toBe('shared');
    for (let px = 0; px < ROWS * COLS; px++) {
      const want = results(plain, px);
      expectClose(results(shared, px), want, 1e-9);
      expectClose(results(perPixel, px), want, 1e-9);
      expectClose(results(oneSpectrum, px), want, 1e-9);
    }
    // And unweighted on request, whatever the signal's variance.
    const ignored = linearModel(signalOf(data));
    ignored.signal.estimatePoissonianNoiseVariance();
    expect(fitLinear(ignored, { weighted: false }).weighting).toBe('none');
    expectClose(results(ignored, 5), results(plain, 5), 1e-9);
  });

  it('writes the fixed parameters, the maps and leaves masked-out pixels unfitted', () => {
    const model = linearModel(signalOf(countsMap(5)));
    const mask = new Uint8Array(ROWS * COLS).fill(1);
    mask[4] = 0;
    const r = fitLinear(model, { mask });
    expect(r.pixels).toBe(ROWS * COLS - 1);
    expect(r.parameters).toEqual([
      'bg.coefficients[0]',
      'bg.coefficients[1]',
      'g1.A',
      'g2.A',
      'g3.A',
    ]);
    expect(model.chisq[4]).toBeNaN();
    expect(model.parameter('g1.A').map.isSet[4]).toBe(0);
    expect(model.parameter('g1.centre').map.values[7]).toBe(1.5);
    expect(model.parameter('g1.centre').map.std[7]).toBeNaN();
    expect(model.parameter('g1.centre').map.isSet[7]).toBe(1);
    expect(model.dof[7]).toBe(model.fittedChannels - 5);
    // Amplitudes near the truth (40 * (1 + 0.1 p) at pixel p), within a few std.
    const a = model.parameter('g1.A');
    expect(Math.abs(a.map.values[7]! - 40 * 1.7)).toBeLessThan(5 * a.map.std[7]!);
  });

  it('keeps amplitudes non-negative on request, as a brute-force active-set search finds', () => {
    // A weak g2 and a negative-going dip: unconstrained fits give negative amplitudes.
    const data = countsMap(11, [40, 0, 3]);
    for (let p = 0; p < ROWS * COLS; p++)
      for (let i = 60; i < 64; i++)
        data[p * CHANNELS + i] = Math.max(0, data[p * CHANNELS + i]! - 6);
    for (const poisson of [false, true]) {
      const free = linearModel(signalOf(data));
      const nn = linearModel(signalOf(data));
      if (poisson) {
        free.signal.estimatePoissonianNoiseVariance();
        nn.signal.estimatePoissonianNoiseVariance();
      }
      fitLinear(free);
      const r = fitLinear(nn, { nonNegative: true });
      expect(r.constrained).toBeGreaterThan(0);
      const names = ['g1.A', 'g2.A', 'g3.A'];
      let negatives = 0;
      for (let px = 0; px < ROWS * COLS; px++) {
        for (const n of names) {
          if (free.parameter(n).map.values[px]! < 0) negatives++;
          expect(nn.parameter(n).map.values[px]).toBeGreaterThanOrEqual(0);
        }
        // Brute force: every subset of the amplitudes held at 0, the rest fitted by lm.
        let best = Infinity;
        for (let set = 0; set < 8; set++) {
          const m = linearModel(signalOf(data));
          if (poisson) m.signal.estimatePoissonianNoiseVariance();
          names.forEach((n, i) => {
            if (set & (1 << i)) m.parameter(n).set({ value: 0, free: false });
          });
          const fit = m.fit(px);
          const feasible = names.every((n) => m.parameter(n).value >= -1e-9);
          if (feasible) best = Math.min(best, fit.chisq);
        }
        expect(nn.chisq[px]).toBeCloseTo(best, 6);
      }
      expect(negatives).toBeGreaterThan(0);
    }
  });

  it('nnlsGram matches an exhaustive search on random problems (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 24, maxLength: 24 }),
        fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 6, maxLength: 6 }),
        (entries, target) => {
          // A: 6 x 4, G = A^T A + a ridge (positive definite), b = A^T t.
          const k = 4;
          const g = new Float64Array(k * k);
          const b = new Float64Array(k);
          for (let i = 0; i < k; i++) {
            for (let j = 0; j < k; j++) {
              let s = i === j ? 0.5 : 0;
              for (let r = 0; r < 6; r++) s += entries[r * k + i]! * entries[r * k + j]!;
              g[i * k + j] = s;
            }
            for (let r = 0; r < 6; r++) b[i] = b[i]! + entries[r * k + i]! * target[r]!;
          }
          const constrained = Uint8Array.from([1, 1, 1, 0]);
          const x = new Float64Array(k);
          expect(nnlsGram(g, b, k, constrained, x, new NnlsWorkspace(k))).toBe(true);
          const objective = (v: Float64Array) => {
            let f = 0;
            for (let i = 0; i < k; i++) {
              let row = 0;
              for (let j = 0; j < k; j++) row += g[i * k + j]! * v[j]!;
              f += 0.5 * v[i]! * row - b[i]! * v[i]!;
            }
            return f;
          };
          let best = Infinity;
          for (let set = 0; set < 8; set++) {
            // Variables in `set` at 0; the rest solved (Gaussian elimination on the subsystem).
            const idx = [0, 1, 2, 3].filter((i) => !(set & (1 << i)) || i === 3);
            const n = idx.length;
            const a = idx.map((i) => [...idx.map((j) => g[i * k + j]!), b[i]!]);
            for (let c = 0; c < n; c++) {
              for (let r = c + 1; r < n; r++) {
                const f = a[r]![c]! / a[c]![c]!;
                for (let q = c; q <= n; q++) a[r]![q] = a[r]![q]! - f * a[c]![q]!;
              }
            }
            const sol = new Array<number>(n).fill(0);
            for (let r = n - 1; r >= 0; r--) {
              let s = a[r]![n]!;
              for (let q = r + 1; q < n; q++) s -= a[r]![q]! * sol[q]!;
              sol[r] = s / a[r]![r]!;
            }
            const v = new Float64Array(k);
            idx.forEach((i, t) => (v[i] = sol[t]!));
            if ([0, 1, 2].every((i) => v[i]! >= -1e-12)) best = Math.min(best, objective(v));
          }
          expect([0, 1, 2].every((i) => x[i]! >= 0)).toBe(true);
          expect(objective(x)).toBeLessThanOrEqual(best + 1e-9 * (1 + Math.abs(best)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refines non-linear parameters per pixel from the linear result', () => {
    const data = countsMap(13);
    const model = linearModel(signalOf(data));
    model.parameter('g2.centre').value = 2.21; // a little off the truth (2.2)
    fitLinear(model);
    const before = Float64Array.from(model.chisq);
    const r = refinePixels(model, ['g2.centre']);
    expect(r.refined + r.kept).toBe(ROWS * COLS);
    expect(r.refined).toBeGreaterThan(0);
    for (let px = 0; px < ROWS * COLS; px++) {
      expect(model.chisq[px]).toBeLessThanOrEqual(before[px]!);
      expect(model.dof[px]).toBe(model.fittedChannels - 6);
    }
    expect(model.parameter('g2.centre').free).toBe(false);
    expect(Math.abs(model.parameter('g2.centre').map.values[5]! - 2.2)).toBeLessThan(0.01);
  });

  it('refuses models and data it cannot fit, naming the parameter or pixel', () => {
    const data = countsMap(1);
    const m1 = linearModel(signalOf(data));
    m1.parameter('g1.sigma').free = true;
    expect(() => fitLinear(m1)).toThrow(/only linear parameters.*'g1.sigma'/);
    const m2 = linearModel(signalOf(data));
    m2.parameter('g3.centre').map.values[2] = 3.7;
    m2.parameter('g3.centre').map.isSet[2] = 1;
    expect(() => fitLinear(m2)).toThrow(/'g3.centre' is 3.7 at pixel \(0, 2\)/);
    const m3 = linearModel(signalOf(data));
    m3.component('g2').activeIsMultidimensional = true;
    expect(() => fitLinear(m3)).toThrow(/'g2' is switched on or off per pixel/);
    const m4 = linearModel(signalOf(data));
    m4.parameter('g3.centre').value = 2.2;
    m4.parameter('g3.sigma').value = 0.1; // the same line as g2
    expect(() => fitLinear(m4)).toThrow(/'g3.A' is not determined/);
    const bad = Float64Array.from(data);
    bad[5 * CHANNELS + 40] = NaN;
    const m5 = linearModel(signalOf(bad));
    expect(() => fitLinear(m5)).toThrow(/pixel \(1, 1\): data at channel 40 is NaN/);
    const m6 = linearModel(signalOf(data));
    m6.signal.setVariance({ kind: 'array', data: new Float64Array(data.length).fill(1) });
    (m6.signal.variance as { data: Float64Array }).data[2 * CHANNELS + 50] = 0;
    expect(() => fitLinear(m6)).toThrow(/pixel \(0, 2\): variance at channel 50 is 0/);
    const m7 = linearModel(signalOf(data));
    expect(() => fitLinear(m7, { mask: new Uint8Array(3) })).toThrow(/mask has 3 pixels/);
    const m8 = linearModel(signalOf(data));
    for (const n of FREE) m8.parameter(n).free = false;
    expect(() => fitLinear(m8)).toThrow(/no free parameters/);
  });
});
