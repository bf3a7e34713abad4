/**
 * Local (diffusion) strategies: neighbouring pixels are alike. Each good
 * pixel p spreads decay(weight(p)) * decay(distance) of priority onto every
 * unfitted neighbour within the radii, and a pixel starts from the weighted
 * mean of its good neighbours' values.
 */
import type { PixelStart } from '../../../pool/protocol.js';
import { clearCandidates, clearRunning, FITTED, overwriteFitted } from '../../marker.js';
import type { Weight } from '../../weights/weight.js';
import { Strategy, type MarkerPlot, type StrategyFlavour } from '../strategy.js';
import type { Json } from '../../json.js';
import { Neighbourhood } from './neighbourhood.js';

export abstract class LocalStrategy extends Strategy {
  readonly flavour: StrategyFlavour = 'local';
  abstract readonly weight: Weight;
  #radii: number | readonly number[];
  #hood: Neighbourhood | null = null;
  #pixels = new Int32Array(0);
  #which = new Int32Array(0);
  #decayed = new Float64Array(0);

  constructor(name: string, radii: number | readonly number[]) {
    super(name);
    this.#radii = LocalStrategy.#checkRadii(radii);
  }

  /** One radius per navigation dimension, or one for all. */
  get radii(): number | readonly number[] {
    return this.#radii;
  }

  set radii(value: number | readonly number[]) {
    this.#radii = LocalStrategy.#checkRadii(value);
    this.#hood = null;
  }

  /** Turns a distance or a weight into a factor in (0, 1]; exp(-x) unless overridden. */
  decay(x: number): number {
    return Math.exp(-x);
  }

  /**
   * decay(weight) of a fitted pixel. A fitted pixel without a stored
   * statistic (given by hand to refresh) counts as a perfect fit rather than
   * spreading NaN through the marker.
   */
  protected weightFactor(pixel: number): number {
    const w = this.weight.value(this.host.model, pixel);
    return this.decay(Number.isFinite(w) ? w : 0);
  }

  /** The neighbourhood for the host's navigation shape, rebuilt when radii or shape change. */
  protected neighbourhood(): Neighbourhood {
    const shape = this.host.model.signal.navigationShape;
    const hood = this.#hood;
    if (hood && hood.shape.length === shape.length && shape.every((n, d) => hood.shape[d] === n))
      return hood;
    const r = this.#radii;
    const radii = typeof r === 'number' ? shape.map(() => r) : [...r];
    if (radii.length !== shape.length) {
      throw new Error(
        `strategy '${this.name}': ${radii.length} radii for ${shape.length} navigation dimensions; give one per dimension or a single number`,
      );
    }
    const next = new Neighbourhood(shape, radii);
    this.#hood = next;
    this.#pixels = new Int32Array(next.size);
    this.#which = new Int32Array(next.size);
    this.#decayed = Float64Array.from(next.distance, (d) => this.decay(d));
    return next;
  }

  update(pixel: number, isGood: boolean): void {
    const host = this.host;
    const { marker } = host;
    if (!isGood) {
      marker[pixel] = 0;
      return;
    }
    this.#spread(pixel, this.weightFactor(pixel));
    // Every pixel being fitted holds 0, whatever was written into the marker
    // since it was picked (HyperSpy 1.7.3 resets them all, neighbours or not).
    for (const q of host.running) marker[q] = 0;
    marker[pixel] = FITTED;
  }

  refresh(overwrite: boolean, given: Uint8Array | null = null): void {
    const host = this.host;
    const marker = this.markerFor(given);
    if (overwrite) overwriteFitted(marker, given);
    else clearCandidates(marker, given);
    const running = Uint8Array.from(marker, (_, p) => (host.isRunning(p) ? 1 : 0));
    clearRunning(marker, running);
    let sources = 0;
    let targets = 0;
    for (let p = 0; p < marker.length; p++) {
      if (marker[p] === FITTED) sources++;
      else if (marker[p]! >= 0 && !running[p]) targets++;
    }
    // Spreading from the fitted pixels and gathering into the unfitted ones
    // give the same marker: do whichever visits fewer pixels.
    if (sources <= targets) {
      for (let p = 0; p < marker.length; p++)
        if (marker[p] === FITTED) this.#spread(p, this.weightFactor(p));
    } else {
      this.#gather(running);
    }
  }

  /** marker[q] += factor * decay(dist(p, q)) for unfitted neighbours q not being fitted. */
  #spread(pixel: number, factor: number): void {
    const host = this.host;
    const { marker } = host;
    const hood = this.neighbourhood();
    const n = hood.collect(pixel, this.#pixels, this.#which);
    for (let j = 0; j < n; j++) {
      const q = this.#pixels[j]!;
      if (marker[q]! >= 0 && !host.isRunning(q)) {
        marker[q] = marker[q]! + factor * this.#decayed[this.#which[j]!]!;
        if (marker[q]! > 0) host.raised?.(q);
      }
    }
  }

  #gather(running: Uint8Array): void {
    const { marker } = this.host;
    const hood = this.neighbourhood();
    const factor = new Float64Array(marker.length);
    for (let p = 0; p < marker.length; p++)
      if (marker[p] === FITTED) factor[p] = this.weightFactor(p);
    for (let q = 0; q < marker.length; q++) {
      if (marker[q]! < 0 || running[q]) continue;
      const n = hood.collect(q, this.#pixels, this.#which);
      let sum = 0;
      for (let j = 0; j < n; j++) {
        const p = this.#pixels[j]!;
        if (marker[p] === FITTED) sum += factor[p]! * this.#decayed[this.#which[j]!]!;
      }
      marker[q] = sum;
    }
  }

  /**
   * For each active component, the weighted mean of each free parameter over
   * the neighbours that are fitted (marker -1) and where the component is on,
   * weight decay(distance) * decay(weight). Fixed parameters keep the
   * pixel's own value (its map's, or the current one where the map is not
   * set). Components with no such neighbour are left out.
   */
  values(pixel: number): PixelStart {
    const { model, marker } = this.host;
    const hood = this.neighbourhood();
    const n = hood.collect(pixel, this.#pixels, this.#which);
    const w = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const q = this.#pixels[j]!;
      w[j] = marker[q] === FITTED ? this.#decayed[this.#which[j]!]! * this.weightFactor(q) : 0;
    }
    const components = model.components.map((c) => {
      const active = c.activeMap;
      // Off everywhere: no values to start from (only active components belong here).
      if (!active && !c.active) return null;
      let total = 0;
      for (let j = 0; j < n; j++)
        if (w[j]! > 0 && (!active || active[this.#pixels[j]!])) total += w[j]!;
      if (!(total > 0)) return null;
      const slots: number[][] = [];
      for (const p of c.parameters) {
        const len = p.length;
        const values = p.map.values;
        for (let k = 0; k < len; k++) {
          if (!p.free) {
            slots.push([p.map.isSet[pixel] ? values[pixel * len + k]! : p.current[k]!]);
            continue;
          }
          let sum = 0;
          for (let j = 0; j < n; j++) {
            const q = this.#pixels[j]!;
            if (w[j]! > 0 && (!active || active[q])) sum += w[j]! * values[q * len + k]!;
          }
          slots.push([sum / total]);
        }
      }
      return { slots };
    });
    return { components };
  }

  clean(): void {
    // The marker is the whole state of a local strategy.
  }

  plotData(): MarkerPlot {
    const { model, marker } = this.host;
    return {
      kind: 'marker',
      strategy: this.name,
      shape: model.signal.navigationShape,
      marker: Float64Array.from(marker),
    };
  }

  settings(): { [key: string]: Json } {
    const r = this.#radii;
    return { radii: typeof r === 'number' ? r : [...r] };
  }

  static #checkRadii(value: number | readonly number[]): number | readonly number[] {
    const list = typeof value === 'number' ? [value] : value;
    for (const r of list) {
      if (typeof r !== 'number' || !(r >= 0) || !Number.isFinite(r)) {
        throw new Error(`radii must be finite numbers >= 0, got ${JSON.stringify(value)}`);
      }
    }
    return typeof value === 'number' ? value : Object.freeze([...value]);
  }
}
