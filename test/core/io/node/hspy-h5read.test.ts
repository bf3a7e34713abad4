/**
 * What a HyperSpy file's datasets declare is checked against what the file
 * can hold before HDF5 is asked for them: a chunked dataset never written
 * reads as fill values of any size, so a forged dataspace would otherwise
 * allocate it (found by test/reliability/forged-headers.test.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describe as describeError, h5wasm } from '../../../../core/src/io/node/hspy-h5read.js';
import { readHspy } from '@samfire/core/node';

const dir = mkdtempSync(join(tmpdir(), 'samfire-h5read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A HyperSpy file whose data are declared as `shape` (float64, chunked) but never written. */
async function declared(name: string, shape: number[], compression = false): Promise<string> {
  const { default: h5 } = await h5wasm();
  const path = join(dir, name);
  const f = new h5.File(path, 'w');
  f.create_attribute('file_format', 'HyperSpy');
  f.create_attribute('file_format_version', '3.1');
  const g = f.create_group('Experiments').create_group('s');
  const ds = g.create_dataset({
    name: 'data',
    data: new Float64Array(1),
    shape: shape.map(() => 1),
    dtype: '<d',
    maxshape: shape.map(() => null),
    chunks: shape.map((d, i) => (i === shape.length - 1 ? Math.min(16, d) : 1)),
    ...(compression ? { compression: 'gzip' as const, compression_opts: 4 } : {}),
  });
  ds.resize(shape);
  shape.forEach((size, i) => g.create_group(`axis-${i}`).create_attribute('size', size));
  f.close();
  return path;
}

describe('HDF5 datasets larger than their file', () => {
  it('are refused before reading, naming the dataset and the sizes', async () => {
    await expect(readHspy(await declared('gib.hspy', [8192, 16384]))).rejects.toThrow(
      /^gib\.hspy: dataset \/Experiments\/s\/data \(8192 x 16384 values of 8 bytes\) would take 1\.0 GiB, more than a file of this size can hold \(\d+\.\d KiB at most\): the header is damaged$/,
    );
    await expect(readHspy(await declared('tb.hspy', [1e6, 1e6, 16]))).rejects.toThrow(
      /would hold 16000000000000 values \(116\.4 TiB\), more than can be held in memory/,
    );
  });

  it('allow compressed data up to deflate’s ratio, and no more', async () => {
    // 64 x 1024 float64 = 512 KiB of fill values from a file of a few KiB: under 1032:1.
    const small = await readHspy(await declared('ok.hspy', [64, 1024], true));
    expect(small.signals[0]!.shape).toEqual([64, 1024]);
    await expect(readHspy(await declared('gz.hspy', [8192, 16384], true))).rejects.toThrow(
      /would take 1\.0 GiB, more than a file of this size can hold \(\d+\.\d MiB at most\)/,
    );
  });
});

describe('HDF5 errors', () => {
  it('say what failed and why, not the error stack’s heading', () => {
    const stack = [
      'HDF5-DIAG: Error detected in HDF5 (2.0.0):',
      '  #000: /src/H5D.c line 401 in H5Dopen2(): unable to synchronously open dataset',
      '    major: Dataset',
      '  #010: /src/H5Dcontig.c line 411 in H5D__contig_check(): invalid dataset size, likely file corruption',
      '    major: Dataset',
    ].join('\n');
    expect(describeError(new Error(stack))).toBe(
      'unable to synchronously open dataset (invalid dataset size, likely file corruption)',
    );
    expect(describeError(new Error('\nplain message\nmore'))).toBe('plain message');
  });
});
