/**
 * Polynomial of order n, stored as HyperSpy 1.7 stores it: one multi-valued
 * parameter `coefficients` of length n + 1, highest power first:
 *   f(x) = c[0] x^n + c[1] x^(n-1) + ... + c[n]
 * df/dc[k] = x^(n-k). Evaluated by Horner's rule.
 */
import type { ComponentFunction } from './component.js';

export interface PolynomialOptions {
  /** Polynomial order (0 to 10). @default 2 */
  order?: number;
}

export function polynomial(options: PolynomialOptions = {}): ComponentFunction {
  const order = options.order ?? 2;
  if (!Number.isInteger(order) || order < 0 || order > 10) {
    throw new Error(`Polynomial: order must be an integer from 0 to 10, got ${order}`);
  }
  const size = order + 1;
  return {
    kind: 'Polynomial',
    options: { order },
    parameters: [{ name: 'coefficients', length: size, value: 0, linear: true }],
    size,
    analyticJacobian: true,
    weightsJacobian: true,
    evaluate(x, n, p, out) {
      for (let i = 0; i < n; i++) {
        const xi = x[i]!;
        let v = p[0]!;
        for (let k = 1; k < size; k++) v = v * xi + p[k]!;
        out[i] = v;
      }
    },
    jacobian(x, n, _p, out, rows, weights) {
      for (let k = size - 1; k >= 0; k--) {
        const r = rows[k]!;
        if (r < 0) continue;
        const power = size - 1 - k;
        const base = r * n;
        for (let i = 0; i < n; i++) {
          const v = power === 0 ? 1 : Math.pow(x[i]!, power);
          out[base + i] = weights ? v * weights[i]! : v;
        }
      }
    },
  };
}
