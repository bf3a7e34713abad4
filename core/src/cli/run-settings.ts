/**
 * The settings of a command-line SAMFire run, parsed from options with
 * errors that name the option, and applied to an engine.
 */
import type { LossFunction } from '../model/model-problem.js';
import type { Model } from '../model/model.js';
import { isOptimizerName } from '../optimiser/index.js';
import type { Samfire } from '../samfire/engine.js';
import { createGoodnessTest } from '../goodness/registry.js';
import { HistogramStrategy } from '../samfire/strategies/global/histogram-strategy.js';
import type { BinRule } from '../samfire/strategies/global/histogram.js';
import { RedChisqStrategy } from '../samfire/strategies/local/red-chisq-strategy.js';
import type { Strategy } from '../samfire/strategies/strategy.js';

export type StrategyName = 'local' | 'global';
export type TestName = 'redchisq' | 'aic' | 'aicc' | 'bic' | 'deviance';

export interface RunSettings {
  workers: number;
  strategies: StrategyName[];
  radii: number | null;
  bins: BinRule;
  test: TestName;
  tolerance: number | null;
  optional: string[];
  bounded: boolean;
  optimizer: 'lm' | 'mljs';
  /** What each fit minimises (--loss ls | ml-poisson). */
  lossFunction: LossFunction;
  randomSeed: number | null;
  saveEvery: number;
  backup: string | null;
  resume: string | null;
  summary: string | null;
}

const TEST_KINDS: Record<TestName, string> = {
  redchisq: 'redChisq',
  aic: 'AIC',
  aicc: 'AICc',
  bic: 'BIC',
  deviance: 'deviance',
};

/** Tests symmetric about 1 (a statistic per degree of freedom): tolerance 1 by default. */
const PER_DOF_TESTS: readonly TestName[] = ['redchisq', 'deviance'];

function wholeNumber(option: string, text: string, min: number): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min)
    throw new Error(`--${option} must be a whole number >= ${min}, got '${text}'`);
  return v;
}

function positive(option: string, text: string): number {
  const v = Number(text);
  if (!(v > 0) || !Number.isFinite(v))
    throw new Error(`--${option} must be a positive number, got '${text}'`);
  return v;
}

export function parseRunSettings(
  options: Map<string, string | true>,
  defaultWorkers: number,
): RunSettings {
  const text = (name: string): string | undefined => {
    const v = options.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const strategies = (text('strategies') ?? 'local,global').split(',').map((s) => s.trim());
  for (const s of strategies) {
    if (s !== 'local' && s !== 'global')
      throw new Error(`--strategies takes local and/or global (comma separated), got '${s}'`);
  }
  const binsText = text('bins') ?? 'fd';
  let bins: BinRule;
  if (binsText === 'fd' || binsText === 'scott' || binsText === 'sturges') bins = binsText;
  else bins = wholeNumber('bins', binsText, 1);
  const test = (text('test') ?? 'redchisq').toLowerCase();
  if (!(test in TEST_KINDS))
    throw new Error(`--test must be redchisq, deviance, aic, aicc or bic, got '${test}'`);
  const optimizer = text('optimizer') ?? 'lm';
  if (!isOptimizerName(optimizer))
    throw new Error(`--optimizer must be lm or mljs, got '${optimizer}'`);
  const lossText = (text('loss') ?? 'ls').toLowerCase();
  if (lossText !== 'ls' && lossText !== 'ml-poisson')
    throw new Error(`--loss must be ls or ml-poisson, got '${text('loss')}'`);
  const lossFunction: LossFunction = lossText === 'ls' ? 'ls' : 'ML-poisson';
  if (lossFunction === 'ML-poisson' && optimizer !== 'lm')
    throw new Error(`--loss ml-poisson needs --optimizer lm, got '${optimizer}'`);
  const saveEvery =
    text('save-every') === undefined ? 0 : wholeNumber('save-every', text('save-every')!, 1);
  const backup = text('backup') ?? null;
  if (saveEvery > 0 && backup === null) throw new Error('--save-every needs --backup FILE');
  const seedText = text('random-seed');
  return {
    workers:
      text('workers') === undefined ? defaultWorkers : wholeNumber('workers', text('workers')!, 0),
    strategies: strategies as StrategyName[],
    radii: text('radii') === undefined ? null : positive('radii', text('radii')!),
    bins,
    test: test as TestName,
    tolerance: text('tolerance') === undefined ? null : positive('tolerance', text('tolerance')!),
    optional: (text('optional') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    bounded: options.get('bounded') === true,
    optimizer,
    lossFunction,
    randomSeed: seedText === undefined ? null : wholeNumber('random-seed', seedText, 0),
    saveEvery,
    backup,
    resume: text('resume') ?? null,
    summary: text('summary') ?? null,
  };
}

/** The strategies a run asks for, in order. */
export function strategiesFor(settings: RunSettings): Strategy[] {
  return settings.strategies.map((s) =>
    s === 'local'
      ? new RedChisqStrategy(settings.radii === null ? {} : { radii: settings.radii })
      : new HistogramStrategy({ bins: settings.bins }),
  );
}

/** Checks the optional component names against the model (errors list the model's names). */
export function checkOptional(model: Model, names: readonly string[]): void {
  for (const name of names) model.indexOf(name);
}

/** Goodness test, optional components and save cadence onto an engine. */
export function applySettings(samf: Samfire, settings: RunSettings): void {
  const perDof = PER_DOF_TESTS.includes(settings.test);
  const tolerance = settings.tolerance ?? (perDof ? 1 : Number.NaN);
  if (!perDof && settings.tolerance === null) {
    throw new Error(
      `--test ${settings.test} needs --tolerance (the criterion value below which a fit is good)`,
    );
  }
  samf.metadata.goodnessTest = createGoodnessTest({ kind: TEST_KINDS[settings.test], tolerance });
  samf.optionalComponents = settings.optional;
  samf.saveEvery = settings.saveEvery;
}
