/** Session record and last backup as two JSON files in one folder, written atomically. */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../io/node/read-file.js';
import type { SamfireBackup } from '../../samfire/backup.js';
import { readBackupFile, writeBackupFile } from '../../samfire/node/backup-file.js';
import type { BackupStore, SessionRecord, SessionVariance } from '../host-deps.js';

function isSessionVariance(x: unknown): x is SessionVariance {
  if (typeof x !== 'object' || x === null) return false;
  const v = x as Record<string, unknown>;
  const finite = (n: unknown): boolean => typeof n === 'number' && Number.isFinite(n);
  switch (v.kind) {
    case 'none':
      return true;
    case 'poisson':
      return finite(v.gain) && finite(v.offset);
    case 'constant':
      return finite(v.value);
    case 'file':
      return typeof v.path === 'string' && typeof v.name === 'string';
    default:
      return false;
  }
}

function isSession(x: unknown): x is SessionRecord {
  if (typeof x !== 'object' || x === null) return false;
  const s = x as Record<string, unknown>;
  const src = s.source as Record<string, unknown> | undefined;
  if (s.variance !== undefined && !isSessionVariance(s.variance)) return false;
  return (
    Number.isInteger(s.signalIndex) &&
    typeof src === 'object' &&
    src !== null &&
    (src.kind === 'path' || src.kind === 'example') &&
    (src.path === null || typeof src.path === 'string') &&
    typeof src.name === 'string'
  );
}

export class FileBackupStore implements BackupStore {
  readonly #dir: string;
  /** One write at a time, in order: an older backup never lands over a newer one. */
  #writes: Promise<void> = Promise.resolve();

  constructor(dir: string) {
    this.#dir = dir;
  }

  get #session(): string {
    return join(this.#dir, 'session.json');
  }

  get #backup(): string {
    return join(this.#dir, 'run-backup.json');
  }

  writeSession(session: SessionRecord | null, keepBackup = false): Promise<void> {
    return this.#queue(() => this.#writeSession(session, keepBackup));
  }

  #queue(write: () => Promise<void>): Promise<void> {
    const next = this.#writes.then(write);
    this.#writes = next.catch(() => undefined);
    return next;
  }

  async #writeSession(session: SessionRecord | null, keepBackup: boolean): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    // A new dataset makes the old run's backup meaningless.
    if (!keepBackup) await rm(this.#backup, { force: true });
    if (session === null) await rm(this.#session, { force: true });
    else await writeFileAtomic(this.#session, JSON.stringify(session));
  }

  async readSession(): Promise<SessionRecord | null> {
    const text = await readFile(this.#session, 'utf8').catch(() => null);
    if (text === null) return null;
    try {
      const value: unknown = JSON.parse(text);
      return isSession(value) ? value : null;
    } catch {
      return null;
    }
  }

  writeBackup(backup: SamfireBackup): Promise<void> {
    return this.#queue(async () => {
      await mkdir(this.#dir, { recursive: true });
      await writeBackupFile(this.#backup, backup);
    });
  }

  async readBackup(): Promise<SamfireBackup | null> {
    return readBackupFile(this.#backup).catch(() => null);
  }
}
