/**
 * The shipped local strategy: radius 3, exponential decay, reduced
 * chi-squared weight.
 */
import { RedChisqWeight } from '../../weights/red-chisq-weight.js';
import { LocalStrategy } from './local-strategy.js';

export const RED_CHISQ_STRATEGY = 'redChisq';

export interface RedChisqStrategyOptions {
  /** @default 3 */
  radii?: number | readonly number[];
  /** @default 'Reduced chi squared strategy' */
  name?: string;
}

export class RedChisqStrategy extends LocalStrategy {
  readonly kind = RED_CHISQ_STRATEGY;
  readonly weight = new RedChisqWeight();

  constructor(options: RedChisqStrategyOptions = {}) {
    super(options.name ?? 'Reduced chi squared strategy', options.radii ?? 3);
  }
}
