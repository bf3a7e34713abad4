/**
 * Starting values from data (each built-in component's `estimate`): on
 * spectra simulated here from the formulas with seeded Poisson noise, the
 * estimate recovers the parameters within the tolerances stated per case
 * (a start, not a fit: a few per cent, a fraction of a width), on uniform,
 * non-uniform and decreasing axes. On data that cannot give an estimate
 * (zeros, negatives, NaN, too few channels) it falls back, says so, and never
 * writes NaN or an infinity.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createComponentFunction } from '@samfire/core';
import type { ComponentFunction } from '@samfire/core';
import { mulberry32, poissonNoise } from '../../helpers/random.js';

const gauss = (x: number, a: number, c: number, s: number): number =>
  (a / (s * Math.sqrt(2 * Math.PI))) * Math.exp(-0.5 * ((x - c) / s) ** 2);
const lorentz = (x: number, a: number, c: number, g: number): number =>
  (a / Math.PI) * (g / ((x - c) ** 2 + g * g));

/** A uniform axis of n channels from lo to hi. */
function axis(lo: number, hi: number, n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

/** The CL axis of the issue: 811 to 936 nm in 1024 channels. */
const CL = axis(811, 936, 1024);
/** The same channels in energy (eV): decreasing and non-uniform. */
const CL_EV = CL.map((nm) => 1239.84198 / nm);

function noisy(x: Float64Array, f: (x: number) => number, seed = 7): Float64Array {
  return poissonNoise(
    mulberry32(seed),
    Array.from(x, (v) => f(v)),
  );
}

function estimate(
  kind: string,
  x: Float64Array,
  y: Float64Array,
  range?: { start: number; end: number },
  options: Record<string, unknown> = {},
): { p: Float64Array; fromData: boolean; note: string; fn: ComponentFunction } {
  const fn = createComponentFunction(kind, options);
  const p = new Float64Array(fn.size);
  let k = 0;
  for (const spec of fn.parameters)
    for (let j = 0; j < (spec.length ?? 1); j++) p[k++] = spec.value ?? 0;
  expect(fn.estimate, `${kind} has an estimate`).toBeTypeOf('function');
  const r = fn.estimate!(x, y, p, range);
  return { p, ...r, fn };
}

const rel = (got: number, want: number): number => Math.abs(got - want) / Math.abs(want);

describe('peak estimates', () => {
  it('places a Gaussian on a CL peak (811–936 nm): centre within 0.3 nm, sigma and A within 10%', () => {
    const y = noisy(CL, (v) => 20 + gauss(v, 40_000, 853.2, 6));
    const { p, fromData } = estimate('Gaussian', CL, y);
    expect(fromData).toBe(true);
    expect(Math.abs(p[1]! - 853.2)).toBeLessThan(0.3);
    expect(rel(p[2]!, 6)).toBeLessThan(0.1);
    expect(rel(p[0]!, 40_000)).toBeLessThan(0.1);
  });

  it('finds the peak inside the range it is given, not the bigger one outside', () => {
    const y = noisy(CL, (v) => gauss(v, 90_000, 830, 4) + gauss(v, 30_000, 900, 5));
    const { p } = estimate('Gaussian', CL, y, { start: 880, end: 936 });
    expect(Math.abs(p[1]! - 900)).toBeLessThan(0.3);
    expect(rel(p[2]!, 5)).toBeLessThan(0.1);
    expect(rel(p[0]!, 30_000)).toBeLessThan(0.1);
  });

  it('works on a decreasing, non-uniform axis (the CL axis in eV)', () => {
    // A Gaussian in energy: centre 1.45 eV, sigma 0.012 eV.
    const y = noisy(CL_EV, (e) => gauss(e, 200, 1.45, 0.012));
    const { p, fromData } = estimate('Gaussian', CL_EV, y);
    expect(fromData).toBe(true);
    expect(Math.abs(p[1]! - 1.45)).toBeLessThan(0.001);
    expect(rel(p[2]!, 0.012)).toBeLessThan(0.1);
    expect(rel(p[0]!, 200)).toBeLessThan(0.1);
  });

  it('estimates a Lorentzian (gamma is the HWHM) and a pseudo-Voigt within 10%', () => {
    const x = axis(0, 400, 800);
    const yl = noisy(x, (v) => lorentz(v, 300_000, 170.3, 8));
    const l = estimate('Lorentzian', x, yl, { start: 100, end: 250 });
    expect(Math.abs(l.p[1]! - 170.3)).toBeLessThan(0.5);
    expect(rel(l.p[2]!, 8)).toBeLessThan(0.1);
    // The Lorentzian's tails hold area outside the range: the height-based A is within 15%.
    expect(rel(l.p[0]!, 300_000)).toBeLessThan(0.15);

    const pv = (v: number): number => {
      const g = 6;
      const gn =
        (Math.sqrt(Math.LN2 / Math.PI) / g) * Math.exp((-Math.LN2 * (v - 220) ** 2) / g ** 2);
      return 200_000 * (0.5 * lorentz(v, 1, 220, g) + 0.5 * gn);
    };
    const v = estimate('PseudoVoigt', x, noisy(x, pv));
    expect(Math.abs(v.p[1]! - 220)).toBeLessThan(0.5);
    expect(rel(v.p[2]!, 6)).toBeLessThan(0.1);
    expect(rel(v.p[0]!, 200_000)).toBeLessThan(0.1);
    expect(v.p[3]).toBe(0.5);
  });

  it('gives a peak at least two channels wide (a one-channel spike)', () => {
    const x = axis(0, 99, 100);
    const y = new Float64Array(100);
    y[40] = 50;
    const { p } = estimate('Gaussian', x, y);
    expect(p[1]).toBe(40);
    expect(p[2]! * 2 * Math.sqrt(2 * Math.LN2)).toBeCloseTo(2, 10);
  });

  it('falls back to the centre of the range when nothing rises above the background', () => {
    const y = new Float64Array(CL.length).fill(-3);
    const { p, fromData, note } = estimate('Gaussian', CL, y, { start: 850, end: 900 });
    expect(fromData).toBe(false);
    expect(note).toContain('centre of the range');
    expect(p[1]).toBe(875);
    expect(p[2]! * 2 * Math.sqrt(2 * Math.LN2)).toBeCloseTo(5, 10);
    expect(p[0]).toBeGreaterThan(0);
  });
});

describe('background estimates', () => {
  it('puts an Offset at the background level beside a peak (within 1%)', () => {
    const y = noisy(CL, (v) => 500 + gauss(v, 50_000, 870, 5));
    const { p } = estimate('Offset', CL, y);
    expect(rel(p[0]!, 500)).toBeLessThan(0.01);
  });

  it('fits a Polynomial by least squares: exact on noiseless data far from 0 (x ~ 870 nm)', () => {
    const f = (v: number): number => 3e-3 * v * v - 4.1 * v + 2000;
    const y = CL.map(f);
    const { p, fromData } = estimate('Polynomial', CL, y, undefined, { order: 2 });
    expect(fromData).toBe(true);
    expect(rel(p[0]!, 3e-3)).toBeLessThan(1e-6);
    expect(rel(p[1]!, -4.1)).toBeLessThan(1e-6);
    expect(rel(p[2]!, 2000)).toBeLessThan(1e-6);
    // And on noisy counts of a cubic, the curve (not each coefficient) within 2% over the range.
    const cubic = (v: number): number => 1000 + 2 * (v - 870) + 1e-4 * (v - 870) ** 3;
    const c = estimate('Polynomial', CL, noisy(CL, cubic), undefined, { order: 3 });
    const at = (v: number): number => ((c.p[0]! * v + c.p[1]!) * v + c.p[2]!) * v + c.p[3]!;
    for (const v of [815, 850, 870, 900, 930]) expect(rel(at(v), cubic(v))).toBeLessThan(0.02);
  });

  it('falls back to a constant when the range has fewer channels than coefficients', () => {
    const { p, fromData } = estimate(
      'Polynomial',
      CL,
      CL.map(() => 7),
      { start: 811, end: 811.2 },
      {
        order: 3,
      },
    );
    expect(fromData).toBe(false);
    expect(Array.from(p)).toEqual([0, 0, 0, 7]);
  });

  it('estimates a PowerLaw by the two-area method: r within 0.05, the curve within 3%', () => {
    // An EELS pre-edge background: 1.2e10 E^-3 over 300-520 eV (440 to 85 counts a channel).
    const x = axis(300, 520, 440);
    const exact = estimate(
      'PowerLaw',
      x,
      x.map((e) => 1.2e10 * e ** -3),
    );
    expect(Math.abs(exact.p[3]! - 3)).toBeLessThan(1e-3);
    expect(rel(exact.p[0]!, 1.2e10)).toBeLessThan(1e-2);
    const y = noisy(x, (e) => 1.2e10 * e ** -3);
    const { p, fromData } = estimate('PowerLaw', x, y);
    expect(fromData).toBe(true);
    expect(Math.abs(p[3]! - 3)).toBeLessThan(0.05);
    // A and r are strongly correlated (d ln A = ln E dr): the curve is what must be right.
    for (const e of [300, 360, 420, 520])
      expect(rel(p[0]! * e ** -p[3]!, 1.2e10 * e ** -3)).toBeLessThan(0.03);
  });

  it('estimates a PowerLaw on a non-uniform, decreasing axis', () => {
    // Channels uniform in 1/E (a wavelength-like axis), listed from high to low energy.
    const x = Float64Array.from({ length: 500 }, (_, i) => 1e5 / (200 + i * 0.3));
    const y = noisy(x, (e) => 2e10 * e ** -3.4);
    const { p } = estimate('PowerLaw', x, y);
    expect(Math.abs(p[3]! - 3.4)).toBeLessThan(0.05);
    for (const i of [0, 250, 499])
      expect(rel(p[0]! * x[i]! ** -p[3]!, 2e10 * x[i]! ** -3.4)).toBeLessThan(0.03);
  });

  it('falls back clearly on a PowerLaw over zero or negative data: no NaN, no infinity', () => {
    const x = axis(300, 520, 200);
    for (const y of [new Float64Array(200), new Float64Array(200).fill(-5)]) {
      const { p, fromData, note } = estimate('PowerLaw', x, y);
      expect(fromData).toBe(false);
      expect(note).toMatch(/no positive area/);
      expect(p[3]).toBe(3);
      expect(p[0]).toBe(0);
    }
    // Half the range negative: a fallback with a finite amplitude from the positive half.
    const mixed = Float64Array.from(x, (e, i) => (i < 100 ? -10 : 1e9 * e ** -3));
    const m = estimate('PowerLaw', x, mixed);
    expect(m.fromData).toBe(false);
    expect(Array.from(m.p).every(Number.isFinite)).toBe(true);
    expect(m.p[0]).toBeGreaterThan(0);
    // Channels at or below the origin are left out (x - origin must be positive).
    const z = estimate('PowerLaw', axis(-10, 0, 50), new Float64Array(50).fill(5));
    expect(z.fromData).toBe(false);
    expect(Array.from(z.p).every(Number.isFinite)).toBe(true);
  });

  it('holds r at its bound when the data rise, and says so', () => {
    const x = axis(300, 520, 200);
    const { p, note } = estimate(
      'PowerLaw',
      x,
      Float64Array.from(x, (e) => e),
    );
    expect(p[3]).toBe(1);
    expect(note).toContain('bound');
    expect(Number.isFinite(p[0]!)).toBe(true);
  });

  it('estimates an Exponential by log-linear least squares: A and tau within 5%', () => {
    const x = axis(0, 300, 600);
    const y = noisy(x, (v) => 4000 * Math.exp(-v / 55));
    const { p, fromData } = estimate('Exponential', x, y);
    expect(fromData).toBe(true);
    expect(rel(p[1]!, 55)).toBeLessThan(0.05);
    expect(rel(p[0]!, 4000)).toBeLessThan(0.05);
    // Far from 0 (x ~ 870 nm) A is huge but finite.
    const cl = estimate(
      'Exponential',
      CL,
      noisy(CL, (v) => 100 * Math.exp(-(v - 811) / 40)),
    );
    expect(rel(cl.p[1]!, 40)).toBeLessThan(0.05);
    expect(Number.isFinite(cl.p[0]!)).toBe(true);
  });

  it('falls back on an Exponential without positive data, finite', () => {
    const { p, fromData } = estimate('Exponential', CL, new Float64Array(CL.length).fill(-2));
    expect(fromData).toBe(false);
    expect(Array.from(p).every(Number.isFinite)).toBe(true);
  });

  it('leaves an Expression as it is and says so', () => {
    const { p, fromData, note } = estimate('Expression', CL, CL, undefined, {
      expression: 'a * x + b',
    });
    expect(fromData).toBe(false);
    expect(note).toContain('Expression');
    expect(Array.from(p)).toEqual([1, 1]);
  });
});

describe('every estimate on any data', () => {
  const kinds: [string, Record<string, unknown>][] = [
    ['Gaussian', {}],
    ['Lorentzian', {}],
    ['PseudoVoigt', {}],
    ['Offset', {}],
    ['Polynomial', { order: 2 }],
    ['Polynomial', { order: 5 }],
    ['PowerLaw', {}],
    ['Exponential', {}],
  ];
  const value = fc.oneof(
    fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 1e300, -1e300, 5e-324),
  );

  it('writes only finite values, whatever the data and the range', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: kinds.length - 1 }),
        fc.array(value, { minLength: 0, maxLength: 60 }),
        fc.double({ min: -100, max: 1000, noNaN: true }),
        fc.double({ min: 1e-3, max: 50, noNaN: true }),
        fc.option(
          fc.tuple(
            fc.double({ min: -200, max: 2000, noNaN: true }),
            fc.double({ min: -200, max: 2000, noNaN: true }),
          ),
        ),
        (k, ys, x0, step, range) => {
          const [kind, options] = kinds[k]!;
          const x = Float64Array.from(ys, (_, i) => x0 + i * step);
          const y = Float64Array.from(ys);
          const r = range ? { start: range[0], end: range[1] } : undefined;
          const { p, note } = estimate(kind, x, y, r, options);
          expect(note.length).toBeGreaterThan(0);
          for (const v of p) expect(Number.isFinite(v), `${kind}: ${Array.from(p)}`).toBe(true);
        },
      ),
      { numRuns: 400, seed: 16 },
    );
  });
});
