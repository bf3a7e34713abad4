/**
 * A model parameter: current value(s), std, free flag, bounds and units, and
 * its map over the navigation space. HyperSpy's vocabulary (free, bmin,
 * bmax, std) so values carry over between the two programs.
 */
import type { ParameterSpec } from '../components/component.js';
import { createParameterMap, type ParameterMap } from './parameter-map.js';
import { compileTie, IDENTITY_TIE, type TieFunction } from './tie.js';

export interface ParameterSettings {
  value?: number | readonly number[];
  std?: number | readonly number[];
  free?: boolean;
  bmin?: number | null;
  bmax?: number | null;
  units?: string;
}

export class Parameter {
  readonly name: string;
  /** Number of values (1, or order + 1 for Polynomial coefficients). */
  readonly length: number;
  /** Name of the owning component, for messages ("g.sigma"). */
  componentName: string;
  readonly linear: boolean;
  /** Current values (the ones a fit starts from and writes). */
  readonly current: Float64Array;
  /** Current standard deviations (NaN when unknown). */
  readonly currentStd: Float64Array;
  units: string;
  #free: boolean;
  #twin: Parameter | null = null;
  #twinFunction: TieFunction | null = null;
  #twinInverse = '';
  readonly #tieScratch = new Float64Array(2);
  #bmin: number | null;
  #bmax: number | null;
  map: ParameterMap;

  constructor(spec: ParameterSpec, componentName: string, navigationSize: number) {
    this.name = spec.name;
    this.length = spec.length ?? 1;
    this.componentName = componentName;
    this.linear = spec.linear ?? false;
    this.current = new Float64Array(this.length).fill(spec.value ?? 0);
    this.currentStd = new Float64Array(this.length).fill(NaN);
    this.#free = spec.free ?? true;
    this.units = spec.units ?? '';
    this.#bmin = spec.bmin ?? null;
    this.#bmax = spec.bmax ?? null;
    this.map = createParameterMap(navigationSize, this.length);
  }

  /**
   * Whether fits vary it. A tied parameter is never free (as HyperSpy sets
   * `free = False` on a twin); untying gives back the flag set here.
   */
  get free(): boolean {
    return this.#free && this.#twin === null;
  }

  set free(v: boolean) {
    this.#free = v;
  }

  /** The parameter this one is tied to (HyperSpy's `twin`), or null. */
  get twin(): Parameter | null {
    return this.#twin;
  }

  /** The tie's formula in x, the master's value (HyperSpy's `twin_function_expr`; 'x' when untied). */
  get twinFunctionExpr(): string {
    return this.#twinFunction?.expression ?? IDENTITY_TIE;
  }

  /** The inverse formula, kept for HyperSpy (`twin_inverse_function_expr`; '' when not given). */
  get twinInverseFunctionExpr(): string {
    return this.#twinInverse;
  }

  /**
   * Ties this parameter to `master` by value = f(master value), f a formula
   * in x (default 'x': equal), or unties it (null). A tied parameter is not
   * free, follows its master before every evaluation, and passes the chain
   * rule to its master's Jacobian column when the master is free. Refuses
   * multi-valued parameters and ties that would close a cycle, naming the
   * parameters.
   */
  setTwin(master: Parameter | null, expression: string = IDENTITY_TIE, inverse = ''): void {
    if (master === null) {
      this.#twin = null;
      this.#twinFunction = null;
      this.#twinInverse = '';
      return;
    }
    if (this.length !== 1 || master.length !== 1) {
      const multi = this.length !== 1 ? this : master;
      throw new Error(
        `parameter '${this.fullName}' cannot be tied to '${master.fullName}': '${multi.fullName}' has ${multi.length} values; only single-valued parameters can be tied`,
      );
    }
    const chain = [this.fullName];
    for (let p: Parameter | null = master; p !== null; p = p.#twin) {
      chain.push(p.fullName);
      if (p === this) {
        throw new Error(
          `tying '${this.fullName}' to '${master.fullName}' would make a cycle: ${chain.join(' -> ')}`,
        );
      }
    }
    const fn = compileTie(expression, `tie of '${this.fullName}' to '${master.fullName}'`);
    if (inverse !== '') compileTie(inverse, `inverse tie of '${this.fullName}'`);
    this.#twin = master;
    this.#twinFunction = fn;
    this.#twinInverse = inverse;
    this.followTwin();
  }

  /**
   * Sets the current value from the master's (through the chain of ties).
   * A no-op when untied.
   */
  followTwin(): void {
    const master = this.#twin;
    if (master === null) return;
    master.followTwin();
    const out = this.#tieScratch;
    this.#twinFunction!.evaluate(master.current[0]!, out);
    if (Number.isFinite(out[0]!)) this.current[0] = out[0]!;
    this.currentStd[0] = Math.abs(out[1]!) * master.currentStd[0]!;
  }

  /** "component.parameter", as used in messages and look-ups. */
  get fullName(): string {
    return `${this.componentName}.${this.name}`;
  }

  /** The current value of a single-valued parameter (the first of a multi-valued one). */
  get value(): number {
    return this.current[0]!;
  }

  set value(v: number) {
    this.#checkValue(v);
    this.current.fill(v);
  }

  get std(): number {
    return this.currentStd[0]!;
  }

  get bmin(): number | null {
    return this.#bmin;
  }

  get bmax(): number | null {
    return this.#bmax;
  }

  set bmin(v: number | null) {
    this.#setBounds(v, this.#bmax);
  }

  set bmax(v: number | null) {
    this.#setBounds(this.#bmin, v);
  }

  /** Sets several attributes at once, checked together (bounds before value). */
  set(settings: ParameterSettings): this {
    if ('bmin' in settings || 'bmax' in settings) {
      this.#setBounds(
        settings.bmin === undefined ? this.#bmin : settings.bmin,
        settings.bmax === undefined ? this.#bmax : settings.bmax,
      );
    }
    if (settings.free !== undefined) this.free = settings.free;
    if (settings.units !== undefined) this.units = settings.units;
    if (settings.value !== undefined) this.setValues(settings.value);
    if (settings.std !== undefined) {
      const s = settings.std;
      if (typeof s === 'number') this.currentStd.fill(s);
      else this.#checkedCopy(s, this.currentStd, 'std');
    }
    return this;
  }

  setValues(value: number | readonly number[] | Float64Array): void {
    if (typeof value === 'number') {
      this.value = value;
      return;
    }
    for (const v of value) this.#checkValue(v);
    this.#checkedCopy(value, this.current, 'value');
  }

  /**
   * Copies the map's values at `pixel` into the current values (std too).
   * A pixel never stored or assigned (isSet 0) keeps the current values, so a
   * fit there starts from them rather than from zeros.
   */
  fetch(pixel: number): void {
    if (!this.map.isSet[pixel]) return;
    const o = pixel * this.length;
    for (let j = 0; j < this.length; j++) {
      this.current[j] = this.map.values[o + j]!;
      this.currentStd[j] = this.map.std[o + j]!;
    }
  }

  /** Stores the current values into the map at `pixel` and marks it set. */
  store(pixel: number): void {
    const o = pixel * this.length;
    for (let j = 0; j < this.length; j++) {
      this.map.values[o + j] = this.current[j]!;
      this.map.std[o + j] = this.currentStd[j]!;
    }
    this.map.isSet[pixel] = 1;
  }

  /** Copies the current values to every pixel of the map. */
  assignToAll(): void {
    const { values, std, isSet } = this.map;
    for (let pixel = 0; pixel < isSet.length; pixel++) {
      values.set(this.current, pixel * this.length);
      std.set(this.currentStd, pixel * this.length);
    }
    isSet.fill(1);
  }

  #setBounds(bmin: number | null, bmax: number | null): void {
    if (bmin !== null && Number.isNaN(bmin))
      throw new Error(`parameter '${this.fullName}': bmin is NaN`);
    if (bmax !== null && Number.isNaN(bmax))
      throw new Error(`parameter '${this.fullName}': bmax is NaN`);
    if (bmin !== null && bmax !== null && bmin > bmax) {
      throw new Error(`parameter '${this.fullName}': bmin ${bmin} is above bmax ${bmax}`);
    }
    this.#bmin = bmin;
    this.#bmax = bmax;
  }

  #checkValue(v: number): void {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(`parameter '${this.fullName}': value must be a finite number, got ${v}`);
    }
  }

  #checkedCopy(src: ArrayLike<number>, dst: Float64Array, what: string): void {
    if (src.length !== this.length) {
      throw new Error(
        `parameter '${this.fullName}': ${src.length} ${what}s given for ${this.length} elements`,
      );
    }
    for (let j = 0; j < this.length; j++) dst[j] = src[j]!;
  }
}
