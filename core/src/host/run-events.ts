/**
 * From the engine's events to the run events the app shows: a pure mapping
 * (no workspace, no engine), so every message can be tested on its own. The
 * fit service gathers what a message needs (the seeds, pixel positions, the
 * run's summary) into the event and the context.
 */
import { goodnessCondition } from '../api/goodness-text.js';
import type { RunEvent } from '../api/types.js';
import type { GoodnessTestSpec } from '../pool/protocol.js';
import type { RetestEvent } from '../samfire/samfire-events.js';

const CRITERIA: Record<string, string> = { AIC: 'AIC', AICc: 'AICc', BIC: 'BIC' };

/** A goodness test as the user reads it: "|χ²ᵣ − 1| < 1", "AICc < 250" (the UI's wording too). */
export function describeGoodness(g: GoodnessTestSpec): string {
  return goodnessCondition(g);
}

/** The name of what a goodness test compares with its tolerance. */
export function statisticName(g: GoodnessTestSpec): string {
  return g.kind === 'redChisq' ? 'χ²ᵣ' : (CRITERIA[g.kind] ?? g.kind);
}

/** At most `max` items, then "and N more". */
export function listSome(items: string[], max = 5): string {
  return items.length <= max
    ? items.join(', ')
    : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** What a run's end message says. */
export interface RunSummary {
  finished: boolean;
  /** Pixels of the map. */
  pixels: number;
  pixelsDone: number;
  /** Results received (good or not), in all and before this run began. */
  count: number;
  countAtStart: number;
  /** The engine's marker at the end (a pixel <= -1 is done). */
  marker: Float64Array;
  /** The last re-test, if the goodness test changed. */
  retest: RetestEvent | null;
  goodness: GoodnessTestSpec;
}

/** An engine event, or a step of the run, with what its message needs. */
export type EngineRunEvent =
  | { type: 'strategyChanged'; index: number; name: string; flavour: string }
  | { type: 'backupWritten'; count: number }
  | { type: 'backupFailed'; error: unknown }
  | { type: 'error'; message: string }
  | { type: 'retested'; retest: RetestEvent }
  /** Seeds that fail the test at start: "(0, 0) χ²ᵣ = 1.2" each. */
  | { type: 'failingSeeds'; seeds: string[]; goodness: GoodnessTestSpec }
  | { type: 'ended'; summary: RunSummary }
  | { type: 'failed'; error: unknown };

export interface RunEventContext {
  activeStrategy: number;
  /** The user's seeds (a re-test names those that fail). */
  seeds: ReadonlySet<number>;
  /** "(x, y)" of a pixel. */
  pixelName(pixel: number): string;
}

/** The message of a re-test: how many fits failed, what was cleared, and which seeds no longer start the run. */
export function retestMessage(r: RetestEvent, ctx: RunEventContext): string {
  const seeds = r.failed.filter((p) => ctx.seeds.has(p));
  const name = statisticName(r.test);
  const failedSeeds = seeds.map((p) => {
    const v = r.statistics[r.failed.indexOf(p)]!;
    return `${ctx.pixelName(p)} ${Number.isFinite(v) ? `${name} = ${v.toPrecision(4)}` : '(no fit stored)'}`;
  });
  return (
    `the goodness test changed to ${describeGoodness(r.test)} (was ${describeGoodness(r.previous)}): ` +
    `re-tested ${r.tested} fitted pixels, ${r.failed.length} fail it` +
    (r.failed.length > 0
      ? ` and are fitted again (${r.cleared} SAMFire results cleared to NaN until they pass)`
      : '') +
    (failedSeeds.length > 0
      ? `; seed ${listSome(failedSeeds)} fails it: the fit is kept but the run no longer starts from it`
      : '')
  );
}

/** The run's summary: what was fitted, what a re-test found, and why nothing was fitted when nothing was. */
export function endMessage(s: RunSummary): string {
  const missing = s.pixels - s.pixelsDone;
  let text = `${s.pixelsDone} of ${s.pixels} pixels fitted`;
  const r = s.retest;
  if (r) {
    const pass = r.failed.filter((p) => s.marker[p]! <= -1).length;
    text +=
      `; re-tested ${r.tested} fits against ${describeGoodness(r.test)}: ${r.failed.length} failed` +
      (r.failed.length > 0 ? `, ${pass} of them pass after refitting` : '');
  }
  if (s.finished && s.count === s.countAtStart) {
    text +=
      missing === 0
        ? `; nothing was refitted: every pixel already passes ${describeGoodness(s.goodness)}`
        : '; nothing was refitted: no strategy has a pixel left to try';
  }
  if (s.finished && missing > 0)
    text += `; ${missing} passed no goodness test: select them in Results (Refit: Unfitted) and refit them with SAMFire or by hand`;
  return text;
}

export function toRunEvent(e: EngineRunEvent, ctx: RunEventContext): RunEvent {
  const activeStrategy = ctx.activeStrategy;
  switch (e.type) {
    case 'strategyChanged':
      return {
        kind: 'strategy-changed',
        message: `now running '${e.name}' (${e.flavour})`,
        activeStrategy: e.index,
      };
    case 'backupWritten':
      return { kind: 'backup-written', message: `backup after ${e.count} results`, activeStrategy };
    case 'backupFailed':
      return { kind: 'fault', message: `backup failed: ${String(e.error)}`, activeStrategy };
    case 'error':
      return { kind: 'fault', message: e.message, activeStrategy };
    case 'retested':
      return { kind: 'retested', message: retestMessage(e.retest, ctx), activeStrategy };
    case 'failingSeeds':
      return {
        kind: 'retested',
        message: `seed ${listSome(e.seeds)} fails the goodness test ${describeGoodness(e.goodness)}: the run does not start from it`,
        activeStrategy,
      };
    case 'ended':
      return {
        kind: e.summary.finished ? 'finished' : 'stopped',
        message: endMessage(e.summary),
        activeStrategy,
      };
    case 'failed':
      return {
        kind: 'failed',
        message: e.error instanceof Error ? e.error.message : String(e.error),
        activeStrategy,
      };
  }
}
