/**
 * Exponential, with HyperSpy's parameters: f(x) = A exp(-x / tau).
 * df/dA = exp(-x / tau), df/dtau = f x / tau^2.
 */
import type { ComponentFunction } from './component.js';

export function exponential(): ComponentFunction {
  return {
    kind: 'Exponential',
    options: {},
    parameters: [
      { name: 'A', value: 1, linear: true },
      { name: 'tau', value: 1 },
    ],
    size: 2,
    analyticJacobian: true,
    evaluate(x, n, p, out) {
      const a = p[0]!;
      const k = -1 / p[1]!;
      for (let i = 0; i < n; i++) out[i] = a * Math.exp(k * x[i]!);
    },
    jacobian(x, n, p, out, rows) {
      const a = p[0]!;
      const tau = p[1]!;
      const k = -1 / tau;
      const rA = rows[0]! * n;
      const rT = rows[1]! * n;
      const it2 = 1 / (tau * tau);
      for (let i = 0; i < n; i++) {
        const e = Math.exp(k * x[i]!);
        if (rA >= 0) out[rA + i] = e;
        if (rT >= 0) out[rT + i] = a * e * x[i]! * it2;
      }
    },
  };
}
