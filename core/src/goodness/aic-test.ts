/** Akaike's information criterion test: good when AIC = 2k - 2 ln L < tolerance. */
import { InformationCriterionTest } from './information-criterion-test.js';

export const AIC_TEST = 'AIC';

export class AicTest extends InformationCriterionTest {
  readonly kind = AIC_TEST;
  readonly criterion = 'aic';
}
