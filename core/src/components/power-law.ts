/**
 * PowerLaw, with HyperSpy's parameters (EELS backgrounds):
 *   f(x) = A (x - origin)^(-r)   for x > left_cutoff, 0 elsewhere.
 * df/dA = (x - origin)^(-r), df/dr = -f ln(x - origin),
 * df/dorigin = r f / (x - origin); left_cutoff is a fixed switch (derivative 0).
 * Defaults as HyperSpy: A = 1e6 (bmin 0), r = 3 (bounds 1 to 5), origin and
 * left_cutoff fixed at 0.
 */
import type { ComponentFunction } from './component.js';

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
