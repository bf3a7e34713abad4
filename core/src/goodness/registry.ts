/**
 * Goodness tests by kind. Workers receive a test as plain data
 * ({ kind, tolerance }) and rebuild it here, so a user's own test joins by
 * registering a factory: the engine and the kernel need no change. (A test
 * registered at run time exists in this JavaScript realm only: worker
 * threads must register it too, from the module they load.)
 */
import type { GoodnessTestSpec } from './goodness-test.js';
import { Registry } from '../util/registry.js';
import { AIC_TEST, AicTest } from './aic-test.js';
import { AICC_TEST, AiccTest } from './aicc-test.js';
import { BIC_TEST, BicTest } from './bic-test.js';
import { DEVIANCE_TEST, DevianceTest } from './deviance-test.js';
import type { GoodnessTest } from './goodness-test.js';
import { RED_CHISQ_TEST, RedChisqTest } from './red-chisq-test.js';

export type GoodnessTestFactory = (tolerance: number) => GoodnessTest;

const registry = new Registry<GoodnessTestFactory>('goodness test', [
  [RED_CHISQ_TEST, (t) => new RedChisqTest(t)],
  [AIC_TEST, (t) => new AicTest(t)],
  [AICC_TEST, (t) => new AiccTest(t)],
  [BIC_TEST, (t) => new BicTest(t)],
  [DEVIANCE_TEST, (t) => new DevianceTest(t)],
]);

export function goodnessTestKinds(): string[] {
  return registry.kinds();
}

export function hasGoodnessTest(kind: string): boolean {
  return registry.has(kind);
}

/** Adds a kind of test; refuses to replace one silently. */
export function registerGoodnessTest(
  kind: string,
  factory: GoodnessTestFactory,
  replace = false,
): void {
  registry.register(kind, factory, replace);
}

/** A test from its plain-data settings; errors list the known kinds. */
export function createGoodnessTest(spec: GoodnessTestSpec): GoodnessTest {
  const factory = registry.get(spec.kind);
  const test = factory(spec.tolerance);
  if (test.kind !== spec.kind) {
    throw new Error(`goodness test factory for '${spec.kind}' made a test of kind '${test.kind}'`);
  }
  return test;
}
