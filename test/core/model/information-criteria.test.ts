import { describe, it, expect } from 'vitest';
import { informationCriteria, poissonLogLikelihood, Model, Signal } from '@samfire/core';
import type { AxisSpec } from '@samfire/core';
import { lnGamma } from '../../../core/src/model/information-criteria.js';
import { logFactorial, mulberry32, poissonNoise } from '../../helpers/random.js';

/** |a - b| <= rel * max(|a|, |b|, 1e-300) */
function expectRelClose(a: number, b: number, rel: number): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(Math.abs(a), Math.abs(b), 1e-300));
}

/**
 * ln Gamma(z) by Stirling's series with Bernoulli terms up to B_20, for large z:
 * (z - 1/2) ln z - z + ln(2 pi) / 2 + sum_k B_2k / (2k (2k - 1) z^(2k - 1)).
 */
function stirlingLnGamma(z: number): number {
  const b2k = [
    1 / 6,
    -1 / 30,
    1 / 42,
    -1 / 30,
    5 / 66,
    -691 / 2730,
    7 / 6,
    -3617 / 510,
    43867 / 798,
    -174611 / 330,
  ];
  let series = 0;
  for (let k = 1; k <= b2k.length; k++) {
    series += b2k[k - 1]! / (2 * k * (2 * k - 1) * z ** (2 * k - 1));
  }
  return (z - 0.5) * Math.log(z) - z + 0.5 * Math.log(2 * Math.PI) + series;
}

describe('lnGamma', () => {
  it('lnGamma(1) = lnGamma(2) = 0', () => {
    expect(Math.abs(lnGamma(1))).toBeLessThanOrEqual(1e-14);
    expect(Math.abs(lnGamma(2))).toBeLessThanOrEqual(1e-14);
  });

  it('lnGamma(0.5) = ln(sqrt(pi))', () => {
    expectRelClose(lnGamma(0.5), 0.5 * Math.log(Math.PI), 1e-14);
  });

  it('lnGamma(10) = ln(9!) = ln(362880)', () => {
    expectRelClose(lnGamma(10), Math.log(362880), 1e-14);
  });

  it('lnGamma(n + 1) = ln(n!) for n up to 170, summed term by term', () => {
    let lnFact = 0;
    for (let n = 1; n <= 170; n++) {
      lnFact += Math.log(n);
      expectRelClose(lnGamma(n + 1), lnFact, 1e-13);
    }
  });

  it('lnGamma(100.5) matches Stirling’s series and the recurrence from Gamma(1/2)', () => {
    const stirling = stirlingLnGamma(100.5);
    let recurrence = 0.5 * Math.log(Math.PI); // ln Gamma(1/2)
    for (let k = 0; k < 100; k++) recurrence += Math.log(k + 0.5); // Gamma(z + 1) = z Gamma(z)
    expectRelClose(stirling, recurrence, 1e-14); // the two references agree
    expectRelClose(lnGamma(100.5), stirling, 1e-13);
  });

  it('below 1/2 (reflection): lnGamma(1/4) and lnGamma(0.1) against tabulated Gamma values', () => {
    expectRelClose(lnGamma(0.25), Math.log(3.625609908221908), 1e-13);
    expectRelClose(lnGamma(0.1), Math.log(9.513507698668732), 1e-13);
  });
});

describe('poissonLogLikelihood', () => {
  it('matches a hand computation on three channels', () => {
    const y = Float64Array.from([0, 1, 2]);
    const mu = Float64Array.from([0.5, 1, 3]);
    // 0 ln 0.5 - 0.5 - ln 0!  +  1 ln 1 - 1 - ln 1!  +  2 ln 3 - 3 - ln 2!
    const expected = -0.5 + -1 + (2 * Math.log(3) - 3 - Math.log(2));
    expectRelClose(poissonLogLikelihood(y, mu, 3), expected, 1e-14);
    expectRelClose(poissonLogLikelihood(y, mu, 2), -1.5, 1e-14);
  });

  it('mu = 0 with no counts has probability 1; mu = 0 with counts has probability 0', () => {
    expect(poissonLogLikelihood(Float64Array.from([0, 1]), Float64Array.from([0, 1]), 2)).toBe(-1);
    expect(poissonLogLikelihood(Float64Array.from([1, 1]), Float64Array.from([0, 1]), 2)).toBe(
      -Infinity,
    );
  });
});

describe('informationCriteria', () => {
  it('AIC, AICc and BIC on a hand example (k = free parameters + 1)', () => {
    const ic = informationCriteria(-10, 2, 20);
    expect(ic.k).toBe(3);
    expect(ic.n).toBe(20);
    expect(ic.logLikelihood).toBe(-10);
    expectRelClose(ic.aic, 2 * 3 + 20, 1e-15); // 26
    expectRelClose(ic.aicc, 26 + (2 * 3 * 4) / (20 - 3 - 1), 1e-15); // 27.5
    expectRelClose(ic.bic, 3 * Math.log(20) + 20, 1e-15);
  });

  it('AICc is infinite when n - k - 1 <= 0', () => {
    expect(informationCriteria(-10, 2, 4).aicc).toBe(Infinity);
    expect(informationCriteria(-10, 2, 3).aicc).toBe(Infinity);
  });
});

describe('Model.informationCriteria', () => {
  const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
  const truth = { A: 3000, centre: 1050, sigma: 4, offset: 30 };
  // Axis values 1000..1099: far from the counts, so using them instead of the data shows.
  const axis: AxisSpec = {
    name: 'Energy',
    size: 100,
    offset: 1000,
    scale: 1,
    units: 'eV',
    navigate: false,
  };
  const x = Float64Array.from({ length: 100 }, (_, i) => 1000 + i);
  const gauss = (xi: number, a: number, c: number, s: number): number =>
    ((a * INV_SQRT_2PI) / s) * Math.exp(-0.5 * ((xi - c) / s) ** 2);

  function fitted(): { m: Model; counts: Float64Array } {
    const mean = x.map((xi) => gauss(xi, truth.A, truth.centre, truth.sigma) + truth.offset);
    const counts = poissonNoise(mulberry32(2024), mean);
    const signal = new Signal({ data: counts, axes: [axis] });
    signal.estimatePoissonianNoiseVariance();
    const m = new Model(signal, [
      { kind: 'Gaussian', name: 'g' },
      { kind: 'Offset', name: 'bg' },
    ]);
    m.parameter('g.A').value = 2500;
    m.parameter('g.centre').value = 1048;
    m.parameter('g.sigma').value = 5;
    m.parameter('bg.offset').value = 25;
    m.setSignalRange(10, 89, 'index');
    expect(m.fit(0).converged).toBe(true);
    return { m, counts };
  }

  /** ln L over channels 10..89 with the model computed here from the fitted values. */
  function directLogLikelihood(m: Model, y: ArrayLike<number>): number {
    const a = m.parameter('g.A').value;
    const c = m.parameter('g.centre').value;
    const s = m.parameter('g.sigma').value;
    const o = m.parameter('bg.offset').value;
    let ll = 0;
    for (let i = 10; i <= 89; i++) {
      const mu = gauss(x[i]!, a, c, s) + o;
      ll += y[i]! * Math.log(mu) - mu - logFactorial(y[i]!);
    }
    return ll;
  }

  it('uses k = free parameters + 1, n = fitted channels and the Poisson likelihood of the data', () => {
    const { m, counts } = fitted();
    const ic = m.informationCriteria(0);
    expect(ic.k).toBe(5);
    expect(ic.n).toBe(80);
    const ll = directLogLikelihood(m, counts);
    expectRelClose(ic.logLikelihood, ll, 1e-10);
    expectRelClose(ic.aic, 2 * 5 - 2 * ll, 1e-10);
    expectRelClose(ic.aicc, 2 * 5 - 2 * ll + (2 * 5 * 6) / (80 - 5 - 1), 1e-10);
    expectRelClose(ic.bic, 5 * Math.log(80) - 2 * ll, 1e-10);
  });

  it('evaluates the likelihood on the counts, not on the axis values (HyperSpy 1.7.3’s slip)', () => {
    const { m } = fitted();
    const ic = m.informationCriteria(0);
    const onAxis = directLogLikelihood(m, x.map(Math.round));
    expect(Math.abs(ic.logLikelihood - onAxis)).toBeGreaterThan(1000);
  });

  it('a fixed parameter lowers k by one', () => {
    const { m, counts } = fitted();
    m.parameter('g.sigma').free = false;
    const ic = m.informationCriteria(0);
    expect(ic.k).toBe(4);
    expectRelClose(ic.aic, 2 * 4 - 2 * directLogLikelihood(m, counts), 1e-10);
  });
});

describe('impossible expectations', () => {
  it('gives ln L = -Infinity for a negative expected count, even over empty channels', () => {
    expect(poissonLogLikelihood(Float64Array.of(0), Float64Array.of(-5), 1)).toBe(-Infinity);
    expect(poissonLogLikelihood(Float64Array.of(3), Float64Array.of(0), 1)).toBe(-Infinity);
  });

  it('gives probability 1 (ln L = 0) where nothing is expected and nothing seen', () => {
    expect(poissonLogLikelihood(Float64Array.of(0, 0), Float64Array.of(0, 0), 2)).toBe(0);
  });
});
