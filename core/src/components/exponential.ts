/**
 * Exponential, with HyperSpy's parameters: f(x) = A exp(-x / tau).
 * df/dA = exp(-x / tau), df/dtau = f x / tau^2.
 * Its estimate is log-linear: ln y = ln A - x / tau by least squares over the
 * positive channels of the range, weighted by y (Poisson counts: the
 * variance of ln y is about 1 / y).
 */
import type { ComponentFunction } from './component.js';
import { leastSquares, median, selectWindow } from './estimate.js';

/** ln A may not pass this (A would overflow or vanish in double precision). */
const MAX_LOG = 700;

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
    estimate(x, y, p, range) {
      const w = selectWindow(x, y, range);
      const mid = (w.lo + w.hi) / 2;
      const span = w.hi - w.lo || 1;
      const flat = (why: string): { fromData: boolean; note: string } => {
        // Nearly flat at the level of the data: tau far longer than the range.
        const tau = 1000 * Math.max(span, Math.abs(mid));
        const level = median(w.y);
        p[0] = (Number.isFinite(level) ? level : 0) * Math.exp(mid / tau);
        p[1] = tau;
        return { fromData: false, note: `${why}: a nearly flat curve at the median` };
      };
      let m = 0;
      for (const v of w.y) if (v > 0) m++;
      if (m < 2) return flat('fewer than 2 positive channels in the range');
      const a = new Float64Array(2 * m);
      const ly = new Float64Array(m);
      const wt = new Float64Array(m);
      let k = 0;
      for (let i = 0; i < w.y.length; i++) {
        const v = w.y[i]!;
        if (!(v > 0)) continue;
        a[2 * k] = 1;
        a[2 * k + 1] = w.x[i]! - mid;
        ly[k] = Math.log(v);
        wt[k] = v;
        k++;
      }
      const c = leastSquares(a, ly, m, 2, wt);
      if (!c || c[1] === 0) return flat('the range shows no decay or growth');
      const tau = -1 / c[1]!;
      const logA = c[0]! + mid / tau;
      if (!Number.isFinite(tau) || !(Math.abs(logA) < MAX_LOG))
        return flat('the decay is too steep to start from');
      p[0] = Math.exp(logA);
      p[1] = tau;
      return { fromData: true, note: 'log-linear least squares over the range' };
    },
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
