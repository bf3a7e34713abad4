/**
 * The per-pixel kernel: first good fit without optional components, the
 * candidates' Cartesian product in order, AICc choice of optional
 * components, no good fit, and agreement with HyperSpy's single-pixel fits.
 */
import { describe, expect, it } from 'vitest';
import { Model, Signal, createKernel, workerInit } from '@samfire/core';
import type { GoodnessTestSpec, PixelStart, WorkerFitOptions } from '@samfire/core';
import { domainSignal, pixelFits } from '../../helpers/reference.js';
import { mulberry32, poissonNoise } from '../../helpers/random.js';

const RED1: GoodnessTestSpec = { kind: 'redChisq', tolerance: 1 };

/** Two pixels of 100 channels: 20 + a Gaussian (A 3000 at 50, sigma 4), and at pixel 1 a second one (A 2000 at 75, sigma 3). */
function peaksSignal(): Signal {
  const n = 100;
  const rand = mulberry32(5);
  const mean = new Float64Array(2 * n);
  const g = (x: number, a: number, c: number, s: number): number =>
    (a / (s * Math.sqrt(2 * Math.PI))) * Math.exp(-0.5 * ((x - c) / s) ** 2);
  for (let i = 0; i < n; i++) {
    mean[i] = 20 + g(i, 3000, 50, 4);
    mean[n + i] = 20 + g(i, 3000, 50, 4) + g(i, 2000, 75, 3);
  }
  const signal = new Signal({
    data: poissonNoise(rand, mean),
    axes: [
      { name: 'x', size: 2, offset: 0, scale: 1, units: '', navigate: true },
      { name: 'E', size: n, offset: 0, scale: 1, units: 'eV', navigate: false },
    ],
  });
  signal.estimatePoissonianNoiseVariance();
  return signal;
}

function peaksModel(): Model {
  const model = new Model(peaksSignal(), [
    { kind: 'Offset', name: 'o' },
    { kind: 'Gaussian', name: 'g' },
    { kind: 'Gaussian', name: 'g2' },
  ]);
  model.parameter('o.offset').value = 15;
  model.parameter('g.A').value = 2500;
  model.parameter('g.centre').value = 48;
  model.parameter('g.sigma').value = 5;
  model.parameter('g2.A').set({ value: 1500, bmin: 0 });
  model.parameter('g2.centre').set({ value: 74, bmin: 65, bmax: 85 });
  model.parameter('g2.sigma').set({ value: 3, bmin: 1, bmax: 6 });
  return model;
}

function kernelFor(
  model: Model,
  optional: number[] = [],
  goodness = RED1,
  fit: WorkerFitOptions = {},
) {
  return createKernel(workerInit(model, { optional, goodness, fit }));
}

/** Start with the given candidates for g.A and g.centre (other slots from the maps). */
function gStart(a: number[], centre: number[]): PixelStart {
  return { components: [null, { slots: [a, centre, [5]] }, null] };
}

describe('kernel without optional components', () => {
  it('returns the first good fit', () => {
    const model = peaksModel();
    model.component('g2').active = false;
    const r = createKernel(workerInit(model, { optional: [], goodness: RED1, fit: {} })).fit(
      0,
      gStart([2500], [48]),
    );
    expect(r.good).toBe(true);
    expect(r.fits).toBe(1);
    expect(Math.abs(r.redChisq - 1)).toBeLessThan(1);
    expect(r.values[2]).toBeCloseTo(50, 0); // g.centre
    expect(Array.from(r.active)).toEqual([1, 1, 0]);
    expect(r.dof).toBe(100 - 4);
    expect(r.chisq / r.dof).toBeCloseTo(r.redChisq, 12);
  });

  it('tries the candidates in Cartesian-product order (last slot fastest) and stops at the first good fit', () => {
    const model = peaksModel();
    model.component('g2').active = false;
    const kernel = kernelFor(model);
    // A centre of 400 is far outside the data: the fit cannot find the peak from there.
    expect(kernel.fit(0, gStart([2500], [400, 400.5, 48])).fits).toBe(3);
    // (A 2500, centre 400) fails, (A 2500, centre 48) is good: 2 fits. Slot-0-fastest would need 3.
    expect(kernel.fit(0, gStart([2500, 2600], [400, 48])).fits).toBe(2);
  });

  it('reports good: false when no candidate passes', () => {
    const model = peaksModel();
    model.component('g2').active = false;
    const r = kernelFor(model, [], { kind: 'redChisq', tolerance: 1e-12 }).fit(
      0,
      gStart([2500, 2600], [47, 48]),
    );
    expect(r.good).toBe(false);
    expect(r.fits).toBe(4);
  });

  it('starts left-out components from the maps at the pixel', () => {
    const model = peaksModel();
    model.component('g2').active = false;
    model.parameter('g.centre').map.values[0] = 400; // set map: a hopeless start
    model.parameter('g.centre').map.isSet[0] = 1;
    const kernel = kernelFor(model);
    expect(kernel.fit(0, { components: [null, null, null] }).good).toBe(false);
    expect(kernel.fit(0, gStart([2500], [48])).good).toBe(true);
  });

  it('names bad input', () => {
    const model = peaksModel();
    const kernel = kernelFor(model);
    expect(() => kernel.fit(2, gStart([1], [1]))).toThrow(
      'pixel 2 is outside the navigation space (0 to 1)',
    );
    expect(() => kernel.fit(0, { components: [{ slots: [[1], [2]] }, null, null] })).toThrow(
      "pixel 0: starting values for component 'o' have 2 slots, it has 1",
    );
    expect(() => kernelFor(model, [7])).toThrow(
      'worker init: no component at index 7 to make optional (the model has 3)',
    );
  });
});

describe('kernel with only amplitudes free (a linear problem)', () => {
  function linearModel(): Model {
    const model = peaksModel();
    model.component('g2').active = false;
    model.parameter('g.centre').set({ value: 50, free: false });
    model.parameter('g.sigma').set({ value: 4, free: false });
    return model;
  }

  /** Candidates for g.A; centre and sigma (fixed) at the truth. */
  const aStart = (a: number[]): PixelStart => ({
    components: [null, { slots: [a, [50], [4]] }, null],
  });

  it('solves each fit exactly, in one step', () => {
    const r = kernelFor(linearModel()).fit(0, aStart([1, 1e6]));
    expect(r.good).toBe(true);
    expect(r.status).toBe('linear');
    expect(r.fits).toBe(1);
    // The same minimum as the damped iterations of a model with a nonlinear slot pinned by bounds.
    const iterated = linearModel();
    iterated.parameter('g.sigma').set({ free: true, bmin: 4, bmax: 4 });
    const it = kernelFor(iterated, [], RED1, { bounded: true, ftol: 1e-14, xtol: 1e-14 }).fit(
      0,
      aStart([2500]),
    );
    expect(it.status).not.toBe('linear');
    expect(r.chisq).toBeLessThanOrEqual(it.chisq * (1 + 1e-9));
    expect(r.values[1]).toBeCloseTo(it.values[1]!, 3); // g.A
  });

  it('tries one start only when no fit passes: every start reaches the same minimum', () => {
    const never = { kind: 'redChisq', tolerance: 1e-12 };
    const r = kernelFor(linearModel(), [], never).fit(0, aStart([10, 2500, 1e5, 7]));
    expect(r.good).toBe(false);
    expect(r.fits).toBe(1);
    // With a nonlinear slot free, every candidate is tried.
    const model = linearModel();
    model.parameter('g.centre').free = true;
    expect(kernelFor(model, [], never).fit(0, aStart([10, 2500, 1e5, 7])).fits).toBe(4);
  });
});

describe('kernel with optional components', () => {
  it('switches an optional component off where the simpler model fits as well (AICc)', () => {
    const kernel = kernelFor(peaksModel(), [2], RED1, { bounded: true });
    const r = kernel.fit(0, gStart([2500], [48]));
    expect(r.good).toBe(true);
    expect(Array.from(r.active)).toEqual([1, 1, 0]);
    expect(r.dof).toBe(100 - 4);
  });

  it('switches it on where the data need it, and refits the winner', () => {
    const kernel = kernelFor(peaksModel(), [2], RED1, { bounded: true });
    const r = kernel.fit(1, gStart([2500], [48]));
    expect(r.good).toBe(true);
    expect(Array.from(r.active)).toEqual([1, 1, 1]);
    expect(r.values[5]).toBeCloseTo(75, 0); // g2.centre
    // Subset {} fails, {g2} is good, then the refit.
    expect(r.fits).toBe(3);
  });
});

describe('kernel against HyperSpy 1.7.3 single-pixel fits (MINPACK)', () => {
  const signal = domainSignal();
  const near = pixelFits().filter((f) => f.start_kind === 'near');

  it.each(near.map((f) => [f.pixel.join(','), f] as const))(
    'reaches the reference chisq from the near start at (%s)',
    (_l, ref) => {
      const model = new Model(signal, [
        { kind: 'Gaussian', name: 'g' },
        { kind: 'Lorentzian', name: 'l1' },
        { kind: 'Lorentzian', name: 'l2' },
      ]);
      model.component('l2').active = ref.l2_active;
      const slot = (c: string, p: string): number[] => [ref.start[`${c}.${p}`]!];
      const start: PixelStart = {
        components: [
          { slots: [slot('g', 'A'), slot('g', 'centre'), slot('g', 'sigma')] },
          { slots: [slot('l1', 'A'), slot('l1', 'centre'), slot('l1', 'gamma')] },
          { slots: [slot('l2', 'A'), slot('l2', 'centre'), slot('l2', 'gamma')] },
        ],
      };
      const r = kernelFor(model).fit(signal.pixelIndex(ref.pixel), start);
      expect(r.good).toBe(Math.abs(ref.red_chisq - 1) < 1);
      expect(Math.abs(r.chisq - ref.chisq) / ref.chisq).toBeLessThan(1e-6);
      expect(Math.abs(r.values[1]! - ref.result['g.centre']!)).toBeLessThan(
        1e-3 * ref.result['g.centre']!,
      );
    },
  );
});
