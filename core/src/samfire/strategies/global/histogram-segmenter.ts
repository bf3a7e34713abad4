/**
 * The histogram segmenter: for every free parameter slot of every
 * component, a histogram of the values fitted so far, and the most frequent
 * values (the centres of its local maxima) as candidate starting values.
 */
import {
  checkBinRule,
  histogram,
  histogramModes,
  type BinRule,
  type Histogram,
} from './histogram.js';

/** Per component: per slot, the values to histogram (null for a fixed slot). */
export type SegmenterInput = readonly (readonly (ArrayLike<number> | null)[] | null)[];

/** Per component: per slot, a histogram (null for a fixed slot or no data). */
export type SegmenterDatabase = ((Histogram | null)[] | null)[];

export class HistogramSegmenter {
  #bins: BinRule;
  database: SegmenterDatabase = [];

  constructor(bins: BinRule = 'fd') {
    this.#bins = checkBinRule(bins);
  }

  get bins(): BinRule {
    return this.#bins;
  }

  set bins(rule: BinRule) {
    this.#bins = checkBinRule(rule);
  }

  /** Rebuilds every histogram from the given values. */
  update(values: SegmenterInput): void {
    this.database = values.map((slots) => {
      if (!slots) return null;
      const out: (Histogram | null)[] = [];
      for (const v of slots) {
        if (!v) {
          out.push(null);
          continue;
        }
        const h = histogram(v, this.#bins);
        // A free slot without a single finite value: nothing to suggest for this component.
        if (!h) return null;
        out.push(h);
      }
      return out;
    });
  }

  /**
   * Per component, per slot, the most frequent values (null for a fixed slot);
   * null for a component with a free slot that has no data yet.
   */
  mostFrequent(): ((number[] | null)[] | null)[] {
    return this.database.map((slots) =>
      slots ? slots.map((h) => (h ? histogramModes(h) : null)) : null,
    );
  }

  clear(): void {
    this.database = [];
  }
}
