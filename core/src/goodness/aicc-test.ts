/**
 * Corrected AIC test: good when AICc = AIC + 2k(k + 1) / (n - k - 1) < tolerance
 * (the small-sample correction matters when channels are few).
 */
import { InformationCriterionTest } from './information-criterion-test.js';

export const AICC_TEST = 'AICc';

export class AiccTest extends InformationCriterionTest {
  readonly kind = AICC_TEST;
  readonly criterion = 'aicc';
}
