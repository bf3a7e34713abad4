/**
 * Hostile input to the HyperSpy reader (h5wasm underneath): every .hspy
 * sample, mutated, truncated or given bad words, either reads or fails with
 * a FileFormatError naming the file; never another error, never a hang, and
 * a bad file does not break the reader for the next good one.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { FileFormatError } from '@samfire/core';
import { readHspy } from '@samfire/core/node';
import { SHARED } from '../../../helpers/reference.js';
import { arbMutation, mutate } from '../../../helpers/fuzz.js';

const RUNS = 1000;
const files = [
  `${SHARED}data/io/hspy/EELS_LL_linescan.hspy`,
  `${SHARED}data/io/hspy/example2_v3.1.hspy`,
  `${SHARED}data/reference/domain-7x15x400/seed.hspy`,
  `${SHARED}data/real/eds-agcu-50x50-seed.hspy`,
].map((path) => ({ name: basename(path), bytes: new Uint8Array(readFileSync(path)) }));
const dir = mkdtempSync(join(tmpdir(), 'hspy-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** HDF5 keeps its superblock and most object headers in the first 4 KiB. */
const HEAD = 4096;

async function readsOrFails(name: string, bytes: Uint8Array): Promise<void> {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const start = performance.now();
  try {
    const file = await readHspy(path);
    // Building the stored models walks the rest of the tree.
    file.modelNames.forEach((names, i) => names.forEach((n) => file.model(i, n)));
  } catch (err) {
    if (!(err instanceof FileFormatError))
      throw new Error(`expected a FileFormatError, got ${String(err)}`, { cause: err });
    expect(err.fileName).toBe(name);
  }
  expect(performance.now() - start).toBeLessThan(5000);
}

describe('fuzz: HyperSpy HDF5', () => {
  it(`${RUNS} mutated and truncated .hspy samples read or fail cleanly`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...files), arbMutation, async (file, m) => {
        await readsOrFails(file.name, mutate(file.bytes, m, HEAD));
      }),
      { numRuns: RUNS, seed: 401 },
    );
  }, 600_000);

  it('still reads a good file after the bad ones', async () => {
    const path = join(dir, 'good.hspy');
    writeFileSync(path, files[2]!.bytes);
    const file = await readHspy(path);
    expect(file.signals[0]!.shape).toEqual([7, 15, 400]);
  });
});
