import { LevenbergMarquardt } from './levenberg-marquardt.js';
import { MljsLevenbergMarquardt } from './ml-lm-adapter.js';
import type { Optimiser } from './optimiser.js';

export type OptimizerName = 'lm' | 'mljs';
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['lm', 'mljs'];

export function isOptimizerName(v: unknown): v is OptimizerName {
  return v === 'lm' || v === 'mljs';
}

/** A new optimiser by name; errors list the known names. */
export function createOptimiser(name: string): Optimiser {
  switch (name) {
    case 'lm':
      return new LevenbergMarquardt();
    case 'mljs':
      return new MljsLevenbergMarquardt();
    default:
      throw new Error(`unknown optimizer '${name}' (known: ${OPTIMIZER_NAMES.join(', ')})`);
  }
}

export * from './optimiser.js';
export { LevenbergMarquardt, MljsLevenbergMarquardt };
