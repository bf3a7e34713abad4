/**
 * Refinement after a linear whole-map fit: frees some non-linear parameters
 * and fits each pixel with the model's optimiser, starting from that
 * pixel's linear result (its own, the best start there is: the convex part
 * of the problem is already solved). A pixel whose refinement fails to
 * converge or ends with a larger chi-squared keeps its linear result.
 */
import type { FitOptions, Model } from '../model/model.js';

export interface RefineOptions extends FitOptions {
  /** Pixels to refine (1 = refine). @default every pixel with a stored fit */
  mask?: Uint8Array;
}

export interface RefineResult {
  /** Pixels refined (improved and kept). */
  refined: number;
  /** Pixels that kept their linear result. */
  kept: number;
}

/**
 * Refines `parameters` (full names "component.parameter") per pixel from
 * the stored results; the parameters' free flags are restored afterwards.
 */
export function refinePixels(
  model: Model,
  parameters: readonly string[],
  options: RefineOptions = {},
): RefineResult {
  const params = parameters.map((n) => model.parameter(n));
  if (params.length === 0) throw new Error('refine: no parameter to refine');
  for (const p of params)
    if (p.twin !== null)
      throw new Error(
        `refine: parameter '${p.fullName}' is tied to '${p.twin.fullName}'; refine that one`,
      );
  const flags = params.map((p) => p.free);
  const nav = model.signal.navigationSize;
  const { mask, ...fit } = options;
  let refined = 0;
  let kept = 0;
  // A pixel's values before its refinement, to put back when it does no better.
  const saved = model.parameters.map((p) => ({
    p,
    values: new Float64Array(p.length),
    std: new Float64Array(p.length),
  }));
  try {
    for (const p of params) p.free = true;
    for (let px = 0; px < nav; px++) {
      if (mask ? !mask[px] : !Number.isFinite(model.chisq[px]!)) continue;
      const before = [model.chisq[px]!, model.dof[px]!, model.redChisq[px]!] as const;
      for (const s of saved) {
        s.values.set(s.p.map.values.subarray(px * s.p.length, (px + 1) * s.p.length));
        s.std.set(s.p.map.std.subarray(px * s.p.length, (px + 1) * s.p.length));
      }
      model.fetchStoredValues(px);
      let ok = false;
      try {
        const r = model.fit(px, fit);
        ok = r.converged && !(r.chisq > before[0]);
      } catch {
        ok = false;
      }
      if (ok) {
        refined++;
        continue;
      }
      kept++;
      for (const s of saved) {
        s.p.map.values.set(s.values, px * s.p.length);
        s.p.map.std.set(s.std, px * s.p.length);
      }
      [model.chisq[px], model.dof[px], model.redChisq[px]] = before;
    }
  } finally {
    params.forEach((p, i) => (p.free = flags[i]!));
  }
  return { refined, kept };
}
