/**
 * A model parameter: current value(s), std, free flag, bounds and units, and
 * its map over the navigation space. HyperSpy's vocabulary (free, bmin,
 * bmax, std) so values carry over between the two programs.
 */
import type { ParameterSpec } from '../components/component.js';
import { createParameterMap, type ParameterMap } from './parameter-map.js';

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
  free: boolean;
  units: string;
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
    this.free = spec.free ?? true;
    this.units = spec.units ?? '';
    this.#bmin = spec.bmin ?? null;
    this.#bmax = spec.bmax ?? null;
    this.map = createParameterMap(navigationSize, this.length);
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
