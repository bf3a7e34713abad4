/**
 * Polynomial of order n, stored as HyperSpy 1.7 stores it: one multi-valued
 * parameter `coefficients` of length n + 1, highest power first:
 *   f(x) = c[0] x^n + c[1] x^(n-1) + ... + c[n]
 * df/dc[k] = x^(n-k). Evaluated by Horner's rule.
 */
import type { ComponentFunction } from './component.js';
import { leastSquares, median, selectWindow } from './estimate.js';

/**
 * Least squares of a polynomial of `order` through (x, y), solved in the
 * scaled variable t = (x - m) / s for conditioning, returned as HyperSpy's
 * coefficients of x (highest power first). Null when it cannot be solved.
 */
function polynomialLeastSquares(x: Float64Array, y: Float64Array, order: number): number[] | null {
  const m = x.length;
  const k = order + 1;
  if (m < k) return null;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const mid = (lo + hi) / 2;
  const half = (hi - lo) / 2 || 1;
  const a = new Float64Array(m * k);
  for (let i = 0; i < m; i++) {
    const t = (x[i]! - mid) / half;
    let v = 1;
    for (let j = 0; j < k; j++) {
      a[i * k + j] = v;
      v *= t;
    }
  }
  const d = leastSquares(a, y, m, k);
  if (!d) return null;
  // sum_j d_j ((x - mid) / half)^j = sum_i c_i x^i, with binomial expansion of (x - mid)^j.
  const c = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const dj = d[j]! / half ** j;
    let binom = 1; // C(j, i), from i = 0 up
    for (let i = 0; i <= j; i++) {
      c[i] = c[i]! + dj * binom * (-mid) ** (j - i);
      binom = (binom * (j - i)) / (i + 1);
    }
  }
  const out = Array.from(c).reverse();
  return out.every(Number.isFinite) ? out : null;
}

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
    estimate(x, y, p, range) {
      const w = selectWindow(x, y, range);
      const fitted = polynomialLeastSquares(w.x, w.y, order);
      if (fitted) {
        p.set(fitted);
        return { fromData: true, note: `least squares of order ${order} over the range` };
      }
      // Too few channels for this order (or a degenerate axis): a constant at the median.
      const level = median(w.y);
      p.fill(0, 0, size);
      p[size - 1] = Number.isFinite(level) ? level : 0;
      return {
        fromData: false,
        note: `fewer than ${size} usable channels in the range: a constant at their median`,
      };
    },
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
