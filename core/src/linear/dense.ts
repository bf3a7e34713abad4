/**
 * Dense kernels of the linear whole-map fit, on flat Float64Arrays and
 * allocation-free once their workspaces exist: a thin QR of the design
 * (Gram-Schmidt twice, as stable as Householder for the orthogonality that
 * matters here), triangular solves, and Lawson and Hanson's non-negative
 * least squares on the normal equations.
 */
import { choleskyInPlace, choleskySolveInPlace } from '../optimiser/linear-algebra.js';

/**
 * Thin QR of A (k columns of m values, column j at a[j * m ...]): Q's
 * columns into q (same layout), R (k x k, row-major, upper) into r. Returns
 * the first column that is (numerically) a combination of the previous ones,
 * or -1.
 */
export function thinQr(
  a: Float64Array,
  m: number,
  k: number,
  q: Float64Array,
  r: Float64Array,
): number {
  r.fill(0, 0, k * k);
  for (let j = 0; j < k; j++) {
    const col = j * m;
    let norm0 = 0;
    for (let i = 0; i < m; i++) {
      const v = a[col + i]!;
      q[col + i] = v;
      norm0 += v * v;
    }
    norm0 = Math.sqrt(norm0);
    for (let pass = 0; pass < 2; pass++) {
      for (let l = 0; l < j; l++) {
        const ql = l * m;
        let d = 0;
        for (let i = 0; i < m; i++) d += q[ql + i]! * q[col + i]!;
        for (let i = 0; i < m; i++) q[col + i] = q[col + i]! - d * q[ql + i]!;
        r[l * k + j] = r[l * k + j]! + d;
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += q[col + i]! * q[col + i]!;
    norm = Math.sqrt(norm);
    if (!(norm > 1e-10 * norm0) || !(norm0 > 0)) return j;
    r[j * k + j] = norm;
    const inv = 1 / norm;
    for (let i = 0; i < m; i++) q[col + i] = q[col + i]! * inv;
  }
  return -1;
}

/** Solves R x = b in place (R upper, k x k row-major). */
export function upperSolveInPlace(r: Float64Array, k: number, b: Float64Array, offset = 0): void {
  for (let i = k - 1; i >= 0; i--) {
    let s = b[offset + i]!;
    for (let l = i + 1; l < k; l++) s -= r[i * k + l]! * b[offset + l]!;
    b[offset + i] = s / r[i * k + i]!;
  }
}

/** diag((R^T R)^-1) into out: the squared row norms of R^-1; `work` k*k. */
export function upperInverseDiagonal(
  r: Float64Array,
  k: number,
  out: Float64Array,
  work: Float64Array,
): void {
  // work = R^-1, upper, by columns of the identity.
  work.fill(0, 0, k * k);
  for (let c = 0; c < k; c++) {
    for (let i = c; i >= 0; i--) {
      let s = i === c ? 1 : 0;
      for (let l = i + 1; l <= c; l++) s -= r[i * k + l]! * work[l * k + c]!;
      work[i * k + c] = s / r[i * k + i]!;
    }
  }
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let c = i; c < k; c++) s += work[i * k + c]! * work[i * k + c]!;
    out[i] = s;
  }
}

/**
 * diag(N^-1) into out from the Cholesky factor L of N (lower, row-major):
 * (N^-1)_jj = sum_i (L^-1)_ij^2. `work` k*k.
 */
export function choleskyInverseDiag(
  l: Float64Array,
  k: number,
  out: Float64Array,
  work: Float64Array,
): void {
  // work = L^-1 (lower), column by column.
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < c; i++) work[i * k + c] = 0;
    for (let i = c; i < k; i++) {
      let s = i === c ? 1 : 0;
      for (let t = c; t < i; t++) s -= l[i * k + t]! * work[t * k + c]!;
      work[i * k + c] = s / l[i * k + i]!;
    }
  }
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let i = j; i < k; i++) s += work[i * k + j]! * work[i * k + j]!;
    out[j] = s;
  }
}

/** Workspace of nnlsGram for k parameters. */
export class NnlsWorkspace {
  readonly k: number;
  readonly passive: Uint8Array;
  readonly index: Int32Array;
  readonly sub: Float64Array;
  readonly rhs: Float64Array;
  readonly s: Float64Array;
  readonly grad: Float64Array;
  constructor(k: number) {
    this.k = k;
    this.passive = new Uint8Array(k);
    this.index = new Int32Array(k);
    this.sub = new Float64Array(k * k);
    this.rhs = new Float64Array(k);
    this.s = new Float64Array(k);
    this.grad = new Float64Array(k);
  }
}

/** Solves the normal equations on the passive set into ws.s (0 elsewhere); false when singular. */
function passiveSolve(g: Float64Array, b: Float64Array, ws: NnlsWorkspace): boolean {
  const { k, passive, index, sub, rhs, s } = ws;
  let n = 0;
  for (let j = 0; j < k; j++) if (passive[j]) index[n++] = j;
  for (let a = 0; a < n; a++) {
    const ia = index[a]!;
    rhs[a] = b[ia]!;
    for (let c = 0; c < n; c++) sub[a * n + c] = g[ia * k + index[c]!]!;
  }
  s.fill(0, 0, k);
  if (n === 0) return true;
  if (!choleskyInPlace(sub, n)) return false;
  choleskySolveInPlace(sub, n, rhs);
  for (let a = 0; a < n; a++) s[index[a]!] = rhs[a]!;
  return true;
}

/**
 * Lawson and Hanson's active-set NNLS on the normal equations: minimises
 * x^T G x / 2 - b^T x with x_j >= 0 where constrained[j], x_j free elsewhere
 * (G symmetric positive definite, k x k row-major). The answer goes into x.
 * Returns false when a passive subproblem is singular or it does not finish
 * in 3k + 30 outer steps.
 */
export function nnlsGram(
  g: Float64Array,
  b: Float64Array,
  k: number,
  constrained: Uint8Array,
  x: Float64Array,
  ws: NnlsWorkspace,
): boolean {
  const { passive, s, grad } = ws;
  for (let j = 0; j < k; j++) passive[j] = constrained[j] ? 0 : 1;
  if (!passiveSolve(g, b, ws)) return false;
  x.set(s.subarray(0, k));
  let scale = 0;
  for (let j = 0; j < k; j++) scale = Math.max(scale, Math.abs(b[j]!));
  const tol = 1e-12 * (scale > 0 ? scale : 1);
  for (let outer = 0; outer < 3 * k + 30; outer++) {
    // Gradient of the objective, negated: b - G x.
    let best = -1;
    let bestValue = tol;
    for (let j = 0; j < k; j++) {
      let v = b[j]!;
      for (let l = 0; l < k; l++) v -= g[j * k + l]! * x[l]!;
      grad[j] = v;
      if (!passive[j] && v > bestValue) {
        bestValue = v;
        best = j;
      }
    }
    if (best < 0) return true;
    passive[best] = 1;
    for (let inner = 0; inner <= k; inner++) {
      if (!passiveSolve(g, b, ws)) return false;
      let alpha = Infinity;
      for (let j = 0; j < k; j++) {
        if (passive[j] && constrained[j] && s[j]! <= 0) {
          const t = x[j]! / (x[j]! - s[j]!);
          if (t < alpha) alpha = t;
        }
      }
      if (alpha === Infinity) {
        x.set(s.subarray(0, k));
        break;
      }
      for (let j = 0; j < k; j++) x[j] = x[j]! + alpha * (s[j]! - x[j]!);
      for (let j = 0; j < k; j++) {
        if (passive[j] && constrained[j] && x[j]! <= 1e-15 * (Math.abs(s[j]!) + 1)) {
          passive[j] = 0;
          x[j] = 0;
        }
      }
    }
  }
  return false;
}
