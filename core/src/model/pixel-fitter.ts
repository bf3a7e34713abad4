/**
 * Fits one pixel: loads its spectrum and variance onto the fitted channels,
 * runs an optimiser on the model problem and reports the outcome. Works on
 * plain data (component functions, axis, channel switches), so the same code
 * runs in Model.fit and in SAMFire's workers.
 */
import type { ComponentFunction } from '../components/component.js';
import type { Optimiser, OptimiserOptions, StopReason } from '../optimiser/optimiser.js';
import { axisBinWidths, axisValues, type AxisSpec } from './axis.js';
import { poissonDeviance, poissonLogLikelihood } from './information-criteria.js';
import { ModelProblem, type LossFunction } from './model-problem.js';

export interface PixelFitOutcome {
  /**
   * Chi-squared with the loaded variance (1 / sigma weights; unit variance
   * when unweighted), whatever the loss: what HyperSpy stores as chisq.
   */
  chisq: number;
  /** Fitted channels minus free parameters. */
  dof: number;
  redChisq: number;
  /** Number of free parameters fitted. */
  nFree: number;
  status: StopReason;
  converged: boolean;
  message: string;
  evaluations: number;
  iterations: number;
  /**
   * Std per slot (NaN for fixed slots or a singular covariance): from the
   * covariance scaled by sqrt(redChisq) for least squares (as HyperSpy), from
   * the inverse Fisher information (the Poisson variance is known, nothing
   * to scale) for ML-poisson.
   */
  std: Float64Array;
  /** What the fit minimised. */
  loss: LossFunction;
  /** 1 per slot that ended on a bound. */
  atBound: Uint8Array;
}

export class PixelFitter {
  readonly problem: ModelProblem;
  /** Indices of the fitted channels. */
  readonly channelIndex: Int32Array;
  readonly #lower: Float64Array;
  readonly #upper: Float64Array;
  readonly #start: Float64Array;
  readonly #freeLower: Float64Array;
  readonly #freeUpper: Float64Array;
  readonly #model: Float64Array;

  constructor(
    components: readonly ComponentFunction[],
    axis: AxisSpec,
    channelSwitches: Uint8Array,
  ) {
    if (channelSwitches.length !== axis.size) {
      throw new Error(
        `signal range: ${channelSwitches.length} channel switches for ${axis.size} channels`,
      );
    }
    const all = axisValues(axis);
    const idx: number[] = [];
    for (let i = 0; i < axis.size; i++) if (channelSwitches[i]) idx.push(i);
    this.channelIndex = Int32Array.from(idx);
    const x = Float64Array.from(idx, (i) => all[i]!);
    // Binned: the model times the bin width (per channel on a non-uniform axis).
    let scale: number | Float64Array = 1;
    if (axis.isBinned) {
      if (axis.values) {
        const widths = axisBinWidths(axis);
        scale = Float64Array.from(idx, (i) => widths[i]!);
      } else scale = axis.scale;
    }
    this.problem = new ModelProblem(components, x, scale);
    const slots = this.problem.slots.length;
    this.#lower = new Float64Array(slots);
    this.#upper = new Float64Array(slots);
    this.#start = new Float64Array(slots);
    this.#freeLower = new Float64Array(slots);
    this.#freeUpper = new Float64Array(slots);
    this.#model = new Float64Array(x.length);
  }

  /** Lower and upper bound per slot (set by the caller before `run` when bounded). */
  get lower(): Float64Array {
    return this.#lower;
  }

  get upper(): Float64Array {
    return this.#upper;
  }

  /**
   * Loads a pixel's spectrum and variance (full signal axis; variance null for
   * an unweighted fit). Throws, naming `where` and the channel, on data that
   * cannot be fitted.
   */
  load(spectrum: Float64Array, variance: Float64Array | null, where: string): void {
    const { y, w } = this.problem;
    const idx = this.channelIndex;
    for (let j = 0; j < idx.length; j++) {
      const c = idx[j]!;
      const v = spectrum[c]!;
      if (!Number.isFinite(v))
        throw new Error(
          `${where}: data at channel ${c} is ${v}; fix the data or exclude the channel from the signal range`,
        );
      y[j] = v;
      if (variance) {
        const s2 = variance[c]!;
        if (!(s2 > 0) || !Number.isFinite(s2)) {
          throw new Error(
            `${where}: variance at channel ${c} is ${s2}; variances must be positive and finite`,
          );
        }
        w[j] = 1 / Math.sqrt(s2);
      } else {
        w[j] = 1;
      }
    }
  }

  /**
   * Fits from the problem's current slots (active and free set, `configure`d
   * by the caller); on return the slots hold the result.
   */
  run(
    optimiser: Optimiser,
    bounded: boolean,
    options: OptimiserOptions,
    where: string,
    loss: LossFunction = 'ls',
  ): PixelFitOutcome {
    const problem = this.problem;
    if (problem.loss !== loss) problem.loss = loss;
    const poisson = loss === 'ML-poisson';
    if (poisson) this.#checkCounts(where);
    const nFree = problem.nParams;
    const m = problem.nResiduals;
    if (nFree === 0) throw new Error(`${where}: the model has no free parameters to fit`);
    const dof = m - nFree;
    if (dof <= 0) {
      throw new Error(
        `${where}: ${m} fitted channels cannot determine ${nFree} free parameters (dof = ${dof} <= 0); widen the signal range or fix parameters`,
      );
    }
    const free = problem.freeSlots;
    const start = this.#start.subarray(0, nFree);
    problem.readFree(start);
    for (let k = 0; k < nFree; k++) {
      if (!Number.isFinite(start[k]!))
        throw new Error(`${where}: free parameter slot ${free[k]} starts at ${start[k]}`);
    }
    let lower: Float64Array | null = null;
    let upper: Float64Array | null = null;
    if (bounded) {
      // Views on buffers kept from fit to fit: no allocation per pixel.
      lower = this.#freeLower.subarray(0, nFree);
      upper = this.#freeUpper.subarray(0, nFree);
      for (let k = 0; k < nFree; k++) {
        lower[k] = this.#lower[free[k]!]!;
        upper[k] = this.#upper[free[k]!]!;
      }
    }
    const result = optimiser.fit(problem, start, { ...options, lower, upper });
    problem.writeFree(result.params);
    const chisq = poisson ? this.#chisq() : result.chisq;
    const redChisq = chisq / dof;
    const std = new Float64Array(problem.slots.length).fill(NaN);
    const atBound = new Uint8Array(problem.slots.length);
    // Least squares: the covariance scaled by the reduced chi-squared, as
    // HyperSpy reports std. ML-poisson: the inverse Fisher information as it is.
    const factor = poisson ? 1 : Math.sqrt(redChisq);
    for (let k = 0; k < nFree; k++) {
      std[free[k]!] = result.std[k]! * factor;
      atBound[free[k]!] = result.atBound[k]!;
    }
    problem.tiedStd(std);
    return {
      chisq,
      dof,
      redChisq,
      nFree,
      status: result.status,
      converged: result.converged,
      message: result.message,
      evaluations: result.evaluations,
      iterations: result.iterations,
      std,
      loss,
      atBound,
    };
  }

  /** ML-poisson needs counts: throws, naming `where` and the channel, on negative data. */
  #checkCounts(where: string): void {
    const { y } = this.problem;
    for (let j = 0; j < y.length; j++) {
      if (y[j]! < 0) {
        throw new Error(
          `${where}: data at channel ${this.channelIndex[j]} is ${y[j]}; a Poisson (ML-poisson) fit needs counts >= 0`,
        );
      }
    }
  }

  /** Chi-squared of the loaded data and weights under the model at the current slots. */
  #chisq(): number {
    const model = this.#model;
    this.problem.evaluateModel(model);
    const { y, w } = this.problem;
    let s = 0;
    for (let i = 0; i < y.length; i++) {
      const r = (model[i]! - y[i]!) * w[i]!;
      s += r * r;
    }
    return s;
  }

  /** Poisson deviance of the loaded data under the model at the current slots (see poissonDeviance). */
  deviance(): number {
    this.problem.evaluateModel(this.#model);
    return poissonDeviance(this.problem.y, this.#model, this.problem.nResiduals);
  }

  /** Poisson log-likelihood of the loaded data under the model at the current slots. */
  logLikelihood(): number {
    this.problem.evaluateModel(this.#model);
    return poissonLogLikelihood(this.problem.y, this.#model, this.problem.nResiduals);
  }
}
