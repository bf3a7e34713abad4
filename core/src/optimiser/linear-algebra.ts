/**
 * Small dense linear algebra on flat row-major Float64Arrays, in place and
 * allocation-free, for the optimisers' normal equations (n <= a few dozen).
 */

/**
 * Cholesky factorisation of the symmetric positive definite n×n matrix `a`
 * (row-major, lower triangle read) into its lower triangle L (a = L L^T).
 * Returns false when the matrix is not positive definite.
 */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) {
      const l = a[j * n + k]!;
      d -= l * l;
    }
    if (!(d > 0)) return false;
    d = Math.sqrt(d);
    a[j * n + j] = d;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= a[i * n + k]! * a[j * n + k]!;
      a[i * n + j] = s / d;
    }
  }
  return true;
}

/** Solves L L^T x = b in place (b becomes x), with L from choleskyInPlace. */
export function choleskySolveInPlace(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
}

/**
 * Diagonal of the inverse of L L^T (L from choleskyInPlace) into `out`, using
 * `work` (length n) as scratch: solves for each unit vector.
 */
export function choleskyInverseDiagonal(
  l: Float64Array,
  n: number,
  out: Float64Array,
  work: Float64Array,
): void {
  for (let j = 0; j < n; j++) {
    work.fill(0, 0, n);
    work[j] = 1;
    choleskySolveInPlace(l, n, work);
    out[j] = work[j]!;
  }
}
