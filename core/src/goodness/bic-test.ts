/** Bayesian information criterion test: good when BIC = k ln n - 2 ln L < tolerance. */
import { InformationCriterionTest } from './information-criterion-test.js';

export const BIC_TEST = 'BIC';

export class BicTest extends InformationCriterionTest {
  readonly kind = BIC_TEST;
  readonly criterion = 'bic';
}
