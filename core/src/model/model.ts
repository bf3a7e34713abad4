/**
 * A model: an ordered list of named components fitted to a signal, with the
 * per-pixel fit statistics (chisq, dof, redChisq; NaN where not fitted) and
 * the signal range (channel switches).
 */
import { createComponentFunction } from '../components/index.js';
import type { ComponentFunction } from '../components/component.js';
import { createOptimiser } from '../optimiser/index.js';
import type { Optimiser, OptimiserOptions, StopReason } from '../optimiser/optimiser.js';
import { axisBinWidths, axisValues, valueToIndex } from './axis.js';
import { Component } from './component.js';
import { informationCriteria, type InformationCriteria } from './information-criteria.js';
import type { Parameter } from './parameter.js';
import { isLossFunction, LOSS_FUNCTIONS, type LossFunction } from './model-problem.js';
import { PixelFitter, type PixelFitOutcome } from './pixel-fitter.js';
import type { Signal } from './signal.js';
import type { TieSpec } from './tie.js';

/**
 * The ties among `components`' parameters as slots of their fitting problem
 * (components' slots in order, each parameter's values consecutive). Throws
 * when a parameter is tied to one outside these components.
 */
export function tieSpecs(components: readonly Component[]): TieSpec[] {
  const slotOf = new Map<Parameter, number>();
  let s = 0;
  for (const c of components) {
    for (const p of c.parameters) {
      slotOf.set(p, s);
      s += p.length;
    }
  }
  const ties: TieSpec[] = [];
  for (const c of components) {
    for (const p of c.parameters) {
      const master = p.twin;
      if (master === null) continue;
      const m = slotOf.get(master);
      if (m === undefined) {
        throw new Error(
          `parameter '${p.fullName}' is tied to '${master.fullName}', which is not in this model`,
        );
      }
      ties.push({ slot: slotOf.get(p)!, master: m, expression: p.twinFunctionExpr });
    }
  }
  return ties;
}

/** "component.parameter" of each slot of `components` (for messages). */
export function slotNames(components: readonly Component[]): string[] {
  return components.flatMap((c) =>
    c.parameters.flatMap((p) =>
      p.length === 1
        ? [p.fullName]
        : Array.from({ length: p.length }, (_x, j) => `${p.fullName}[${j}]`),
    ),
  );
}

export interface FitOptions {
  /** 'lm' (the project's Levenberg-Marquardt) or 'mljs', or an Optimiser. @default 'lm' */
  optimizer?: string | Optimiser;
  /** Honour the parameters' bmin/bmax. @default false (as HyperSpy) */
  bounded?: boolean;
  /** Relative chi-squared reduction tolerance. @default 1.49012e-8 */
  ftol?: number;
  /** Relative step tolerance. @default 1.49012e-8 */
  xtol?: number;
  /** Gradient tolerance. @default 0 */
  gtol?: number;
  /** Cap on model evaluations. @default 100 * (free parameters + 1) */
  maxEvaluations?: number;
  /** Initial damping of `lm`. @default 1 */
  initialDamping?: number;
  /**
   * What to minimise: 'ls' the weighted sum of squares, 'ML-poisson' the
   * Poisson deviance of the counts (maximum likelihood, HyperSpy's
   * loss_function="ML-poisson"; optimizer 'lm' only; std from the Fisher
   * information). @default 'ls'
   */
  lossFunction?: LossFunction;
}

export interface FitResult {
  pixel: number;
  position: number[];
  chisq: number;
  dof: number;
  redChisq: number;
  status: StopReason;
  converged: boolean;
  message: string;
  evaluations: number;
  iterations: number;
  optimizer: string;
  lossFunction: LossFunction;
  /** Poisson deviance of the data under the fit (see poissonDeviance), whatever the loss. */
  deviance: number;
  /** Full names of the parameters that ended on a bound. */
  atBound: string[];
}

export interface ComponentInput {
  /** A registered kind (Gaussian, Lorentzian, ...) or a component function. */
  kind: string | ComponentFunction;
  name?: string;
  /** Options of the kind (Polynomial: order; Expression: expression). */
  options?: Readonly<Record<string, unknown>>;
}

export type SignalRangeUnit = 'value' | 'index';

export class Model {
  readonly signal: Signal;
  readonly chisq: Float64Array;
  readonly dof: Float64Array;
  readonly redChisq: Float64Array;
  /** 1 for each channel used in fits (the signal range). */
  readonly channelSwitches: Uint8Array;
  readonly #components: Component[] = [];
  #fitter: PixelFitter | null = null;
  readonly #optimisers = new Map<string, Optimiser>();
  readonly #spectrum: Float64Array;
  readonly #variance: Float64Array;

  constructor(signal: Signal, components: readonly (ComponentInput | ComponentFunction)[] = []) {
    this.signal = signal;
    const nav = signal.navigationSize;
    this.chisq = new Float64Array(nav).fill(NaN);
    this.dof = new Float64Array(nav).fill(NaN);
    this.redChisq = new Float64Array(nav).fill(NaN);
    this.channelSwitches = new Uint8Array(signal.channels).fill(1);
    this.#spectrum = new Float64Array(signal.channels);
    this.#variance = new Float64Array(signal.channels);
    for (const c of components) this.append(c);
  }

  get components(): readonly Component[] {
    return this.#components;
  }

  /** Adds a component; its name defaults to its kind, made unique with a suffix. */
  append(input: ComponentInput | ComponentFunction): Component {
    const spec: ComponentInput = 'evaluate' in input ? { kind: input } : input;
    const fn =
      typeof spec.kind === 'string'
        ? createComponentFunction(spec.kind, spec.options ?? {})
        : spec.kind;
    let name = spec.name;
    if (name === undefined) {
      name = fn.kind;
      for (let i = 1; this.#has(name); i++) name = `${fn.kind}_${i}`;
    } else {
      this.#checkName(name);
      const clash = this.#components.find((c) => c.name === name);
      if (clash) {
        throw new Error(
          `two components are named '${name}' (a ${clash.kind} and a new ${fn.kind}); rename one`,
        );
      }
    }
    const component = new Component(fn, name, this.signal.navigationSize);
    this.#components.push(component);
    this.#fitter = null;
    return component;
  }

  extend(inputs: readonly (ComponentInput | ComponentFunction)[]): Component[] {
    return inputs.map((c) => this.append(c));
  }

  /** Removes a component; parameters tied to its parameters are untied (keeping their values). */
  remove(ref: string | number): Component {
    const i = this.indexOf(ref);
    const [c] = this.#components.splice(i, 1);
    const gone = new Set<Parameter>(c!.parameters);
    for (const other of this.#components) {
      for (const p of other.parameters) if (p.twin !== null && gone.has(p.twin)) p.setTwin(null);
    }
    this.#fitter = null;
    return c!;
  }

  /**
   * Ties parameter `tied` to `master` (full names "component.parameter" or
   * Parameters of this model): tied = f(master), f a formula in x (default
   * 'x'). See Parameter.setTwin. `inverse` is kept for HyperSpy files.
   */
  tie(tied: string | Parameter, master: string | Parameter, expression = 'x', inverse = ''): void {
    const p = typeof tied === 'string' ? this.parameter(tied) : tied;
    const m = typeof master === 'string' ? this.parameter(master) : master;
    if (!this.parameters.includes(m)) {
      throw new Error(
        `parameter '${m.fullName}' is not in this model; tie to one of its parameters`,
      );
    }
    p.setTwin(m, expression, inverse);
  }

  /** Unties a parameter (it keeps its current value and becomes as free as it was before the tie). */
  untie(tied: string | Parameter): void {
    (typeof tied === 'string' ? this.parameter(tied) : tied).setTwin(null);
  }

  /** Sets every tied parameter's current value from its master's. */
  followTwins(): void {
    for (const c of this.#components) for (const p of c.parameters) p.followTwin();
  }

  rename(ref: string | number, name: string): void {
    const c = this.component(ref);
    if (c.name === name) return;
    this.#checkName(name);
    if (this.#has(name))
      throw new Error(`a component is already named '${name}'; choose another name`);
    c.setNameUnchecked(name);
  }

  /** Index of a component by name or index; errors name what was asked. */
  indexOf(ref: string | number): number {
    if (typeof ref === 'number') {
      if (!Number.isInteger(ref) || ref < 0 || ref >= this.#components.length) {
        throw new Error(`no component at index ${ref} (the model has ${this.#components.length})`);
      }
      return ref;
    }
    const i = this.#components.findIndex((c) => c.name === ref);
    if (i < 0) {
      throw new Error(
        `no component named '${ref}' (the model has ${this.#components.map((c) => `'${c.name}'`).join(', ') || 'none'})`,
      );
    }
    return i;
  }

  component(ref: string | number): Component {
    return this.#components[this.indexOf(ref)]!;
  }

  /** A parameter by "component.parameter". */
  parameter(fullName: string): Parameter {
    const dot = fullName.lastIndexOf('.');
    if (dot <= 0) throw new Error(`parameter '${fullName}': expected 'component.parameter'`);
    return this.component(fullName.slice(0, dot)).parameter(fullName.slice(dot + 1));
  }

  /** Every parameter of every component, in order. */
  get parameters(): Parameter[] {
    return this.#components.flatMap((c) => [...c.parameters]);
  }

  // --- signal range ---------------------------------------------------------

  /** Fit only channels between `start` and `end` (inclusive; axis values by default). */
  setSignalRange(start: number, end: number, unit: SignalRangeUnit = 'value'): void {
    this.channelSwitches.fill(0);
    this.addSignalRange(start, end, unit);
  }

  addSignalRange(start: number, end: number, unit: SignalRangeUnit = 'value'): void {
    this.#switchRange(start, end, unit, 1);
  }

  removeSignalRange(start: number, end: number, unit: SignalRangeUnit = 'value'): void {
    this.#switchRange(start, end, unit, 0);
  }

  resetSignalRange(): void {
    this.channelSwitches.fill(1);
    this.#fitter = null;
  }

  /** Replace the channel switches (one per channel). */
  setChannelSwitches(switches: ArrayLike<number | boolean>): void {
    if (switches.length !== this.channelSwitches.length) {
      throw new Error(
        `signal range: ${switches.length} channel switches for ${this.channelSwitches.length} channels`,
      );
    }
    for (let i = 0; i < switches.length; i++) this.channelSwitches[i] = switches[i] ? 1 : 0;
    this.#fitter = null;
  }

  get fittedChannels(): number {
    let n = 0;
    for (const s of this.channelSwitches) n += s;
    return n;
  }

  // --- stored values ----------------------------------------------------------

  /** Loads every parameter's stored values (and per-pixel active flags) at `pixel`. */
  fetchStoredValues(pixel: number | readonly number[]): void {
    const p = this.#pixel(pixel);
    for (const c of this.#components) c.fetch(p);
    this.followTwins();
  }

  /** Stores the current values (and per-pixel active flags) at `pixel`. */
  storeCurrentValues(pixel: number | readonly number[]): void {
    const p = this.#pixel(pixel);
    for (const c of this.#components) c.store(p);
  }

  /**
   * Runs `fn` with the stored values of `pixel` loaded as the current ones,
   * then puts the current values, std and active flags back: a look at a
   * pixel with no visible side effect on the model.
   */
  atStoredValues<T>(pixel: number, fn: () => T): T {
    const saved = this.#components.map((c) => ({
      active: c.active,
      values: c.parameters.map(
        (p) => [Float64Array.from(p.current), Float64Array.from(p.currentStd)] as const,
      ),
    }));
    try {
      this.fetchStoredValues(pixel);
      return fn();
    } finally {
      this.#components.forEach((c, ci) => {
        const s = saved[ci]!;
        c.active = s.active;
        c.parameters.forEach((p, pi) => {
          p.current.set(s.values[pi]![0]);
          p.currentStd.set(s.values[pi]![1]);
        });
      });
    }
  }

  /** Copies the current values of every parameter to every pixel. */
  assignCurrentValuesToAll(): void {
    this.followTwins();
    for (const c of this.#components) for (const p of c.parameters) p.assignToAll();
  }

  // --- evaluation ------------------------------------------------------------

  /** The model at the current values on every channel of the signal axis. */
  evaluate(out: Float64Array = new Float64Array(this.signal.channels)): Float64Array {
    out.fill(0);
    const tmp = new Float64Array(this.signal.channels);
    for (let i = 0; i < this.#components.length; i++) {
      if (!this.#components[i]!.active) continue;
      this.evaluateComponent(i, tmp);
      for (let j = 0; j < out.length; j++) out[j] = out[j]! + tmp[j]!;
    }
    return out;
  }

  /** One component at its current values on every channel (binned scale included). */
  evaluateComponent(
    ref: string | number,
    out: Float64Array = new Float64Array(this.signal.channels),
  ): Float64Array {
    const c = this.component(ref);
    for (const par of c.parameters) par.followTwin();
    const axis = this.signal.signalAxis;
    const x = axisValues(axis);
    const p = new Float64Array(c.fn.size);
    let k = 0;
    for (const par of c.parameters) {
      p.set(par.current, k);
      k += par.length;
    }
    c.fn.evaluate(x, x.length, p, out);
    if (axis.isBinned) {
      const widths = axisBinWidths(axis);
      for (let j = 0; j < out.length; j++) out[j] = out[j]! * widths[j]!;
    }
    return out;
  }

  // --- fitting ---------------------------------------------------------------

  /**
   * Fits the pixel from the current values, then stores the result in the
   * parameter maps and the chisq, dof and redChisq maps. Throws, naming the
   * pixel, on data or settings that cannot be fitted.
   */
  fit(pixel: number | readonly number[] = 0, options: FitOptions = {}): FitResult {
    const index = this.#pixel(pixel);
    const position = this.signal.pixelPosition(index);
    const where = `pixel (${position.join(', ')})`;
    const fitter = this.#pixelFitter();
    const spectrum = this.signal.readSpectrum(index, this.#spectrum);
    const weighted = this.signal.readVariance(index, spectrum, this.#variance);
    fitter.load(spectrum, weighted ? this.#variance : null, where);
    this.#loadSlots(fitter, where);
    const optimiser = this.#optimiser(options.optimizer ?? 'lm');
    const loss = options.lossFunction ?? 'ls';
    if (!isLossFunction(loss)) {
      throw new Error(
        `fit: unknown lossFunction '${String(loss)}' (known: ${LOSS_FUNCTIONS.join(', ')})`,
      );
    }
    const outcome = fitter.run(
      optimiser,
      options.bounded ?? false,
      this.#optimiserOptions(options),
      where,
      loss,
    );
    const deviance = fitter.deviance();
    this.#readSlots(fitter, outcome);
    this.storeCurrentValues(index);
    this.chisq[index] = outcome.chisq;
    this.dof[index] = outcome.dof;
    this.redChisq[index] = outcome.redChisq;
    return {
      pixel: index,
      position,
      chisq: outcome.chisq,
      dof: outcome.dof,
      redChisq: outcome.redChisq,
      status: outcome.status,
      converged: outcome.converged,
      message: outcome.message,
      evaluations: outcome.evaluations,
      iterations: outcome.iterations,
      optimizer: optimiser.name,
      lossFunction: loss,
      deviance,
      atBound: this.#boundNames(outcome),
    };
  }

  /**
   * AIC, AICc and BIC at `pixel` from the Poisson log-likelihood of its data
   * under the model at the current values (k = free parameters + 1).
   */
  informationCriteria(pixel: number | readonly number[] = 0): InformationCriteria {
    const fitter = this.#fitterAtCurrentValues(pixel);
    return informationCriteria(
      fitter.logLikelihood(),
      fitter.problem.nParams,
      fitter.problem.nResiduals,
    );
  }

  /**
   * Poisson deviance at `pixel` of its data under the model at the current
   * values (see poissonDeviance): about its degrees of freedom for a good
   * fit to counts.
   */
  deviance(pixel: number | readonly number[] = 0): number {
    return this.#fitterAtCurrentValues(pixel).deviance();
  }

  /** The pixel fitter loaded with `pixel`'s data (unweighted) and the current values. */
  #fitterAtCurrentValues(pixel: number | readonly number[]): PixelFitter {
    const index = this.#pixel(pixel);
    const where = `pixel (${this.signal.pixelPosition(index).join(', ')})`;
    const fitter = this.#pixelFitter();
    const spectrum = this.signal.readSpectrum(index, this.#spectrum);
    fitter.load(spectrum, null, where);
    this.#loadSlots(fitter, where);
    return fitter;
  }

  /** Number of free parameter values of the active components. */
  get freeParameterCount(): number {
    let n = 0;
    for (const c of this.#components) {
      if (!c.active) continue;
      for (const p of c.parameters) if (p.free) n += p.length;
    }
    return n;
  }

  // --- internals ---------------------------------------------------------------

  #pixelFitter(): PixelFitter {
    if (!this.#fitter) {
      if (this.fittedChannels === 0)
        throw new Error('signal range: no channel is switched on for fitting');
      this.#fitter = new PixelFitter(
        this.#components.map((c) => c.fn),
        this.signal.signalAxis,
        this.channelSwitches,
      );
    }
    return this.#fitter;
  }

  #optimiser(choice: string | Optimiser): Optimiser {
    if (typeof choice !== 'string') return choice;
    let o = this.#optimisers.get(choice);
    if (!o) {
      o = createOptimiser(choice);
      this.#optimisers.set(choice, o);
    }
    return o;
  }

  #optimiserOptions(options: FitOptions): OptimiserOptions {
    const { ftol, xtol, gtol, maxEvaluations, initialDamping } = options;
    const out: OptimiserOptions = {};
    if (ftol !== undefined) out.ftol = ftol;
    if (xtol !== undefined) out.xtol = xtol;
    if (gtol !== undefined) out.gtol = gtol;
    if (maxEvaluations !== undefined) out.maxEvaluations = maxEvaluations;
    if (initialDamping !== undefined) out.initialDamping = initialDamping;
    return out;
  }

  /** Current values, active flags, free flags and bounds into the fitter's problem. */
  #loadSlots(fitter: PixelFitter, where: string): void {
    const problem = fitter.problem;
    this.#components.forEach((c, ci) => {
      problem.active[ci] = c.active ? 1 : 0;
      let s = problem.offsets[ci]!;
      for (const p of c.parameters) {
        for (let j = 0; j < p.length; j++, s++) {
          const v = p.current[j]!;
          if (c.active && p.free && !Number.isFinite(v)) {
            throw new Error(
              `${where}: parameter '${p.fullName}' starts at ${v}; give it a finite value`,
            );
          }
          problem.slots[s] = v;
          problem.free[s] = p.free ? 1 : 0;
          fitter.lower[s] = p.bmin ?? -Infinity;
          fitter.upper[s] = p.bmax ?? Infinity;
        }
      }
    });
    const ties = tieSpecs(this.#components);
    // No ties before or now (the common case): nothing to set up.
    if (ties.length > 0 || problem.ties.length > 0)
      problem.setTies(ties, (slot) => `'${this.#slotNames()[slot]}'`);
    problem.configure();
  }

  #slotNames(): string[] {
    return slotNames(this.#components);
  }

  #readSlots(fitter: PixelFitter, outcome: PixelFitOutcome): void {
    const problem = fitter.problem;
    this.#components.forEach((c, ci) => {
      let s = problem.offsets[ci]!;
      for (const p of c.parameters) {
        for (let j = 0; j < p.length; j++, s++) {
          p.current[j] = problem.slots[s]!;
          p.currentStd[j] = c.active && (p.free || p.twin !== null) ? outcome.std[s]! : NaN;
        }
      }
    });
  }

  #boundNames(outcome: PixelFitOutcome): string[] {
    const names: string[] = [];
    const problem = this.#pixelFitter().problem;
    this.#components.forEach((c, ci) => {
      let s = problem.offsets[ci]!;
      for (const p of c.parameters) {
        for (let j = 0; j < p.length; j++, s++) {
          if (outcome.atBound[s]) names.push(p.length > 1 ? `${p.fullName}[${j}]` : p.fullName);
        }
      }
    });
    return names;
  }

  #pixel(pixel: number | readonly number[]): number {
    if (typeof pixel === 'number') {
      this.signal.checkPixel(pixel);
      return pixel;
    }
    return this.signal.pixelIndex(pixel);
  }

  #has(name: string): boolean {
    return this.#components.some((c) => c.name === name);
  }

  #checkName(name: string): void {
    if (typeof name !== 'string' || name.length === 0)
      throw new Error('a component name must be a non-empty string');
    if (name.includes('.'))
      throw new Error(
        `component name '${name}' must not contain '.' (it separates component and parameter)`,
      );
  }

  #switchRange(start: number, end: number, unit: SignalRangeUnit, on: 0 | 1): void {
    const axis = this.signal.signalAxis;
    if (!Number.isFinite(start) || !Number.isFinite(end))
      throw new Error(`signal range: bounds must be finite, got ${start} to ${end}`);
    let i0: number;
    let i1: number;
    if (unit === 'index') {
      i0 = Math.max(0, Math.min(axis.size - 1, Math.round(start)));
      i1 = Math.max(0, Math.min(axis.size - 1, Math.round(end)));
    } else {
      i0 = valueToIndex(axis, start);
      i1 = valueToIndex(axis, end);
    }
    if (i0 > i1) [i0, i1] = [i1, i0];
    this.channelSwitches.fill(on, i0, i1 + 1);
    this.#fitter = null;
  }
}
