/**
 * The Poisson deviance test, for counts: a fit is good when
 * |D / dof - 1| < tolerance, with D = 2 sum [y ln(y / mu) - (y - mu)] the
 * deviance of the data under the fit (poissonDeviance). For counts the
 * deviance is about chi-squared with dof degrees of freedom down to a few
 * counts a channel, where Pearson's chi-squared with variance max(counts, 1)
 * is biased far below its dof and the reduced chi-squared test rejects good
 * fits. It judges any fit (least squares or ML-poisson), but belongs with
 * ML-poisson, which minimises the deviance.
 */
import type { FitStatistics } from './goodness-test.js';
import { PerDofTest } from './statistic-test.js';

export const DEVIANCE_TEST = 'deviance';

export class DevianceTest extends PerDofTest {
  readonly kind = DEVIANCE_TEST;

  constructor(tolerance = 1) {
    super('deviance test', tolerance);
  }

  /** The deviance per degree of freedom (NaN when the statistics carry no deviance). */
  statistic(stats: FitStatistics): number {
    if (!stats.deviance) return NaN;
    return stats.dof > 0 ? stats.deviance() / stats.dof : NaN;
  }

  /** |D / dof - 1| < tolerance needs D < (1 + tolerance) dof. */
  devianceLimit(dof: number): number {
    return this.sumLimit(dof);
  }
}
