/**
 * What the host needs from its platform, injected so the services stay pure
 * (and testable without a disk): reading signal files, writing files, a
 * place for uploads and backups, and a worker pool for runs. The Node
 * implementation is node/node-deps.ts.
 */
import type { UploadedFile } from '../api/types.js';
import type { ReadOptions } from '../io/source.js';
import type { Model } from '../model/model.js';
import type { Signal } from '../model/signal.js';
import type { PoolSetting } from '../api/types.js';
import type { WorkerPool } from '../pool/pool.js';
import type { SamfireBackup } from '../samfire/backup.js';

export interface HostDeps {
  /**
   * Every signal in the file (errors name the file). Readers that stream
   * report progress, stop when the signal aborts (rejecting with an
   * AbortError) and put the cube in shared memory when asked.
   */
  readSignals(path: string, options?: ReadOptions): Promise<Signal[]>;
  /**
   * Whether the pool's workers share memory with the host (worker threads):
   * files are then read straight into SharedArrayBuffers, which the workers
   * read without a copy. False (or absent) for child-process workers.
   */
  sharedMemory?: boolean;
  /** Stores uploaded files together and returns the path of the one to open. */
  storeUpload(files: readonly UploadedFile[]): Promise<string>;
  writeFile(path: string, bytes: Uint8Array): Promise<void>;
  /** Extensions with a reader (".msa", ...). */
  readableExtensions(): string[];
  /**
   * A pool of `workers` fit workers, or undefined to fit in the host's own
   * thread; with `pool` of kind 'nats', the cluster's workers instead.
   */
  createPool(workers: number, pool?: PoolSetting): WorkerPool | undefined;
  /** Cores available for workers. */
  cores: number;
  /** Backups of the current run, for a restart after a crash (null: no backups). */
  backups: BackupStore | null;
  /**
   * Saves the project (the data and its models, by name) as .hspy, with the
   * app's state (project-state.ts, JSON) on the first model's group; null
   * where there is no writer.
   */
  saveProject:
    | ((
        path: string,
        signal: Signal,
        models: Readonly<Record<string, Model>>,
        state: string | null,
      ) => Promise<void>)
    | null;
  /**
   * Reads a project (.hspy): its signals and, per signal, the stored model to
   * continue with (null: none). Resolves null for files that are not projects.
   */
  readProject(path: string, options?: ReadOptions): Promise<ProjectFile | null>;
}

export interface ProjectFile {
  signals: Signal[];
  model(signalIndex: number): Model | null;
  /** The app state saved beside that model (project-state.ts), or null. */
  state?(signalIndex: number): string | null;
}

/** Where the session (what is open) and the run's last backup are kept. */
export interface BackupStore {
  /** Records what is open; a new dataset drops the last run's backup unless `keepBackup`. */
  writeSession(session: SessionRecord | null, keepBackup?: boolean): Promise<void>;
  readSession(): Promise<SessionRecord | null>;
  writeBackup(backup: SamfireBackup): Promise<void>;
  readBackup(): Promise<SamfireBackup | null>;
}

/** Enough to reopen what was open: the source, which signal of it, and the noise variance in use. */
export interface SessionRecord {
  source: { kind: 'path' | 'example'; path: string | null; name: string };
  signalIndex: number;
  /** Set when the user chose a variance (else the default of the file). */
  variance?: SessionVariance;
}

export type SessionVariance =
  | { kind: 'none' }
  | { kind: 'poisson'; gain: number; offset: number }
  | { kind: 'constant'; value: number }
  /** Loaded from a file the user chose (read again on reopening). */
  | { kind: 'file'; path: string; name: string };
