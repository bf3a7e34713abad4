/** Backup files: written atomically (temp file + rename), read back and checked. */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Samfire } from '@samfire/core';
import { fileBackupWriter, readBackupFile } from '@samfire/core/node';
import { gridModel, storeFit } from '../fixtures.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'samfire-backup-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('backup files', () => {
  it('are written through the engine writer, replace older ones, and read back', async () => {
    const model = gridModel([2, 2]);
    storeFit(model, 0, 1);
    const s = new Samfire(model, { workers: 0, randomSeed: 3, writer: fileBackupWriter });
    const file = join(dir, 'run.json');
    await s.backup(file);
    s.update(3, null, true);
    await s.backup(file);
    expect(await readdir(dir)).toEqual(['run.json']);
    const back = await readBackupFile(file);
    expect(back.engine.count).toBe(1);
    expect(Samfire.restore(gridModel([2, 2]), back).metadata.marker[3]).toBe(-1);
  });

  it('name the file in errors', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"format": "samfire-backup", "version": 1');
    await expect(readBackupFile(bad)).rejects.toThrow(/backup '.*bad.json' is not valid JSON/);
    await expect(readBackupFile(join(dir, 'none.json'))).rejects.toThrow(
      /backup '.*none.json': ENOENT/,
    );
    const s = new Samfire(gridModel([2]), { setup: false, writer: fileBackupWriter });
    await expect(s.backup(join(dir, 'missing', 'x.json'))).rejects.toThrow(
      `cannot write the backup ${join(dir, 'missing', 'x.json')}: its folder does not exist (ENOENT)`,
    );
    expect(await readdir(dir)).toEqual(['bad.json']);
  });
});
