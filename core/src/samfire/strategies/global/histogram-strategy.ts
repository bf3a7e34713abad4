/**
 * The shipped global strategy: a histogram per free parameter of the fitted
 * pixels (where the component is on); a pixel starts from the Cartesian
 * product of each parameter's most frequent values.
 */
import type { PixelStart } from '../../../pool/protocol.js';
import type { Json } from '../../json.js';
import { fittedMask } from '../../marker.js';
import type { HistogramPlot, ParameterHistogram } from '../strategy.js';
import { GlobalStrategy } from './global-strategy.js';
import type { BinRule } from './histogram.js';
import { HistogramSegmenter } from './histogram-segmenter.js';

export const HISTOGRAM_STRATEGY = 'histogram';

export interface HistogramStrategyOptions {
  /** @default 'fd' */
  bins?: BinRule;
  /**
   * Most frequent values tried per parameter. The Cartesian product over the
   * parameters grows fast; a cap bounds the fits of a pixel that no start
   * fits. @default Infinity (every mode, as docs/samfire-algorithm.md says)
   */
  maxModes?: number;
  /** @default 'Histogram global strategy' */
  name?: string;
}

export class HistogramStrategy extends GlobalStrategy {
  readonly kind = HISTOGRAM_STRATEGY;
  readonly segmenter: HistogramSegmenter;
  #maxModes: number;

  constructor(options: HistogramStrategyOptions = {}) {
    super(options.name ?? 'Histogram global strategy');
    this.segmenter = new HistogramSegmenter(options.bins ?? 'fd');
    this.#maxModes = HistogramStrategy.#checkMaxModes(options.maxModes ?? Infinity);
  }

  get bins(): BinRule {
    return this.segmenter.bins;
  }

  set bins(rule: BinRule) {
    this.segmenter.bins = rule;
  }

  get maxModes(): number {
    return this.#maxModes;
  }

  set maxModes(value: number) {
    this.#maxModes = HistogramStrategy.#checkMaxModes(value);
  }

  rebuild(): void {
    const { model, marker } = this.host;
    const fitted = fittedMask(marker);
    const input = model.components.map((c) => {
      const pixels: number[] = [];
      for (let p = 0; p < fitted.length; p++) if (fitted[p] && c.isActiveAt(p)) pixels.push(p);
      if (pixels.length === 0) return null;
      const slots: (Float64Array | null)[] = [];
      for (const par of c.parameters) {
        const len = par.length;
        for (let k = 0; k < len; k++) {
          slots.push(
            par.free ? Float64Array.from(pixels, (p) => par.map.values[p * len + k]!) : null,
          );
        }
      }
      return slots;
    });
    this.segmenter.update(input);
  }

  values(pixel: number): PixelStart {
    const { model } = this.host;
    const frequent = this.segmenter.mostFrequent();
    const components = model.components.map((c, ci) => {
      const modes = frequent[ci];
      if (!modes) return null;
      const slots: number[][] = [];
      let s = 0;
      for (const par of c.parameters) {
        for (let k = 0; k < par.length; k++, s++) {
          const m = modes[s];
          const own = par.map.isSet[pixel]
            ? par.map.values[pixel * par.length + k]!
            : par.current[k]!;
          slots.push(m ? m.slice(0, this.#maxModes) : [own]);
        }
      }
      return { slots };
    });
    return { components };
  }

  clean(): void {
    this.segmenter.clear();
  }

  plotData(): HistogramPlot {
    const { model } = this.host;
    const histograms: ParameterHistogram[] = [];
    model.components.forEach((c, ci) => {
      const slots = this.segmenter.database[ci];
      if (!slots) return;
      let s = 0;
      for (const par of c.parameters) {
        for (let k = 0; k < par.length; k++, s++) {
          const h = slots[s];
          if (!h) continue;
          const parameter = par.length > 1 ? `${par.fullName}[${k}]` : par.fullName;
          histograms.push({
            parameter,
            edges: Float64Array.from(h.edges),
            counts: Float64Array.from(h.counts),
          });
        }
      }
    });
    return { kind: 'histograms', strategy: this.name, histograms };
  }

  settings(): { [key: string]: Json } {
    const bins = this.segmenter.bins;
    return { bins, maxModes: Number.isFinite(this.#maxModes) ? this.#maxModes : null };
  }

  static #checkMaxModes(value: number): number {
    if (!(value >= 1) || (Number.isFinite(value) && !Number.isInteger(value))) {
      throw new Error(`maxModes must be a whole number >= 1 or Infinity, got ${value}`);
    }
    return value;
  }
}
