/**
 * Tied parameters: formulas in x through the safe parser, values that follow
 * their masters, the chain rule in the Jacobian (checked against finite
 * differences), cycles refused, the linear path kept through affine ties,
 * and ties carried by model states and the worker kernel.
 */
import { describe, expect, it } from 'vitest';
import {
  Model,
  Signal,
  compileTie,
  createComponentFunction,
  createKernel,
  modelFromState,
  modelState,
  workerInit,
} from '@samfire/core';
import { ModelProblem } from '../../../core/src/model/model-problem.js';
import { mulberry32, poissonNoise } from '../../helpers/random.js';

const N = 200;
const gauss = (x: number, a: number, c: number, s: number): number =>
  (a / (s * Math.sqrt(2 * Math.PI))) * Math.exp(-0.5 * ((x - c) / s) ** 2);

/** Two pixels: 10 + a main peak (A at 80, sigma 5) and a satellite with half its area 30 channels up. */
function doublet(): Signal {
  const rand = mulberry32(11);
  const mean = new Float64Array(2 * N);
  for (let p = 0; p < 2; p++) {
    const a = p === 0 ? 4000 : 6000;
    for (let i = 0; i < N; i++)
      mean[p * N + i] = 10 + gauss(i, a, 80, 5) + gauss(i, 0.5 * a, 110, 5);
  }
  const signal = new Signal({
    data: poissonNoise(rand, mean),
    axes: [
      { name: 'x', size: 2, offset: 0, scale: 1, units: '', navigate: true },
      { name: 'E', size: N, offset: 0, scale: 1, units: 'eV', navigate: false },
    ],
  });
  signal.estimatePoissonianNoiseVariance();
  return signal;
}

function doubletModel(): Model {
  const model = new Model(doublet(), [
    { kind: 'Offset', name: 'bg' },
    { kind: 'Gaussian', name: 'main' },
    { kind: 'Gaussian', name: 'sat' },
  ]);
  model.parameter('bg.offset').value = 8;
  model.parameter('main.A').value = 3000;
  model.parameter('main.centre').value = 78;
  model.parameter('main.sigma').value = 4;
  model.tie('sat.A', 'main.A', '0.5*x', '2*x');
  model.tie('sat.centre', 'main.centre', 'x + 30');
  model.tie('sat.sigma', 'main.sigma');
  return model;
}

describe('tie formulas', () => {
  it('evaluates f and df/dx, and knows affine ones', () => {
    const out = new Float64Array(2);
    compileTie('sqrt(x**2 + 9)').evaluate(4, out);
    expect(out[0]).toBeCloseTo(5, 14);
    expect(out[1]).toBeCloseTo(4 / 5, 14);
    expect(compileTie('0.25*x').affine).toBe(true);
    expect(compileTie('x + 3').affine).toBe(true);
    expect(compileTie('2*(x - 1)/4').affine).toBe(true);
    expect(compileTie('x**2').affine).toBe(false);
    expect(compileTie('').expression).toBe('x');
  });

  it('refuses formulas naming anything but x, and code', () => {
    expect(() => compileTie('a*x', "tie of 'p'")).toThrow(/tie of 'p'.*names a/);
    expect(() => compileTie('process.exit(1)')).toThrow();
    expect(() => compileTie('x +')).toThrow(/Expression 'x \+'/);
  });
});

describe('tied parameters in a model', () => {
  it('are not free, follow their masters and fit as one peak pair', () => {
    const model = doubletModel();
    expect(model.parameter('sat.A').free).toBe(false);
    expect(model.parameter('sat.A').twin).toBe(model.parameter('main.A'));
    expect(model.parameter('sat.A').twinFunctionExpr).toBe('0.5*x');
    expect(model.parameter('sat.A').twinInverseFunctionExpr).toBe('2*x');
    expect(model.freeParameterCount).toBe(4);
    for (const pixel of [0, 1]) {
      const r = model.fit(pixel);
      expect(r.converged).toBe(true);
      expect(r.dof).toBe(N - 4);
      const a = model.parameter('main.A').value;
      expect(Math.abs(a - (pixel === 0 ? 4000 : 6000))).toBeLessThan(
        4 * model.parameter('main.A').std,
      );
      expect(model.parameter('sat.A').value).toBeCloseTo(0.5 * a, 9);
      expect(model.parameter('sat.centre').value).toBeCloseTo(
        model.parameter('main.centre').value + 30,
        9,
      );
      expect(model.parameter('sat.sigma').value).toBe(model.parameter('main.sigma').value);
      // The delta method gives the tied parameter's std.
      expect(model.parameter('sat.A').std).toBeCloseTo(0.5 * model.parameter('main.A').std, 9);
      expect(r.redChisq).toBeLessThan(1.4);
    }
    // Stored maps hold the tied values too.
    expect(model.parameter('sat.A').map.values[1]).toBeCloseTo(
      0.5 * model.parameter('main.A').map.values[1]!,
      9,
    );
    model.parameter('main.A').value = 100;
    model.followTwins();
    expect(model.parameter('sat.A').value).toBe(50);
  });

  it('refuse cycles, naming the parameters', () => {
    const model = doubletModel();
    expect(() => model.tie('main.A', 'sat.A')).toThrow(
      "tying 'main.A' to 'sat.A' would make a cycle: main.A -> sat.A -> main.A",
    );
    expect(() => model.tie('main.sigma', 'main.sigma')).toThrow(/cycle: main.sigma -> main.sigma/);
    model.tie('bg.offset', 'sat.centre');
    expect(() => model.tie('main.centre', 'bg.offset')).toThrow(
      /cycle: main.centre -> bg.offset -> sat.centre -> main.centre/,
    );
  });

  it('refuse multi-valued parameters', () => {
    const model = new Model(doublet(), [
      { kind: 'Polynomial', name: 'p', options: { order: 1 } },
      { kind: 'Gaussian', name: 'g' },
    ]);
    expect(() => model.tie('p.coefficients', 'g.A')).toThrow(/'p.coefficients' has 2 values/);
  });

  it('untie when their master is removed, and come back free', () => {
    const model = doubletModel();
    model.remove('main');
    expect(model.parameter('sat.A').twin).toBeNull();
    expect(model.parameter('sat.A').free).toBe(true);
  });
});

describe('the chain rule in the Jacobian', () => {
  /** Residual Jacobian by central differences. */
  function numericJacobian(problem: ModelProblem, p: Float64Array): Float64Array {
    const m = problem.nResiduals;
    const out = new Float64Array(problem.nParams * m);
    const plus = new Float64Array(m);
    const minus = new Float64Array(m);
    for (let k = 0; k < problem.nParams; k++) {
      const h = 1e-6 * Math.max(1, Math.abs(p[k]!));
      const q = Float64Array.from(p);
      q[k] = p[k]! + h;
      problem.residuals(q, plus);
      q[k] = p[k]! - h;
      problem.residuals(q, minus);
      for (let i = 0; i < m; i++) out[k * m + i] = (plus[i]! - minus[i]!) / (2 * h);
    }
    return out;
  }

  it('matches finite differences through chains, nonlinear ties and binned scales', () => {
    const fns = ['Gaussian', 'Gaussian', 'Gaussian', 'Offset'].map((k) =>
      createComponentFunction(k),
    );
    const x = Float64Array.from({ length: 120 }, (_v, i) => i * 0.5);
    const problem = new ModelProblem(fns, x, 0.5);
    const rand = mulberry32(3);
    for (let i = 0; i < x.length; i++) {
      problem.y[i] = 20 * rand();
      problem.w[i] = 0.5 + rand();
    }
    // g0: A 300, centre 20, sigma 3; g1.A = 0.4 g0.A; g1.centre = g0.centre + 8;
    // g1.sigma = sqrt(g0.sigma^2 + 2); g2.sigma = 1.5 * g1.sigma (a chain); g2.A free; g2.centre fixed.
    problem.slots.set([300, 20, 3, 0, 0, 0, 150, 40, 0, 5]);
    problem.free.set([1, 1, 1, 0, 0, 0, 1, 0, 0, 1]);
    problem.setTies([
      { slot: 3, master: 0, expression: '0.4*x' },
      { slot: 4, master: 1, expression: 'x + 8' },
      { slot: 8, master: 5, expression: '1.5*x' },
      { slot: 5, master: 2, expression: 'sqrt(x**2 + 2)' },
    ]);
    problem.configure();
    expect(problem.nParams).toBe(5);
    expect(problem.linear).toBe(false);
    const p = new Float64Array(5);
    problem.readFree(p);
    const analytic = new Float64Array(5 * x.length);
    problem.jacobian(p, analytic);
    expect(problem.slots[8]).toBeCloseTo(1.5 * Math.sqrt(11), 12);
    const numeric = numericJacobian(problem, p);
    let worst = 0;
    let scale = 0;
    for (let i = 0; i < analytic.length; i++) {
      worst = Math.max(worst, Math.abs(analytic[i]! - numeric[i]!));
      scale = Math.max(scale, Math.abs(numeric[i]!));
    }
    expect(worst / scale).toBeLessThan(1e-7);
  });

  it('keeps only-amplitudes problems linear through affine ties on amplitudes', () => {
    const fns = ['Gaussian', 'Gaussian'].map((k) => createComponentFunction(k));
    const x = Float64Array.from({ length: 50 }, (_v, i) => i);
    const problem = new ModelProblem(fns, x);
    problem.slots.set([100, 20, 3, 0, 30, 3]);
    problem.free.set([1, 0, 0, 0, 0, 0]);
    problem.setTies([{ slot: 3, master: 0, expression: '0.3*x' }]);
    problem.configure();
    expect(problem.linear).toBe(true);
    problem.setTies([{ slot: 3, master: 0, expression: 'x**2' }]);
    problem.configure();
    expect(problem.linear).toBe(false);
    problem.setTies([{ slot: 4, master: 0, expression: 'x' }]); // a centre following an amplitude
    problem.configure();
    expect(problem.linear).toBe(false);
  });

  it('refuses cycles among slots', () => {
    const problem = new ModelProblem([createComponentFunction('Gaussian')], new Float64Array(5));
    expect(() =>
      problem.setTies(
        [
          { slot: 0, master: 1, expression: 'x' },
          { slot: 1, master: 0, expression: 'x' },
        ],
        (s) => ['g.A', 'g.centre', 'g.sigma'][s]!,
      ),
    ).toThrow('tied parameters form a cycle: g.A -> g.centre -> g.A');
  });
});

describe('ties travel', () => {
  it('in model states (backups, the app session)', () => {
    const model = doubletModel();
    model.fit(0);
    const back = modelFromState(model.signal, JSON.parse(JSON.stringify(modelState(model))));
    const sat = back.parameter('sat.A');
    expect(sat.twin).toBe(back.parameter('main.A'));
    expect(sat.twinFunctionExpr).toBe('0.5*x');
    expect(sat.twinInverseFunctionExpr).toBe('2*x');
    expect(back.parameter('sat.centre').twinFunctionExpr).toBe('x + 30');
    expect(back.freeParameterCount).toBe(4);
    expect(back.parameter('sat.A').map.values[0]).toBe(model.parameter('sat.A').map.values[0]);
  });

  it('to the workers: the kernel fits with the same ties as Model.fit', () => {
    const model = doubletModel();
    const kernel = createKernel(
      workerInit(model, { optional: [], goodness: { kind: 'redChisq', tolerance: 2 }, fit: {} }),
    );
    const result = kernel.fit(1, { components: [null, null, null] });
    model.fit(1, { ftol: 1e-7, initialDamping: 1e-3 });
    expect(result.good).toBe(true);
    // Slots: bg(1), main(3), sat(3).
    expect(result.values[1]).toBeCloseTo(model.parameter('main.A').value, 4);
    expect(result.values[4]).toBeCloseTo(0.5 * result.values[1]!, 9);
    expect(result.values[5]).toBeCloseTo(result.values[2]! + 30, 9);
    expect(result.dof).toBe(N - 4);
  });
});
