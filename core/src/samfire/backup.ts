/**
 * A SAMFire backup: the model's state and the engine's (marker, count,
 * strategies, random state, jobs handed out and not applied) as JSON-able
 * data. Written through an injected writer (node/backup-file.ts writes files
 * atomically), so this module stays free of I/O.
 */
import type { GoodnessTestSpec, PixelStart, WorkerFitOptions } from '../pool/protocol.js';
import { SchemaError } from '../util/schema.js';
import { backupBody } from './backup-schema.js';
import { decodeFloats, encodeFloats, type EncodedFloats } from './json.js';
import type { ModelSnapshot } from './model-state.js';
import type { RandomState } from './random.js';
import type { StrategySnapshot } from './strategies/strategy.js';

export const BACKUP_FORMAT = 'samfire-backup';
export const BACKUP_VERSION = 1;

export type RunOrder = 'pick' | 'arrival';

/** A job handed out and not applied yet; resubmitted on resume. */
export interface PendingJobState {
  pixel: number;
  priority: number;
  /** Per component: per slot, the candidate values (null: the component is left out). */
  start: (EncodedFloats[] | null)[];
}

export interface EngineState {
  marker: EncodedFloats;
  count: number;
  optionalComponents: number[];
  goodnessTest: GoodnessTestSpec;
  strategies: StrategySnapshot[];
  activeStrategy: number;
  updateEvery: number;
  plotEvery: number;
  saveEvery: number;
  random: RandomState;
  order: RunOrder;
  window: number;
  fitOptions: WorkerFitOptions;
  /** 1 where the engine stored a good result (absent in older backups: none). */
  accepted?: number[];
  /** The goodness test that last judged the marker (absent in older backups: goodnessTest). */
  judgedBy?: GoodnessTestSpec;
  pending: PendingJobState[];
}

export interface SamfireBackup {
  format: typeof BACKUP_FORMAT;
  version: typeof BACKUP_VERSION;
  /** What the backup was taken on, to refuse restoring it onto other data. */
  signal: { title: string; navigationShape: number[]; channels: number };
  model: ModelSnapshot;
  engine: EngineState;
}

export type BackupWriter = (filename: string, backup: SamfireBackup) => void | Promise<void>;

export function encodeStart(start: PixelStart): PendingJobState['start'] {
  return start.components.map((c) => (c ? c.slots.map((s) => encodeFloats(s)) : null));
}

export function decodeStart(start: PendingJobState['start'], what: string): PixelStart {
  return {
    components: start.map((c, ci) =>
      c
        ? {
            slots: c.map((s, si) =>
              Array.from(decodeFloats(s, `${what} component ${ci} slot ${si}`)),
            ),
          }
        : null,
    ),
  };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Checks parsed JSON in full before it is used as a backup
 * (backup-schema.ts): the format and version first, with their own
 * messages, then every field, naming the first wrong one.
 */
export function parseBackup(value: unknown): SamfireBackup {
  if (!isObject(value) || value['format'] !== BACKUP_FORMAT) {
    throw new Error(`not a SAMFire backup (expected format '${BACKUP_FORMAT}')`);
  }
  if (value['version'] !== BACKUP_VERSION) {
    throw new Error(
      `SAMFire backup version ${String(value['version'])} is not supported (this build reads ${BACKUP_VERSION})`,
    );
  }
  try {
    return backupBody.check(value, 'SAMFire backup');
  } catch (e) {
    if (e instanceof SchemaError) throw new Error(e.message);
    throw e;
  }
}
