/**
 * The common part of the built-in goodness tests: judging stored fits
 * (`test`, `map`) in terms of `isGood` on their statistics.
 */
import type { Model } from '../model/model.js';
import type { GoodnessTestSpec } from './goodness-test.js';
import type { FitStatistics, GoodnessTest } from './goodness-test.js';
import { hasStoredFit, storedStatistics } from './stored-statistics.js';

export abstract class StatisticTest implements GoodnessTest {
  abstract readonly kind: string;
  abstract tolerance: number;
  abstract statistic(stats: FitStatistics): number;
  abstract isGood(stats: FitStatistics): boolean;

  test(model: Model, pixel: number): boolean {
    model.signal.checkPixel(pixel);
    return hasStoredFit(model, pixel) && this.isGood(storedStatistics(model, pixel));
  }

  map(model: Model, mask: Uint8Array): Uint8Array {
    const n = model.signal.navigationSize;
    if (mask.length !== n) {
      throw new Error(
        `goodness test '${this.kind}': mask has ${mask.length} pixels, the navigation space ${n}`,
      );
    }
    const out = new Uint8Array(n);
    for (let p = 0; p < n; p++) if (mask[p] && this.test(model, p)) out[p] = 1;
    return out;
  }

  spec(): GoodnessTestSpec {
    return { kind: this.kind, tolerance: this.tolerance };
  }
}
