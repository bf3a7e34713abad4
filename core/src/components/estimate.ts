/**
 * Starting values from data: the helpers behind each component's
 * `estimate`. They read the channels whose axis value lies in a range (the
 * axis may be non-uniform or decreasing: nothing here assumes a constant
 * step), skip values that are not finite, and never produce NaN or an
 * infinity: when the data cannot give an estimate (no peak, no positive
 * counts, too few channels) they fall back to values drawn from the range
 * itself and say so.
 */

/** Axis values [start, end] (either order); absent: every channel. */
export interface EstimateRange {
  start: number;
  end: number;
}

/** What an estimate did: from the data, or a fallback, and why (one sentence). */
export interface Estimate {
  fromData: boolean;
  note: string;
}

/** The channels to estimate from: finite x and y inside the range, in axis order. */
export interface Window {
  x: Float64Array;
  y: Float64Array;
  /** The range's ends, lower first (from the axis when no range was given). */
  lo: number;
  hi: number;
}

export function selectWindow(x: Float64Array, y: Float64Array, range?: EstimateRange): Window {
  let lo = Infinity;
  let hi = -Infinity;
  if (range && Number.isFinite(range.start) && Number.isFinite(range.end)) {
    lo = Math.min(range.start, range.end);
    hi = Math.max(range.start, range.end);
  } else {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const n = Math.min(x.length, y.length);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    if (xi >= lo && xi <= hi && Number.isFinite(y[i]!)) count++;
  }
  const wx = new Float64Array(count);
  const wy = new Float64Array(count);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    if (xi >= lo && xi <= hi && Number.isFinite(y[i]!)) {
      wx[k] = xi;
      wy[k] = y[i]!;
      k++;
    }
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    lo = 0;
    hi = 1;
  }
  return { x: wx, y: wy, lo, hi };
}

/** The width a channel covers around index i (half the distance to each neighbour). */
export function channelWidth(x: Float64Array, i: number): number {
  const n = x.length;
  if (n < 2) return 1;
  const left = i > 0 ? Math.abs(x[i]! - x[i - 1]!) : Math.abs(x[1]! - x[0]!);
  const right = i < n - 1 ? Math.abs(x[i + 1]! - x[i]!) : Math.abs(x[n - 1]! - x[n - 2]!);
  const w = (left + right) / 2;
  return w > 0 && Number.isFinite(w) ? w : 1;
}

export function median(values: ArrayLike<number>): number {
  const v = Float64Array.from(values).sort();
  const n = v.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? v[(n - 1) / 2]! : (v[n / 2 - 1]! + v[n / 2]!) / 2;
}

/** A peak found in a window: its centre, its height above the baseline, its full width at half maximum. */
export interface PeakEstimate {
  centre: number;
  height: number;
  fwhm: number;
  fromData: boolean;
  note: string;
}

/**
 * The visible maximum of the window as a peak: its position (the middle of
 * its half-maximum crossings, else the vertex of a parabola through the top
 * three channels), its height above the baseline
 * (the window's lowest value when that is positive, else 0), and its FWHM
 * from the half-maximum crossings (interpolated; a crossing beyond the window
 * takes the other side's half width), at least two channels. Without a
 * maximum above the baseline: the window's centre, a tenth of its width, and
 * height 1 (or the largest magnitude seen).
 */
export function estimatePeak(w: Window): PeakEstimate {
  const { x, y } = w;
  const n = x.length;
  const span = w.hi - w.lo;
  const fallback = (why: string): PeakEstimate => {
    let big = 0;
    for (let i = 0; i < n; i++) big = Math.max(big, Math.abs(y[i]!));
    return {
      centre: (w.lo + w.hi) / 2,
      height: big > 0 && Number.isFinite(big) ? big : 1,
      fwhm: span > 0 ? span / 10 : 1,
      fromData: false,
      note: `${why}: placed at the centre of the range, a tenth of its width wide`,
    };
  };
  if (n < 3) return fallback('fewer than 3 channels in the range');
  let top = 0;
  let low = Infinity;
  for (let i = 0; i < n; i++) {
    if (y[i]! > y[top]!) top = i;
    if (y[i]! < low) low = y[i]!;
  }
  const baseline = low > 0 ? low : 0;
  const height = y[top]! - baseline;
  if (!(height > 0)) return fallback('no maximum above the background in the range');
  const half = baseline + height / 2;

  // Sub-channel centre: the vertex of the parabola through the top and its neighbours.
  let centre = x[top]!;
  if (top > 0 && top < n - 1) {
    const x0 = x[top - 1]!;
    const x1 = x[top]!;
    const x2 = x[top + 1]!;
    const y0 = y[top - 1]!;
    const y1 = y[top]!;
    const y2 = y[top + 1]!;
    const d = (x0 - x1) * (x0 - x2) * (x1 - x2);
    const a = (x2 * (y1 - y0) + x1 * (y0 - y2) + x0 * (y2 - y1)) / d;
    const b = (x2 * x2 * (y0 - y1) + x1 * x1 * (y2 - y0) + x0 * x0 * (y1 - y2)) / d;
    const v = -b / (2 * a);
    if (a < 0 && Number.isFinite(v) && v >= Math.min(x0, x2) && v <= Math.max(x0, x2)) centre = v;
  }

  const crossing = (step: 1 | -1): number | null => {
    for (let i = top; i + step >= 0 && i + step < n; i += step) {
      const j = i + step;
      if (y[j]! <= half) {
        const f = (y[i]! - half) / (y[i]! - y[j]!);
        return x[i]! + f * (x[j]! - x[i]!);
      }
    }
    return null;
  };
  const right = crossing(1);
  const left = crossing(-1);
  let fwhm: number;
  if (left !== null && right !== null) {
    fwhm = Math.abs(right - left);
    // The middle of the half-maximum crossings: steadier than the noisy top channels.
    centre = (left + right) / 2;
  } else if (left !== null) fwhm = 2 * Math.abs(x[top]! - left);
  else if (right !== null) fwhm = 2 * Math.abs(right - x[top]!);
  else fwhm = span / 2;
  const minWidth = 2 * channelWidth(x, top);
  if (!(fwhm >= minWidth) || !Number.isFinite(fwhm)) fwhm = minWidth;
  return {
    centre,
    height,
    fwhm,
    fromData: true,
    note: 'at the highest point in the range, width from its half maximum',
  };
}

/**
 * Weighted linear least squares by Householder QR: the coefficients c that
 * minimise sum_i w_i (y_i - sum_k a_ik c_k)^2, `a` row-major m x k. Returns
 * null when the columns are (numerically) dependent.
 */
export function leastSquares(
  a: Float64Array,
  y: Float64Array,
  m: number,
  k: number,
  w?: Float64Array,
): Float64Array | null {
  const q = new Float64Array(m * k);
  const b = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const s = w ? Math.sqrt(w[i]!) : 1;
    b[i] = y[i]! * s;
    for (let j = 0; j < k; j++) q[i * k + j] = a[i * k + j]! * s;
  }
  let scale = 0;
  for (let i = 0; i < m * k; i++) scale = Math.max(scale, Math.abs(q[i]!));
  const diag = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let norm = 0;
    for (let i = j; i < m; i++) norm += q[i * k + j]! ** 2;
    norm = Math.sqrt(norm);
    if (!(norm > 1e-12 * scale)) return null;
    const alpha = q[j * k + j]! > 0 ? -norm : norm;
    q[j * k + j] = q[j * k + j]! - alpha;
    let vnorm = 0;
    for (let i = j; i < m; i++) vnorm += q[i * k + j]! ** 2;
    diag[j] = alpha;
    if (vnorm === 0) continue;
    for (let c = j + 1; c < k; c++) {
      let dot = 0;
      for (let i = j; i < m; i++) dot += q[i * k + j]! * q[i * k + c]!;
      const f = (2 * dot) / vnorm;
      for (let i = j; i < m; i++) q[i * k + c] = q[i * k + c]! - f * q[i * k + j]!;
    }
    let dot = 0;
    for (let i = j; i < m; i++) dot += q[i * k + j]! * b[i]!;
    const f = (2 * dot) / vnorm;
    for (let i = j; i < m; i++) b[i] = b[i]! - f * q[i * k + j]!;
  }
  const c = new Float64Array(k);
  for (let j = k - 1; j >= 0; j--) {
    let s = b[j]!;
    for (let l = j + 1; l < k; l++) s -= q[j * k + l]! * c[l]!;
    c[j] = s / diag[j]!;
  }
  for (const v of c) if (!Number.isFinite(v)) return null;
  return c;
}

/** The integral of y over the channels from..to-1 of a window (each value times the width its channel covers). */
export function area(x: Float64Array, y: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += y[i]! * channelWidth(x, i);
  return s;
}
