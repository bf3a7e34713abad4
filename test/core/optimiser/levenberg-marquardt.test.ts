import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LevenbergMarquardt } from '@samfire/core';
import type { LeastSquaresProblem } from '@samfire/core';

/** y = a exp(-b t) + c on 50 points, residuals model - y. */
function expDecay(a: number, b: number, c: number, withJacobian = true): LeastSquaresProblem {
  const t = Float64Array.from({ length: 50 }, (_, i) => i * 0.1);
  const y = t.map((ti) => a * Math.exp(-b * ti) + c);
  const problem: LeastSquaresProblem = {
    nResiduals: t.length,
    nParams: 3,
    residuals(p, out) {
      for (let i = 0; i < t.length; i++) out[i] = p[0]! * Math.exp(-p[1]! * t[i]!) + p[2]! - y[i]!;
    },
  };
  if (withJacobian) {
    problem.jacobian = (p, out) => {
      const m = t.length;
      for (let i = 0; i < m; i++) {
        const e = Math.exp(-p[1]! * t[i]!);
        out[i] = e;
        out[m + i] = -p[0]! * t[i]! * e;
        out[2 * m + i] = 1;
      }
    };
  }
  return problem;
}

/** Rosenbrock as least squares: r = (10 (y - x^2), 1 - x). */
const rosenbrock: LeastSquaresProblem = {
  nResiduals: 2,
  nParams: 2,
  residuals(p, out) {
    out[0] = 10 * (p[1]! - p[0]! * p[0]!);
    out[1] = 1 - p[0]!;
  },
  jacobian(p, out) {
    out[0] = -20 * p[0]!;
    out[1] = -1;
    out[2] = 10;
    out[3] = 0;
  },
};

describe('lm', () => {
  const lm = new LevenbergMarquardt();

  it('solves Rosenbrock from (-1.2, 1) to (1, 1) with zero residuals', () => {
    const r = lm.fit(rosenbrock, Float64Array.of(-1.2, 1));
    expect(r.params[0]).toBeCloseTo(1, 6);
    expect(r.params[1]).toBeCloseTo(1, 6);
    expect(r.chisq).toBeLessThan(1e-12);
    expect(r.converged).toBe(true);
  });

  it('recovers an exponential decay exactly, with and without an analytic Jacobian', () => {
    for (const jac of [true, false]) {
      const r = lm.fit(expDecay(5, 1.3, 0.5, jac), Float64Array.of(1, 0.5, 0));
      expect(r.params[0]).toBeCloseTo(5, 5);
      expect(r.params[1]).toBeCloseTo(1.3, 5);
      expect(r.params[2]).toBeCloseTo(0.5, 5);
    }
  });

  it('reports max-evaluations when the cap is reached first', () => {
    const r = lm.fit(rosenbrock, Float64Array.of(-1.2, 1), { maxEvaluations: 3 });
    expect(r.status).toBe('max-evaluations');
    expect(r.converged).toBe(false);
    expect(r.evaluations).toBeLessThanOrEqual(3);
  });

  it('reports why it converged', () => {
    const r = lm.fit(expDecay(5, 1.3, 0.5), Float64Array.of(4, 1, 0.4));
    expect(['ftol', 'xtol', 'gtol', 'zero-residuals']).toContain(r.status);
    expect(r.message).toMatch(/converged/);
  });

  it('never leaves its bounds, and reports the bound parameters', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -3, max: 0.9, noNaN: true }),
        fc.double({ min: 0.05, max: 2, noNaN: true }),
        fc.double({ min: -2, max: 2, noNaN: true }),
        (lo, width, s0) => {
          // The optimum x = 1 lies outside [lo, lo + width] when lo + width < 1.
          const lower = Float64Array.of(lo, -Infinity);
          const upper = Float64Array.of(lo + width, Infinity);
          const r = lm.fit(rosenbrock, Float64Array.of(s0, 0.5), { lower, upper });
          expect(r.params[0]).toBeGreaterThanOrEqual(lo);
          expect(r.params[0]).toBeLessThanOrEqual(lo + width);
          if (lo + width < 0.999) {
            expect(r.atBound[0]).toBe(1);
            expect(r.params[0]).toBeCloseTo(lo + width, 6);
          }
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });

  it('gives a clear error for inverted bounds, wrong lengths and non-finite starts', () => {
    const p = expDecay(5, 1.3, 0.5);
    expect(() =>
      lm.fit(p, Float64Array.of(1, 1, 1), {
        lower: Float64Array.of(0, 2, 0),
        upper: Float64Array.of(1, 1, 1),
      }),
    ).toThrow(/parameter 1 has lower bound 2 above upper bound 1/);
    expect(() => lm.fit(p, Float64Array.of(1, 1))).toThrow(/2 starting values for 3 parameters/);
    expect(() => lm.fit(p, Float64Array.of(1, NaN, 1))).toThrow(
      /starting value of parameter 1 is NaN/,
    );
    expect(() => lm.fit(rosenbrock, Float64Array.of(1, 1), { ftol: -1 })).toThrow(/ftol/);
  });

  it('fails cleanly when the residuals are not finite at the start', () => {
    const bad: LeastSquaresProblem = {
      nResiduals: 3,
      nParams: 1,
      residuals(_p, out) {
        out.fill(NaN);
      },
    };
    const r = lm.fit(bad, Float64Array.of(1));
    expect(r.status).toBe('failed');
    expect(r.converged).toBe(false);
  });

  it('gives std from the covariance: sqrt of (J^T J)^-1 for a linear problem', () => {
    // r_i = p0 + p1 t_i - y_i with t = 0..3: (J^T J)^-1 = [[0.7, -0.3], [-0.3, 0.2]].
    const t = [0, 1, 2, 3];
    const y = [1, 3, 5, 7.5];
    const linear: LeastSquaresProblem = {
      nResiduals: 4,
      nParams: 2,
      residuals(p, out) {
        for (let i = 0; i < 4; i++) out[i] = p[0]! + p[1]! * t[i]! - y[i]!;
      },
      jacobian(_p, out) {
        for (let i = 0; i < 4; i++) {
          out[i] = 1;
          out[4 + i] = t[i]!;
        }
      },
    };
    const r = lm.fit(linear, Float64Array.of(0, 0));
    expect(r.std[0]).toBeCloseTo(Math.sqrt(0.7), 8);
    expect(r.std[1]).toBeCloseTo(Math.sqrt(0.2), 8);
  });
});

/** Residuals X p - y for a random design X (m x n, parameter-major) and data y. */
function linearProblem(seed: number, m: number, n: number, linear: boolean): LeastSquaresProblem {
  let s = seed;
  const rand = (): number => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const x = Float64Array.from({ length: n * m }, rand);
  const y = Float64Array.from({ length: m }, () => 10 * rand());
  return {
    nResiduals: m,
    nParams: n,
    linear,
    residuals(p, out) {
      for (let i = 0; i < m; i++) {
        let v = -y[i]!;
        for (let k = 0; k < n; k++) v += x[k * m + i]! * p[k]!;
        out[i] = v;
      }
    },
    jacobian(_p, out) {
      out.set(x);
    },
  };
}

describe('lm on linear problems (only amplitudes free)', () => {
  it('solves them exactly in one step from any start, as the damped iterations do in many', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.integer({ min: 1, max: 7 }),
        fc.double({ min: -1e4, max: 1e4, noNaN: true }),
        (seed, n, start) => {
          const lm = new LevenbergMarquardt();
          const x0 = new Float64Array(n).fill(start);
          const exact = lm.fit(linearProblem(seed, 40, n, true), x0);
          const iterated = lm.fit(linearProblem(seed, 40, n, false), x0, {
            ftol: 1e-15,
            xtol: 1e-15,
          });
          expect(exact.status).toBe('linear');
          expect(exact.converged).toBe(true);
          expect(exact.iterations).toBe(1);
          expect(exact.evaluations).toBe(2);
          expect(exact.chisq).toBeLessThanOrEqual(iterated.chisq * (1 + 1e-9));
          for (let k = 0; k < n; k++) {
            const scale = Math.max(1, Math.abs(iterated.params[k]!));
            expect(Math.abs(exact.params[k]! - iterated.params[k]!) / scale).toBeLessThan(1e-6);
            expect(exact.std[k]!).toBeCloseTo(iterated.std[k]!, 6);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('leaves a solution outside the bounds to the projected iterations, which stay inside', () => {
    const lm = new LevenbergMarquardt();
    const free = lm.fit(linearProblem(3, 30, 3, true), new Float64Array(3));
    expect(free.status).toBe('linear');
    // Bound the parameter the free solution puts lowest just above its value.
    const k = free.params.indexOf(Math.min(...free.params));
    const lower = new Float64Array(3).fill(-Infinity);
    lower[k] = free.params[k]! + 1;
    const upper = new Float64Array(3).fill(Infinity);
    const bounded = lm.fit(linearProblem(3, 30, 3, true), new Float64Array(3).fill(50), {
      lower,
      upper,
    });
    expect(bounded.status).not.toBe('linear');
    expect(bounded.converged).toBe(true);
    expect(bounded.params[k]).toBeCloseTo(lower[k]!, 9);
    expect(bounded.chisq).toBeGreaterThan(free.chisq);
  });
});
