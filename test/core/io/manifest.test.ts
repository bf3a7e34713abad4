/**
 * Every sample file of the formats read in core/src/io (DM3/DM4, EMSA,
 * Ripple) against what HyperSpy 1.7.3 reads from it (../shared/data/io/manifest.json).
 */
import { describe, expect, it } from 'vitest';
import { readSignalFile } from '@samfire/core/node';
import { checkSignal, IO_DIR, manifest } from '../../helpers/manifest.js';

/** Sample sub-folder per extension, for the formats these readers own. */
const FOLDERS: Record<string, string> = { dm3: 'dm3', dm4: 'dm4', msa: 'msa', rpl: 'ripple' };

function folderOf(file: string): string | undefined {
  return FOLDERS[file.split('.').pop()!.toLowerCase()];
}

const owned = manifest.filter((e) => folderOf(e.file) !== undefined);

describe('sample files match HyperSpy 1.7.3', () => {
  it('covers every DM, EMSA and Ripple sample', () => {
    expect(owned.length).toBe(manifest.filter((e) => !e.file.endsWith('.hspy')).length);
    expect(owned.length).toBe(49); // 15 DM3, 14 DM4, 2 EMSA, 18 Ripple
  });

  it.each(owned.map((e) => [e.file, e] as const))('%s', async (_file, entry) => {
    const path = `${IO_DIR}${folderOf(entry.file)}/${entry.file}`;
    const signals = await readSignalFile(path);
    expect(signals.length).toBe(entry.signals.length);
    entry.signals.forEach((m, i) => checkSignal(signals[i]!, m));
  });
});
