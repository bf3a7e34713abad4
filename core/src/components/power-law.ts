/**
 * PowerLaw, with HyperSpy's parameters (EELS backgrounds):
 *   f(x) = A (x - origin)^(-r)   for x > left_cutoff, 0 elsewhere.
 * df/dA = (x - origin)^(-r), df/dr = -f ln(x - origin),
 * df/dorigin = r f / (x - origin); left_cutoff is a fixed switch (derivative 0).
 * Defaults as HyperSpy: A = 1e6 (bmin 0), r = 3 (bounds 1 to 5), origin and
 * left_cutoff fixed at 0.
 *
 * Its estimate is the two-area method (Egerton): the range is split into two
 * adjacent windows of equal channel count, [u1, u2] and [u2, u3] with
 * u = x - origin; their areas I1 and I2 fix r, since
 *   I1 / I2 = F(u1, u2, r) / F(u2, u3, r),  F(a, b, r) = (a^(1-r) - b^(1-r)) / (r - 1),
 * which grows with r (solved by bisection within r's bounds, 1 to 5), and
 * then A = (I1 + I2) / (F(u1, u2, r) + F(u2, u3, r)).
 */
import type { ComponentFunction } from './component.js';
import { channelWidth, selectWindow } from './estimate.js';

const R_MIN = 1;
const R_MAX = 5;

/** The integral of u^-r from a to b (0 < a < b). */
function powerIntegral(a: number, b: number, r: number): number {
  if (Math.abs(r - 1) < 1e-9) return Math.log(b / a);
  return (Math.pow(a, 1 - r) - Math.pow(b, 1 - r)) / (r - 1);
}

export function powerLaw(): ComponentFunction {
  return {
    kind: 'PowerLaw',
    options: {},
    parameters: [
      { name: 'A', value: 1e6, bmin: 0, linear: true },
      { name: 'left_cutoff', value: 0, free: false },
      { name: 'origin', value: 0, free: false },
      { name: 'r', value: 3, bmin: 1, bmax: 5 },
    ],
    size: 4,
    analyticJacobian: true,
    estimate(x, y, p, range) {
      const cut = Number.isFinite(p[1]) ? p[1]! : 0;
      const origin = Number.isFinite(p[2]) ? p[2]! : 0;
      const w = selectWindow(x, y, range);
      // The channels the power law covers, by increasing u = x - origin.
      const order: number[] = [];
      for (let i = 0; i < w.x.length; i++) if (w.x[i]! > cut && w.x[i]! - origin > 0) order.push(i);
      order.sort((i, j) => w.x[i]! - w.x[j]!);
      const m = order.length;
      const u = Float64Array.from(order, (i) => w.x[i]! - origin);
      const v = Float64Array.from(order, (i) => w.y[i]!);
      const fallback = (why: string): { fromData: boolean; note: string } => {
        const r = Number.isFinite(p[3]) && p[3]! >= R_MIN && p[3]! <= R_MAX ? p[3]! : 3;
        // A least-squares amplitude for that r over the positive part, or 0.
        let num = 0;
        let den = 0;
        for (let i = 0; i < m; i++) {
          const g = Math.pow(u[i]!, -r);
          num += Math.max(0, v[i]!) * g;
          den += g * g;
        }
        const a = den > 0 && Number.isFinite(num / den) ? num / den : 0;
        p[0] = a;
        p[3] = r;
        return {
          fromData: false,
          note: `${why}: r = ${r}, A ${a > 0 ? 'from the positive counts' : '= 0'}`,
        };
      };
      if (m < 4) return fallback('fewer than 4 channels above the origin in the range');
      const h = Math.floor(m / 2);
      const width = (i: number): number => channelWidth(u, i);
      const u1 = u[0]! - width(0) / 2;
      const u2 = (u[h - 1]! + u[h]!) / 2;
      const u3 = u[m - 1]! + width(m - 1) / 2;
      if (!(u1 > 0)) return fallback('the range starts at the origin');
      let i1 = 0;
      let i2 = 0;
      for (let i = 0; i < m; i++) {
        if (i < h) i1 += v[i]! * width(i);
        else i2 += v[i]! * width(i);
      }
      if (!(i1 > 0 && i2 > 0)) return fallback('no positive area in one half of the range');
      const target = i1 / i2;
      const ratio = (r: number): number => powerIntegral(u1, u2, r) / powerIntegral(u2, u3, r);
      let r: number;
      let clamped = false;
      if (!(target > ratio(R_MIN))) {
        r = R_MIN;
        clamped = true;
      } else if (!(target < ratio(R_MAX))) {
        r = R_MAX;
        clamped = true;
      } else {
        let lo = R_MIN;
        let hi = R_MAX;
        for (let it = 0; it < 60; it++) {
          const mid = (lo + hi) / 2;
          if (ratio(mid) < target) lo = mid;
          else hi = mid;
        }
        r = (lo + hi) / 2;
      }
      const a = (i1 + i2) / (powerIntegral(u1, u2, r) + powerIntegral(u2, u3, r));
      if (!(a >= 0) || !Number.isFinite(a)) return fallback('the areas give no finite amplitude');
      p[0] = a;
      p[3] = r;
      return {
        fromData: true,
        note: clamped
          ? `two-area method; r held at its bound ${r} (the range falls ${r === R_MIN ? 'too slowly' : 'too steeply'})`
          : 'two-area method over the range',
      };
    },
    evaluate(x, n, p, out) {
      const a = p[0]!;
      const cut = p[1]!;
      const origin = p[2]!;
      const r = p[3]!;
      for (let i = 0; i < n; i++) {
        const xi = x[i]!;
        out[i] = xi > cut ? a * Math.pow(xi - origin, -r) : 0;
      }
    },
    jacobian(x, n, p, out, rows) {
      const a = p[0]!;
      const cut = p[1]!;
      const origin = p[2]!;
      const r = p[3]!;
      const rA = rows[0]! * n;
      const rCut = rows[1]! * n;
      const rO = rows[2]! * n;
      const rR = rows[3]! * n;
      for (let i = 0; i < n; i++) {
        const xi = x[i]!;
        if (rCut >= 0) out[rCut + i] = 0;
        if (!(xi > cut)) {
          if (rA >= 0) out[rA + i] = 0;
          if (rO >= 0) out[rO + i] = 0;
          if (rR >= 0) out[rR + i] = 0;
          continue;
        }
        const u = xi - origin;
        const base = Math.pow(u, -r);
        const f = a * base;
        if (rA >= 0) out[rA + i] = base;
        if (rO >= 0) out[rO + i] = (r * f) / u;
        if (rR >= 0) out[rR + i] = -f * Math.log(u);
      }
    },
  };
}
