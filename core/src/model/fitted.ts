/**
 * Which pixels hold a fit: the one rule every result map, read-out, export
 * and statistic follows.
 *
 * A pixel is fitted when a fit result is stored there, that is when its
 * chi-squared is a number (`Number.isFinite(model.chisq[pixel])`). SAMFire
 * stores a result only when it passes the goodness test (a failed fit leaves
 * the pixel as it was); a fit by hand (the Fit button, a refit) is stored
 * whatever its reduced chi-squared, which the reduced chi-squared map shows.
 * Forgetting a fit (unmarking a seed to refit it) sets chi-squared back to
 * NaN.
 *
 * `isSet` alone is not enough: HyperSpy's `assign_current_values_to_all()`
 * (the usual step before its SAMFire) and a component added in the app set
 * every pixel's map to starting values, so a pixel no fit reached would show
 * the seed's values, or a component's defaults, as if fitted. A parameter's
 * value (and std) at a pixel is therefore a result only where the pixel is
 * fitted and the parameter's map is set there; everywhere else it is NaN.
 */
import type { Model } from './model.js';
import type { Parameter } from './parameter.js';

/** Whether a fit result is stored at `pixel` (flat index). */
export function isFitted(model: Model, pixel: number): boolean {
  return Number.isFinite(model.chisq[pixel]!);
}

/** 1 for every fitted pixel (see isFitted), in flat C order of the navigation shape. */
export function fittedMask(model: Model): Uint8Array {
  const chisq = model.chisq;
  const out = new Uint8Array(chisq.length);
  for (let i = 0; i < chisq.length; i++) out[i] = Number.isFinite(chisq[i]!) ? 1 : 0;
  return out;
}

/**
 * A parameter's fitted values (or std) as one number per pixel: element `index` of a multi-valued
 * parameter; NaN at every pixel without a fit or where the parameter's map is not set.
 */
export function fittedParameterMap(
  model: Model,
  parameter: Parameter,
  field: 'values' | 'std',
  index = 0,
  mask: Uint8Array = fittedMask(model),
): Float64Array {
  const n = model.signal.navigationSize;
  const len = parameter.length;
  if (!Number.isInteger(index) || index < 0 || index >= len)
    throw new Error(`parameter '${parameter.fullName}' has ${len} value(s); no index ${index}`);
  const { isSet } = parameter.map;
  const src = field === 'std' ? parameter.map.std : parameter.map.values;
  const out = new Float64Array(n);
  for (let p = 0; p < n; p++) out[p] = mask[p] && isSet[p] ? src[p * len + index]! : NaN;
  return out;
}

/** A fit statistic (chisq, dof, redChisq) with NaN at every pixel without a fit. */
export function fittedStatistic(model: Model, which: 'chisq' | 'dof' | 'redChisq'): Float64Array {
  const mask = fittedMask(model);
  const src = model[which];
  return Float64Array.from(src, (v, p) => (mask[p] ? v : NaN));
}

/** A component's on/off map over the fitted pixels: 1 on, 0 off, NaN where not fitted. */
export function fittedActiveMap(model: Model, component: string): Float64Array {
  const c = model.component(component);
  const mask = fittedMask(model);
  return Float64Array.from(mask, (m, p) => (m ? (c.isActiveAt(p) ? 1 : 0) : NaN));
}
