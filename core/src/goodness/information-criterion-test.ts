/**
 * Tests on an information criterion of the Poisson log-likelihood of the
 * data (see model/information-criteria.ts for the definitions): a fit is good
 * when the criterion is below the tolerance. Unlike the reduced chi-squared
 * test, the tolerance keeps its sign: criteria can be negative.
 */
import { informationCriteria, type InformationCriteria } from '../model/information-criteria.js';
import type { FitStatistics } from './goodness-test.js';
import { StatisticTest } from './statistic-test.js';

export type CriterionName = 'aic' | 'aicc' | 'bic';

export abstract class InformationCriterionTest extends StatisticTest {
  abstract readonly criterion: CriterionName;
  #tolerance: number;

  constructor(tolerance: number) {
    super();
    this.#tolerance = InformationCriterionTest.#checked(tolerance);
  }

  get tolerance(): number {
    return this.#tolerance;
  }

  set tolerance(value: number) {
    this.#tolerance = InformationCriterionTest.#checked(value);
  }

  criteria(stats: FitStatistics): InformationCriteria {
    return informationCriteria(stats.logLikelihood(), stats.freeParameters, stats.channels);
  }

  statistic(stats: FitStatistics): number {
    return this.criteria(stats)[this.criterion];
  }

  isGood(stats: FitStatistics): boolean {
    return this.statistic(stats) < this.#tolerance;
  }

  static #checked(value: number): number {
    if (typeof value !== 'number' || Number.isNaN(value)) {
      throw new Error(`information-criterion test: tolerance must be a number, got ${value}`);
    }
    return value;
  }
}
