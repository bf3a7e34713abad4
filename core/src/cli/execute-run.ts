/**
 * Runs SAMFire on a model from the command line: a Node worker pool (worker
 * threads) for `workers > 0`, periodic atomic backups, resume from a backup,
 * a progress bar on stderr, Ctrl-C stops cleanly (keeping what was fitted),
 * and a summary of the result.
 */
import { availableParallelism } from 'node:os';
import { fittedMask } from '../model/fitted.js';
import { writeFileAtomic } from '../io/node/read-file.js';
import type { Model } from '../model/model.js';
import { NodeWorkerPool } from '../pool/node/thread-pool.js';
import { Samfire } from '../samfire/engine.js';
import { fileBackupWriter, readBackupFile } from '../samfire/node/backup-file.js';
import { ProgressBar } from './progress-bar.js';
import { applySettings, strategiesFor, type RunSettings } from './run-settings.js';

export interface RunSummary {
  pixels: number;
  pixelsDone: number;
  seconds: number;
  pixelsPerSecond: number;
  workers: number;
  strategies: string[];
  stopped: boolean;
  /** Median of each parameter's fitted map ("component.parameter"). */
  medians: Record<string, number>;
  /** Why the final backup could not be written (the results are still in the model), or null. */
  backupError: string | null;
}

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = values.sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Medians of every parameter over the pixels SAMFire fitted (marker <= -1, a fit stored). */
export function parameterMedians(model: Model, marker: Float64Array): Record<string, number> {
  const out: Record<string, number> = {};
  const fitted = fittedMask(model);
  for (const c of model.components) {
    for (const p of c.parameters) {
      for (let j = 0; j < p.length; j++) {
        const values: number[] = [];
        for (let i = 0; i < marker.length; i++) {
          if (marker[i]! <= -1 && fitted[i] && c.isActiveAt(i) && p.map.isSet[i])
            values.push(p.map.values[i * p.length + j]!);
        }
        out[p.length > 1 ? `${p.fullName}[${j}]` : p.fullName] = median(values);
      }
    }
  }
  return out;
}

export async function executeRun(
  model: Model,
  settings: RunSettings,
  stderr: { write(s: string): unknown; isTTY?: boolean },
): Promise<RunSummary> {
  const pool =
    settings.workers > 0
      ? new NodeWorkerPool({ workers: settings.workers, kind: 'thread' })
      : undefined;
  const common = {
    workers: settings.workers,
    ...(pool ? { pool } : {}),
    ...(settings.backup ? { writer: fileBackupWriter } : {}),
  };
  const samf = settings.resume
    ? Samfire.restore(model, await readBackupFile(settings.resume), common)
    : new Samfire(model, {
        ...common,
        strategies: strategiesFor(settings),
        ...(settings.randomSeed === null ? {} : { randomSeed: settings.randomSeed }),
      });
  applySettings(samf, settings);
  samf.backupFilename = settings.backup;
  if (samf.pixelsDone === 0) {
    throw new Error(
      'no fitted seed pixel: fit at least one pixel (one per domain) and store it before running SAMFire',
    );
  }
  const total = model.signal.navigationSize;
  const bar = new ProgressBar(total, stderr);
  samf.on('progress', (p) => bar.update(p));
  samf.on('error', (e) => stderr.write(`\nsamfire: ${e.message}\n`));
  let stopped = false;
  const onInterrupt = (): void => {
    stopped = true;
    stderr.write('\nstopping (the pixels fitted so far are kept)...\n');
    void samf.stop();
  };
  process.once('SIGINT', onInterrupt);
  const t0 = performance.now();
  const doneBefore = samf.pixelsDone;
  let backupError: string | null = null;
  try {
    await samf.start({
      optimizer: settings.optimizer,
      bounded: settings.bounded,
      lossFunction: settings.lossFunction,
    });
  } finally {
    process.off('SIGINT', onInterrupt);
    bar.finish();
    // Stops the workers and lets the periodic backups being written land first.
    await samf.close();
    if (settings.backup) {
      stderr.write(`saving the backup ${settings.backup}\n`);
      // A failed backup must not cost the results: the caller still writes them.
      await samf.backup(settings.backup).catch((e: unknown) => {
        backupError = e instanceof Error ? e.message : String(e);
      });
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const summary: RunSummary = {
    pixels: total,
    pixelsDone: samf.pixelsDone,
    seconds,
    pixelsPerSecond: (samf.pixelsDone - doneBefore) / seconds,
    workers: settings.workers,
    strategies: [...samf.strategies].map((s) => s.name),
    stopped,
    medians: parameterMedians(model, samf.metadata.marker),
    backupError,
  };
  if (settings.summary)
    await writeFileAtomic(settings.summary, `${JSON.stringify(summary, null, 1)}\n`);
  return summary;
}

export function resultLine(label: string, s: RunSummary): string {
  return (
    `${label}: ${s.pixelsDone}/${s.pixels} pixels fitted in ${s.seconds.toFixed(2)} s ` +
    `(${s.pixelsPerSecond.toFixed(0)} pixels/s, ${s.workers} worker${s.workers === 1 ? '' : 's'}, ${s.strategies.join(' then ')})` +
    (s.stopped ? ' - stopped early' : '')
  );
}
