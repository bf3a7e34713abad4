/**
 * A component in a model: a component function with a name, its parameters
 * (current values and maps) and its active state, everywhere or per pixel.
 */
import type { ComponentFunction } from '../components/component.js';
import { Parameter } from './parameter.js';

export class Component {
  readonly fn: ComponentFunction;
  readonly parameters: readonly Parameter[];
  /** Whether the component is on (at the current pixel when active is per pixel). */
  active = true;
  #name: string;
  #activeMap: Uint8Array | null = null;
  readonly #navigationSize: number;

  constructor(fn: ComponentFunction, name: string, navigationSize: number) {
    this.fn = fn;
    this.#name = name;
    this.#navigationSize = navigationSize;
    this.parameters = fn.parameters.map((spec) => new Parameter(spec, name, navigationSize));
  }

  get kind(): string {
    return this.fn.kind;
  }

  get name(): string {
    return this.#name;
  }

  /** Renaming goes through Model.rename, which keeps names unique. */
  setNameUnchecked(name: string): void {
    this.#name = name;
    for (const p of this.parameters) p.componentName = name;
  }

  /** Per-pixel on/off map (1 = on), or null when `active` holds everywhere. */
  get activeMap(): Uint8Array | null {
    return this.#activeMap;
  }

  get activeIsMultidimensional(): boolean {
    return this.#activeMap !== null;
  }

  /** Turning it on fills the map with the current `active`; off drops the map. */
  set activeIsMultidimensional(on: boolean) {
    if (on && !this.#activeMap) {
      this.#activeMap = new Uint8Array(this.#navigationSize).fill(this.active ? 1 : 0);
    } else if (!on) {
      this.#activeMap = null;
    }
  }

  setActiveMap(map: Uint8Array): void {
    if (map.length !== this.#navigationSize) {
      throw new Error(
        `component '${this.name}': active map has ${map.length} pixels, the navigation space ${this.#navigationSize}`,
      );
    }
    this.#activeMap = map;
  }

  isActiveAt(pixel: number): boolean {
    return this.#activeMap ? this.#activeMap[pixel] === 1 : this.active;
  }

  parameter(name: string): Parameter {
    const p = this.parameters.find((q) => q.name === name);
    if (!p) {
      throw new Error(
        `component '${this.name}' (${this.kind}) has no parameter '${name}' (it has ${this.parameters.map((q) => q.name).join(', ')})`,
      );
    }
    return p;
  }

  /** Loads the stored values (and the active flag, if per pixel) of `pixel`. */
  fetch(pixel: number): void {
    for (const p of this.parameters) p.fetch(pixel);
    if (this.#activeMap) this.active = this.#activeMap[pixel] === 1;
  }

  /** Stores the current values (and the active flag, if per pixel) at `pixel`. */
  store(pixel: number): void {
    for (const p of this.parameters) p.store(pixel);
    if (this.#activeMap) this.#activeMap[pixel] = this.active ? 1 : 0;
  }
}
