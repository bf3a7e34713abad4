/**
 * Gaussian, with HyperSpy's parameters:
 *   f(x) = A / (sigma sqrt(2 pi)) exp(-(x - centre)^2 / (2 sigma^2))
 * A is the area, sigma the standard deviation (FWHM = 2 sqrt(2 ln 2) sigma).
 * Derivatives: df/dA = f / A, df/dcentre = f (x - c) / sigma^2,
 * df/dsigma = f ((x - c)^2 / sigma^3 - 1 / sigma).
 */
import type { ComponentFunction } from './component.js';
import { estimatePeak, selectWindow } from './estimate.js';

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
/**
 * Exponents below this give exactly 0 instead of calling exp: e^-40 = 4e-18
 * of the peak height, under the rounding of any sum the peak is part of.
 * Beyond 8.9 sigma from the centre (40% of the channels of a typical peak)
 * the Gaussian then costs a compare instead of an exp.
 */
const EXP_CUTOFF = -40;

export function gaussian(): ComponentFunction {
  // The optimiser asks for the Jacobian at the point whose residuals it has
  // just evaluated: keep the exponentials of the last evaluation (with the
  // parameters and axis they belong to) so the Jacobian does not recompute
  // them. Per instance, so every component of a model has its own cache.
  let cache = new Float64Array(0);
  let cacheX: Float64Array | null = null;
  let cacheN = -1;
  let cacheC = NaN;
  let cacheS = NaN;
  return {
    kind: 'Gaussian',
    options: {},
    parameters: [
      { name: 'A', value: 1, bmin: 0, linear: true },
      { name: 'centre', value: 0 },
      { name: 'sigma', value: 1, bmin: 0 },
    ],
    size: 3,
    analyticJacobian: true,
    weightsJacobian: true,
    estimate(x, y, p, range) {
      // Height h and FWHM w: sigma = w / (2 sqrt(2 ln 2)), area A = h sigma sqrt(2 pi).
      const peak = estimatePeak(selectWindow(x, y, range));
      const sigma = peak.fwhm / (2 * Math.sqrt(2 * Math.LN2));
      p[0] = peak.height * sigma * Math.sqrt(2 * Math.PI);
      p[1] = peak.centre;
      p[2] = sigma;
      return { fromData: peak.fromData, note: peak.note };
    },
    evaluate(x, n, p, out) {
      const a = p[0]!;
      const c = p[1]!;
      const sigma = p[2]!;
      const norm = (a * INV_SQRT_2PI) / sigma;
      const k = -0.5 / (sigma * sigma);
      if (cache.length < n) cache = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const d = x[i]! - c;
        const t = k * d * d;
        const e = t < EXP_CUTOFF ? 0 : Math.exp(t);
        cache[i] = e;
        out[i] = norm * e;
      }
      cacheX = x;
      cacheN = n;
      cacheC = c;
      cacheS = sigma;
    },
    jacobian(x, n, p, out, rows, weights) {
      const a = p[0]!;
      const c = p[1]!;
      const sigma = p[2]!;
      const rA = rows[0]! * n;
      const rC = rows[1]! * n;
      const rS = rows[2]! * n;
      const unit = INV_SQRT_2PI / sigma;
      const k = -0.5 / (sigma * sigma);
      const is2 = 1 / (sigma * sigma);
      const is = 1 / sigma;
      if (!(cacheX === x && cacheN === n && cacheC === c && cacheS === sigma)) {
        if (cache.length < n) cache = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const d = x[i]! - c;
          const t = k * d * d;
          cache[i] = t < EXP_CUTOFF ? 0 : Math.exp(t);
        }
        cacheX = x;
        cacheN = n;
        cacheC = c;
        cacheS = sigma;
      }
      for (let i = 0; i < n; i++) {
        const d = x[i]! - c;
        const e = unit * cache[i]! * (weights ? weights[i]! : 1);
        const f = a * e;
        if (rA >= 0) out[rA + i] = e;
        if (rC >= 0) out[rC + i] = f * d * is2;
        if (rS >= 0) out[rS + i] = f * (d * d * is2 - 1) * is;
      }
    },
  };
}
