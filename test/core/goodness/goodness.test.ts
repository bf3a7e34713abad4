/**
 * Every goodness test: the reduced chi-squared test (default tolerance 1,
 * stored as its absolute value) and the AIC, AICc and BIC tests on the
 * Poisson log-likelihood of the data, the deviance test (|D/dof - 1|), on
 * stored fits and on fit statistics,
 * plus the registry through which workers rebuild them.
 */
import { describe, expect, it } from 'vitest';
import {
  Model,
  AicTest,
  AiccTest,
  BicTest,
  DevianceTest,
  RedChisqTest,
  createGoodnessTest,
  goodnessTestKinds,
  registerGoodnessTest,
  Signal,
} from '@samfire/core';
import type { FitStatistics } from '@samfire/core';
import { logFactorial, mulberry32, poissonSample } from '../../helpers/random.js';
import { gridModel, gridSignal } from '../samfire/fixtures.js';

function stats(redChisq: number): FitStatistics {
  return {
    chisq: redChisq * 10,
    dof: 10,
    redChisq,
    freeParameters: 2,
    channels: 12,
    logLikelihood: () => -20,
  };
}

describe('reduced chi-squared test', () => {
  it('defaults to tolerance 1 and is good when |redChisq - 1| < tolerance', () => {
    const t = new RedChisqTest();
    expect(t.tolerance).toBe(1);
    expect(t.isGood(stats(1.99))).toBe(true);
    expect(t.isGood(stats(0.01))).toBe(true);
    expect(t.isGood(stats(2))).toBe(false);
    expect(t.isGood(stats(0))).toBe(false);
    expect(t.isGood(stats(NaN))).toBe(false);
  });

  it('stores the tolerance as its absolute value', () => {
    const t = new RedChisqTest(-0.3);
    expect(t.tolerance).toBe(0.3);
    t.tolerance = -0.5;
    expect(t.tolerance).toBe(0.5);
    expect(t.isGood(stats(1.4))).toBe(true);
    expect(t.isGood(stats(1.6))).toBe(false);
  });

  it('tests the fit stored in a model and maps over a mask', () => {
    const model = gridModel([2, 3]);
    model.redChisq.set([1.2, 3, NaN, 0.5, 1, 0.99]);
    model.chisq.set([1.2, 3, NaN, 0.5, 1, 0.99]);
    const t = new RedChisqTest(0.5);
    expect(t.test(model, 0)).toBe(true);
    expect(t.test(model, 1)).toBe(false);
    expect(t.test(model, 2)).toBe(false);
    expect(Array.from(t.map(model, Uint8Array.of(1, 1, 1, 1, 0, 1)))).toEqual([1, 0, 0, 0, 0, 1]);
    expect(() => t.map(model, new Uint8Array(4))).toThrow(
      /mask has 4 pixels, the navigation space 6/,
    );
  });
});

describe('information-criterion tests', () => {
  // One pixel, 5 channels of integer counts, an Offset at 3 fitted (k = 2, n = 5).
  const counts = [2, 3, 4, 1, 5];
  const mu = 3;
  const lnL = counts.reduce((s, y) => s + y * Math.log(mu) - mu - logFactorial(y), 0);
  const k = 2;
  const n = 5;
  const aic = 2 * k - 2 * lnL;
  const aicc = aic + (2 * k * (k + 1)) / (n - k - 1);
  const bic = k * Math.log(n) - 2 * lnL;

  function storedModel(): Model {
    const signal = new Signal({
      data: Float64Array.from(counts),
      axes: [
        { name: 'x', size: 1, offset: 0, scale: 1, units: '', navigate: true },
        { name: 'E', size: 5, offset: 0, scale: 1, units: '', navigate: false },
      ],
    });
    const model = new Model(signal, [{ kind: 'Offset', name: 'o' }]);
    model.parameter('o.offset').map.values[0] = mu;
    model.parameter('o.offset').map.isSet[0] = 1;
    model.chisq[0] = 10;
    model.dof[0] = 4;
    model.redChisq[0] = 2.5;
    return model;
  }

  it.each([
    ['AIC', (t: number) => new AicTest(t), aic],
    ['AICc', (t: number) => new AiccTest(t), aicc],
    ['BIC', (t: number) => new BicTest(t), bic],
  ] as const)(
    '%s is computed from the Poisson log-likelihood of the data and good below the tolerance',
    (_name, make, value) => {
      const model = storedModel();
      const above = make(value + 1e-6);
      const below = make(value - 1e-6);
      expect(above.test(model, 0)).toBe(true);
      expect(below.test(model, 0)).toBe(false);
      const s: FitStatistics = {
        chisq: 10,
        dof: 4,
        redChisq: 2.5,
        freeParameters: 1,
        channels: 5,
        logLikelihood: () => lnL,
      };
      expect(above.statistic(s)).toBeCloseTo(value, 10);
      expect(Array.from(above.map(model, Uint8Array.of(1)))).toEqual([1]);
      expect(Array.from(above.map(model, Uint8Array.of(0)))).toEqual([0]);
    },
  );

  it('keeps the sign of its tolerance', () => {
    const t = new AicTest(-5);
    expect(t.tolerance).toBe(-5);
    expect(t.isGood(stats(1))).toBe(false); // AIC = 2 * 3 + 40 = 46
  });

  it('does not change the model when it reads a stored fit', () => {
    const model = storedModel();
    const o = model.parameter('o.offset');
    o.value = 42;
    new AicTest(1e9).test(model, 0);
    expect(o.value).toBe(42);
  });

  it('is not good where no fit is stored', () => {
    const model = gridModel([2]);
    expect(new AicTest(Infinity).test(model, 0)).toBe(false);
  });
});

describe('goodness test registry', () => {
  it('rebuilds every built-in test from its spec', () => {
    expect(goodnessTestKinds()).toEqual(expect.arrayContaining(['redChisq', 'AIC', 'AICc', 'BIC']));
    for (const t of [new RedChisqTest(0.4), new AicTest(10), new AiccTest(-3), new BicTest(7)]) {
      const again = createGoodnessTest(t.spec());
      expect(again.constructor).toBe(t.constructor);
      expect(again.tolerance).toBe(t.tolerance);
    }
  });

  it('takes a user test without touching the engine, and names unknown kinds', () => {
    expect(() => createGoodnessTest({ kind: 'chisqBelow', tolerance: 1 })).toThrow(
      /unknown goodness test 'chisqBelow' \(known: redChisq/,
    );
    registerGoodnessTest('chisqBelow', (tolerance) => {
      const t = new RedChisqTest(tolerance);
      return Object.assign(Object.create(t) as RedChisqTest, {
        kind: 'chisqBelow',
        isGood: (s: FitStatistics) => s.chisq < tolerance,
        spec: () => ({ kind: 'chisqBelow', tolerance }),
      });
    });
    const t = createGoodnessTest({ kind: 'chisqBelow', tolerance: 5 });
    expect(t.isGood(stats(0.4))).toBe(true);
    expect(t.isGood(stats(0.6))).toBe(false);
    expect(() => registerGoodnessTest('chisqBelow', () => t)).toThrow(/already registered/);
  });

  it('works on the signal it is given', () => {
    expect(gridSignal([3]).navigationSize).toBe(3);
  });
});

describe('deviance test', () => {
  const stats = (deviance: number, dof = 100): FitStatistics => ({
    chisq: NaN,
    dof,
    redChisq: NaN,
    freeParameters: 4,
    channels: dof + 4,
    logLikelihood: () => NaN,
    deviance: () => deviance,
  });

  it('passes |D/dof - 1| < tolerance, symmetric about 1, and is registered as deviance', () => {
    const t = createGoodnessTest({ kind: 'deviance', tolerance: -0.5 });
    expect(t).toBeInstanceOf(DevianceTest);
    expect(t.tolerance).toBe(0.5);
    expect(goodnessTestKinds()).toContain('deviance');
    expect(t.statistic(stats(120))).toBeCloseTo(1.2, 12);
    expect(t.isGood(stats(120))).toBe(true);
    expect(t.isGood(stats(60))).toBe(true);
    expect(t.isGood(stats(160))).toBe(false);
    expect(t.isGood(stats(40))).toBe(false);
    expect(t.isGood(stats(Infinity))).toBe(false);
    // Statistics without a deviance cannot pass.
    expect(t.isGood({ ...stats(100), deviance: undefined })).toBe(false);
    expect(new DevianceTest(0.5).devianceLimit(100)).toBe(150);
    expect(() => new DevianceTest(NaN)).toThrow(/deviance test: tolerance must be a number/);
  });

  it('judges stored fits from the model maps, and leaves the current values as they were', () => {
    const rand = mulberry32(3);
    const channels = 64;
    const data = new Float64Array(4 * channels);
    for (let i = 0; i < data.length; i++) data[i] = poissonSample(rand, 5);
    const signal = new Signal({
      data,
      axes: [
        { name: 'x', size: 4, offset: 0, scale: 1, units: '', navigate: true },
        { name: 'E', size: channels, offset: 0, scale: 1, units: '', navigate: false },
      ],
    });
    const model = new Model(signal, [{ kind: 'Offset', name: 'bg' }]);
    model.parameter('bg.offset').value = 4;
    const r = model.fit(1, { lossFunction: 'ML-poisson' });
    model.parameter('bg.offset').value = 100; // a value far from the fit: the stored one counts
    const t = new DevianceTest(0.5);
    expect(Math.abs(r.deviance / r.dof - 1)).toBeLessThan(0.5);
    expect(t.test(model, 1)).toBe(true);
    expect(t.test(model, 0)).toBe(false); // not fitted
    expect(Array.from(t.map(model, Uint8Array.of(1, 1, 1, 1)))).toEqual([0, 1, 0, 0]);
    expect(model.parameter('bg.offset').value).toBe(100);
  });
});
