/**
 * What the pixel kernel takes and gives, as plain data (structured-clone
 * friendly: no functions, typed arrays travel as they are): the model and
 * the data once per run (WorkerInit), per pixel the candidate starting
 * values (PixelStart) and the result (PixelResult). The pools carry these
 * in their messages (pool/protocol.ts); the engine builds the init
 * (samfire/worker-init.ts) and applies the results.
 */
import type { NumericArray } from '../model/dtype.js';
import type { FitOptions } from '../model/model.js';
import type { GoodnessTestSpec } from '../goodness/goodness-test.js';
import type { AxisSpec } from '../model/axis.js';
import type { Variance } from '../model/signal.js';

export type { GoodnessTestSpec } from '../goodness/goodness-test.js';

/** A model as plain data: enough to rebuild its fitting problem in a worker. */
export interface ModelSpec {
  components: ComponentSpec[];
  /** The signal axis. */
  axis: AxisSpec;
  /** 1 per fitted channel (the signal range). */
  channelSwitches: Uint8Array;
}

export interface ComponentSpec {
  kind: string;
  name: string;
  /** Options of the kind (Polynomial order, Expression text, ...). */
  options: Record<string, unknown>;
  /** Active everywhere (when no per-pixel map). */
  active: boolean;
  parameters: ParameterSpecData[];
}

export interface ParameterSpecData {
  name: string;
  length: number;
  free: boolean;
  bmin: number | null;
  bmax: number | null;
  /**
   * Tied to another parameter (component and parameter indices in this
   * spec) by value = f(that value), f `expression` in x; null or absent
   * when not tied. A tied parameter is not free.
   */
  twin?: TwinSpec | null;
}

export interface TwinSpec {
  component: number;
  parameter: number;
  expression: string;
}

/** Serialisable fit options: FitOptions with the optimiser by name only. */
export interface WorkerFitOptions extends Omit<FitOptions, 'optimizer'> {
  optimizer?: string;
  /**
   * Most candidate starts tried per subset of the optional components (the
   * first ones of the Cartesian product, in order). A global strategy's
   * modes multiply: 11 parameters with 2 to 10 modes each make millions of
   * starts, which a pixel that no start fits would all try. @default 64
   */
  maxStarts?: number;
}

export interface WorkerInit {
  model: ModelSpec;
  /** Navigation size (pixels). */
  pixels: number;
  /**
   * Spectra, pixels x channels, C order, in the signal's own dtype (read as
   * float64 one spectrum at a time): a uint16 cube stays a uint16 cube. A
   * SharedArrayBuffer-backed array (a file read with sharedMemory) is
   * shared, not copied, by worker threads.
   */
  data: NumericArray;
  /** How the noise variance is known; an `array` variance travels as float64. */
  variance: Variance;
  /** Starting values per component: pixels x slots, C order (the model's maps when the run starts). */
  maps: Float64Array[];
  /** Indices of the optional components (switched on and off per pixel by AICc). */
  optional: number[];
  goodness: GoodnessTestSpec;
  fit: WorkerFitOptions;
}

/**
 * Candidate starting values for one pixel. `components[c]`, when present,
 * holds for each slot of component c the list of candidate values (a local
 * strategy gives one per slot, a global strategy the most frequent values).
 * Components left out start from the worker's maps at that pixel.
 */
export interface PixelStart {
  components: ({ slots: number[][] } | null)[];
}

/** What a worker returns for one pixel. */
export interface PixelResult {
  pixel: number;
  /** Whether a fit passed the goodness test. */
  good: boolean;
  /** Every slot of every component (component order), the winning fit's values. */
  values: Float64Array;
  std: Float64Array;
  /** 1 per component that is on in the winning fit. */
  active: Uint8Array;
  chisq: number;
  dof: number;
  redChisq: number;
  /** Fits run for this pixel (subsets x candidates, plus the refit). */
  fits: number;
  /** Why the winning (or last) fit stopped. */
  status: string;
}
