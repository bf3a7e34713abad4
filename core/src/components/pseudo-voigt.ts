/**
 * Pseudo-Voigt: an area-normalised mix of a Lorentzian and a Gaussian of the
 * same half width at half maximum.
 *   f(x) = A [ eta L(x) + (1 - eta) G(x) ]
 *   L(x) = gamma / (pi ((x - c)^2 + gamma^2))
 *   G(x) = sqrt(ln2 / pi) / gamma * exp(-ln2 (x - c)^2 / gamma^2)
 * A is the area, gamma the HWHM of both shapes, eta the Lorentzian fraction
 * (bounded to [0, 1]). HyperSpy 1.7's Voigt is its photoemission PESVoigt with
 * many more parameters; this component has no HyperSpy counterpart.
 */
import type { ComponentFunction } from './component.js';
import { estimatePeak, selectWindow } from './estimate.js';

const LN2 = Math.LN2;
const GN = Math.sqrt(LN2 / Math.PI);

export function pseudoVoigt(): ComponentFunction {
  return {
    kind: 'PseudoVoigt',
    options: {},
    parameters: [
      { name: 'A', value: 1, bmin: 0, linear: true },
      { name: 'centre', value: 0 },
      { name: 'gamma', value: 1, bmin: 0 },
      { name: 'eta', value: 0.5, bmin: 0, bmax: 1 },
    ],
    size: 4,
    analyticJacobian: true,
    estimate(x, y, p, range) {
      // gamma = HWHM of both shapes; the height at the centre is A (eta / (pi gamma) + (1 - eta) GN / gamma).
      const peak = estimatePeak(selectWindow(x, y, range));
      const gamma = peak.fwhm / 2;
      const eta = Number.isFinite(p[3]) && p[3]! >= 0 && p[3]! <= 1 ? p[3]! : 0.5;
      p[0] = (peak.height * gamma) / (eta / Math.PI + (1 - eta) * GN);
      p[1] = peak.centre;
      p[2] = gamma;
      p[3] = eta;
      return { fromData: peak.fromData, note: peak.note };
    },
    evaluate(x, n, p, out) {
      const a = p[0]!;
      const c = p[1]!;
      const g = p[2]!;
      const eta = p[3]!;
      const g2 = g * g;
      const kl = (a * eta * g) / Math.PI;
      const kg = (a * (1 - eta) * GN) / g;
      const e = -LN2 / g2;
      for (let i = 0; i < n; i++) {
        const d = x[i]! - c;
        const d2 = d * d;
        out[i] = kl / (d2 + g2) + kg * Math.exp(e * d2);
      }
    },
    jacobian(x, n, p, out, rows) {
      const a = p[0]!;
      const c = p[1]!;
      const g = p[2]!;
      const eta = p[3]!;
      const g2 = g * g;
      const rA = rows[0]! * n;
      const rC = rows[1]! * n;
      const rG = rows[2]! * n;
      const rE = rows[3]! * n;
      const e = -LN2 / g2;
      for (let i = 0; i < n; i++) {
        const d = x[i]! - c;
        const d2 = d * d;
        const inv = 1 / (d2 + g2);
        const lor = (g / Math.PI) * inv; // L(x)
        const gau = (GN / g) * Math.exp(e * d2); // G(x)
        const mix = eta * lor + (1 - eta) * gau;
        if (rA >= 0) out[rA + i] = mix;
        if (rC >= 0) {
          const dl = (2 * g * d * inv * inv) / Math.PI;
          const dg = gau * ((2 * LN2 * d) / g2);
          out[rC + i] = a * (eta * dl + (1 - eta) * dg);
        }
        if (rG >= 0) {
          const dl = ((d2 - g2) * inv * inv) / Math.PI;
          const dg = gau * ((2 * LN2 * d2) / (g2 * g) - 1 / g);
          out[rG + i] = a * (eta * dl + (1 - eta) * dg);
        }
        if (rE >= 0) out[rE + i] = a * (lor - gau);
      }
    },
  };
}
