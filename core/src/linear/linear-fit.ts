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
import { readAsFloat64 } from '../model/dtype.js';
import { choleskyInPlace, choleskySolveInPlace } from '../optimiser/linear-algebra.js';
import {
  NnlsWorkspace,
  choleskyInverseDiag,
  nnlsGram,
  thinQr,
  upperInverseDiagonal,
  upperSolveInPlace,
} from './dense.js';
import { linearDesign, type LinearDesign } from './linear-design.js';

export type LinearWeighting = 'none' | 'shared' | 'per-pixel';

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
}

const BLOCK = 4;

function weightingOf(model: Model, weighted: boolean): LinearWeighting {
  const v = model.signal.variance;
  if (!weighted || v.kind === 'none') return 'none';
  if (v.kind === 'constant') return 'shared';
  if (v.kind === 'array' && v.data.length === model.signal.channels) return 'shared';
  return 'per-pixel';
}

/** Shared state of one run: the design, the pixel data buffers and the result writer. */
class Run {
  readonly model: Model;
  readonly d: LinearDesign;
  readonly nonNegative: boolean;
  readonly constrainedSlot: Uint8Array;
  readonly anyConstrained: boolean;
  /** Fitted-channel data of a block of pixels: y[b * m + i]. */
  readonly y: Float64Array;
  readonly spectrum: Float64Array;
  readonly p: Float64Array;
  readonly std: Float64Array;
  readonly slotStd: Float64Array;
  readonly nnls: NnlsWorkspace;
  readonly shifted: Float64Array;
  readonly gl: Float64Array;
  readonly nnlsOut: Float64Array;
  readonly freeScratch: Float64Array;
  readonly where: (px: number) => string;
  singular = 0;
  constrained = 0;
  fitted = 0;

  constructor(model: Model, d: LinearDesign, nonNegative: boolean) {
    this.model = model;
    this.d = d;
    this.nonNegative = nonNegative;
    this.constrainedSlot = Uint8Array.from(d.lower, (l) => (nonNegative && l > -Infinity ? 1 : 0));
    this.anyConstrained = this.constrainedSlot.some((c) => c === 1);
    this.y = new Float64Array(BLOCK * d.m);
    this.spectrum = new Float64Array(model.signal.channels);
    this.p = new Float64Array(BLOCK * d.k);
    this.std = new Float64Array(d.k);
    this.slotStd = new Float64Array(d.targets.length);
    this.nnls = new NnlsWorkspace(d.k);
    this.shifted = new Float64Array(d.k);
    this.gl = new Float64Array(d.k);
    this.nnlsOut = new Float64Array(d.k);
    this.freeScratch = new Float64Array(d.k);
    this.where = (px) => `pixel (${model.signal.pixelPosition(px).join(', ')})`;
  }

  /** Loads pixel px's fitted channels into y at block row b; throws on non-finite data. */
  load(px: number, b: number): void {
    const { m, firstChannel, channelIndex } = this.d;
    const signal = this.model.signal;
    const y = this.y;
    const base = b * m;
    if (firstChannel >= 0) {
      readAsFloat64(signal.data, px * signal.channels + firstChannel, m, y, base);
    } else {
      readAsFloat64(signal.data, px * signal.channels, signal.channels, this.spectrum);
      for (let i = 0; i < m; i++) y[base + i] = this.spectrum[channelIndex[i]!]!;
    }
    let s = 0;
    for (let i = 0; i < m; i++) s += y[base + i]!;
    if (!Number.isFinite(s)) {
      for (let i = 0; i < m; i++) {
        const v = y[base + i]!;
        if (!Number.isFinite(v))
          throw new Error(
            `linear fit: ${this.where(px)}: data at channel ${channelIndex[i]} is ${v}; fix the data or exclude the channel from the signal range`,
          );
      }
    }
  }

  /**
   * The non-negative answer from the normal equations G p = g (G k x k),
   * |W b|^2 = bb, into p at offset; returns chi^2, or NaN when it fails.
   */
  constrainedSolve(
    gram: Float64Array,
    g: Float64Array,
    bb: number,
    p: Float64Array,
    at: number,
  ): number {
    const { k, lower } = this.d;
    const lo = this.shifted;
    // p = lower + q, q >= 0 where constrained: G q = g - G lower.
    for (let j = 0; j < k; j++) lo[j] = this.constrainedSlot[j] ? lower[j]! : 0;
    const gl = this.gl;
    for (let j = 0; j < k; j++) {
      let v = g[j]!;
      for (let l = 0; l < k; l++) v -= gram[j * k + l]! * lo[l]!;
      gl[j] = v;
    }
    const out = this.nnlsOut;
    if (!nnlsGram(gram, gl, k, this.constrainedSlot, out, this.nnls)) return NaN;
    for (let j = 0; j < k; j++) p[at + j] = out[j]! + lo[j]!;
    // chi^2 = bb - 2 p.g + p^T G p
    let pg = 0;
    let pgp = 0;
    for (let j = 0; j < k; j++) {
      const pj = p[at + j]!;
      pg += pj * g[j]!;
      let row = 0;
      for (let l = 0; l < k; l++) row += gram[j * k + l]! * p[at + l]!;
      pgp += pj * row;
    }
    return Math.max(0, bb - 2 * pg + pgp);
  }

  /** Whether p (at offset) breaks a constrained lower bound. */
  breaksBound(p: Float64Array, at: number): boolean {
    if (!this.anyConstrained) return false;
    const { k, lower } = this.d;
    for (let j = 0; j < k; j++) if (this.constrainedSlot[j] && p[at + j]! < lower[j]!) return true;
    return false;
  }

  /** Exact chi^2 of pixel block row b at p (for fits so good that |Wb|^2 - |z|^2 cancels). */
  exactChisq(b: number, p: Float64Array, at: number, w: Float64Array | null, wAt: number): number {
    const { m, k, a, c } = this.d;
    const y = this.y;
    let s = 0;
    for (let i = 0; i < m; i++) {
      let f = c[i]!;
      for (let j = 0; j < k; j++) f += a[j * m + i]! * p[at + j]!;
      const r = (y[b * m + i]! - f) * (w ? w[wAt + i]! : 1);
      s += r * r;
    }
    return s;
  }

  /** Stores pixel px's answer (p at offset, diag of the inverse normal matrix in `diag`). */
  store(px: number, p: Float64Array, at: number, chisq: number, diag: Float64Array): void {
    const model = this.model;
    const { k, m, freeSlots, targets, fitter, dynamicTies } = this.d;
    const dof = m - k;
    const red = chisq / dof;
    for (let j = 0; j < k; j++) {
      const t = targets[freeSlots[j]!]!;
      const len = t.parameter.length;
      t.parameter.map.values[px * len + t.element] = p[at + j]!;
      t.parameter.map.std[px * len + t.element] = Math.sqrt(diag[j]! * red);
    }
    if (dynamicTies) {
      const problem = fitter.problem;
      const free = this.freeScratch;
      for (let j = 0; j < k; j++) free[j] = p[at + j]!;
      problem.writeFree(free);
      const std = this.slotStd.fill(NaN);
      for (let j = 0; j < k; j++) std[freeSlots[j]!] = Math.sqrt(diag[j]! * red);
      problem.tiedStd(std);
      for (let s = 0; s < targets.length; s++) {
        const t = targets[s]!;
        if (t.parameter.twin === null) continue;
        const len = t.parameter.length;
        t.parameter.map.values[px * len + t.element] = problem.slots[s]!;
        t.parameter.map.std[px * len + t.element] = t.hasStd ? std[s]! : NaN;
      }
    }
    model.chisq[px] = chisq;
    model.dof[px] = dof;
    model.redChisq[px] = red;
    this.fitted++;
  }

  /** The fixed slots' values (and NaN std) at every pixel to fit; isSet on. */
  storeFixed(pixels: Int32Array): void {
    const { targets, fitter, freeSlots } = this.d;
    const free = new Set(freeSlots);
    const slots = fitter.problem.slots;
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
  }

  unfit(px: number): void {
    const model = this.model;
    model.chisq[px] = NaN;
    model.dof[px] = NaN;
    model.redChisq[px] = NaN;
    for (const t of this.d.targets) t.parameter.map.isSet[px] = 0;
    this.singular++;
  }
}

/** Unweighted or one weight vector: factor once, one pass per pixel. */
function solveShared(run: Run, pixels: Int32Array, w: Float64Array | null): void {
  const { m, k, a, c } = run.d;
  // Weighted design W A, factored: W A = Q R.
  const wa = new Float64Array(k * m);
  for (let j = 0; j < k; j++)
    for (let i = 0; i < m; i++) wa[j * m + i] = a[j * m + i]! * (w ? w[i]! : 1);
  const q = new Float64Array(k * m);
  const r = new Float64Array(k * k);
  const bad = thinQr(wa, m, k, q, r);
  if (bad >= 0)
    throw new Error(
      `linear fit: parameter '${run.d.freeNames[bad]}' is not determined by the data in the signal range (its column of the design is zero or a combination of the others); fix it or remove its component`,
    );
  const diag = new Float64Array(k);
  upperInverseDiagonal(r, k, diag, new Float64Array(k * k));
  // Gram matrix and per-pixel rhs for the constrained solve.
  const gram = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let l = 0; l <= Math.min(i, j); l++) s += r[l * k + i]! * r[l * k + j]!;
      gram[i * k + j] = s;
    }
  const g = new Float64Array(k);
  const wc = new Float64Array(m);
  const ww = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    ww[i] = w ? w[i]! : 1;
    wc[i] = c[i]! * ww[i]!;
  }
  const y = run.y;
  const z = run.p;
  const bb = new Float64Array(BLOCK);
  const block = new Int32Array(BLOCK);
  const n = pixels.length;
  for (let start = 0; start < n; start += BLOCK) {
    const nb = Math.min(BLOCK, n - start);
    for (let b = 0; b < nb; b++) {
      const px = pixels[start + b]!;
      block[b] = px;
      run.load(px, b);
      // b := W (y - c), in place.
      const base = b * m;
      let s = 0;
      for (let i = 0; i < m; i++) {
        const v = y[base + i]! * ww[i]! - wc[i]!;
        y[base + i] = v;
        s += v * v;
      }
      bb[b] = s;
    }
    for (let b = nb; b < BLOCK; b++) y.fill(0, b * m, b * m + m);
    // z = Q^T b for the block: each row of Q^T read once for four pixels.
    for (let j = 0; j < k; j++) {
      const qj = j * m;
      let z0 = 0;
      let z1 = 0;
      let z2 = 0;
      let z3 = 0;
      for (let i = 0; i < m; i++) {
        const v = q[qj + i]!;
        z0 += v * y[i]!;
        z1 += v * y[m + i]!;
        z2 += v * y[2 * m + i]!;
        z3 += v * y[3 * m + i]!;
      }
      z[j] = z0;
      z[k + j] = z1;
      z[2 * k + j] = z2;
      z[3 * k + j] = z3;
    }
    for (let b = 0; b < nb; b++) {
      const px = block[b]!;
      const at = b * k;
      let zz = 0;
      for (let j = 0; j < k; j++) zz += z[at + j]! * z[at + j]!;
      let chisq = bb[b]! - zz;
      // g = R^T z: the normal equations' right-hand side (before z becomes p).
      if (run.anyConstrained)
        for (let j = 0; j < k; j++) {
          let s = 0;
          for (let l = 0; l <= j; l++) s += r[l * k + j]! * z[at + l]!;
          g[j] = s;
        }
      upperSolveInPlace(r, k, z, at);
      if (run.breaksBound(z, at)) {
        run.constrained++;
        chisq = run.constrainedSolve(gram, g, bb[b]!, z, at);
        if (!Number.isFinite(chisq)) {
          run.unfit(px);
          continue;
        }
      }
      // Cancellation in |Wb|^2 - |z|^2 for near-exact fits: recompute directly.
      if (chisq < 1e-8 * bb[b]!) {
        // exactChisq reads y as raw data: rebuild it for this pixel.
        run.load(px, b);
        chisq = run.exactChisq(b, z, at, w, 0);
      }
      run.store(px, z, at, chisq, diag);
    }
  }
}

/** Column supports and the products of every overlapping pair of columns. */
interface PairProducts {
  lo: Int32Array;
  hi: Int32Array;
  /** Per pair (j <= l, packed j * k + l): start, end channel and offset into products. */
  pairLo: Int32Array;
  pairHi: Int32Array;
  pairAt: Int32Array;
  products: Float64Array;
}

function pairProducts(a: Float64Array, m: number, k: number): PairProducts {
  const lo = new Int32Array(k);
  const hi = new Int32Array(k);
  for (let j = 0; j < k; j++) {
    let first = m;
    let last = -1;
    for (let i = 0; i < m; i++) {
      if (a[j * m + i] !== 0) {
        if (first === m) first = i;
        last = i;
      }
    }
    lo[j] = first;
    hi[j] = last + 1;
  }
  const pairLo = new Int32Array(k * k);
  const pairHi = new Int32Array(k * k);
  const pairAt = new Int32Array(k * k);
  let total = 0;
  for (let j = 0; j < k; j++)
    for (let l = j; l < k; l++) {
      const s = Math.max(lo[j]!, lo[l]!);
      const e = Math.max(s, Math.min(hi[j]!, hi[l]!));
      pairLo[j * k + l] = s;
      pairHi[j * k + l] = e;
      pairAt[j * k + l] = total;
      total += e - s;
    }
  const products = new Float64Array(total);
  for (let j = 0; j < k; j++)
    for (let l = j; l < k; l++) {
      const at = pairAt[j * k + l]! - pairLo[j * k + l]!;
      for (let i = pairLo[j * k + l]!; i < pairHi[j * k + l]!; i++)
        products[at + i] = a[j * m + i]! * a[l * m + i]!;
    }
  return { lo, hi, pairLo, pairHi, pairAt, products };
}

/** Weights per pixel: normal equations per pixel, four pixels at a time. */
function solvePerPixel(run: Run, pixels: Int32Array): void {
  const { m, k, a, c, channelIndex } = run.d;
  const signal = run.model.signal;
  const variance = signal.variance;
  const pp = pairProducts(a, m, k);
  const { lo, hi, pairLo, pairHi, pairAt, products } = pp;
  const y = run.y;
  // w2[b * m + i] = 1 / variance; rb[b * m + i] = w2 * (y - c).
  const w2 = new Float64Array(BLOCK * m);
  const rb = new Float64Array(BLOCK * m);
  const normal = new Float64Array(BLOCK * k * k);
  const rhs = new Float64Array(BLOCK * k);
  const bb = new Float64Array(BLOCK);
  const block = new Int32Array(BLOCK);
  const chol = new Float64Array(k * k);
  const gram = new Float64Array(k * k);
  const diag = new Float64Array(k);
  const work = new Float64Array(k * k);
  const p = run.p;
  const varRow = new Float64Array(signal.channels);
  const n = pixels.length;
  for (let start = 0; start < n; start += BLOCK) {
    const nb = Math.min(BLOCK, n - start);
    for (let b = 0; b < nb; b++) {
      const px = pixels[start + b]!;
      block[b] = px;
      run.load(px, b);
      const base = b * m;
      if (variance.kind === 'poisson') {
        const { gain, offset, floor } = variance;
        for (let i = 0; i < m; i++) {
          const e = gain * y[base + i]! + offset;
          w2[base + i] = 1 / (e > floor ? e : floor);
        }
      } else if (variance.kind === 'array') {
        readAsFloat64(variance.data, px * signal.channels, signal.channels, varRow);
        for (let i = 0; i < m; i++) {
          const v = varRow[channelIndex[i]!]!;
          if (!(v > 0) || !Number.isFinite(v))
            throw new Error(
              `linear fit: ${run.where(px)}: variance at channel ${channelIndex[i]} is ${v}; variances must be positive and finite`,
            );
          w2[base + i] = 1 / v;
        }
      } else {
        throw new Error(`linear fit: variance '${variance.kind}' is not per pixel`);
      }
      let s = 0;
      for (let i = 0; i < m; i++) {
        const d = y[base + i]! - c[i]!;
        const wd = w2[base + i]! * d;
        rb[base + i] = wd;
        s += wd * d;
      }
      bb[b] = s;
    }
    for (let b = nb; b < BLOCK; b++) {
      w2.fill(0, b * m, b * m + m);
      rb.fill(0, b * m, b * m + m);
    }
    // Normal matrices: N_jl = sum_i w2_i a_j,i a_l,i over the pair's overlap.
    for (let j = 0; j < k; j++) {
      for (let l = j; l < k; l++) {
        const pair = j * k + l;
        const s0 = pairLo[pair]!;
        const e0 = pairHi[pair]!;
        const at = pairAt[pair]! - s0;
        let n0 = 0;
        let n1 = 0;
        let n2 = 0;
        let n3 = 0;
        for (let i = s0; i < e0; i++) {
          const v = products[at + i]!;
          n0 += v * w2[i]!;
          n1 += v * w2[m + i]!;
          n2 += v * w2[2 * m + i]!;
          n3 += v * w2[3 * m + i]!;
        }
        normal[pair] = n0;
        normal[k * k + pair] = n1;
        normal[2 * k * k + pair] = n2;
        normal[3 * k * k + pair] = n3;
      }
      // Right-hand sides: sum_i a_j,i w2_i (y_i - c_i) over the column's support.
      let r0 = 0;
      let r1 = 0;
      let r2 = 0;
      let r3 = 0;
      const aj = j * m;
      for (let i = lo[j]!; i < hi[j]!; i++) {
        const v = a[aj + i]!;
        r0 += v * rb[i]!;
        r1 += v * rb[m + i]!;
        r2 += v * rb[2 * m + i]!;
        r3 += v * rb[3 * m + i]!;
      }
      rhs[j] = r0;
      rhs[k + j] = r1;
      rhs[2 * k + j] = r2;
      rhs[3 * k + j] = r3;
    }
    for (let b = 0; b < nb; b++) {
      const px = block[b]!;
      const nAt = b * k * k;
      const at = b * k;
      // Full symmetric matrix (Cholesky reads the lower triangle).
      for (let j = 0; j < k; j++)
        for (let l = j; l < k; l++) {
          const v = normal[nAt + j * k + l]!;
          chol[j * k + l] = v;
          chol[l * k + j] = v;
          gram[j * k + l] = v;
          gram[l * k + j] = v;
        }
      if (!choleskyInPlace(chol, k)) {
        run.unfit(px);
        continue;
      }
      for (let j = 0; j < k; j++) p[at + j] = rhs[at + j]!;
      choleskySolveInPlace(chol, k, p.subarray(at, at + k));
      let pr = 0;
      for (let j = 0; j < k; j++) pr += p[at + j]! * rhs[at + j]!;
      let chisq = bb[b]! - pr;
      if (run.breaksBound(p, at)) {
        run.constrained++;
        chisq = run.constrainedSolve(gram, rhs.subarray(at, at + k), bb[b]!, p, at);
        if (!Number.isFinite(chisq)) {
          run.unfit(px);
          continue;
        }
      }
      if (chisq < 1e-8 * bb[b]!) {
        // w = sqrt(w2) for the direct sum.
        for (let i = 0; i < m; i++) w2[b * m + i] = Math.sqrt(w2[b * m + i]!);
        chisq = run.exactChisq(b, p, at, w2, b * m);
      }
      choleskyInverseDiag(chol, k, diag, work);
      run.store(px, p, at, chisq, diag);
    }
  }
}

/**
 * Fits every pixel (of `mask`) of a model whose free parameters are all
 * linear, by one linear least-squares solve per pixel (see the module's
 * notes). Throws, naming the parameter or pixel, when the model is not
 * linear, a non-linear parameter differs between pixels, or data or
 * variances cannot be fitted.
 */
export function fitLinear(model: Model, options: LinearFitOptions = {}): LinearFitResult {
  const t0 = Date.now();
  const nav = model.signal.navigationSize;
  const mask = options.mask;
  if (mask && mask.length !== nav)
    throw new Error(`linear fit: the mask has ${mask.length} pixels, the navigation space ${nav}`);
  const weighting = weightingOf(model, options.weighted ?? true);
  const d = linearDesign(model);
  if (d.k > 64) throw new Error(`linear fit: ${d.k} free parameters; at most 64 are supported`);
  const run = new Run(model, d, options.nonNegative ?? false);
  let count = 0;
  for (let px = 0; px < nav; px++) if (!mask || mask[px]) count++;
  const pixels = new Int32Array(count);
  for (let px = 0, i = 0; px < nav; px++) if (!mask || mask[px]) pixels[i++] = px;
  run.storeFixed(pixels);
  if (weighting === 'per-pixel') {
    solvePerPixel(run, pixels);
  } else {
    let w: Float64Array | null = null;
    if (weighting === 'shared') {
      const v = model.signal.variance;
      w = new Float64Array(d.m);
      for (let i = 0; i < d.m; i++) {
        const s2 =
          v.kind === 'constant'
            ? v.value
            : v.kind === 'array'
              ? Number(v.data[d.channelIndex[i]!])
              : 1;
        if (!(s2 > 0) || !Number.isFinite(s2))
          throw new Error(
            `linear fit: variance at channel ${d.channelIndex[i]} is ${s2}; variances must be positive and finite`,
          );
        w[i] = 1 / Math.sqrt(s2);
      }
    }
    solveShared(run, pixels, w);
  }
  return {
    pixels: count,
    fitted: run.fitted,
    singular: run.singular,
    constrained: run.constrained,
    weighting,
    seconds: (Date.now() - t0) / 1000,
    parameters: d.freeNames,
  };
}
