/**
 * Every sample file of the formats read in core/src/io (DM3/DM4, EMSA,
 * Ripple) against what HyperSpy 1.7.3 reads from it (../shared/data/io/manifest.json).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeLittleEndian } from '../../../core/src/io/binary.js';
import { readSignalFile } from '../../../core/src/io/node/read-file.js';
import { toFloat64 } from '../../../core/src/model/dtype.js';
import type { Signal } from '../../../core/src/model/signal.js';

interface ManifestAxis {
  name: string | null;
  size: number;
  navigate: boolean;
  units: string | null;
  offset: number;
  scale: number;
}

interface ManifestSignal {
  title: string;
  signal_type: string;
  dtype: string;
  shape: number[];
  axes: ManifestAxis[];
  sum: number;
  min: number;
  max: number;
  sha256: string;
}

interface ManifestEntry {
  file: string;
  signals: ManifestSignal[];
}

const dataDir = new URL('../../../../shared/data/io/', import.meta.url);
const manifest = JSON.parse(
  readFileSync(new URL('manifest.json', dataDir), 'utf8'),
) as ManifestEntry[];

/** Sample sub-folder per extension, for the formats these readers own. */
const FOLDERS: Record<string, string> = { dm3: 'dm3', dm4: 'dm4', msa: 'msa', rpl: 'ripple' };

function folderOf(file: string): string | undefined {
  return FOLDERS[file.split('.').pop()!.toLowerCase()];
}

function close(actual: number, expected: number, rel = 1e-9): boolean {
  return Math.abs(actual - expected) <= rel * Math.max(1, Math.abs(expected));
}

function expectClose(actual: number, expected: number, what: string): void {
  expect(close(actual, expected), `${what}: ${actual} vs ${expected}`).toBe(true);
}

function checkSignal(s: Signal, m: ManifestSignal): void {
  expect(s.title).toBe(m.title);
  expect(s.signalType).toBe(m.signal_type);
  expect(s.dtype).toBe(m.dtype);
  expect(s.shape).toEqual(m.shape);
  // HyperSpy images have two signal axes; our Signal has one (the last) and
  // marks the file's images with metadata.signalDimension = 2.
  const signalAxes = m.axes.filter((a) => !a.navigate).length;
  if (signalAxes === 2) expect(s.metadata['signalDimension']).toBe(2);
  else expect(s.metadata['signalDimension']).toBeUndefined();
  expect(s.axes.length).toBe(m.axes.length);
  m.axes.forEach((ma, i) => {
    const a = s.axes[i]!;
    expect(a.name, `axis ${i} name`).toBe(ma.name ?? '');
    expect(a.size, `axis ${i} size`).toBe(ma.size);
    expect(a.units, `axis ${i} units`).toBe(ma.units ?? '');
    expectClose(a.offset, ma.offset, `axis ${i} offset`);
    expectClose(a.scale, ma.scale, `axis ${i} scale`);
    expect(a.navigate, `axis ${i} navigate`).toBe(
      signalAxes === 2 ? i < m.axes.length - 1 : ma.navigate,
    );
  });
  const values = toFloat64(s.data);
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  expectClose(sum, m.sum, 'sum');
  expectClose(min, m.min, 'min');
  expectClose(max, m.max, 'max');
  const hash = createHash('sha256').update(encodeLittleEndian(s.data)).digest('hex');
  expect(hash).toBe(m.sha256);
}

const owned = manifest.filter((e) => folderOf(e.file) !== undefined);

describe('sample files match HyperSpy 1.7.3', () => {
  it('covers every DM, EMSA and Ripple sample', () => {
    expect(owned.length).toBe(manifest.filter((e) => !e.file.endsWith('.hspy')).length);
    expect(owned.length).toBe(49); // 15 DM3, 14 DM4, 2 EMSA, 18 Ripple
  });

  it.each(owned.map((e) => [e.file, e] as const))('%s', async (_file, entry) => {
    const path = fileURLToPath(new URL(`${folderOf(entry.file)}/${entry.file}`, dataDir));
    const signals = await readSignalFile(path);
    expect(signals.length).toBe(entry.signals.length);
    entry.signals.forEach((m, i) => checkSignal(signals[i]!, m));
  });
});
