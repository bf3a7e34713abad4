import { metaAt } from '../util/metadata.js';
import { checkAxis, type AxisSpec } from './axis.js';
import {
  arrayMatchesDType,
  dtypeOf,
  readAsFloat64,
  type DType,
  type NumericArray,
} from './dtype.js';

/**
 * How the noise variance of each channel is known.
 * - `none`: no estimate; fits are unweighted (every sigma = 1).
 * - `array`: explicit variances, either one value per data element or one
 *   spectrum shared by every pixel.
 * - `constant`: one variance for every channel of every pixel.
 * - `poisson`: `gain * counts + offset`, floored at `floor` (> 0) so that a
 *   zero-count channel never gets infinite weight.
 */
export type Variance =
  | { kind: 'none' }
  | { kind: 'array'; data: NumericArray }
  | { kind: 'constant'; value: number }
  | { kind: 'poisson'; gain: number; offset: number; floor: number };

export interface SignalOptions {
  /** Data in C order: navigation axes first (in data order), signal axis last. */
  data: NumericArray;
  /** The dtype the data represent; defaults to the typed array's own (bool needs saying). */
  dtype?: DType;
  /** Axes in data order; exactly one has `navigate: false` and it must be last. */
  axes: AxisSpec[];
  title?: string;
  /** EELS, EDS_SEM, EDS_TEM, CL, ... ('' when unknown). */
  signalType?: string;
  variance?: Variance;
  metadata?: Record<string, unknown>;
}

export interface PoissonOptions {
  /**
   * Variance per count. @default the file's
   * `Signal.Noise_properties.Variance_linear_model.gain_factor` (as
   * HyperSpy's estimate_poissonian_noise_variance), else 1
   */
  gain?: number;
  /** @default the file's `...Variance_linear_model.gain_offset`, else 0 */
  offset?: number;
  /** Smallest variance allowed; defaults to the variance of one count (`gain`, or 1). */
  floor?: number;
}

/**
 * A spectrum image: 0 to 3 navigation dimensions and one signal axis.
 * Pixels are indexed flat in C (row-major) order of the navigation shape.
 */
export class Signal {
  readonly data: NumericArray;
  readonly dtype: DType;
  readonly axes: readonly AxisSpec[];
  title: string;
  signalType: string;
  metadata: Record<string, unknown>;
  #variance: Variance;

  constructor(options: SignalOptions) {
    const { data, axes } = options;
    const dtype = options.dtype ?? dtypeOf(data);
    if (!arrayMatchesDType(data, dtype)) {
      throw new Error(`signal data: a ${data.constructor.name} cannot hold dtype '${dtype}'`);
    }
    if (axes.length < 1 || axes.length > 4) {
      throw new Error(
        `signal: expected 0 to 3 navigation axes and one signal axis, got ${axes.length} axes`,
      );
    }
    const checked = axes.map((a, i) => checkAxis(a, `axis-${i}`));
    const last = checked[checked.length - 1]!;
    if (last.navigate)
      throw new Error('signal: the last axis must be the signal axis (navigate: false)');
    checked.slice(0, -1).forEach((a, i) => {
      if (!a.navigate) {
        throw new Error(
          `signal: axis ${i} ('${a.name}') must be a navigation axis; only the last axis is the signal axis`,
        );
      }
    });
    const expected = checked.reduce((n, a) => n * a.size, 1);
    if (data.length !== expected) {
      throw new Error(
        `signal data: ${data.length} elements do not fill the axes' shape [${checked.map((a) => a.size).join(', ')}] (${expected} elements)`,
      );
    }
    this.data = data;
    this.dtype = dtype;
    this.axes = checked;
    this.title = options.title ?? '';
    this.signalType = options.signalType ?? '';
    this.metadata = options.metadata ?? {};
    this.#variance = { kind: 'none' };
    this.setVariance(options.variance ?? { kind: 'none' });
  }

  get navigationAxes(): readonly AxisSpec[] {
    return this.axes.slice(0, -1);
  }

  get signalAxis(): AxisSpec {
    return this.axes[this.axes.length - 1]!;
  }

  /** Navigation shape in data order (empty for a single spectrum). */
  get navigationShape(): number[] {
    return this.navigationAxes.map((a) => a.size);
  }

  /** Number of pixels (1 for a single spectrum). */
  get navigationSize(): number {
    return this.navigationAxes.reduce((n, a) => n * a.size, 1);
  }

  get channels(): number {
    return this.signalAxis.size;
  }

  /** Data shape in C order. */
  get shape(): number[] {
    return this.axes.map((a) => a.size);
  }

  get variance(): Variance {
    return this.#variance;
  }

  setVariance(variance: Variance): void {
    switch (variance.kind) {
      case 'none':
        break;
      case 'constant':
        if (!(variance.value > 0) || !Number.isFinite(variance.value)) {
          throw new Error(
            `variance: a constant variance must be positive and finite, got ${variance.value}`,
          );
        }
        break;
      case 'array': {
        const n = variance.data.length;
        if (n !== this.data.length && n !== this.channels) {
          throw new Error(
            `variance: ${n} values match neither the data (${this.data.length}) nor one spectrum (${this.channels})`,
          );
        }
        break;
      }
      case 'poisson':
        if (!Number.isFinite(variance.gain) || !Number.isFinite(variance.offset)) {
          throw new Error(
            `variance: Poisson gain and offset must be finite (gain ${variance.gain}, offset ${variance.offset})`,
          );
        }
        if (!(variance.floor > 0) || !Number.isFinite(variance.floor)) {
          throw new Error(`variance: the Poisson floor must be positive, got ${variance.floor}`);
        }
        break;
    }
    this.#variance = variance;
  }

  /** Use a Poisson estimate `gain * counts + offset`, floored (never zero). */
  estimatePoissonianNoiseVariance(options: PoissonOptions = {}): void {
    const model = metaAt(this.metadata, 'Signal.Noise_properties.Variance_linear_model');
    const stored = (key: string): number | undefined => {
      const v =
        typeof model === 'object' && model !== null
          ? (model as Record<string, unknown>)[key]
          : undefined;
      return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
    };
    const gain = options.gain ?? stored('gain_factor') ?? 1;
    const offset = options.offset ?? stored('gain_offset') ?? 0;
    const floor = options.floor ?? (gain > 0 ? gain : 1);
    this.setVariance({ kind: 'poisson', gain, offset, floor });
  }

  /** Flat pixel index of a navigation position in data order. */
  pixelIndex(position: readonly number[]): number {
    const shape = this.navigationShape;
    if (position.length !== shape.length) {
      throw new Error(
        `pixel [${position.join(', ')}]: expected ${shape.length} indices for navigation shape [${shape.join(', ')}]`,
      );
    }
    let flat = 0;
    for (let d = 0; d < shape.length; d++) {
      const p = position[d]!;
      if (!Number.isInteger(p) || p < 0 || p >= shape[d]!) {
        throw new Error(
          `pixel [${position.join(', ')}] is outside navigation shape [${shape.join(', ')}]`,
        );
      }
      flat = flat * shape[d]! + p;
    }
    return flat;
  }

  /** Navigation position (data order) of a flat pixel index. */
  pixelPosition(pixel: number): number[] {
    this.checkPixel(pixel);
    const shape = this.navigationShape;
    const out = new Array<number>(shape.length);
    let rest = pixel;
    for (let d = shape.length - 1; d >= 0; d--) {
      out[d] = rest % shape[d]!;
      rest = Math.floor(rest / shape[d]!);
    }
    return out;
  }

  checkPixel(pixel: number): void {
    if (!Number.isInteger(pixel) || pixel < 0 || pixel >= this.navigationSize) {
      throw new Error(
        `pixel ${pixel} is outside the navigation space (0 to ${this.navigationSize - 1})`,
      );
    }
  }

  /** The spectrum at `pixel` as float64, into `out` (length >= channels). */
  readSpectrum(pixel: number, out: Float64Array = new Float64Array(this.channels)): Float64Array {
    this.checkPixel(pixel);
    readAsFloat64(this.data, pixel * this.channels, this.channels, out);
    return out;
  }

  /**
   * Variances of the spectrum at `pixel` into `out`; `spectrum` must hold that
   * pixel's counts (used by the Poisson estimate). Returns false when there is
   * no variance (unweighted fit).
   */
  readVariance(pixel: number, spectrum: Float64Array, out: Float64Array): boolean {
    return varianceAt(this.#variance, pixel, this.channels, spectrum, out);
  }
}

/**
 * Variances of one pixel's spectrum into `out` from a variance description,
 * on plain data so workers (which hold no Signal) read them the same way.
 * `spectrum` must hold that pixel's counts (for the Poisson estimate).
 * Returns false when there is no variance (unweighted fit).
 */
export function varianceAt(
  variance: Variance,
  pixel: number,
  channels: number,
  spectrum: Float64Array,
  out: Float64Array,
): boolean {
  const n = channels;
  const v = variance;
  switch (v.kind) {
    case 'none':
      out.fill(1, 0, n);
      return false;
    case 'constant':
      out.fill(v.value, 0, n);
      return true;
    case 'array':
      readAsFloat64(v.data, v.data.length === n ? 0 : pixel * n, n, out);
      return true;
    case 'poisson':
      for (let i = 0; i < n; i++) {
        const e = v.gain * spectrum[i]! + v.offset;
        out[i] = e > v.floor ? e : v.floor;
      }
      return true;
  }
}
