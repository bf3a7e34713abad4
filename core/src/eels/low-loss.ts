/**
 * Low-loss EELS: zero-loss-peak alignment and relative thickness.
 *
 * - `alignZeroLoss`: per pixel, the zero-loss peak's position (the vertex of
 *   the parabola through the highest channel and its neighbours, inside a
 *   search window) and a copy of the data shifted by linear interpolation so
 *   that every peak sits at 0 eV. The original signal is not touched: undo is
 *   keeping it; the shifts are returned per pixel.
 * - `thicknessMap`: t/lambda = ln(I_t / I_0) per pixel (the log-ratio method),
 *   I_0 the zero-loss integral up to the first minimum after the peak (or a
 *   given threshold energy), I_t the whole spectrum's.
 */
import { Signal } from '../model/signal.js';

export interface ZeroLossAlignment {
  /** The aligned copy (float64). */
  signal: Signal;
  /** Per pixel, the energy the zero-loss peak was found at (subtracted from the axis). */
  shifts: Float64Array;
  /** The signal as it was (undo: use it again). */
  original: Signal;
}

/** The sub-channel position of the maximum of y in [i0, i1). */
function peakPosition(
  y: Float64Array,
  i0: number,
  i1: number,
  offset: number,
  scale: number,
): number {
  let top = i0;
  for (let i = i0; i < i1; i++) if (y[i]! > y[top]!) top = i;
  let f = 0;
  if (top > 0 && top < y.length - 1) {
    const a = y[top - 1]!;
    const b = y[top]!;
    const c = y[top + 1]!;
    const d = a - 2 * b + c;
    if (d < 0) f = Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / d));
  }
  return offset + (top + f) * scale;
}

export function alignZeroLoss(
  signal: Signal,
  options: { searchWindow?: [number, number] } = {},
): ZeroLossAlignment {
  const axis = signal.signalAxis;
  const n = axis.size;
  const { offset, scale } = axis;
  const [w0, w1] = options.searchWindow ?? [-10, 10];
  const toIndex = (e: number) => Math.round((e - offset) / scale);
  const i0 = Math.max(0, Math.min(n - 1, Math.min(toIndex(w0), toIndex(w1))));
  const i1 = Math.max(i0 + 1, Math.min(n, Math.max(toIndex(w0), toIndex(w1)) + 1));
  const nav = signal.navigationSize;
  const out = new Float64Array(nav * n);
  const shifts = new Float64Array(nav);
  const y = new Float64Array(n);
  for (let p = 0; p < nav; p++) {
    signal.readSpectrum(p, y);
    const shift = peakPosition(y, i0, i1, offset, scale);
    if (!Number.isFinite(shift)) throw new Error(`alignZeroLoss: pixel ${p} has no finite peak`);
    shifts[p] = shift;
    // aligned(x) = y(x + shift): sample the old spectrum at index i + shift / scale.
    const d = shift / scale;
    for (let i = 0; i < n; i++) {
      const u = i + d;
      const k = Math.floor(u);
      const f = u - k;
      const a = k >= 0 && k < n ? y[k]! : 0;
      const b = k + 1 >= 0 && k + 1 < n ? y[k + 1]! : 0;
      out[p * n + i] = (1 - f) * a + f * b;
    }
  }
  const aligned = new Signal({
    data: out,
    axes: signal.axes.map((a) => ({ ...a })),
    title: signal.title,
    signalType: signal.signalType,
    metadata: signal.metadata,
  });
  return { signal: aligned, shifts, original: signal };
}

/**
 * Relative thickness t/lambda per pixel by the log-ratio method. `threshold`
 * (eV): the end of the zero-loss peak; absent, the first local minimum after
 * the peak (searched up to 20 eV past it).
 */
export function thicknessMap(signal: Signal, options: { threshold?: number } = {}): Float64Array {
  const axis = signal.signalAxis;
  const n = axis.size;
  const nav = signal.navigationSize;
  const out = new Float64Array(nav);
  const y = new Float64Array(n);
  for (let p = 0; p < nav; p++) {
    signal.readSpectrum(p, y);
    let top = 0;
    for (let i = 0; i < n; i++) if (y[i]! > y[top]!) top = i;
    let end: number;
    if (options.threshold !== undefined) {
      end = Math.round((options.threshold - axis.offset) / axis.scale);
    } else {
      const limit = Math.min(n - 2, top + Math.ceil(20 / Math.abs(axis.scale)));
      end = limit;
      for (let i = top + 1; i <= limit; i++) {
        if (y[i]! <= y[i - 1]! && y[i]! < y[i + 1]!) {
          end = i;
          break;
        }
      }
    }
    end = Math.max(0, Math.min(n - 1, end));
    let zlp = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      total += y[i]!;
      if (i <= end) zlp += y[i]!;
    }
    if (!(zlp > 0) || !(total >= zlp))
      throw new Error(`thicknessMap: pixel ${p} has no positive zero-loss intensity`);
    out[p] = Math.log(total / zlp);
  }
  return out;
}
