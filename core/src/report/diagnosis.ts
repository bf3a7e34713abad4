/**
 * Why a fit fails its goodness test, told from its residuals: whether the
 * misfit is noise-like (the residual is white but larger, or smaller, than
 * the noise model says: the variance is wrong, not the model) or has
 * structure (neighbouring channels misfit together: the model lacks a
 * feature, e.g. fine structure past an edge or a missing peak), and where.
 *
 * The normalised residual z = (data - model) / sqrt(variance) of a good fit
 * is white noise of unit variance: its mean square is about 1 and the
 * correlation of neighbouring channels (lag 1) is about 0, within
 * 1/sqrt(n). A mean square far from 1 with no structure says the noise
 * model is off by that factor; a correlation well above its noise, with a
 * window whose summed z stands far above what correlated noise (a CCD's
 * point spread) would give, says the misfit is a shape, and where.
 */
import { formatNumber } from '../api/number-format.js';
import { axisValues } from '../model/axis.js';
import type { Model } from '../model/model.js';

export type DiagnosisKind = 'none' | 'noise' | 'structure' | 'unclear';

export interface ResidualRegion {
  /** Axis values of the window's first and last channel. */
  start: number;
  end: number;
  /** The data lie above the model there, or below it. */
  excess: 'above' | 'below';
  /** Summed normalised residual over sqrt(channels): how many sigmas the window is off. */
  sigmas: number;
}

export interface FitDiagnosis {
  /**
   * 'none': the residual is like the noise; 'noise': white but not of the
   * variance's size (or no variance); 'structure': the model misses a
   * feature; 'unclear': too few channels to tell.
   */
  kind: DiagnosisKind;
  /** Channels the fit used. */
  channels: number;
  /** Mean square of the normalised residual (about 1 for a good fit). */
  meanSquare: number;
  /** Correlation of neighbouring normalised residuals (about 0 for a good fit). */
  lag1: number;
  /** Whether the fit was weighted by a variance (else every channel's variance is 1). */
  weighted: boolean;
  /** Where the residual is largest, when it has structure. */
  region: ResidualRegion | null;
  /** One or two sentences for the user. */
  text: string;
}

/**
 * Lag-1 correlation below this (plus three of its standard errors,
 * 3/sqrt(n)) reads as white: real spectra's residuals keep a little
 * correlation from detector response and binning.
 */
const WHITE_LAG1 = 0.15;

/** A window must stand this many (correlation-corrected) sigmas off the model to be a shape. */
const STRUCTURE_SIGMAS = 5;

function correlatedNote(lag1: number): string {
  return `; neighbouring channels' noise correlates, ${formatNumber(lag1, 2)}, as a detector's point spread makes it`;
}

/**
 * The diagnosis of the fit at `pixel` at the model's current values (call it
 * right after the fit, or inside `model.atStoredValues`).
 */
export function diagnoseFit(model: Model, pixel: number): FitDiagnosis {
  const signal = model.signal;
  const n = signal.channels;
  const spectrum = signal.readSpectrum(pixel, new Float64Array(n));
  const variance = new Float64Array(n);
  const weighted = signal.readVariance(pixel, spectrum, variance);
  const curve = model.evaluate();
  const on = model.channelSwitches;
  const z = new Float64Array(n);
  const index = new Int32Array(n);
  let m = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    if (on[i] === 0) continue;
    const v = variance[i]!;
    const r = (spectrum[i]! - curve[i]!) / Math.sqrt(v > 0 ? v : 1);
    if (!Number.isFinite(r)) continue;
    z[m] = r;
    index[m] = i;
    sumSq += r * r;
    m++;
  }
  if (m < 3) {
    return {
      kind: 'unclear',
      channels: m,
      meanSquare: m > 0 ? sumSq / m : NaN,
      lag1: NaN,
      weighted,
      region: null,
      text: `only ${m} channel${m === 1 ? '' : 's'} in the signal range: widen the range`,
    };
  }
  const meanSquare = sumSq / m;
  let mean = 0;
  for (let k = 0; k < m; k++) mean += z[k]!;
  mean /= m;
  let c0 = 0;
  let c1 = 0;
  for (let k = 0; k < m; k++) {
    const d = z[k]! - mean;
    c0 += d * d;
    if (k > 0) c1 += d * (z[k - 1]! - mean);
  }
  const lag1 = c0 > 0 ? c1 / c0 : 0;
  const correlated = lag1 >= WHITE_LAG1 + 3 / Math.sqrt(m);
  const x = axisValues(signal.signalAxis);
  const units = signal.signalAxis.units;
  const region = correlated ? worstWindow(z, index, m, x) : null;
  // Correlated noise (a CCD's point spread) also makes neighbours misfit
  // together, but only by chance: a window of w channels of noise with
  // lag-1 correlation r sums to sqrt(w (1 + r) / (1 - r)) in size. A shape
  // stands well above that.
  const inflation = Math.sqrt((1 + lag1) / Math.max(1 - lag1, 1e-3));
  const structured = region !== null && region.sigmas / inflation >= STRUCTURE_SIGMAS;
  // The mean square of m unit normals has a standard deviation of sqrt(2 / m).
  const likeNoise = weighted && Math.abs(meanSquare - 1) < 3 * Math.sqrt(2 / m) + 0.05;
  const kind: DiagnosisKind = structured ? 'structure' : likeNoise ? 'none' : 'noise';
  return {
    kind,
    channels: m,
    meanSquare,
    lag1,
    weighted,
    region,
    text:
      kind === 'structure'
        ? structureText(region!, lag1, units)
        : kind === 'none'
          ? `the residual is like the noise (mean square ${formatNumber(meanSquare, 3)}, no structure${correlated ? correlatedNote(lag1) : ''}): the fit is as good as the noise allows`
          : noiseText(
              meanSquare,
              weighted,
              signal.variance,
              correlated ? correlatedNote(lag1) : '',
            ),
  };
}

/** The window (a twentieth of the channels, at least 5) whose summed z is largest in size. */
function worstWindow(
  z: Float64Array,
  index: Int32Array,
  m: number,
  x: Float64Array,
): ResidualRegion {
  const w = Math.min(m, Math.max(5, Math.round(m / 20)));
  let sum = 0;
  for (let k = 0; k < w; k++) sum += z[k]!;
  let best = sum;
  let at = 0;
  for (let k = w; k < m; k++) {
    sum += z[k]! - z[k - w]!;
    if (Math.abs(sum) > Math.abs(best)) {
      best = sum;
      at = k - w + 1;
    }
  }
  const a = x[index[at]!]!;
  const b = x[index[at + w - 1]!]!;
  return {
    start: Math.min(a, b),
    end: Math.max(a, b),
    excess: best >= 0 ? 'above' : 'below',
    sigmas: Math.abs(best) / Math.sqrt(w),
  };
}

function noiseText(
  meanSquare: number,
  weighted: boolean,
  variance: Model['signal']['variance'],
  note: string,
): string {
  const factor = formatNumber(meanSquare, 3);
  const shape = `the residual is noise-like (no structure${note})`;
  if (!weighted) {
    return `${shape}, but the fit has no noise variance (every channel counts 1): set one (Poisson for counts, with the detector's gain) so the test compares the residual with the noise`;
  }
  if (meanSquare >= 1) {
    const gain =
      variance.kind === 'poisson'
        ? ` (the noise model's gain is ${formatNumber(variance.gain, 3)}; the data suggest about ${formatNumber(variance.gain * meanSquare, 3)})`
        : '';
    return `${shape} but ${factor}× larger than the variance says: the noise is underestimated${gain}, not the model wrong`;
  }
  return `${shape} and ${factor}× the variance: the noise is overestimated (or the model has more freedom than the data need)`;
}

function structureText(region: ResidualRegion, lag1: number, units: string): string {
  const u = units ? ` ${units}` : '';
  const where = `${formatNumber(region.start, 4)}–${formatNumber(region.end, 4)}${u}`;
  const side = region.excess === 'above' ? 'above' : 'below';
  return `the residual has structure (neighbouring channels correlate, ${formatNumber(lag1, 2)}): the model misses a feature; largest at ${where}, where the data lie ${formatNumber(region.sigmas, 3)} σ ${side} the model`;
}
