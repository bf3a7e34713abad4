import { describe, it, expect } from 'vitest';
import { HC_EV_NM, Model, Signal, axisValues, wavelengthToEnergy } from '@samfire/core';
import type { AxisSpec } from '@samfire/core';
import { mulberry32, poissonSample } from '../../helpers/random.js';

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const gauss = (x: number, a: number, c: number, s: number): number =>
  ((a * INV_SQRT_2PI) / s) * Math.exp(-0.5 * ((x - c) / s) ** 2);

/** 400 to 800 nm in 401 channels. */
function wavelengthAxis(isBinned: boolean, size = 401): AxisSpec {
  return {
    name: 'Wavelength',
    size,
    offset: 400,
    scale: 400 / (size - 1),
    units: 'nm',
    navigate: false,
    isBinned,
  };
}

const nav = (name: string, size: number): AxisSpec => ({
  name,
  size,
  offset: 0,
  scale: 1,
  units: 'µm',
  navigate: true,
});

/** A peak in energy (eV) as a density per nm on the wavelength axis. */
const TRUTH = { A: 5000, centre: 2.1, sigma: 0.08 };
function densityPerNm(lambda: number): number {
  const e = HC_EV_NM / lambda;
  return gauss(e, TRUTH.A, TRUTH.centre, TRUTH.sigma) * (HC_EV_NM / (lambda * lambda));
}

function energyModel(signal: Signal): Model {
  const m = new Model(signal, [{ kind: 'Gaussian', name: 'g' }]);
  m.parameter('g.A').value = 4000;
  m.parameter('g.centre').value = 2.05;
  m.parameter('g.sigma').value = 0.1;
  return m;
}

describe('wavelengthToEnergy', () => {
  it('makes an increasing, non-uniform energy axis E = hc / lambda', () => {
    const s = new Signal({ data: new Float64Array(401).fill(1), axes: [wavelengthAxis(false)] });
    const e = wavelengthToEnergy(s);
    const ax = e.signalAxis;
    expect(ax.units).toBe('eV');
    expect(ax.values).toBeDefined();
    const x = axisValues(ax);
    expect(x[0]).toBeCloseTo(HC_EV_NM / 800, 12);
    expect(x[400]).toBeCloseTo(HC_EV_NM / 400, 12);
    for (let i = 1; i < x.length; i++) expect(x[i]!).toBeGreaterThan(x[i - 1]!);
    // Non-uniform: the step grows with the energy.
    expect(x[400]! - x[399]!).toBeGreaterThan(3 * (x[1]! - x[0]!));
    expect(HC_EV_NM).toBeCloseTo(1239.84198, 5);
  });

  it('keeps the counts of a binned signal per channel (reversed) and its variance', () => {
    const rand = mulberry32(3);
    const pixels = 6;
    const counts = new Uint16Array(pixels * 401).map(() => poissonSample(rand, 40));
    const variance = Float64Array.from(counts, (c) => c + 2);
    const s = new Signal({
      data: counts,
      axes: [nav('y', 2), nav('x', 3), wavelengthAxis(true)],
      variance: { kind: 'array', data: variance },
      signalType: 'CL',
    });
    const e = wavelengthToEnergy(s);
    expect(e.signalAxis.isBinned).toBe(true);
    expect(e.shape).toEqual([2, 3, 401]);
    expect(e.signalType).toBe('CL');
    let before = 0;
    let after = 0;
    for (let p = 0; p < pixels; p++) {
      const a = s.readSpectrum(p);
      const b = e.readSpectrum(p);
      const vb = new Float64Array(401);
      expect(e.readVariance(p, b, vb)).toBe(true);
      for (let j = 0; j < 401; j++) {
        expect(b[j]).toBe(a[400 - j]);
        expect(vb[j]).toBe(variance[p * 401 + 400 - j]);
        before += a[j]!;
        after += b[j]!;
      }
    }
    expect(after).toBe(before);
    // The input is left as it was.
    expect(s.signalAxis.units).toBe('nm');
    expect(s.data).toBe(counts);
  });

  it('scales a non-binned intensity by lambda^2 / hc and its variance by the square', () => {
    const data = Float64Array.from({ length: 401 }, (_, i) => 10 + i);
    const s = new Signal({
      data,
      axes: [wavelengthAxis(false)],
      variance: { kind: 'constant', value: 4 },
    });
    const e = wavelengthToEnergy(s);
    const y = e.readSpectrum(0);
    const v = new Float64Array(401);
    e.readVariance(0, y, v);
    for (const j of [0, 100, 400]) {
      const lambda = 800 - j;
      const jac = (lambda * lambda) / HC_EV_NM;
      expect(y[j]).toBeCloseTo(data[400 - j]! * jac, 9);
      expect(v[j]).toBeCloseTo(4 * jac * jac, 9);
    }
    // A Poisson estimate becomes the scaled explicit variance.
    s.estimatePoissonianNoiseVariance();
    const ep = wavelengthToEnergy(s);
    expect(ep.variance.kind).toBe('array');
    const vp = new Float64Array(401);
    ep.readVariance(0, ep.readSpectrum(0), vp);
    const jac0 = (800 * 800) / HC_EV_NM;
    expect(vp[0]).toBeCloseTo(data[400]! * jac0 * jac0, 6);
    // 'never' leaves the intensity alone; 'always' scales a binned one too.
    expect(wavelengthToEnergy(s, { jacobian: 'never' }).readSpectrum(0)[0]).toBe(data[400]);
    const b = new Signal({ data, axes: [wavelengthAxis(true)] });
    expect(wavelengthToEnergy(b, { jacobian: 'always' }).readSpectrum(0)[0]).toBeCloseTo(
      data[400]! * jac0,
      9,
    );
  });

  it('a Gaussian in energy made on a wavelength axis is recovered by a fit after conversion', () => {
    const axis = wavelengthAxis(false);
    const data = Float64Array.from(axisValues(axis), densityPerNm);
    const e = wavelengthToEnergy(new Signal({ data, axes: [axis] }));
    const m = energyModel(e);
    expect(m.fit(0).converged).toBe(true);
    expect(m.parameter('g.A').value).toBeCloseTo(TRUTH.A, 4);
    expect(m.parameter('g.centre').value).toBeCloseTo(TRUTH.centre, 8);
    expect(m.parameter('g.sigma').value).toBeCloseTo(TRUTH.sigma, 8);

    // Without the Jacobian the fit in energy would be biased.
    const raw = energyModel(
      wavelengthToEnergy(new Signal({ data, axes: [axis] }), { jacobian: 'never' }),
    );
    raw.fit(0);
    expect(Math.abs(raw.parameter('g.A').value - TRUTH.A) / TRUTH.A).toBeGreaterThan(0.5);
  });

  it('binned Poisson counts on a wavelength axis: the fit in energy recovers the peak', () => {
    const axis = wavelengthAxis(true);
    const rand = mulberry32(17);
    const lambda = axisValues(axis);
    const counts = Float64Array.from(lambda, (l) =>
      poissonSample(rand, densityPerNm(l) * axis.scale),
    );
    const s = new Signal({ data: counts, axes: [axis] });
    s.estimatePoissonianNoiseVariance();
    const e = wavelengthToEnergy(s);
    expect(e.variance.kind).toBe('poisson');
    const m = energyModel(e);
    const r = m.fit(0);
    expect(r.converged).toBe(true);
    // Within a few standard errors of the truth (sqrt(5000) ~ 71 counts).
    expect(Math.abs(m.parameter('g.A').value - TRUTH.A)).toBeLessThan(4 * 71);
    expect(Math.abs(m.parameter('g.centre').value - TRUTH.centre)).toBeLessThan(0.005);
    expect(Math.abs(m.parameter('g.sigma').value - TRUTH.sigma)).toBeLessThan(0.005);
  });

  it('refuses an axis that is not a wavelength, naming its units', () => {
    const s = new Signal({
      data: new Float64Array(10),
      axes: [{ name: 'E', size: 10, offset: 1, scale: 1, units: 'eV', navigate: false }],
    });
    expect(() => wavelengthToEnergy(s)).toThrow(/signal axis is in 'eV', not a wavelength/);
    const neg = new Signal({
      data: new Float64Array(10),
      axes: [{ name: 'W', size: 10, offset: -2, scale: 1, units: 'nm', navigate: false }],
    });
    expect(() => wavelengthToEnergy(neg)).toThrow(/channel 0 is at -2 nm/);
  });
});
