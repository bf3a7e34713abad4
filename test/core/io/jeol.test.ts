/**
 * The JEOL .pts reader against HyperSpy 1.7.3 on every .pts of HyperSpy's
 * JEOL_files test folder (a 512x512 map of 14 sweeps, and three 64x64 maps
 * cut short in the first sweep, in the second, and just after the first):
 * title, signal type, shape, dtype, axes (1e-9 relative), the data's
 * sha256 and the beam energy. HyperSpy runs once, on a batch of cases.
 */
import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesSource, FileFormatError, readPts, type Signal } from '@samfire/core';
import { readSignalFile, readableExtensions } from '@samfire/core/node';
import { close, sha256 } from '../../helpers/bruker-compare.js';
import {
  hyperspyAvailable,
  hyperspyLoad,
  hyperspyMissing,
  type HsResult,
  type HsSignal,
} from '../../helpers/hyperspy-load.js';

const IO = '/usr/lib/python3/dist-packages/hyperspy/tests/io/JEOL_files/';
const dirs = ['Sample/00_View000/', 'InvalidFrame/Sample/00_Dummy-Data/'];
const files = dirs.flatMap((d) =>
  readdirSync(IO + d)
    .filter((f) => /\.pts$/i.test(f))
    .sort()
    .map((f) => IO + d + f),
);

let reference: HsResult[] = [];
beforeAll(async () => {
  if (!hyperspyAvailable) return;
  reference = await hyperspyLoad(files.map((file) => ({ file })));
}, 600_000);

if (!hyperspyAvailable) console.warn(`JEOL tests against HyperSpy skipped: ${hyperspyMissing}`);

const beam = (s: { metadata: Record<string, unknown> }): unknown =>
  (s.metadata['Acquisition_instrument'] as { TEM?: { beam_energy?: number } } | undefined)?.TEM
    ?.beam_energy;

function expectMatches(s: Signal, hs: HsSignal, where: string): void {
  expect(s.title, `${where} title`).toBe(hs.title);
  expect(s.signalType, `${where} signal type`).toBe(hs.signal_type);
  expect(s.dtype, `${where} dtype`).toBe(hs.dtype);
  expect(s.shape, `${where} shape`).toEqual(hs.shape);
  hs.axes.forEach((ha, i) => {
    const a = s.axes[i]!;
    const at = `${where} axis ${i}`;
    expect(a.name, `${at} name`).toBe(ha.name);
    expect(a.size, `${at} size`).toBe(ha.size);
    expect(a.units, `${at} units`).toBe(ha.units);
    expect(a.navigate, `${at} navigate`).toBe(ha.navigate);
    expect(close(a.scale, ha.scale, 1e-9), `${at} scale ${a.scale} vs ${ha.scale}`).toBe(true);
    expect(close(a.offset, ha.offset, 1e-9), `${at} offset ${a.offset} vs ${ha.offset}`).toBe(true);
  });
  let sum = 0;
  for (let i = 0; i < s.data.length; i++) sum += Number(s.data[i]);
  expect(sum, `${where} sum`).toBe(hs.sum);
  expect(sha256(s), `${where} sha256`).toBe(hs.sha256);
}

describe.skipIf(!hyperspyAvailable)('JEOL .pts files as HyperSpy 1.7.3 reads them', () => {
  files.forEach((file, k) => {
    it(
      file.replace(IO, ''),
      async () => {
        const ref = reference[k]!;
        expect('error' in ref ? ref.error : null, `${file}: HyperSpy failed`).toBeNull();
        const expected = (ref as { signals: HsSignal[] }).signals;
        const ours = await readSignalFile(file);
        expect(ours.length).toBe(expected.length);
        ours.forEach((s, i) => expectMatches(s, expected[i]!, `${file} [${i}]`));
        expect(ours.map(beam)).toEqual(expected.map(beam));
      },
      120_000,
    );
  });
});

describe('JEOL .pts reader', () => {
  it('is registered for .pts', () => {
    expect(readableExtensions()).toEqual(expect.arrayContaining(['.pts']));
  });

  it('refuses a file without the PTTDFILE signature, naming it', async () => {
    const bytes = new Uint8Array(4096).fill(7);
    const err = await readPts(bytesSource(bytes, 'bad.pts')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileFormatError);
    expect((err as Error).message).toMatch(/bad\.pts.*PTTDFILE/);
  });
});

describe('JEOL .asw projects', () => {
  it('read the .pts maps they list', async () => {
    const [fromAsw] = await readSignalFile(IO + 'rawdata.ASW');
    const [direct] = await readSignalFile(IO + 'Sample/00_View000/View000_0000006.pts');
    expect(fromAsw!.shape).toEqual([512, 512, 4096]);
    expect(sha256(fromAsw!)).toBe(sha256(direct!));
  }, 120_000);

  it('name the project and the missing map when a listed file is absent', async () => {
    const err = await readSignalFile(IO + '181019-BN.ASW').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileFormatError);
    expect((err as FileFormatError).fileName).toBe('181019-BN.ASW');
    expect((err as Error).message).toMatch(/181019-BN\.ASW: .*\.pts' it lists is missing/);
  });
});
