/**
 * An engine's whole state as a backup (model maps and engine, JSON-able
 * data; the format is in backup.ts) and back: what Samfire.snapshot() and
 * Samfire.restore() do.
 */
import type { Model } from '../model/model.js';
import type { WorkerFitOptions } from '../pool/protocol.js';
import {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  decodeStart,
  encodeStart,
  type SamfireBackup,
} from './backup.js';
import type { Samfire } from './engine.js';
import type { FitDatabase } from './fit-database.js';
import { createGoodnessTest } from '../goodness/registry.js';
import { decodeBytes, decodeFloats, encodeBytes, encodeFloats } from './json.js';
import { applyModelState, modelState } from './model-state.js';
import { SamfireRandom } from './random.js';
import type { Scheduler } from './scheduler.js';

/** An engine's run-wide values that are not public fields. */
export interface RunCounters {
  /** Results received (good or not). */
  count: number;
  /** The fit options of the current or last run. */
  fitOptions: WorkerFitOptions;
}

/** The parts of an engine a backup reads and a restore writes besides its public fields. */
export interface EngineParts {
  readonly scheduler: Scheduler;
  readonly database: FitDatabase;
  readonly counters: RunCounters;
}

export function engineSnapshot(samfire: Samfire, parts: EngineParts): SamfireBackup {
  const { model, metadata, strategies } = samfire;
  const { scheduler, database, counters } = parts;
  const signal = model.signal;
  return {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    signal: {
      title: signal.title,
      navigationShape: signal.navigationShape,
      channels: signal.channels,
    },
    model: modelState(model),
    engine: {
      marker: encodeFloats(metadata.marker),
      count: counters.count,
      optionalComponents: samfire.optionalComponents,
      goodnessTest: metadata.goodnessTest.spec(),
      strategies: [...strategies].map((s) => s.snapshot()),
      activeStrategy: strategies.activeIndex,
      updateEvery: samfire.updateEvery,
      plotEvery: samfire.plotEvery,
      saveEvery: samfire.saveEvery,
      random: scheduler.random.state(),
      order: samfire.order,
      window: samfire.window,
      fitOptions: { ...counters.fitOptions },
      accepted: encodeBytes(database.accepted),
      ...(database.judgedBy ? { judgedBy: { ...database.judgedBy } } : {}),
      pending: scheduler.pending.entries().map((e) => ({
        pixel: e.pixel,
        priority: e.priority,
        start: encodeStart(e.start),
      })),
    },
  };
}

/** Checks that a backup belongs to the model's signal, then applies its model state. */
export function restoreModel(model: Model, backup: SamfireBackup): void {
  const signal = model.signal;
  const shape = signal.navigationShape;
  const saved = backup.signal;
  if (saved.channels !== signal.channels || saved.navigationShape.join('x') !== shape.join('x')) {
    throw new Error(
      `backup of a ${saved.navigationShape.join('x')} map of ${saved.channels} channels cannot be restored onto a ${shape.join('x')} map of ${signal.channels}`,
    );
  }
  applyModelState(model, backup.model);
}

/** Sets a new engine (built on the restored model with the backup's strategies) to the backup's state. */
export function restoreEngine(samfire: Samfire, parts: EngineParts, backup: SamfireBackup): void {
  const { scheduler, database, counters } = parts;
  const { model, metadata, strategies } = samfire;
  scheduler.front.invalidate();
  const e = backup.engine;
  const nav = model.signal.navigationSize;
  metadata.marker.set(decodeFloats(e.marker, 'backup marker', nav));
  counters.count = e.count;
  samfire.optionalComponents = e.optionalComponents;
  metadata.goodnessTest = createGoodnessTest(e.goodnessTest);
  if (strategies.length > 0) strategies.setActive(e.activeStrategy);
  samfire.updateEvery = e.updateEvery;
  samfire.plotEvery = e.plotEvery;
  samfire.saveEvery = e.saveEvery;
  scheduler.random = new SamfireRandom(e.random.seed, e.random.draws);
  counters.fitOptions = { ...e.fitOptions };
  if (e.accepted) database.accepted.set(decodeBytes(e.accepted, 'backup accepted pixels', nav));
  // Backups before the re-test (issue 16) were judged by the test they hold.
  database.judgedBy = e.judgedBy ? { ...e.judgedBy } : { ...e.goodnessTest };
  for (const job of e.pending) {
    model.signal.checkPixel(job.pixel);
    scheduler.restorePending({
      pixel: job.pixel,
      priority: job.priority,
      start: decodeStart(job.start, `backup job for pixel ${job.pixel}`),
      job: null,
      result: null,
      error: null,
    });
  }
}
