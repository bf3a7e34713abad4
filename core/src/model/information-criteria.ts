/**
 * Information criteria from the Poisson log-likelihood of the data under the
 * model (counts y_i, expected counts mu_i on the fitted channels):
 *   ln L = sum_i [ y_i ln(mu_i) - mu_i - ln Gamma(y_i + 1) ]
 *   AIC = 2k - 2 ln L,  AICc = AIC + 2k(k + 1) / (n - k - 1),  BIC = k ln n - 2 ln L
 * with k = free parameters + 1 and n = fitted channels. (HyperSpy 1.7.3
 * evaluates its likelihood on the axis values instead of the data and with
 * the sign flipped; these are the textbook definitions.) A model that
 * predicts mu < 0 anywhere, or mu = 0 where counts were seen, has likelihood
 * 0: ln L = -Infinity.
 */

// Lanczos approximation (g = 7, n = 9): ln Gamma to ~1e-15 relative.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];
const HALF_LN_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln Gamma(z) for z > 0. */
export function lnGamma(z: number): number {
  if (z < 0.5) {
    // Reflection: Gamma(z) Gamma(1 - z) = pi / sin(pi z).
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * z))) - lnGamma(1 - z);
  }
  const zz = z - 1;
  let a = LANCZOS[0]!;
  const t = zz + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (zz + i);
  return HALF_LN_2PI + (zz + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * Expected counts below which an ML-poisson fit continues a channel's
 * deviance by its quadratic expansion (see model/model-problem.ts).
 */
export const POISSON_FLOOR = 1e-6;

/** Poisson log-likelihood of counts `y` under expectations `mu` (first n values). */
export function poissonLogLikelihood(y: Float64Array, mu: Float64Array, n: number): number {
  let ll = 0;
  for (let i = 0; i < n; i++) {
    const yi = y[i]!;
    const mi = mu[i]!;
    if (mi > 0) ll += yi * Math.log(mi) - mi - lnGamma(yi + 1);
    else if (mi === 0 && yi === 0)
      continue; // nothing expected, nothing seen: probability 1
    else return -Infinity; // negative expectation, or counts where none are expected
  }
  return ll;
}

/**
 * Poisson deviance of counts `y` under expectations `mu` (first n values):
 *   D = 2 sum_i [ y_i ln(y_i / mu_i) - (y_i - mu_i) ],  y ln y = 0 at y = 0,
 * twice the log-likelihood ratio of the saturated model (mu = y) to this
 * one; about chi-squared with n - k degrees of freedom for a good fit, and
 * less biased than Pearson's chi-squared at low counts. Where nothing was
 * counted a channel adds 2 |mu|: a model that dips a little below zero
 * there (a background fitted to empty channels ends on that boundary, the
 * maximum-likelihood fit within rounding of it) costs what rising as far
 * would. Infinity where counts were seen and mu <= 0 (no likelihood).
 */
export function poissonDeviance(y: Float64Array, mu: Float64Array, n: number): number {
  let d = 0;
  for (let i = 0; i < n; i++) {
    const yi = y[i]!;
    const mi = mu[i]!;
    if (yi > 0) {
      if (!(mi > 0)) return Infinity;
      d += yi * Math.log(yi / mi) - (yi - mi);
    } else if (Number.isFinite(mi)) {
      d += Math.abs(mi);
    } else {
      return Infinity;
    }
  }
  return 2 * d;
}

export interface InformationCriteria {
  logLikelihood: number;
  aic: number;
  aicc: number;
  bic: number;
  /** k = free parameters + 1. */
  k: number;
  /** Fitted channels. */
  n: number;
}

export function informationCriteria(
  logLikelihood: number,
  freeParameters: number,
  channels: number,
): InformationCriteria {
  const k = freeParameters + 1;
  const n = channels;
  const aic = 2 * k - 2 * logLikelihood;
  const denominator = n - k - 1;
  const aicc = denominator > 0 ? aic + (2 * k * (k + 1)) / denominator : Infinity;
  const bic = k * Math.log(n) - 2 * logLikelihood;
  return { logLikelihood, aic, aicc, bic, k, n };
}
