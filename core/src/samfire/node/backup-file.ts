/**
 * SAMFire backups as JSON files. Written atomically: the data go to a
 * temporary file in the same folder, are flushed to disk, and the file is
 * renamed over the target, so a crash mid-write leaves the previous backup
 * intact rather than half a file.
 */
import { readFile } from 'node:fs/promises';
import { WriteError, writeFileAtomic } from '../../io/node/read-file.js';
import { parseBackup, type BackupWriter, type SamfireBackup } from '../backup.js';
// Node's core count for the engine's default workers (Node 20 has no navigator).
import './cores.js';

export async function writeBackupFile(filename: string, backup: SamfireBackup): Promise<void> {
  try {
    await writeFileAtomic(filename, JSON.stringify(backup));
  } catch (e) {
    if (e instanceof WriteError) {
      throw new Error(`cannot write the backup ${filename}: ${e.problem}`, { cause: e });
    }
    throw new Error(`backup '${filename}': ${e instanceof Error ? e.message : String(e)}`);
  }
}

export async function readBackupFile(filename: string): Promise<SamfireBackup> {
  let text: string;
  try {
    text = await readFile(filename, 'utf8');
  } catch (e) {
    throw new Error(`backup '${filename}': ${e instanceof Error ? e.message : String(e)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(
      `backup '${filename}' is not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  try {
    return parseBackup(value);
  } catch (e) {
    throw new Error(`backup '${filename}': ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The writer to pass as the Samfire `writer` option. */
export const fileBackupWriter: BackupWriter = writeBackupFile;
