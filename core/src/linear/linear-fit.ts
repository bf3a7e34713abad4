/**
 * Linear whole-map fits: when only linear parameters are free (amplitudes,
 * polynomial coefficients) and every other parameter is the same at every
 * pixel, each pixel's least-squares problem is min |W (y - c - A p)|^2 with
 * one design A (linear-design.ts). Convex: there is nothing for SAMFire's
 * ordering to propagate, so every pixel is solved directly, in C order.
 *
 * - No weights, or one weight vector for every pixel (a constant variance,
 *   or one variance spectrum): A is factored once (thin QR, A = Q R) and
 *   each pixel costs one pass over its channels, z = Q^T W b, p = R^-1 z,
 *   chi^2 = |W b|^2 - |z|^2, four pixels at a time so each row of Q read
 *   serves four.
 * - Weights per pixel (Poisson variance, or a variance per data element):
 *   the normal equations A^T W A p = A^T W b per pixel, the products of
 *   every pair of columns precomputed over the channels where both are
 *   non-zero (X-ray lines are narrow), four pixels at a time, Cholesky.
 * - Non-negative on request: parameters with a lower bound (bmin: the
 *   amplitudes) are held at or above it by Lawson and Hanson's active-set
 *   NNLS on the normal equations, run only at pixels whose unconstrained
 *   answer breaks a bound.
 *
 * Std as Model.fit gives them: sqrt(diag((A^T W A)^-1) * chi^2 / dof). The
 * results go to the parameter maps and the chisq, dof and redChisq maps as
 * a multifit's do; a pixel whose normal equations are singular is left
 * unfitted (NaN) and counted.
 */
import type { Model } from '../model/model.js';
import { linearDesign, type LinearDesign } from './linear-design.js';
import {
  LINEAR_CONSTRAINED,
  LINEAR_UNFITTED,
  linearKernelOutput,
  solveLinearPixels,
  type LinearKernelOutput,
  type LinearKernelSpec,
  type LinearWeighting,
} from './linear-kernel.js';

export type { LinearWeighting } from './linear-kernel.js';

export interface LinearFitOptions {
  /** Weight by the signal's variance. @default true when the signal has one */
  weighted?: boolean;
  /** Hold every free parameter with a lower bound (bmin) at or above it. @default false */
  nonNegative?: boolean;
  /** Pixels to fit (1 = fit), one per pixel. @default every pixel */
  mask?: Uint8Array;
}

export interface LinearFitResult {
  /** Pixels asked for. */
  pixels: number;
  /** Pixels with a stored result. */
  fitted: number;
  /** Pixels left unfitted because their normal equations were singular. */
  singular: number;
  /** Pixels where the non-negative solve ran (their unconstrained answer broke a bound). */
  constrained: number;
  weighting: LinearWeighting;
  /** Wall-clock seconds of the solves (the design's set-up included). */
  seconds: number;
  /** Names of the free parameters, in the order of the solve. */
  parameters: string[];
  /** Threads the solves ran on (1: this thread). */
  threads: number;
}

function weightingOf(model: Model, weighted: boolean): LinearWeighting {
  const v = model.signal.variance;
  if (!weighted || v.kind === 'none') return 'none';
  if (v.kind === 'constant') return 'shared';
  if (v.kind === 'array' && v.data.length === model.signal.channels) return 'shared';
  return 'per-pixel';
}

/** One weight vector (1 / sigma per fitted channel) from a constant or one-spectrum variance. */
function sharedWeights(model: Model, d: LinearDesign): Float64Array {
  const v = model.signal.variance;
  const w = new Float64Array(d.m);
  for (let i = 0; i < d.m; i++) {
    const s2 =
      v.kind === 'constant' ? v.value : v.kind === 'array' ? Number(v.data[d.channelIndex[i]!]) : 1;
    if (!(s2 > 0) || !Number.isFinite(s2))
      throw new Error(
        `linear fit: variance at channel ${d.channelIndex[i]} is ${s2}; variances must be positive and finite`,
      );
    w[i] = 1 / Math.sqrt(s2);
  }
  return w;
}

/** A prepared linear fit: the design, the kernel's spec and the pixels to solve. */
export interface LinearPlan {
  model: Model;
  design: LinearDesign;
  spec: LinearKernelSpec;
  pixels: Int32Array;
  t0: number;
}

/**
 * Checks the options, builds the design and the kernel's spec (see
 * fitLinear). Throws as fitLinear does.
 */
export function planLinearFit(model: Model, options: LinearFitOptions = {}): LinearPlan {
  const t0 = Date.now();
  const signal = model.signal;
  const nav = signal.navigationSize;
  const mask = options.mask;
  if (mask && mask.length !== nav)
    throw new Error(`linear fit: the mask has ${mask.length} pixels, the navigation space ${nav}`);
  const weighting = weightingOf(model, options.weighted ?? true);
  const d = linearDesign(model);
  if (d.k > 64) throw new Error(`linear fit: ${d.k} free parameters; at most 64 are supported`);
  const nonNegative = options.nonNegative ?? false;
  let count = 0;
  for (let px = 0; px < nav; px++) if (!mask || mask[px]) count++;
  const pixels = new Int32Array(count);
  for (let px = 0, i = 0; px < nav; px++) if (!mask || mask[px]) pixels[i++] = px;
  const spec: LinearKernelSpec = {
    m: d.m,
    k: d.k,
    a: d.a,
    c: d.c,
    channelIndex: d.channelIndex,
    firstChannel: d.firstChannel,
    channels: signal.channels,
    navigationShape: [...signal.navigationShape],
    lower: d.lower,
    constrained: Uint8Array.from(d.lower, (l) => (nonNegative && l > -Infinity ? 1 : 0)),
    freeNames: d.freeNames,
    data: signal.data,
    weighting,
    weights: weighting === 'shared' ? sharedWeights(model, d) : null,
    variance: weighting === 'per-pixel' ? signal.variance : { kind: 'none' },
  };
  return { model, design: d, spec, pixels, t0 };
}

/**
 * Writes the kernel's answers into the model's parameter maps and its chisq,
 * dof and redChisq maps (as a multifit does), and returns the counts.
 */
export function storeLinearFit(
  plan: LinearPlan,
  out: LinearKernelOutput,
  threads = 1,
): LinearFitResult {
  const { model, design: d, pixels } = plan;
  const { k, m, freeSlots, targets, fitter, dynamicTies } = d;
  const free = new Set(freeSlots);
  const slots = fitter.problem.slots;
  // The fixed slots' values (and NaN std) at every pixel to fit; isSet on.
  for (let s = 0; s < targets.length; s++) {
    if (free.has(s)) continue;
    const t = targets[s]!;
    const len = t.parameter.length;
    const v = slots[s]!;
    const { values, std } = t.parameter.map;
    for (const px of pixels) {
      values[px * len + t.element] = v;
      std[px * len + t.element] = NaN;
    }
  }
  for (const t of targets) for (const px of pixels) t.parameter.map.isSet[px] = 1;
  const dof = m - k;
  const problem = fitter.problem;
  const freeScratch = new Float64Array(k);
  const slotStd = new Float64Array(targets.length);
  let fitted = 0;
  let singular = 0;
  let constrained = 0;
  for (let i = 0; i < pixels.length; i++) {
    const px = pixels[i]!;
    const status = out.status[i]!;
    if (status & LINEAR_CONSTRAINED) constrained++;
    if (status & LINEAR_UNFITTED) {
      model.chisq[px] = NaN;
      model.dof[px] = NaN;
      model.redChisq[px] = NaN;
      for (const t of targets) t.parameter.map.isSet[px] = 0;
      singular++;
      continue;
    }
    for (let j = 0; j < k; j++) {
      const t = targets[freeSlots[j]!]!;
      const len = t.parameter.length;
      t.parameter.map.values[px * len + t.element] = out.values[i * k + j]!;
      t.parameter.map.std[px * len + t.element] = out.std[i * k + j]!;
    }
    if (dynamicTies) {
      for (let j = 0; j < k; j++) freeScratch[j] = out.values[i * k + j]!;
      problem.writeFree(freeScratch);
      const std = slotStd.fill(NaN);
      for (let j = 0; j < k; j++) std[freeSlots[j]!] = out.std[i * k + j]!;
      problem.tiedStd(std);
      for (let s = 0; s < targets.length; s++) {
        const t = targets[s]!;
        if (t.parameter.twin === null) continue;
        const len = t.parameter.length;
        t.parameter.map.values[px * len + t.element] = problem.slots[s]!;
        t.parameter.map.std[px * len + t.element] = t.hasStd ? std[s]! : NaN;
      }
    }
    const chisq = out.chisq[i]!;
    model.chisq[px] = chisq;
    model.dof[px] = dof;
    model.redChisq[px] = chisq / dof;
    fitted++;
  }
  return {
    pixels: pixels.length,
    fitted,
    singular,
    constrained,
    weighting: plan.spec.weighting,
    seconds: (Date.now() - plan.t0) / 1000,
    parameters: d.freeNames,
    threads,
  };
}

/**
 * Fits every pixel (of `mask`) of a model whose free parameters are all
 * linear, by one linear least-squares solve per pixel (see the module's
 * notes), in this thread (fitLinearThreads in `@samfire/core/node` splits
 * the pixels over worker threads, with the same answers). Throws, naming the
 * parameter or pixel, when the model is not linear, a non-linear parameter
 * differs between pixels, or data or variances cannot be fitted; the model's
 * maps are then left as they were.
 */
export function fitLinear(model: Model, options: LinearFitOptions = {}): LinearFitResult {
  const plan = planLinearFit(model, options);
  const out = linearKernelOutput(plan.pixels.length, plan.spec.k);
  solveLinearPixels(plan.spec, plan.pixels, 0, plan.pixels.length, out);
  return storeLinearFit(plan, out);
}
