/**
 * The reduced chi-squared test (SAMFire's default): a fit is good when
 * |redChisq - 1| < tolerance. With correct variances a good model gives
 * redChisq near 1; far below 1 means over-fitting or overestimated noise.
 */
import type { FitStatistics } from './goodness-test.js';
import { PerDofTest } from './statistic-test.js';

export const RED_CHISQ_TEST = 'redChisq';

export class RedChisqTest extends PerDofTest {
  readonly kind = RED_CHISQ_TEST;

  constructor(tolerance = 1) {
    super('reduced chi-squared test', tolerance);
  }

  statistic(stats: FitStatistics): number {
    return stats.redChisq;
  }

  /** |chisq / dof - 1| < tolerance needs chisq < (1 + tolerance) dof. */
  chisqLimit(dof: number): number {
    return this.sumLimit(dof);
  }
}
