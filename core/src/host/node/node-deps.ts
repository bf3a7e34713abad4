/** The Node implementation of HostDeps: files on disk, uploads in a temp folder, thread pools, backups. */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import type { UploadedFile } from '../../api/types.js';
import { readHspy, writeHspy } from '../../io/node/hspy.js';
import { readSignalFile, readableExtensions, writeFileAtomic } from '../../io/node/read-file.js';
import type { WorkerSpawner } from '../../pool/node/spawn.js';
import { NatsPool } from '../../pool/node/nats/nats-pool.js';
import { NodeWorkerPool } from '../../pool/node/thread-pool.js';
import type { WorkerScript } from '../../pool/node/worker-script.js';
import type { HostDeps, ProjectFile } from '../host-deps.js';
import type { ReadOptions } from '../../io/source.js';
import { PROJECT_STATE_ATTRIBUTE } from '../project-state.js';
import { FileBackupStore } from './backup-store.js';

export interface NodeDepsOptions {
  /** Where the session record and the run's backup live; null: no backups (nothing to resume after a crash). */
  backupDir: string | null;
  /** The fit worker entry (a bundled app passes its own; default: core's fit-worker next to the pool). */
  workerScript?: WorkerScript;
  /**
   * Starts the fit workers some other way than as worker threads: in
   * Electron, utility processes forked by main (./utility-workers.ts). They
   * share no memory, so the pool sends each its own copy of the data.
   */
  spawnWorker?: WorkerSpawner;
}

/** A file name safe to create in our own upload folder (no folders, no dot files). */
export function safeFileName(name: string): string {
  const base = basename(name.replace(/\\/g, '/'))
    .replace(/[^A-Za-z0-9._ -]+/g, '_')
    .replace(/^\.+/, '');
  return base.length > 0 ? base.slice(0, 200) : 'upload';
}

export async function storeUpload(
  files: readonly UploadedFile[],
  root: string = tmpdir(),
): Promise<string> {
  await mkdir(root, { recursive: true });
  const dir = await mkdtemp(join(root, 'samfire-upload-'));
  const names = files.map((f) => safeFileName(f.name));
  if (new Set(names.map((n) => n.toLowerCase())).size !== names.length)
    throw new Error('two dropped files have the same name');
  await Promise.all(files.map((f, i) => writeFile(join(dir, names[i]!), f.bytes)));
  const readable = new Set(readableExtensions());
  // A Ripple pair opens through its .rpl; otherwise the first readable file.
  const main =
    names.find((n) => extname(n).toLowerCase() === '.rpl') ??
    names.find(
      (n) => readable.has(extname(n).toLowerCase()) && extname(n).toLowerCase() !== '.raw',
    ) ??
    names[0]!;
  return join(dir, main);
}

/** The model a project continues with: the one named 'samfire' (what we save), else the first stored. */
export const PROJECT_MODEL = 'samfire';

export async function readProject(
  path: string,
  options: ReadOptions = {},
): Promise<ProjectFile | null> {
  if (!/\.(hspy|hdf5)$/i.test(path)) return null;
  const file = await readHspy(path, options);
  return {
    signals: [...file.signals],
    model: (i) => {
      const names = file.modelNames[i] ?? [];
      const name = names.includes(PROJECT_MODEL) ? PROJECT_MODEL : names[0];
      return name === undefined ? null : file.model(i, name);
    },
    state: (i) => {
      const names = file.modelNames[i] ?? [];
      const name = names.includes(PROJECT_MODEL) ? PROJECT_MODEL : names[0];
      return name === undefined ? null : file.modelAttribute(i, name, PROJECT_STATE_ATTRIBUTE);
    },
  };
}

export function nodeHostDeps(options: NodeDepsOptions): HostDeps {
  const cores = availableParallelism();
  return {
    readSignals: readSignalFile,
    // Worker threads share memory; utility processes get their own copy.
    sharedMemory: !options.spawnWorker,
    storeUpload: (files) => storeUpload(files),
    writeFile: (path, bytes) => writeFileAtomic(path, bytes),
    readableExtensions,
    createPool: (workers, pool) =>
      pool?.kind === 'nats'
        ? new NatsPool({
            url: pool.url,
            ...(pool.user !== undefined
              ? { user: pool.user, pass: process.env.SAMFIRE_NATS_PASSWORD ?? '' }
              : {}),
            ...(process.env.SAMFIRE_NATS_TOKEN ? { token: process.env.SAMFIRE_NATS_TOKEN } : {}),
            ...(pool.credsFile !== undefined ? { credsFile: pool.credsFile } : {}),
            ...(pool.tlsCaFile !== undefined ? { tls: { caFile: pool.tlsCaFile } } : {}),
          })
        : workers > 0
          ? new NodeWorkerPool({
              workers,
              kind: options.spawnWorker ? 'process' : 'thread',
              ...(options.workerScript ? { script: options.workerScript } : {}),
              ...(options.spawnWorker ? { spawn: options.spawnWorker } : {}),
            })
          : undefined,
    cores,
    backups: options.backupDir ? new FileBackupStore(options.backupDir) : null,
    saveProject: (path, signal, models, state) =>
      writeHspy(
        path,
        signal,
        models,
        state === null
          ? {}
          : Object.fromEntries(
              Object.keys(models)
                .slice(0, 1)
                .map((n) => [n, { [PROJECT_STATE_ATTRIBUTE]: state }]),
            ),
      ),
    readProject,
  };
}
