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

/**
 * A test of a statistic that is about 1 for a good fit (χ²/ν, D/ν): good when
 * |statistic − 1| < tolerance. The tolerance is stored as its absolute value,
 * since the test is symmetric about 1.
 */
export abstract class PerDofTest extends StatisticTest {
  #tolerance = 1;

  /** `what` names the test in errors ("reduced chi-squared test"). */
  constructor(
    readonly what: string,
    tolerance: number,
  ) {
    super();
    this.tolerance = tolerance;
  }

  get tolerance(): number {
    return this.#tolerance;
  }

  set tolerance(value: number) {
    if (typeof value !== 'number' || Number.isNaN(value))
      throw new Error(`${this.what}: tolerance must be a number, got ${String(value)}`);
    this.#tolerance = Math.abs(value);
  }

  isGood(stats: FitStatistics): boolean {
    return Math.abs(this.statistic(stats) - 1) < this.#tolerance;
  }

  /** |sum / dof − 1| < tolerance needs sum < (1 + tolerance) dof. */
  protected sumLimit(dof: number): number {
    return dof > 0 ? (1 + this.#tolerance) * dof : Infinity;
  }
}
