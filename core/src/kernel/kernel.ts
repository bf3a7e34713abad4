/**
 * The per-pixel kernel: fits one pixel from plain data (WorkerInit), so the
 * same code runs in the engine's thread and in any worker. Built once per run
 * (component functions, fitting problem, optimiser, goodness test) and
 * reused for every pixel.
 *
 * Per pixel (see the algorithm note, "Fitting one pixel"):
 * 1. every optional component off; subsets of the optional components are
 *    tried from none to all;
 * 2. for each subset, the candidate starting values are tried in the order
 *    of their Cartesian product, stopping at the first fit that passes the
 *    goodness test;
 * 3. without optional components the first good fit is the answer; with
 *    them the good fit with the lowest AICc wins (aicc-choice.ts) and is
 *    refitted from its own result;
 * 4. no good fit: `good: false`.
 */
import { createComponentFunction } from '../components/index.js';
import '../kinds/index.js';
import { informationCriteria } from '../model/information-criteria.js';
import {
  isLossFunction,
  LOSS_FUNCTIONS,
  type LossFunction,
  type ModelProblem,
} from '../model/model-problem.js';
import { PixelFitter, type PixelFitOutcome } from '../model/pixel-fitter.js';
import { varianceAt } from '../model/signal.js';
import { readAsFloat64 } from '../model/dtype.js';
import { createOptimiser } from '../optimiser/index.js';
import type { Optimiser, OptimiserOptions } from '../optimiser/optimiser.js';
import type { TieSpec } from '../model/tie.js';
import type {
  ModelSpec,
  PixelResult,
  PixelStart,
  WorkerFitOptions,
  WorkerInit,
} from './protocol.js';
import { aiccWins } from './aicc-choice.js';
import type { FitStatistics, GoodnessTest } from '../goodness/goodness-test.js';
import { createGoodnessTest } from '../goodness/registry.js';
import { subsetsBySize } from './subsets.js';

/** Slot of parameter `pi` of component `ci` (a spec's parameters are consecutive slots). */
function specSlot(spec: ModelSpec, offsets: Int32Array, ci: number, pi: number): number {
  const c = spec.components[ci];
  if (!c || pi < 0 || pi >= c.parameters.length) {
    throw new Error(
      `worker init: a tie names parameter ${pi} of component ${ci}, which does not exist`,
    );
  }
  let s = offsets[ci]!;
  for (let k = 0; k < pi; k++) s += c.parameters[k]!.length;
  return s;
}

/** The spec's ties as slots of the fitting problem. */
function specTies(spec: ModelSpec, offsets: Int32Array): TieSpec[] {
  const ties: TieSpec[] = [];
  spec.components.forEach((c, ci) =>
    c.parameters.forEach((p, pi) => {
      if (!p.twin) return;
      ties.push({
        slot: specSlot(spec, offsets, ci, pi),
        master: specSlot(spec, offsets, p.twin.component, p.twin.parameter),
        expression: p.twin.expression,
      });
    }),
  );
  return ties;
}

function specSlotName(spec: ModelSpec, slot: number): string {
  let s = 0;
  for (const c of spec.components) {
    for (const p of c.parameters) {
      if (slot < s + p.length) return `'${c.name}.${p.name}'`;
      s += p.length;
    }
  }
  return `slot ${slot}`;
}

export interface PixelKernel {
  fit(pixel: number, start: PixelStart): PixelResult;
}

export function createKernel(init: WorkerInit): PixelKernel {
  return new SamfireKernel(init);
}

/**
 * SAMFire's starts are close to the answer (the neighbours' results), so its
 * fits use tolerances tuned for that unless the run says otherwise:
 * - ftol 1e-7 (MINPACK's 1.5e-8 otherwise): a relative chi-squared change of
 *   1e-7 is about 1e-4 in chi-squared units on a spectrum of 1000 channels,
 *   far below a change anyone could see in the parameters (1 sigma moves
 *   chi-squared by 1); it saves the last confirming iteration of many fits;
 * - initial damping 1e-3 (1 otherwise): from a near start the first step can
 *   be nearly the Gauss-Newton one; far starts still get damped by the
 *   rejected steps.
 * On the 32x32x1024 domain case these two cut the mean iterations per fit
 * from 5.4 to 4.5 (9 free parameters) and 4.3 to 3.5 (6), with the same
 * pixels fitted, the same components switched, and parameters within 1e-5.
 */
export const SAMFIRE_FTOL = 1e-7;
export const SAMFIRE_INITIAL_DAMPING = 1e-3;
/** Default cap on the candidate starts tried per subset (WorkerFitOptions.maxStarts). */
export const SAMFIRE_MAX_STARTS = 64;

function optimiserOptions(fit: WorkerFitOptions): OptimiserOptions {
  const out: OptimiserOptions = {
    ftol: SAMFIRE_FTOL,
    initialDamping: SAMFIRE_INITIAL_DAMPING,
  };
  if (fit.ftol !== undefined) out.ftol = fit.ftol;
  if (fit.xtol !== undefined) out.xtol = fit.xtol;
  if (fit.gtol !== undefined) out.gtol = fit.gtol;
  if (fit.maxEvaluations !== undefined) out.maxEvaluations = fit.maxEvaluations;
  if (fit.initialDamping !== undefined) out.initialDamping = fit.initialDamping;
  return out;
}

/** The best good fit so far (with optional components), kept to refit and as a fallback. */
interface Best {
  aicc: number;
  free: number;
  values: Float64Array;
  std: Float64Array;
  active: Uint8Array;
  outcome: PixelFitOutcome;
}

class SamfireKernel implements PixelKernel {
  readonly #init: WorkerInit;
  readonly #fitter: PixelFitter;
  readonly #problem: ModelProblem;
  readonly #optimiser: Optimiser;
  readonly #options: OptimiserOptions;
  readonly #bounded: boolean;
  readonly #loss: LossFunction;
  readonly #maxStarts: number;
  readonly #test: GoodnessTest;
  readonly #channels: number;
  readonly #sizes: Int32Array;
  readonly #hasOptional: boolean;
  /** Active flags per component, one vector per subset of the optional components. */
  readonly #subsets: Uint8Array[];
  readonly #variance: Float64Array;
  /** The spectrum being fitted, as float64 (the data may be of any dtype). */
  readonly #spectrum: Float64Array;
  readonly #digits: Int32Array;
  readonly #varying: Int32Array;
  readonly #stats: FitStatistics & {
    chisq: number;
    dof: number;
    redChisq: number;
    freeParameters: number;
  };

  constructor(init: WorkerInit) {
    const spec = init.model;
    const channels = spec.axis.size;
    if (init.data.length !== init.pixels * channels) {
      throw new Error(
        `worker init: ${init.data.length} data values for ${init.pixels} pixels of ${channels} channels`,
      );
    }
    if (init.maps.length !== spec.components.length) {
      throw new Error(
        `worker init: ${init.maps.length} maps for ${spec.components.length} components`,
      );
    }
    const fns = spec.components.map((c, ci) => {
      const fn = createComponentFunction(c.kind, c.options);
      const slots = c.parameters.reduce((n, p) => n + p.length, 0);
      if (fn.size !== slots) {
        throw new Error(
          `worker init: component '${c.name}' (${c.kind}) has ${fn.size} slots, its spec ${slots}`,
        );
      }
      if (init.maps[ci]!.length !== init.pixels * slots) {
        throw new Error(
          `worker init: map of component '${c.name}' has ${init.maps[ci]!.length} values, expected ${init.pixels} x ${slots}`,
        );
      }
      return fn;
    });
    this.#init = init;
    this.#channels = channels;
    this.#sizes = Int32Array.from(fns, (f) => f.size);
    this.#fitter = new PixelFitter(fns, spec.axis, spec.channelSwitches);
    const problem = this.#fitter.problem;
    this.#problem = problem;
    spec.components.forEach((c, ci) => {
      let s = problem.offsets[ci]!;
      for (const p of c.parameters) {
        for (let j = 0; j < p.length; j++, s++) {
          problem.free[s] = p.free && !p.twin ? 1 : 0;
          this.#fitter.lower[s] = p.bmin ?? -Infinity;
          this.#fitter.upper[s] = p.bmax ?? Infinity;
        }
      }
    });
    problem.setTies(specTies(spec, problem.offsets), (slot) => specSlotName(spec, slot));
    for (const o of init.optional) {
      if (!Number.isInteger(o) || o < 0 || o >= fns.length) {
        throw new Error(
          `worker init: no component at index ${o} to make optional (the model has ${fns.length})`,
        );
      }
    }
    const base = Uint8Array.from(spec.components, (c, ci) =>
      c.active && !init.optional.includes(ci) ? 1 : 0,
    );
    this.#hasOptional = init.optional.length > 0;
    this.#subsets = subsetsBySize([...new Set(init.optional)]).map((subset) => {
      const active = Uint8Array.from(base);
      for (const ci of subset) active[ci] = 1;
      return active;
    });
    this.#optimiser = createOptimiser(init.fit.optimizer ?? 'lm');
    const loss = init.fit.lossFunction ?? 'ls';
    if (!isLossFunction(loss)) {
      throw new Error(
        `worker init: unknown lossFunction '${String(loss)}' (known: ${LOSS_FUNCTIONS.join(', ')})`,
      );
    }
    if (loss === 'ML-poisson' && this.#optimiser.name !== 'lm') {
      throw new Error(
        `worker init: lossFunction 'ML-poisson' needs optimizer 'lm', not '${this.#optimiser.name}'`,
      );
    }
    this.#loss = loss;
    this.#options = optimiserOptions(init.fit);
    this.#bounded = init.fit.bounded ?? false;
    const maxStarts = init.fit.maxStarts ?? SAMFIRE_MAX_STARTS;
    if (!(maxStarts >= 1))
      throw new Error(`worker init: maxStarts must be at least 1, got ${maxStarts}`);
    this.#maxStarts = maxStarts;
    this.#test = createGoodnessTest(init.goodness);
    this.#variance = new Float64Array(channels);
    this.#spectrum = new Float64Array(channels);
    this.#digits = new Int32Array(problem.slots.length);
    this.#varying = new Int32Array(problem.slots.length);
    const fitter = this.#fitter;
    this.#stats = {
      chisq: NaN,
      dof: NaN,
      redChisq: NaN,
      freeParameters: 0,
      channels: problem.nResiduals,
      logLikelihood: () => fitter.logLikelihood(),
      deviance: () => fitter.deviance(),
    };
  }

  fit(pixel: number, start: PixelStart): PixelResult {
    const init = this.#init;
    if (!Number.isInteger(pixel) || pixel < 0 || pixel >= init.pixels) {
      throw new Error(`pixel ${pixel} is outside the navigation space (0 to ${init.pixels - 1})`);
    }
    const where = `pixel ${pixel}`;
    const n = this.#channels;
    const spectrum = this.#spectrum;
    readAsFloat64(init.data, pixel * n, n, spectrum);
    const weighted = varianceAt(init.variance, pixel, n, spectrum, this.#variance);
    this.#fitter.load(spectrum, weighted ? this.#variance : null, where);
    const lists = this.#candidates(pixel, start, where);
    let nVarying = 0;
    for (let s = 0; s < lists.length; s++) if (lists[s]!.length > 1) this.#varying[nVarying++] = s;

    const problem = this.#problem;
    let fits = 0;
    let last: PixelFitOutcome | null = null;
    let lastError: unknown = null;
    let best: Best | null = null;
    for (const active of this.#subsets) {
      problem.active.set(active);
      problem.configure();
      if (problem.nParams === 0) continue;
      this.#digits.fill(0);
      let starts = 0;
      do {
        if (starts++ >= this.#maxStarts) break;
        for (let s = 0; s < lists.length; s++) problem.slots[s] = lists[s]![this.#digits[s]!]!;
        let outcome: PixelFitOutcome;
        try {
          outcome = this.#run(where);
        } catch (e) {
          // A start the optimiser cannot use (a non-finite value, too few
          // channels for this subset): try the next one.
          lastError = e;
          continue;
        }
        fits++;
        last = outcome;
        if (!this.#isGood(outcome)) {
          // Only amplitudes free: the problem is convex with one minimum,
          // which this fit found; other starts would find it again.
          if (problem.affine && outcome.converged) break;
          continue;
        }
        if (!this.#hasOptional) return this.#result(pixel, outcome, true, fits);
        const ll = this.#fitter.logLikelihood();
        const aicc = informationCriteria(ll, outcome.nFree, problem.nResiduals).aicc;
        if (!best || aiccWins(aicc, outcome.nFree, best.aicc, best.free)) {
          best = {
            aicc,
            free: outcome.nFree,
            values: Float64Array.from(problem.slots),
            std: outcome.std,
            active: Uint8Array.from(problem.active),
            outcome,
          };
        }
        break;
      } while (this.#advance(lists, nVarying));
    }
    if (!best) {
      if (fits === 0 && lastError !== null) throw lastError;
      return this.#failed(pixel, last, fits);
    }
    // Refit the winner from its own result: the problem's state (and the std)
    // then belong to the chosen subset.
    problem.active.set(best.active);
    problem.configure();
    problem.slots.set(best.values);
    try {
      const outcome = this.#run(where);
      fits++;
      if (this.#isGood(outcome)) return this.#result(pixel, outcome, true, fits);
    } catch {
      // Keep the winner as it was.
    }
    return {
      pixel,
      good: true,
      values: best.values,
      std: best.std,
      active: best.active,
      chisq: best.outcome.chisq,
      dof: best.outcome.dof,
      redChisq: best.outcome.redChisq,
      fits,
      status: best.outcome.status,
    };
  }

  #run(where: string): PixelFitOutcome {
    const options = this.#options;
    // A fit stalled where the goodness test cannot pass is of no use: let
    // the optimiser give up on it (see OptimiserOptions.abandonAbove), when
    // the test's limit is on what the optimiser minimises.
    const limit = this.#loss === 'ML-poisson' ? this.#test.devianceLimit : this.#test.chisqLimit;
    if (limit) {
      const problem = this.#problem;
      options.abandonAbove = limit.call(this.#test, problem.nResiduals - problem.nParams);
    }
    return this.#fitter.run(this.#optimiser, this.#bounded, options, where, this.#loss);
  }

  #isGood(outcome: PixelFitOutcome): boolean {
    const stats = this.#stats;
    stats.chisq = outcome.chisq;
    stats.dof = outcome.dof;
    stats.redChisq = outcome.redChisq;
    stats.freeParameters = outcome.nFree;
    return this.#test.isGood(stats);
  }

  /** Next combination of candidates (an odometer over the slots with several); false when done. */
  #advance(lists: readonly number[][], nVarying: number): boolean {
    const digits = this.#digits;
    for (let k = nVarying - 1; k >= 0; k--) {
      const s = this.#varying[k]!;
      if (digits[s]! + 1 < lists[s]!.length) {
        digits[s]!++;
        return true;
      }
      digits[s] = 0;
    }
    return false;
  }

  /** Candidate values per slot: the strategy's, else the map's value at the pixel. */
  #candidates(pixel: number, start: PixelStart, where: string): number[][] {
    const init = this.#init;
    const lists: number[][] = [];
    init.model.components.forEach((c, ci) => {
      const size = this.#sizes[ci]!;
      const map = init.maps[ci]!;
      const given = start.components[ci] ?? null;
      if (given && given.slots.length !== size) {
        throw new Error(
          `${where}: starting values for component '${c.name}' have ${given.slots.length} slots, it has ${size}`,
        );
      }
      for (let j = 0; j < size; j++) {
        const list = given?.slots[j];
        lists.push(list && list.length > 0 ? list : [map[pixel * size + j]!]);
      }
    });
    return lists;
  }

  #result(pixel: number, outcome: PixelFitOutcome, good: boolean, fits: number): PixelResult {
    const problem = this.#problem;
    return {
      pixel,
      good,
      values: Float64Array.from(problem.slots),
      std: outcome.std,
      active: Uint8Array.from(problem.active),
      chisq: outcome.chisq,
      dof: outcome.dof,
      redChisq: outcome.redChisq,
      fits,
      status: outcome.status,
    };
  }

  #failed(pixel: number, last: PixelFitOutcome | null, fits: number): PixelResult {
    if (last) return this.#result(pixel, last, false, fits);
    const slots = this.#problem.slots.length;
    return {
      pixel,
      good: false,
      values: Float64Array.from(this.#problem.slots),
      std: new Float64Array(slots).fill(NaN),
      active: Uint8Array.from(this.#problem.active),
      chisq: NaN,
      dof: NaN,
      redChisq: NaN,
      fits,
      status: 'no-fit',
    };
  }
}
