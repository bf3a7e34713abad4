/**
 * The per-pixel solves of the linear whole-map fit (see linear-fit.ts), on
 * plain data only: the design, the cube and its variance go in as a
 * LinearKernelSpec (typed arrays and numbers, structured-clone friendly, so
 * a worker thread gets the same spec with the cube shared), and each
 * pixel's values, std, chi^2 and status come out into a LinearKernelOutput
 * at the pixel's index in the list of pixels. A pixel's answer depends on
 * nothing but its own spectrum: any split of the list over threads gives
 * the same numbers, bit for bit.
 */
import type { NumericArray } from '../model/dtype.js';
import { readAsFloat64 } from '../model/dtype.js';
import type { Variance } from '../model/signal.js';
import {
  NnlsWorkspace,
  choleskyInverseDiag,
  nnlsGram,
  thinQr,
  upperInverseDiagonal,
  upperSolveInPlace,
} from './dense.js';

export type LinearWeighting = 'none' | 'shared' | 'per-pixel';

/** Everything a pixel's solve needs, as plain data. */
export interface LinearKernelSpec {
  /** Fitted channels. */
  m: number;
  /** Free parameters. */
  k: number;
  /** Columns of the design, a[j * m + i]. */
  a: Float64Array;
  /** The model with every free parameter at 0. */
  c: Float64Array;
  /** Indices of the fitted channels in the signal axis. */
  channelIndex: Int32Array;
  /** First channel when the fitted channels are contiguous, else -1. */
  firstChannel: number;
  /** Channels of the signal axis (the cube's last dimension). */
  channels: number;
  /** Navigation shape in data order (for messages). */
  navigationShape: number[];
  /** Lower bound of each free parameter (-Infinity where none). */
  lower: Float64Array;
  /** 1 where the non-negative solve holds the parameter at or above its lower bound. */
  constrained: Uint8Array;
  /** Names of the free parameters (for messages). */
  freeNames: string[];
  /** The cube, pixels x channels, C order. */
  data: NumericArray;
  weighting: LinearWeighting;
  /** With weighting 'shared': 1 / sigma per fitted channel. */
  weights: Float64Array | null;
  /** With weighting 'per-pixel': the signal's variance ('poisson' or 'array'). */
  variance: Variance;
}

/** Status bits of a pixel's answer. */
export const LINEAR_CONSTRAINED = 1;
export const LINEAR_UNFITTED = 2;

/** The answers, at each pixel's index in the pixel list. */
export interface LinearKernelOutput {
  /** values[i * k + j]. */
  values: Float64Array;
  /** std[i * k + j]: sqrt(diag((A^T W A)^-1) chi^2 / dof). */
  std: Float64Array;
  chisq: Float64Array;
  /** LINEAR_CONSTRAINED | LINEAR_UNFITTED bits. */
  status: Uint8Array;
}

/** Output arrays for n pixels of k parameters, over `Buffer` (ArrayBuffer or SharedArrayBuffer). */
export function linearKernelOutput(
  n: number,
  k: number,
  Buffer: new (bytes: number) => ArrayBufferLike = ArrayBuffer,
): LinearKernelOutput {
  return {
    values: new Float64Array(new Buffer(8 * n * k)),
    std: new Float64Array(new Buffer(8 * n * k)),
    chisq: new Float64Array(new Buffer(8 * n)),
    status: new Uint8Array(new Buffer(n)),
  };
}

const BLOCK = 4;

function position(shape: readonly number[], pixel: number): string {
  const out = new Array<number>(shape.length);
  let rest = pixel;
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = rest % shape[d]!;
    rest = Math.floor(rest / shape[d]!);
  }
  return `pixel (${out.join(', ')})`;
}

/** Solves L L^T x = b in place at b[at ...] (L lower, k x k row-major). */
function choleskySolveAt(l: Float64Array, k: number, b: Float64Array, at: number): void {
  for (let i = 0; i < k; i++) {
    let s = b[at + i]!;
    for (let t = 0; t < i; t++) s -= l[i * k + t]! * b[at + t]!;
    b[at + i] = s / l[i * k + i]!;
  }
  for (let i = k - 1; i >= 0; i--) {
    let s = b[at + i]!;
    for (let t = i + 1; t < k; t++) s -= l[t * k + i]! * b[at + t]!;
    b[at + i] = s / l[i * k + i]!;
  }
}

/**
 * Cholesky of the symmetric k x k matrix whose upper triangle is at
 * u[at + j * k + l] (l >= j), into the lower triangle of `l` (row-major).
 * Returns false when it is not positive definite.
 */
function choleskyFromUpper(u: Float64Array, at: number, k: number, l: Float64Array): boolean {
  for (let j = 0; j < k; j++) {
    let d = u[at + j * k + j]!;
    for (let t = 0; t < j; t++) {
      const v = l[j * k + t]!;
      d -= v * v;
    }
    if (!(d > 0)) return false;
    d = Math.sqrt(d);
    l[j * k + j] = d;
    const inv = 1 / d;
    for (let i = j + 1; i < k; i++) {
      let s = u[at + j * k + i]!;
      for (let t = 0; t < j; t++) s -= l[i * k + t]! * l[j * k + t]!;
      l[i * k + j] = s * inv;
    }
  }
  return true;
}

/** Workspaces and the per-pixel pieces both weightings share. */
class Kernel {
  readonly spec: LinearKernelSpec;
  readonly out: LinearKernelOutput;
  readonly anyConstrained: boolean;
  /** Fitted-channel data of a block of pixels: y[b * m + i]. */
  readonly y: Float64Array;
  readonly spectrum: Float64Array;
  readonly p: Float64Array;
  readonly nnls: NnlsWorkspace;
  readonly shifted: Float64Array;
  readonly gl: Float64Array;
  readonly nnlsOut: Float64Array;

  constructor(spec: LinearKernelSpec, out: LinearKernelOutput) {
    this.spec = spec;
    this.out = out;
    const { m, k } = spec;
    this.anyConstrained = spec.constrained.some((c) => c === 1);
    this.y = new Float64Array(BLOCK * m);
    this.spectrum = new Float64Array(spec.channels);
    this.p = new Float64Array(BLOCK * k);
    this.nnls = new NnlsWorkspace(k);
    this.shifted = new Float64Array(k);
    this.gl = new Float64Array(k);
    this.nnlsOut = new Float64Array(k);
  }

  /** Loads pixel px's fitted channels into y at block row b; throws on non-finite data. */
  load(px: number, b: number): void {
    const { m, firstChannel, channelIndex, channels, data } = this.spec;
    const y = this.y;
    const base = b * m;
    if (firstChannel >= 0) {
      readAsFloat64(data, px * channels + firstChannel, m, y, base);
    } else {
      readAsFloat64(data, px * channels, channels, this.spectrum);
      for (let i = 0; i < m; i++) y[base + i] = this.spectrum[channelIndex[i]!]!;
    }
    let s = 0;
    for (let i = 0; i < m; i++) s += y[base + i]!;
    if (!Number.isFinite(s)) {
      for (let i = 0; i < m; i++) {
        const v = y[base + i]!;
        if (!Number.isFinite(v))
          throw new Error(
            `linear fit: ${position(this.spec.navigationShape, px)}: data at channel ${channelIndex[i]} is ${v}; fix the data or exclude the channel from the signal range`,
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
    gAt: number,
    bb: number,
    p: Float64Array,
    at: number,
  ): number {
    const { k, lower, constrained } = this.spec;
    const lo = this.shifted;
    // p = lower + q, q >= 0 where constrained: G q = g - G lower.
    for (let j = 0; j < k; j++) lo[j] = constrained[j] ? lower[j]! : 0;
    const gl = this.gl;
    for (let j = 0; j < k; j++) {
      let v = g[gAt + j]!;
      for (let l = 0; l < k; l++) v -= gram[j * k + l]! * lo[l]!;
      gl[j] = v;
    }
    const out = this.nnlsOut;
    if (!nnlsGram(gram, gl, k, constrained, out, this.nnls)) return NaN;
    for (let j = 0; j < k; j++) p[at + j] = out[j]! + lo[j]!;
    // chi^2 = bb - 2 p.g + p^T G p
    let pg = 0;
    let pgp = 0;
    for (let j = 0; j < k; j++) {
      const pj = p[at + j]!;
      pg += pj * g[gAt + j]!;
      let row = 0;
      for (let l = 0; l < k; l++) row += gram[j * k + l]! * p[at + l]!;
      pgp += pj * row;
    }
    return Math.max(0, bb - 2 * pg + pgp);
  }

  /** Whether p (at offset) breaks a constrained lower bound. */
  breaksBound(p: Float64Array, at: number): boolean {
    if (!this.anyConstrained) return false;
    const { k, lower, constrained } = this.spec;
    for (let j = 0; j < k; j++) if (constrained[j] && p[at + j]! < lower[j]!) return true;
    return false;
  }

  /** Exact chi^2 of pixel block row b at p (for fits so good that |Wb|^2 - |z|^2 cancels). */
  exactChisq(b: number, p: Float64Array, at: number, w: Float64Array | null, wAt: number): number {
    const { m, k, a, c } = this.spec;
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

  /** Pixel list index `index`'s answer (p at offset, diag of the inverse normal matrix). */
  store(index: number, p: Float64Array, at: number, chisq: number, diag: Float64Array): void {
    const { k, m } = this.spec;
    const { values, std } = this.out;
    const red = chisq / (m - k);
    for (let j = 0; j < k; j++) {
      values[index * k + j] = p[at + j]!;
      std[index * k + j] = Math.sqrt(diag[j]! * red);
    }
    this.out.chisq[index] = chisq;
  }

  unfit(index: number): void {
    this.out.status[index] = this.out.status[index]! | LINEAR_UNFITTED;
    this.out.chisq[index] = NaN;
  }
}

/** Unweighted or one weight vector: factor once, one pass per pixel. */
function solveShared(kernel: Kernel, pixels: Int32Array, from: number, to: number): void {
  const spec = kernel.spec;
  const { m, k, a, c } = spec;
  const w = spec.weights;
  // Weighted design W A, factored: W A = Q R.
  const wa = new Float64Array(k * m);
  for (let j = 0; j < k; j++)
    for (let i = 0; i < m; i++) wa[j * m + i] = a[j * m + i]! * (w ? w[i]! : 1);
  const q = new Float64Array(k * m);
  const r = new Float64Array(k * k);
  const bad = thinQr(wa, m, k, q, r);
  if (bad >= 0)
    throw new Error(
      `linear fit: parameter '${spec.freeNames[bad]}' is not determined by the data in the signal range (its column of the design is zero or a combination of the others); fix it or remove its component`,
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
  const y = kernel.y;
  const z = kernel.p;
  const bb = new Float64Array(BLOCK);
  const status = kernel.out.status;
  for (let start = from; start < to; start += BLOCK) {
    const nb = Math.min(BLOCK, to - start);
    for (let b = 0; b < nb; b++) {
      kernel.load(pixels[start + b]!, b);
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
      const index = start + b;
      const at = b * k;
      status[index] = 0;
      let zz = 0;
      for (let j = 0; j < k; j++) zz += z[at + j]! * z[at + j]!;
      let chisq = bb[b]! - zz;
      // g = R^T z: the normal equations' right-hand side (before z becomes p).
      if (kernel.anyConstrained)
        for (let j = 0; j < k; j++) {
          let s = 0;
          for (let l = 0; l <= j; l++) s += r[l * k + j]! * z[at + l]!;
          g[j] = s;
        }
      upperSolveInPlace(r, k, z, at);
      if (kernel.breaksBound(z, at)) {
        status[index] = LINEAR_CONSTRAINED;
        chisq = kernel.constrainedSolve(gram, g, 0, bb[b]!, z, at);
        if (!Number.isFinite(chisq)) {
          kernel.unfit(index);
          continue;
        }
      }
      // Cancellation in |Wb|^2 - |z|^2 for near-exact fits: recompute directly.
      if (chisq < 1e-8 * bb[b]!) {
        // exactChisq reads y as raw data: rebuild it for this pixel.
        kernel.load(pixels[index]!, b);
        chisq = kernel.exactChisq(b, z, at, w, 0);
      }
      kernel.store(index, z, at, chisq, diag);
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
function solvePerPixel(kernel: Kernel, pixels: Int32Array, from: number, to: number): void {
  const spec = kernel.spec;
  const { m, k, a, c, channelIndex, channels } = spec;
  const variance = spec.variance;
  const pp = pairProducts(a, m, k);
  const { pairLo, pairHi, pairAt, products } = pp;
  const y = kernel.y;
  // w2[b * m + i] = 1 / variance; rb[b * m + i] = w2 * (y - c).
  const w2 = new Float64Array(BLOCK * m);
  const rb = new Float64Array(BLOCK * m);
  const normal = new Float64Array(BLOCK * k * k);
  const rhs = new Float64Array(BLOCK * k);
  const bb = new Float64Array(BLOCK);
  const chol = new Float64Array(k * k);
  const gram = new Float64Array(k * k);
  const diag = new Float64Array(k);
  const work = new Float64Array(k * k);
  const p = kernel.p;
  const status = kernel.out.status;
  const varRow = new Float64Array(channels);
  const poisson = variance.kind === 'poisson';
  const gain = poisson ? variance.gain : 0;
  const offset = poisson ? variance.offset : 0;
  const floor = poisson ? variance.floor : 0;
  if (!poisson && variance.kind !== 'array')
    throw new Error(`linear fit: variance '${variance.kind}' is not per pixel`);
  const arrayVariance = variance.kind === 'array' ? variance.data : null;
  for (let start = from; start < to; start += BLOCK) {
    const nb = Math.min(BLOCK, to - start);
    for (let b = 0; b < nb; b++) {
      const px = pixels[start + b]!;
      kernel.load(px, b);
      const base = b * m;
      // One pass: the weight, the weighted residual at zero and |W b|^2.
      let s = 0;
      if (poisson) {
        for (let i = 0; i < m; i++) {
          const yi = y[base + i]!;
          const e = gain * yi + offset;
          const wi = 1 / (e > floor ? e : floor);
          const d = yi - c[i]!;
          const wd = wi * d;
          w2[base + i] = wi;
          rb[base + i] = wd;
          s += wd * d;
        }
      } else {
        readAsFloat64(arrayVariance!, px * channels, channels, varRow);
        for (let i = 0; i < m; i++) {
          const v = varRow[channelIndex[i]!]!;
          if (!(v > 0) || !Number.isFinite(v))
            throw new Error(
              `linear fit: ${position(spec.navigationShape, px)}: variance at channel ${channelIndex[i]} is ${v}; variances must be positive and finite`,
            );
          const wi = 1 / v;
          const d = y[base + i]! - c[i]!;
          const wd = wi * d;
          w2[base + i] = wi;
          rb[base + i] = wd;
          s += wd * d;
        }
      }
      bb[b] = s;
    }
    for (let b = nb; b < BLOCK; b++) {
      w2.fill(0, b * m, b * m + m);
      rb.fill(0, b * m, b * m + m);
    }
    // Normal matrices, N_jl = sum_i w2_i a_j,i a_l,i over the pair's
    // overlap, and right-hand sides, sum_i a_j,i w2_i (y_i - c_i) over the
    // column's support: the diagonal pair's range, so one loop gives both.
    for (let j = 0; j < k; j++) {
      {
        const pair = j * k + j;
        const s0 = pairLo[pair]!;
        const e0 = pairHi[pair]!;
        const at = pairAt[pair]! - s0;
        const aj = j * m;
        let n0 = 0;
        let n1 = 0;
        let n2 = 0;
        let n3 = 0;
        let r0 = 0;
        let r1 = 0;
        let r2 = 0;
        let r3 = 0;
        for (let i = s0; i < e0; i++) {
          const v = products[at + i]!;
          const u = a[aj + i]!;
          n0 += v * w2[i]!;
          n1 += v * w2[m + i]!;
          n2 += v * w2[2 * m + i]!;
          n3 += v * w2[3 * m + i]!;
          r0 += u * rb[i]!;
          r1 += u * rb[m + i]!;
          r2 += u * rb[2 * m + i]!;
          r3 += u * rb[3 * m + i]!;
        }
        normal[pair] = n0;
        normal[k * k + pair] = n1;
        normal[2 * k * k + pair] = n2;
        normal[3 * k * k + pair] = n3;
        rhs[j] = r0;
        rhs[k + j] = r1;
        rhs[2 * k + j] = r2;
        rhs[3 * k + j] = r3;
      }
      for (let l = j + 1; l < k; l++) {
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
    }
    for (let b = 0; b < nb; b++) {
      const index = start + b;
      const nAt = b * k * k;
      const at = b * k;
      status[index] = 0;
      if (!choleskyFromUpper(normal, nAt, k, chol)) {
        kernel.unfit(index);
        continue;
      }
      for (let j = 0; j < k; j++) p[at + j] = rhs[at + j]!;
      choleskySolveAt(chol, k, p, at);
      let pr = 0;
      for (let j = 0; j < k; j++) pr += p[at + j]! * rhs[at + j]!;
      let chisq = bb[b]! - pr;
      if (kernel.breaksBound(p, at)) {
        status[index] = LINEAR_CONSTRAINED;
        for (let j = 0; j < k; j++)
          for (let l = j; l < k; l++) {
            const v = normal[nAt + j * k + l]!;
            gram[j * k + l] = v;
            gram[l * k + j] = v;
          }
        chisq = kernel.constrainedSolve(gram, rhs, at, bb[b]!, p, at);
        if (!Number.isFinite(chisq)) {
          kernel.unfit(index);
          continue;
        }
      }
      if (chisq < 1e-8 * bb[b]!) {
        // w = sqrt(w2) for the direct sum.
        for (let i = 0; i < m; i++) w2[b * m + i] = Math.sqrt(w2[b * m + i]!);
        chisq = kernel.exactChisq(b, p, at, w2, b * m);
      }
      choleskyInverseDiag(chol, k, diag, work);
      kernel.store(index, p, at, chisq, diag);
    }
  }
}

/**
 * Solves pixels[from .. to) of `spec` into `out` (at the same indices).
 * Throws, naming the pixel, on non-finite data or a bad variance, and,
 * naming the parameter, when the design does not determine a parameter.
 */
export function solveLinearPixels(
  spec: LinearKernelSpec,
  pixels: Int32Array,
  from: number,
  to: number,
  out: LinearKernelOutput,
): void {
  const kernel = new Kernel(spec, out);
  if (spec.weighting === 'per-pixel') solvePerPixel(kernel, pixels, from, to);
  else solveShared(kernel, pixels, from, to);
}
