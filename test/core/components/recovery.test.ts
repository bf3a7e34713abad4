/**
 * Parameter recovery: each component (and a two-peak model) is fitted to one
 * spectrum simulated from known parameters with seeded noise, starting 10-30%
 * off. The fit must recover the truth within 4 reported standard deviations,
 * report sensible standard deviations, and give a reduced chi-squared near 1.
 * The noiseless spectra are computed here from the formulas, not by the code
 * under test.
 */
import { describe, it, expect } from 'vitest';
import { Model, Signal } from '@samfire/core';
import type { AxisSpec, ComponentInput } from '@samfire/core';
import {
  gaussianNoise,
  mulberry32,
  poissonNoise,
  uniform,
  type Uniform,
} from '../../helpers/random.js';

const N_STD = 4;
const RED_CHISQ_TOL = 0.3;
const SEED = 42;

const gauss = (x: number, a: number, c: number, s: number): number =>
  (a / (s * Math.sqrt(2 * Math.PI))) * Math.exp(-0.5 * ((x - c) / s) ** 2);
const lorentz = (x: number, a: number, c: number, g: number): number =>
  (a / Math.PI) * (g / ((x - c) ** 2 + g * g));
const pseudoVoigt = (x: number, a: number, c: number, g: number, eta: number): number => {
  const gn = (Math.sqrt(Math.LN2 / Math.PI) / g) * Math.exp((-Math.LN2 * (x - c) ** 2) / (g * g));
  return a * (eta * lorentz(x, 1, c, g) + (1 - eta) * gn);
};

/** A parameter's true value; `shift` (a width) makes the start an additive offset of 10-30% of it. */
interface Truth {
  name: string;
  value: number | number[];
  shift?: number;
}

type Noise =
  { kind: 'poisson-known' } | { kind: 'poisson-estimate' } | { kind: 'gaussian'; sd: number };

interface RecoveryCase {
  label: string;
  components: ComponentInput[];
  /** Noiseless spectrum at axis value x (binned scale not included). */
  mean: (x: number) => number;
  axis: { offset: number; scale: number; size: number; isBinned?: boolean };
  noise: Noise;
  free: Truth[];
  fixed?: { name: string; value: number }[];
  /** Fit only these channel indices (inclusive). */
  range?: [number, number];
}

const CASES: RecoveryCase[] = [
  {
    label: 'Gaussian',
    components: [{ kind: 'Gaussian', name: 'g' }],
    mean: (x) => gauss(x, 40000, 10, 3),
    axis: { offset: 1, scale: 0.045, size: 400 },
    noise: { kind: 'poisson-known' },
    free: [
      { name: 'g.A', value: 40000 },
      { name: 'g.centre', value: 10, shift: 3 },
      { name: 'g.sigma', value: 3 },
    ],
  },
  {
    label: 'Lorentzian',
    components: [{ kind: 'Lorentzian', name: 'l' }],
    mean: (x) => lorentz(x, 25000, 10, 2),
    axis: { offset: -10, scale: 0.1, size: 400 },
    noise: { kind: 'poisson-known' },
    free: [
      { name: 'l.A', value: 25000 },
      { name: 'l.centre', value: 10, shift: 2 },
      { name: 'l.gamma', value: 2 },
    ],
  },
  {
    label: 'PseudoVoigt',
    components: [{ kind: 'PseudoVoigt', name: 'pv' }],
    mean: (x) => pseudoVoigt(x, 25000, 10, 2, 0.4),
    axis: { offset: -10, scale: 0.1, size: 400 },
    noise: { kind: 'poisson-known' },
    free: [
      { name: 'pv.A', value: 25000 },
      { name: 'pv.centre', value: 10, shift: 2 },
      { name: 'pv.gamma', value: 2 },
      { name: 'pv.eta', value: 0.4 },
    ],
  },
  {
    label: 'Offset (negative, Gaussian noise)',
    components: [{ kind: 'Offset', name: 'o' }],
    mean: () => -7.5,
    axis: { offset: 0, scale: 1, size: 400 },
    noise: { kind: 'gaussian', sd: 2 },
    free: [{ name: 'o.offset', value: -7.5 }],
  },
  {
    label: 'Exponential',
    components: [{ kind: 'Exponential', name: 'e' }],
    mean: (x) => 5000 * Math.exp(-x / 50),
    axis: { offset: 0, scale: 0.25, size: 400 },
    noise: { kind: 'poisson-known' },
    free: [
      { name: 'e.A', value: 5000 },
      { name: 'e.tau', value: 50 },
    ],
  },
  {
    label: 'PowerLaw',
    components: [{ kind: 'PowerLaw', name: 'pl' }],
    mean: (x) => 5e9 * x ** -3,
    axis: { offset: 100, scale: 0.5, size: 400 },
    noise: { kind: 'poisson-known' },
    free: [
      { name: 'pl.A', value: 5e9 },
      { name: 'pl.r', value: 3 },
    ],
  },
  {
    // Zero below the cutoff: those channels are outside the signal range.
    label: 'PowerLaw with origin and left_cutoff',
    components: [{ kind: 'PowerLaw', name: 'pl' }],
    mean: (x) => (x > 149.9 ? 2e8 * (x - 20) ** -2.5 : 0),
    axis: { offset: 100, scale: 0.25, size: 800 },
    noise: { kind: 'poisson-known' },
    free: [
      { name: 'pl.A', value: 2e8 },
      { name: 'pl.r', value: 2.5 },
    ],
    fixed: [
      { name: 'pl.origin', value: 20 },
      { name: 'pl.left_cutoff', value: 149.9 },
    ],
    range: [200, 799],
  },
  ...[0, 1, 2, 3, 4].map((order): RecoveryCase => {
    // Highest power first, as HyperSpy stores them.
    const coefficients = [2, -3, 1.5, 4, -5].slice(4 - order);
    return {
      label: `Polynomial order ${order} (Gaussian noise)`,
      components: [{ kind: 'Polynomial', name: 'p', options: { order } }],
      mean: (x) => coefficients.reduce((v, c) => v * x + c, 0),
      axis: { offset: -1, scale: 0.005, size: 400 },
      noise: { kind: 'gaussian', sd: 0.1 },
      free: [{ name: 'p.coefficients', value: coefficients }],
    };
  }),
  {
    label: 'two peaks (Gaussian + Lorentzian on an Offset, Poisson estimate)',
    components: [
      { kind: 'Gaussian', name: 'g' },
      { kind: 'Lorentzian', name: 'l' },
      { kind: 'Offset', name: 'bg' },
    ],
    mean: (x) => gauss(x, 20000, 30, 3) + lorentz(x, 15000, 45, 2.5) + 500,
    axis: { offset: 0, scale: 0.2, size: 400 },
    noise: { kind: 'poisson-estimate' },
    free: [
      { name: 'g.A', value: 20000 },
      { name: 'g.centre', value: 30, shift: 3 },
      { name: 'g.sigma', value: 3 },
      { name: 'l.A', value: 15000 },
      { name: 'l.centre', value: 45, shift: 2.5 },
      { name: 'l.gamma', value: 2.5 },
      { name: 'bg.offset', value: 500 },
    ],
  },
  {
    // Counts per bin: the model is multiplied by the axis scale, so A keeps its meaning.
    label: 'Gaussian on a binned axis',
    components: [{ kind: 'Gaussian', name: 'g' }],
    mean: (x) => gauss(x, 1e6, 10, 3),
    axis: { offset: 1, scale: 0.05, size: 360, isBinned: true },
    noise: { kind: 'poisson-known' },
    free: [
      { name: 'g.A', value: 1e6 },
      { name: 'g.centre', value: 10, shift: 3 },
      { name: 'g.sigma', value: 3 },
    ],
  },
];

/** value * (1 +- u) or value +- u * shift, u uniform in [0.1, 0.3]. */
function perturb(rand: Uniform, value: number, shift?: number): number {
  const u = uniform(rand, 0.1, 0.3) * (rand() < 0.5 ? -1 : 1);
  return shift === undefined ? value * (1 + u) : value + u * shift;
}

function simulate(c: RecoveryCase): Signal {
  const rand = mulberry32(SEED);
  const { offset, scale, size, isBinned } = c.axis;
  const binScale = isBinned ? scale : 1;
  const mean = Float64Array.from({ length: size }, (_, i) => binScale * c.mean(offset + i * scale));
  const axis: AxisSpec = {
    name: 'E',
    size,
    offset,
    scale,
    units: 'eV',
    navigate: false,
    isBinned: isBinned ?? false,
  };
  if (c.noise.kind === 'gaussian') {
    return new Signal({
      data: gaussianNoise(rand, mean, c.noise.sd),
      axes: [axis],
      variance: { kind: 'constant', value: c.noise.sd ** 2 },
    });
  }
  const signal = new Signal({ data: poissonNoise(rand, mean), axes: [axis] });
  if (c.noise.kind === 'poisson-estimate') {
    signal.estimatePoissonianNoiseVariance();
  } else {
    // Known variance: the expected counts (1 where the model is 0: outside the range).
    signal.setVariance({ kind: 'array', data: mean.map((m) => (m > 0 ? m : 1)) });
  }
  return signal;
}

describe.each(CASES)('recovery: $label', (c) => {
  it(`recovers the truth within ${N_STD} std from a start 10-30% off, reduced chi-squared near 1`, () => {
    const signal = simulate(c);
    const model = new Model(signal, c.components);
    for (const f of c.fixed ?? []) model.parameter(f.name).set({ value: f.value, free: false });
    const rand = mulberry32(SEED + 1);
    for (const t of c.free) {
      const p = model.parameter(t.name);
      p.free = true;
      const truth = typeof t.value === 'number' ? [t.value] : t.value;
      p.setValues(truth.map((v) => perturb(rand, v, t.shift)));
    }
    if (c.range) model.setSignalRange(c.range[0], c.range[1], 'index');

    const r = model.fit(0);

    expect(r.converged).toBe(true);
    expect(Math.abs(r.redChisq - 1)).toBeLessThanOrEqual(RED_CHISQ_TOL);
    const nFree = c.free.reduce(
      (n, t) => n + (typeof t.value === 'number' ? 1 : t.value.length),
      0,
    );
    expect(r.dof).toBe((c.range ? c.range[1] - c.range[0] + 1 : c.axis.size) - nFree);
    for (const t of c.free) {
      const p = model.parameter(t.name);
      const truth = typeof t.value === 'number' ? [t.value] : t.value;
      truth.forEach((v, j) => {
        const fitted = p.current[j]!;
        const std = p.currentStd[j]!;
        const where = `${t.name}[${j}]: fitted ${fitted} +- ${std}, truth ${v}`;
        expect(std, where).toBeGreaterThan(0);
        // A useful std: well below the size of the value (or of its width scale).
        expect(std, where).toBeLessThan(0.1 * (t.shift ?? Math.abs(v)));
        expect(Math.abs(fitted - v), where).toBeLessThanOrEqual(N_STD * std);
      });
    }
  });
});

describe('recovery details', () => {
  it('binned axis: the fitted area is the true area, not area * scale', () => {
    const c = CASES.find((k) => k.label === 'Gaussian on a binned axis')!;
    const model = new Model(simulate(c), c.components);
    model.parameter('g.A').value = 8e5;
    model.parameter('g.centre').value = 10.5;
    model.parameter('g.sigma').value = 2.5;
    model.fit(0);
    expect(Math.abs(model.parameter('g.A').value / 1e6 - 1)).toBeLessThan(0.01);
  });

  it('Offset: the reported std is sd / sqrt(n) scaled by sqrt(reduced chi-squared)', () => {
    const c = CASES.find((k) => k.label.startsWith('Offset'))!;
    const model = new Model(simulate(c), c.components);
    model.parameter('o.offset').value = -5;
    const r = model.fit(0);
    const expected = (2 / Math.sqrt(400)) * Math.sqrt(r.redChisq);
    expect(Math.abs(model.parameter('o.offset').std / expected - 1)).toBeLessThan(1e-6);
    // The fitted offset is the mean of the data (equal weights).
    const y = model.signal.readSpectrum(0);
    const meanY = y.reduce((a, b) => a + b, 0) / y.length;
    expect(Math.abs(model.parameter('o.offset').value - meanY)).toBeLessThan(1e-9);
  });
});
