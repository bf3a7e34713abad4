/**
 * Histograms of fitted parameter values, with numpy's bin rules:
 *   fd       width = 2 IQR n^(-1/3) (Freedman-Diaconis; one bin when IQR = 0)
 *   scott    width = (24 sqrt(pi) / n)^(1/3) std
 *   sturges  log2(n) + 1 bins
 *   a number that many bins.
 * At most 250 bins; with 4 values or fewer, 10 equal bins (the rules need
 * more data than that to mean anything).
 */
export type BinRule = 'fd' | 'scott' | 'sturges' | number;

export const MAX_BINS = 250;

export interface Histogram {
  /** counts.length + 1 edges. */
  edges: Float64Array;
  counts: Float64Array;
}

export function checkBinRule(rule: BinRule): BinRule {
  if (rule === 'fd' || rule === 'scott' || rule === 'sturges') return rule;
  if (typeof rule === 'number' && Number.isInteger(rule) && rule >= 1) return rule;
  throw new Error(
    `histogram bins must be 'fd', 'scott', 'sturges' or a whole number >= 1, got ${JSON.stringify(rule)}`,
  );
}

/** numpy's default (linear) percentile of sorted values, q in [0, 1]. */
function percentile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function binsFromWidth(range: number, width: number): number {
  return width > 0 ? Math.ceil(range / width) : 1;
}

/** Number of bins for sorted, finite values spanning `range` (> 0). */
export function binCount(sorted: Float64Array, rule: BinRule, range: number): number {
  const n = sorted.length;
  if (n <= 4) return 10;
  let bins: number;
  if (typeof rule === 'number') bins = rule;
  else if (rule === 'sturges') bins = Math.ceil(Math.log2(n) + 1);
  else if (rule === 'scott') {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += sorted[i]!;
    mean /= n;
    let variance = 0;
    for (let i = 0; i < n; i++) variance += (sorted[i]! - mean) ** 2;
    const std = Math.sqrt(variance / n);
    bins = binsFromWidth(range, Math.cbrt((24 * Math.sqrt(Math.PI)) / n) * std);
  } else {
    const iqr = percentile(sorted, 0.75) - percentile(sorted, 0.25);
    bins = binsFromWidth(range, 2 * iqr * n ** (-1 / 3));
  }
  return Math.max(1, Math.min(MAX_BINS, bins));
}

/** The histogram of the finite values; null when there are none. */
export function histogram(values: ArrayLike<number>, rule: BinRule = 'fd'): Histogram | null {
  checkBinRule(rule);
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) finite.push(values[i]!);
  if (finite.length === 0) return null;
  const sorted = Float64Array.from(finite).sort();
  let lo = sorted[0]!;
  let hi = sorted[sorted.length - 1]!;
  // One value repeated: a unit-wide range around it, as numpy does.
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const bins = binCount(sorted, rule, hi - lo);
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i <= bins; i++) edges[i] = lo + ((hi - lo) * i) / bins;
  edges[bins] = hi;
  const counts = new Float64Array(bins);
  const scale = bins / (hi - lo);
  for (const v of sorted) {
    const b = Math.min(bins - 1, Math.floor((v - lo) * scale));
    counts[b]!++;
  }
  return { edges, counts };
}

/**
 * Centres of the histogram's local maxima, most frequent first (ties: lower
 * values first). A flat top of several bins counts once, at its middle.
 */
export function histogramModes(h: Histogram): number[] {
  const { counts, edges } = h;
  const modes: { centre: number; count: number }[] = [];
  let i = 0;
  while (i < counts.length) {
    let j = i;
    while (j + 1 < counts.length && counts[j + 1] === counts[i]) j++;
    const c = counts[i]!;
    const left = i === 0 || counts[i - 1]! < c;
    const right = j === counts.length - 1 || counts[j + 1]! < c;
    if (c > 0 && left && right) modes.push({ centre: (edges[i]! + edges[j + 1]!) / 2, count: c });
    i = j + 1;
  }
  modes.sort((a, b) => b.count - a.count || a.centre - b.centre);
  return modes.map((m) => m.centre);
}
