/**
 * Strategies by kind, so a backup can recreate them. A user's own strategy
 * joins by registering a factory from its snapshot.
 */
import { HISTOGRAM_STRATEGY, HistogramStrategy } from './global/histogram-strategy.js';
import type { BinRule } from './global/histogram.js';
import { RED_CHISQ_STRATEGY, RedChisqStrategy } from './local/red-chisq-strategy.js';
import type { Strategy, StrategySnapshot } from './strategy.js';
import { Registry } from '../../util/registry.js';

export type StrategyFactory = (snapshot: StrategySnapshot) => Strategy;

function radiiSetting(s: StrategySnapshot): number | number[] {
  const r = s.settings['radii'];
  if (typeof r === 'number') return r;
  if (Array.isArray(r) && r.every((x) => typeof x === 'number')) return r as number[];
  throw new Error(`strategy '${s.name}': radii must be a number or a list of numbers`);
}

function binsSetting(s: StrategySnapshot): BinRule {
  const b = s.settings['bins'];
  if (b === 'fd' || b === 'scott' || b === 'sturges' || typeof b === 'number') return b;
  throw new Error(`strategy '${s.name}': bins must be 'fd', 'scott', 'sturges' or a number`);
}

const registry = new Registry<StrategyFactory>('strategy kind', [
  [RED_CHISQ_STRATEGY, (s) => new RedChisqStrategy({ name: s.name, radii: radiiSetting(s) })],
  [
    HISTOGRAM_STRATEGY,
    (s) => {
      const m = s.settings['maxModes'];
      return new HistogramStrategy({
        name: s.name,
        bins: binsSetting(s),
        maxModes: typeof m === 'number' ? m : Infinity,
      });
    },
  ],
]);

export function registerStrategyKind(
  kind: string,
  factory: StrategyFactory,
  replace = false,
): void {
  registry.register(kind, factory, replace);
}

export function strategyFromSnapshot(snapshot: StrategySnapshot): Strategy {
  const factory = registry.get(snapshot.kind);
  return factory(snapshot);
}
