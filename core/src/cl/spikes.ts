/**
 * Spikes (cosmic rays, hot CCD pixels) in CL and other CCD spectra: a
 * detector whose findings the user reviews, then a removal that returns a new
 * signal.
 *
 * Detection, on each spectrum alone: the residual of every channel from the
 * running median over `window` channels (odd; the default 5 ignores a spike
 * up to two channels wide), divided by the robust noise there, estimated
 * from each channel's departure from the mean of its two neighbours over the
 * 4 * window + 1 channels around it (counts are noisier on a peak than on
 * the background), never less than the whole spectrum's (for sparse counts,
 * whose median deviation is zero, from the mean absolute deviation). A channel whose
 * score exceeds `threshold` (default 10) is a spike; only upward excursions
 * count (a cosmic ray adds charge). A smooth peak wider than a few channels
 * leaves only a small residual from the running median, so it is not taken
 * for a spike; a noiseless spectrum (zero deviation) has no noise to compare
 * with, and the score then uses a floor of 1e-9 of the spectrum's largest
 * absolute value.
 */
import { allocate } from '../model/dtype.js';
import { Signal, type Variance } from '../model/signal.js';

export interface SpikeOptions {
  /** Score above which a channel is a spike (in robust standard deviations). Default 10. */
  threshold?: number;
  /** Odd number of channels of the running median. Default 5. */
  window?: number;
}

/** Which pixels findSpikes looks at: flat indices [from, to) (default every pixel). */
export interface SpikeSearchRange {
  from?: number;
  to?: number;
}

export interface Spike {
  /** Flat pixel index (C order of the navigation shape). */
  pixel: number;
  /** Position of the pixel along the navigation axes, in data order. */
  position: number[];
  channel: number;
  /** The value found. */
  value: number;
  /** The running median there: what removeSpikes puts in its place (without the other spikes). */
  median: number;
  /** (value - median) / robust noise of the spectrum. */
  score: number;
}

const MAD_TO_SD = 1.4826;
const MEAN_ABS_TO_SD = Math.sqrt(Math.PI / 2);
const SQRT_1_5 = Math.sqrt(1.5);

function median(values: Float64Array, n: number): number {
  const a = values.subarray(0, n).sort();
  const h = n >> 1;
  return n % 2 === 1 ? a[h]! : (a[h - 1]! + a[h]!) / 2;
}

function checkWindow(window: number): number {
  if (!Number.isInteger(window) || window < 3 || window % 2 === 0) {
    throw new Error(`spikes: window must be an odd integer of at least 3, got ${window}`);
  }
  return window;
}

/** The running median over `window` channels (shrunk at the ends), skipping channels where `skip` is 1. */
function runningMedian(
  y: Float64Array,
  window: number,
  out: Float64Array,
  skip?: Uint8Array,
): void {
  const n = y.length;
  const h = window >> 1;
  const buf = new Float64Array(window);
  for (let i = 0; i < n; i++) {
    let k = 0;
    for (let j = Math.max(0, i - h); j <= Math.min(n - 1, i + h); j++) {
      if (skip && skip[j] && j !== i) continue;
      if (skip && skip[i] && j === i) continue;
      buf[k++] = y[j]!;
    }
    out[i] = k > 0 ? median(buf, k) : y[i]!;
  }
}

/**
 * Every spike of every spectrum (or of the pixels [from, to): a caller can
 * look through a large map in slices), in pixel then channel order.
 */
export function findSpikes(signal: Signal, options: SpikeOptions & SpikeSearchRange = {}): Spike[] {
  const threshold = options.threshold ?? 10;
  const from = options.from ?? 0;
  const to = options.to ?? signal.navigationSize;
  if (
    !Number.isInteger(from) ||
    !Number.isInteger(to) ||
    from < 0 ||
    to > signal.navigationSize ||
    from > to
  ) {
    throw new Error(
      `spikes: pixels ${from} to ${to} are not a range of the map (${signal.navigationSize} pixels)`,
    );
  }
  if (!(threshold > 0) || !Number.isFinite(threshold)) {
    throw new Error(`spikes: threshold must be positive and finite, got ${threshold}`);
  }
  const window = checkWindow(options.window ?? 5);
  const n = signal.channels;
  const y = new Float64Array(n);
  const med = new Float64Array(n);
  const r = new Float64Array(n);
  const dev = new Float64Array(n);
  const sd = new Float64Array(n);
  const noiseWindow = Math.min(n, 4 * window + 1);
  const local = new Float64Array(noiseWindow);
  const spikes: Spike[] = [];
  for (let p = from; p < to; p++) {
    signal.readSpectrum(p, y);
    runningMedian(y, window, med);
    let top = 0;
    for (let i = 0; i < n; i++) {
      r[i] = y[i]! - med[i]!;
      top = Math.max(top, Math.abs(y[i]!));
    }
    dev.set(r);
    const centre = median(dev, n);
    // The noise near each channel, from the departures from the mean of the
    // two neighbours, d_i = y_i - (y_i-1 + y_i+1) / 2 (variance 1.5 sigma^2;
    // the running median's own residual is zero all along a peak's flanks and
    // would say there is no noise there): 1.4826 times their median absolute
    // deviation over the channels around, never below the spectrum's own.
    for (let i = 1; i < n - 1; i++) dev[i] = y[i]! - (y[i - 1]! + y[i + 1]!) / 2;
    if (n > 2) {
      dev[0] = dev[1]!;
      dev[n - 1] = dev[n - 2]!;
    } else dev.fill(0);
    const dc = median(Float64Array.from(dev), n);
    for (let i = 0; i < n; i++) dev[i] = Math.abs(dev[i]! - dc);
    let global = (MAD_TO_SD * median(Float64Array.from(dev), n)) / SQRT_1_5;
    if (!(global > 0)) {
      // Sparse counts (mostly equal to their neighbours): the mean absolute deviation.
      let sum = 0;
      for (let i = 0; i < n; i++) sum += dev[i]!;
      global = (MEAN_ABS_TO_SD * (sum / n)) / SQRT_1_5;
    }
    const floor = Math.max(global, 1e-9 * top, Number.MIN_VALUE);
    const hw = noiseWindow >> 1;
    for (let i = 0; i < n; i++) {
      const lo = Math.max(0, Math.min(i - hw, n - noiseWindow));
      const hi = Math.min(n, lo + noiseWindow);
      local.set(dev.subarray(lo, hi));
      sd[i] = Math.max((MAD_TO_SD * median(local, hi - lo)) / SQRT_1_5, floor);
    }
    let position: number[] | null = null;
    for (let i = 0; i < n; i++) {
      const score = (r[i]! - centre) / sd[i]!;
      if (score > threshold) {
        position ??= signal.pixelPosition(p);
        spikes.push({ pixel: p, position, channel: i, value: y[i]!, median: med[i]!, score });
      }
    }
  }
  return spikes;
}

/**
 * A new signal with every listed spike replaced by the median of its
 * `window` neighbours that are not spikes themselves (integer data rounded
 * to the nearest count); an explicit variance is replaced the same way. The
 * input signal is left untouched. Errors name the spike that does not fit
 * the signal.
 */
export function removeSpikes(
  signal: Signal,
  spikes: readonly Pick<Spike, 'pixel' | 'channel'>[],
  options: Pick<SpikeOptions, 'window'> = {},
): Signal {
  const window = checkWindow(options.window ?? 5);
  const n = signal.channels;
  const byPixel = new Map<number, number[]>();
  for (const [k, s] of spikes.entries()) {
    if (!Number.isInteger(s.pixel) || s.pixel < 0 || s.pixel >= signal.navigationSize) {
      throw new Error(
        `spike ${k}: pixel ${s.pixel} is not in the map (${signal.navigationSize} pixels)`,
      );
    }
    if (!Number.isInteger(s.channel) || s.channel < 0 || s.channel >= n) {
      throw new Error(`spike ${k}: channel ${s.channel} is not on the signal axis (${n} channels)`);
    }
    let list = byPixel.get(s.pixel);
    if (!list) byPixel.set(s.pixel, (list = []));
    list.push(s.channel);
  }
  if (signal.dtype === 'bool') throw new Error('spikes: boolean data have no spikes to remove');
  const data = allocate(signal.dtype, signal.data.length);
  (data as { set(a: ArrayLike<number | bigint>): void }).set(
    signal.data as ArrayLike<number | bigint>,
  );
  const integer = !(data instanceof Float32Array || data instanceof Float64Array);
  const big = data instanceof BigInt64Array || data instanceof BigUint64Array;
  const v = signal.variance;
  const varianceCopy =
    v.kind === 'array' && v.data.length === signal.data.length
      ? Float64Array.from(v.data as ArrayLike<number | bigint>, Number)
      : null;
  const y = new Float64Array(n);
  const med = new Float64Array(n);
  const skip = new Uint8Array(n);
  for (const [p, channels] of byPixel) {
    signal.readSpectrum(p, y);
    skip.fill(0);
    for (const c of channels) skip[c] = 1;
    runningMedian(y, window, med, skip);
    for (const c of channels) {
      const m = integer ? Math.round(med[c]!) : med[c]!;
      if (big) (data as BigInt64Array)[p * n + c] = BigInt(m) as never;
      else (data as Float64Array)[p * n + c] = m;
    }
    if (varianceCopy) {
      const vs = varianceCopy.subarray(p * n, (p + 1) * n);
      const vm = new Float64Array(n);
      runningMedian(Float64Array.from(vs), window, vm, skip);
      for (const c of channels) vs[c] = vm[c]!;
    }
  }
  const variance: Variance = varianceCopy ? { kind: 'array', data: varianceCopy } : { ...v };
  return new Signal({
    data,
    dtype: signal.dtype,
    axes: signal.axes.map((a) => ({ ...a })),
    title: signal.title,
    signalType: signal.signalType,
    metadata: structuredClone(signal.metadata),
    variance,
  });
}
