import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileFormatError, writeNpy, Signal } from '@samfire/core';
import {
  readSignalFile,
  readableExtensions,
  registerReader,
  writeFileAtomic,
} from '@samfire/core/node';
import { WriteError } from '../../../../core/src/io/node/read-file.js';
import { WRITE_FAULTS_ENV } from '../../../../core/src/io/node/write-faults.js';

const sample = (path: string): string =>
  fileURLToPath(new URL(`../../../../../shared/data/io/${path}`, import.meta.url));

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'samfire-io-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<FileFormatError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FileFormatError);
  return err as FileFormatError;
}

describe('readSignalFile', () => {
  it('picks the reader by extension, in any case', async () => {
    expect((await readSignalFile(sample('dm3/test-EELS_spectrum.dm3')))[0]!.signalType).toBe(
      'EELS',
    );
    expect((await readSignalFile(sample('dm4/3D_test-2.dm4')))[0]!.shape).toEqual([2, 2, 2]);
    expect((await readSignalFile(sample('msa/example1.msa')))[0]!.title).toBe('NIO EELS OK SHELL');
    const ems = join(dir, 'COPY.EMS');
    await copyFile(sample('msa/example1.msa'), ems);
    expect((await readSignalFile(ems))[0]!.shape).toEqual([21]);
    const npy = join(dir, 'cube.npy');
    await writeFile(npy, writeNpy(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]));
    const [s] = await readSignalFile(npy);
    expect(s!.shape).toEqual([2, 3]);
    expect(s!.title).toBe('cube');
  });

  it('finds the .raw beside a .rpl, whatever the case of its extension', async () => {
    const name = 'test_ripple_sdim-1_ndim-2_float32';
    expect((await readSignalFile(sample(`ripple/${name}.rpl`)))[0]!.shape).toEqual([2, 3, 4]);
    await copyFile(sample(`ripple/${name}.rpl`), join(dir, 'upper.rpl'));
    await copyFile(sample(`ripple/${name}.raw`), join(dir, 'upper.RAW'));
    expect((await readSignalFile(join(dir, 'upper.rpl')))[0]!.shape).toEqual([2, 3, 4]);
  });

  it('a .rpl without its .raw is a clear error', async () => {
    await copyFile(sample('ripple/test_ripple_sdim-1_ndim-0_int32.rpl'), join(dir, 'alone.rpl'));
    const err = await rejection(readSignalFile(join(dir, 'alone.rpl')));
    expect(err.message).toBe("alone.rpl: its data file 'alone.raw' was not found next to it");
  });

  it('empty, missing, directory and unknown-type files', async () => {
    await writeFile(join(dir, 'empty.dm3'), new Uint8Array(0));
    expect((await rejection(readSignalFile(join(dir, 'empty.dm3')))).message).toBe(
      'empty.dm3: the file is empty',
    );
    expect((await rejection(readSignalFile(join(dir, 'missing.msa')))).message).toMatch(
      /^missing\.msa: cannot open: .*ENOENT/,
    );
    await mkdir(join(dir, 'folder.npy'));
    expect((await rejection(readSignalFile(join(dir, 'folder.npy')))).message).toBe(
      'folder.npy: not a regular file',
    );
    const unknown = await rejection(readSignalFile(join(dir, 'notes.txt')));
    expect(unknown.message).toMatch(
      /^notes\.txt: unknown file type '\.txt'; readable types are .*\.dm3/,
    );
  });

  it('reports parse errors as FileFormatErrors naming the file', async () => {
    await writeFile(join(dir, 'bad.dm4'), new TextEncoder().encode('not really a DM4 file at all'));
    expect((await rejection(readSignalFile(join(dir, 'bad.dm4')))).fileName).toBe('bad.dm4');
  });

  it('knows HyperSpy files, and other modules can register readers', async () => {
    expect(readableExtensions()).toEqual(
      expect.arrayContaining(['.dm3', '.dm4', '.ems', '.hdf5', '.hspy', '.msa', '.npy', '.rpl']),
    );
    const fake = new Signal({
      data: new Float64Array(1),
      axes: [{ name: '', size: 1, offset: 0, scale: 1, units: '', navigate: false }],
    });
    registerReader(['.FAKE'], async () => [fake]);
    await writeFile(join(dir, 'a.fake'), 'x');
    expect(await readSignalFile(join(dir, 'a.fake'))).toEqual([fake]);
  });
});

describe('writeFileAtomic', () => {
  it('writes, replaces, and leaves no temporary file', async () => {
    const target = join(dir, 'atomic', 'out.msa');
    await mkdir(join(dir, 'atomic'));
    await writeFileAtomic(target, 'first');
    await writeFileAtomic(target, new Uint8Array([104, 105]));
    expect(await readFile(target, 'utf8')).toBe('hi');
    expect(await readdir(join(dir, 'atomic'))).toEqual(['out.msa']);
  });

  it('removes the temporary file and keeps the old one when the rename fails', async () => {
    const where = join(dir, 'fail');
    await mkdir(join(where, 'target'), { recursive: true });
    await writeFile(join(where, 'target', 'keep'), 'old');
    // The target is a non-empty directory, so rename cannot replace it.
    await expect(writeFileAtomic(join(where, 'target'), 'new')).rejects.toThrow();
    expect(await readdir(where)).toEqual(['target']);
    expect(await readFile(join(where, 'target', 'keep'), 'utf8')).toBe('old');
  });

  it('fails cleanly when the directory does not exist', async () => {
    await expect(writeFileAtomic(join(dir, 'no-such-dir', 'x.npy'), 'x')).rejects.toThrow(/ENOENT/);
  });

  it('says the disk is full, naming the file, and leaves nothing when a write fails part-way', async () => {
    const where = join(dir, 'enospc');
    await mkdir(where);
    await writeFile(join(where, 'out.msa'), 'previous');
    process.env[WRITE_FAULTS_ENV] = 'out.msa@0.5:enospc';
    try {
      const err = await writeFileAtomic(join(where, 'out.msa'), [
        new Uint8Array(1000),
        new Uint8Array(1000),
      ]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WriteError);
      expect((err as WriteError).message).toBe(
        `cannot write ${join(where, 'out.msa')}: the disk is full (ENOSPC: no space left on device)`,
      );
      expect((err as WriteError).code).toBe('ENOSPC');
    } finally {
      delete process.env[WRITE_FAULTS_ENV];
    }
    expect(await readdir(where)).toEqual(['out.msa']);
    expect(await readFile(join(where, 'out.msa'), 'utf8')).toBe('previous');
  });

  it('removes the temporary files that killed processes left for the same target, and no others', async () => {
    const where = join(dir, 'stale');
    await mkdir(where);
    // A pid that does not exist (beyond any pid_max), one that does (this process's parent), another target's.
    const dead = '.out.hspy.99999999.0123456789ab.tmp';
    const live = `.out.hspy.${process.ppid}.0123456789ab.tmp`;
    const other = '.other.hspy.99999999.0123456789ab.tmp';
    for (const n of [dead, live, other]) await writeFile(join(where, n), 'half');
    await writeFileAtomic(join(where, 'out.hspy'), 'done');
    expect((await readdir(where)).sort()).toEqual([live, other, 'out.hspy'].sort());
  });
});
