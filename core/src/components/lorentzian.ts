/**
 * Lorentzian (Cauchy), with HyperSpy's parameters:
 *   f(x) = A / pi * gamma / ((x - centre)^2 + gamma^2)
 * A is the area, gamma the half width at half maximum.
 * With D = (x - c)^2 + gamma^2: df/dA = gamma / (pi D),
 * df/dcentre = 2 A gamma (x - c) / (pi D^2), df/dgamma = A ((x - c)^2 - gamma^2) / (pi D^2).
 */
import type { ComponentFunction } from './component.js';
import { estimatePeak, selectWindow } from './estimate.js';

export function lorentzian(): ComponentFunction {
  return {
    kind: 'Lorentzian',
    options: {},
    parameters: [
      { name: 'A', value: 1, bmin: 0, linear: true },
      { name: 'centre', value: 0 },
      { name: 'gamma', value: 1 },
    ],
    size: 3,
    analyticJacobian: true,
    weightsJacobian: true,
    estimate(x, y, p, range) {
      // gamma is the half width at half maximum; the height is A / (pi gamma).
      const peak = estimatePeak(selectWindow(x, y, range));
      const gamma = peak.fwhm / 2;
      p[0] = peak.height * Math.PI * gamma;
      p[1] = peak.centre;
      p[2] = gamma;
      return { fromData: peak.fromData, note: peak.note };
    },
    evaluate(x, n, p, out) {
      const k = (p[0]! * p[2]!) / Math.PI;
      const c = p[1]!;
      const g2 = p[2]! * p[2]!;
      for (let i = 0; i < n; i++) {
        const d = x[i]! - c;
        out[i] = k / (d * d + g2);
      }
    },
    jacobian(x, n, p, out, rows, weights) {
      const a = p[0]!;
      const c = p[1]!;
      const g = p[2]!;
      const g2 = g * g;
      const rA = rows[0]! * n;
      const rC = rows[1]! * n;
      const rG = rows[2]! * n;
      const gPi = g / Math.PI;
      const aPi = a / Math.PI;
      const twoAPiG = 2 * aPi * g;
      for (let i = 0; i < n; i++) {
        const d = x[i]! - c;
        const d2 = d * d;
        const inv = 1 / (d2 + g2);
        const wi = weights ? weights[i]! * inv : inv;
        const wi2 = wi * inv;
        if (rA >= 0) out[rA + i] = gPi * wi;
        if (rC >= 0) out[rC + i] = twoAPiG * d * wi2;
        if (rG >= 0) out[rG + i] = aPi * (d2 - g2) * wi2;
      }
    },
  };
}
