/**
 * The reduced chi-squared test (SAMFire's default): a fit is good when
 * |redChisq - 1| < tolerance. With correct variances a good model gives
 * redChisq near 1; far below 1 means over-fitting or overestimated noise.
 */
import type { FitStatistics } from './goodness-test.js';
import { StatisticTest } from './statistic-test.js';

export const RED_CHISQ_TEST = 'redChisq';

export class RedChisqTest extends StatisticTest {
  readonly kind = RED_CHISQ_TEST;
  #tolerance = 1;

  constructor(tolerance = 1) {
    super();
    this.tolerance = tolerance;
  }

  /** Stored as its absolute value: the test is symmetric about 1. */
  get tolerance(): number {
    return this.#tolerance;
  }

  set tolerance(value: number) {
    if (Number.isNaN(value)) throw new Error('reduced chi-squared test: tolerance is NaN');
    this.#tolerance = Math.abs(value);
  }

  statistic(stats: FitStatistics): number {
    return stats.redChisq;
  }

  isGood(stats: FitStatistics): boolean {
    return Math.abs(stats.redChisq - 1) < this.#tolerance;
  }

  /** |chisq / dof - 1| < tolerance needs chisq < (1 + tolerance) dof. */
  chisqLimit(dof: number): number {
    return dof > 0 ? (1 + this.#tolerance) * dof : Infinity;
  }
}
