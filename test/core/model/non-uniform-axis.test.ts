import { describe, it, expect } from 'vitest';
import {
  Model,
  Signal,
  axisBinWidths,
  createKernel,
  workerInit,
  axisValues,
  checkAxis,
  nonUniformAxis,
  valueToIndex,
} from '@samfire/core';
import type { AxisSpec } from '@samfire/core';

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const gauss = (x: number, a: number, c: number, s: number): number =>
  ((a * INV_SQRT_2PI) / s) * Math.exp(-0.5 * ((x - c) / s) ** 2);

/** 120 channels from 1 to about 4.4, the step growing along the axis (as E = hc/lambda). */
function energyValues(n = 120): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => 1 + 0.01 * i + 0.00015 * i * i);
}

const TRUTH = { A: 3, centre: 2.6, sigma: 0.18, offset: 0.4 };

function peakModel(axis: AxisSpec, data: Float64Array): Model {
  const m = new Model(new Signal({ data, axes: [axis] }), [
    { kind: 'Gaussian', name: 'g' },
    { kind: 'Offset', name: 'bg' },
  ]);
  m.parameter('g.A').value = 2;
  m.parameter('g.centre').value = 2.5;
  m.parameter('g.sigma').value = 0.25;
  m.parameter('bg.offset').value = 0.2;
  return m;
}

describe('non-uniform axes', () => {
  it('gives the bin widths as the gradient of the values and finds the nearest channel', () => {
    const axis = nonUniformAxis({ name: 'E', units: 'eV', values: [1, 2, 4, 7, 11] });
    expect(Array.from(axisBinWidths(axis))).toEqual([1, 1.5, 2.5, 3.5, 4]);
    expect(axis.offset).toBe(1);
    expect(axis.scale).toBe(2.5);
    expect(Array.from(axisValues(axis))).toEqual([1, 2, 4, 7, 11]);
    expect(valueToIndex(axis, 5.4)).toBe(2);
    expect(valueToIndex(axis, 5.6)).toBe(3);
    expect(valueToIndex(axis, -3)).toBe(0);
    expect(valueToIndex(axis, 30)).toBe(4);
    const down = nonUniformAxis({ name: 'E', units: 'eV', values: [11, 7, 4, 2, 1] });
    expect(valueToIndex(down, 5.6)).toBe(1);
    expect(valueToIndex(down, 1.2)).toBe(4);
    expect(Array.from(axisBinWidths(down))).toEqual([-4, -3.5, -2.5, -1.5, -1]);
  });

  it('refuses values that are not strictly monotonic or do not match the size, naming the axis', () => {
    expect(() => nonUniformAxis({ name: 'Energy', units: 'eV', values: [1, 2, 2, 3] })).toThrow(
      /axis 'Energy': values must be strictly monotonic, not at channel 2/,
    );
    expect(() =>
      checkAxis(
        {
          name: 'Energy',
          size: 3,
          offset: 0,
          scale: 1,
          units: '',
          navigate: false,
          values: new Float64Array([1, 2]),
        },
        'signal',
      ),
    ).toThrow(/axis 'Energy': 2 values for size 3/);
  });

  it('fits a Gaussian on a non-uniform, non-binned axis and recovers its parameters', () => {
    const x = energyValues();
    const axis = nonUniformAxis({ name: 'Energy', units: 'eV', values: x });
    const data = Float64Array.from(
      x,
      (v) => gauss(v, TRUTH.A, TRUTH.centre, TRUTH.sigma) + TRUTH.offset,
    );
    const m = peakModel(axis, data);
    const r = m.fit(0);
    expect(r.converged).toBe(true);
    expect(m.parameter('g.A').value).toBeCloseTo(TRUTH.A, 6);
    expect(m.parameter('g.centre').value).toBeCloseTo(TRUTH.centre, 6);
    expect(m.parameter('g.sigma').value).toBeCloseTo(TRUTH.sigma, 6);
    expect(m.parameter('bg.offset').value).toBeCloseTo(TRUTH.offset, 6);
    // The model is evaluated on the axis values, not on offset + i * mean step.
    const model = m.evaluate();
    for (let i = 0; i < x.length; i++) expect(model[i]).toBeCloseTo(data[i]!, 6);
  });

  it('multiplies by the per-channel width on a binned non-uniform axis', () => {
    const x = energyValues();
    const widths = axisBinWidths(nonUniformAxis({ name: 'E', units: 'eV', values: x }));
    // Counts per channel: the density times the channel's width.
    const data = Float64Array.from(
      x,
      (v, i) => (gauss(v, TRUTH.A, TRUTH.centre, TRUTH.sigma) + TRUTH.offset) * widths[i]!,
    );
    const binned = nonUniformAxis({ name: 'Energy', units: 'eV', values: x, isBinned: true });
    const m = peakModel(binned, data);
    expect(m.fit(0).converged).toBe(true);
    expect(m.parameter('g.A').value).toBeCloseTo(TRUTH.A, 6);
    expect(m.parameter('g.centre').value).toBeCloseTo(TRUTH.centre, 6);
    expect(m.parameter('g.sigma').value).toBeCloseTo(TRUTH.sigma, 6);
    expect(m.parameter('bg.offset').value).toBeCloseTo(TRUTH.offset, 6);
    const g = m.evaluateComponent('g');
    for (let i = 0; i < x.length; i += 17) {
      expect(g[i]).toBeCloseTo(gauss(x[i]!, TRUTH.A, TRUTH.centre, TRUTH.sigma) * widths[i]!, 8);
    }

    // The same counts fitted as a non-binned signal do not give the density's
    // parameters back (the widths vary along the axis): the width matters.
    const plain = peakModel(nonUniformAxis({ name: 'Energy', units: 'eV', values: x }), data);
    plain.fit(0);
    expect(Math.abs(plain.parameter('g.A').value - TRUTH.A)).toBeGreaterThan(0.1);
  });

  it('sets the signal range in axis values on a non-uniform axis', () => {
    const x = energyValues();
    const axis = nonUniformAxis({ name: 'Energy', units: 'eV', values: x });
    const data = Float64Array.from(
      x,
      (v) => gauss(v, TRUTH.A, TRUTH.centre, TRUTH.sigma) + TRUTH.offset,
    );
    const m = peakModel(axis, data);
    m.setSignalRange(2, 3);
    const expected = Array.from(x).filter(
      (_, i) => i >= valueToIndex(axis, 2) && i <= valueToIndex(axis, 3),
    ).length;
    expect(m.fittedChannels).toBe(expected);
    // Within 2 .. 3 (not the index range a mean step would give).
    const first = x[valueToIndex(axis, 2)]!;
    const last = x[valueToIndex(axis, 3)]!;
    expect(Math.abs(first - 2)).toBeLessThan(0.05);
    expect(Math.abs(last - 3)).toBeLessThan(0.05);
    expect(m.fit(0).converged).toBe(true);
    expect(m.parameter('g.centre').value).toBeCloseTo(TRUTH.centre, 6);
  });

  it('the worker kernel fits a binned non-uniform map as the model does', () => {
    // Noiseless data: redChisq ~ 0, inside a tolerance of 2 around 1.
    const x = energyValues();
    const widths = axisBinWidths(nonUniformAxis({ name: 'E', units: 'eV', values: x }));
    const n = x.length;
    const data = new Float64Array(2 * n);
    for (let p = 0; p < 2; p++) {
      for (let i = 0; i < n; i++) {
        const c = TRUTH.centre + 0.1 * p;
        data[p * n + i] = (gauss(x[i]!, TRUTH.A, c, TRUTH.sigma) + TRUTH.offset) * widths[i]!;
      }
    }
    const axes: AxisSpec[] = [
      { name: 'x', size: 2, offset: 0, scale: 1, units: '', navigate: true },
      nonUniformAxis({ name: 'Energy', units: 'eV', values: x, isBinned: true }),
    ];
    const m = new Model(new Signal({ data, axes }), [
      { kind: 'Gaussian', name: 'g' },
      { kind: 'Offset', name: 'bg' },
    ]);
    m.parameter('g.A').value = 2;
    m.parameter('g.centre').value = 2.5;
    m.parameter('g.sigma').value = 0.25;
    m.parameter('bg.offset').value = 0.2;
    const init = workerInit(m, {
      optional: [],
      goodness: { kind: 'redChisq', tolerance: 2 },
      fit: {},
    });
    expect(init.model.axis.values).toBeDefined();
    const kernel = createKernel(init);
    const r = kernel.fit(1, { components: [null, null] });
    expect(r.good).toBe(true);
    // g: A, centre, sigma; bg: offset.
    expect(r.values[0]).toBeCloseTo(TRUTH.A, 6);
    expect(r.values[1]).toBeCloseTo(TRUTH.centre + 0.1, 6);
    expect(r.values[2]).toBeCloseTo(TRUTH.sigma, 6);
    expect(r.values[3]).toBeCloseTo(TRUTH.offset, 6);
  });
});
