/**
 * Hostile input for the JEOL .pts reader: HyperSpy's small .pts maps (64x64,
 * cut short in different sweeps) mutated byte by byte, with 32-bit words
 * overwritten (offsets, sizes, tag lengths) or truncated. Each case reads or
 * fails with a FileFormatError naming the file; never another error, never a
 * hang, never a large allocation. Seeded, so failures reproduce.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesSource, FileFormatError, readJeolEds, readJeolImage, readPts } from '@samfire/core';
import { aswFiles } from '@samfire/core/node';
import { arbMutation, mutate, settles } from '../../helpers/fuzz.js';

const IO = '/usr/lib/python3/dist-packages/hyperspy/tests/io/JEOL_files/';
const RUNS = 1000;

const pts = [
  'InvalidFrame/Sample/00_Dummy-Data/Dummy-Data_0000007.pts',
  'InvalidFrame/Sample/00_Dummy-Data/Dummy-Data_0000015.pts',
  'InvalidFrame/Sample/00_Dummy-Data/Dummy-Data_0000023.pts',
].map((path) => ({ name: path.split('/').pop()!, bytes: new Uint8Array(readFileSync(IO + path)) }));

const read = (bytes: Uint8Array, name: string): Promise<unknown> =>
  readPts(bytesSource(bytes, name));

describe('fuzz: JEOL .pts', () => {
  it(`${RUNS} mutated and truncated maps`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...pts), arbMutation, async (file, m) => {
        await settles([file.name], () => read(mutate(file.bytes, m, 0x4000), file.name));
      }),
      { numRuns: RUNS, seed: 1201 },
    );
  }, 600_000);

  it('forged sizes are refused before anything large is allocated', async () => {
    const file = pts[2]!;
    const text = new TextDecoder('latin1').decode(file.bytes.subarray(0, 0x4000));
    const forge = (edit: (b: Uint8Array, dv: DataView) => void): Uint8Array => {
      const b = file.bytes.slice();
      edit(b, new DataView(b.buffer));
      return b;
    };
    const pixelsAt = text.indexOf('64x64', text.indexOf('PTTD Data'));
    expect(pixelsAt).toBeGreaterThan(0);
    const cases: [string, Uint8Array, RegExp][] = [
      ['data offset', forge((_, dv) => dv.setUint32(0x1c, 0xfffffff0, true)), /data offset/],
      ['pixels', forge((b) => b.set(new TextEncoder().encode('99x99'), pixelsAt)), /map size/],
      ['tag length', forge((_, dv) => dv.setUint32(0x13e, 0x7fffffff, true)), /past the header/],
    ];
    for (const [what, bytes, message] of cases) {
      await settles([file.name], () => read(bytes, file.name));
      const err = await read(bytes, file.name).catch((e: unknown) => e);
      expect(err, what).toBeInstanceOf(FileFormatError);
      expect((err as Error).message, what).toMatch(message);
    }
  });
});

const small = (paths: string[]) =>
  paths.map((path) => ({
    name: path.split('/').pop()!,
    bytes: new Uint8Array(readFileSync(IO + path)),
  }));
const images = small([
  'InvalidFrame/Sample/00_Dummy-Data/Dummy-Data_0000000.img',
  'InvalidFrame/Sample/00_Dummy-Data/Dummy-Data_0000001.map',
  'InvalidFrame/Sample/00_Dummy-Data/Dummy-Data_0000003.map',
]);
const spectra = small(['met03.EDS']);
const projects = small(['rawdata.ASW', 'InvalidFrame/dummy2.ASW']);

describe('fuzz: JEOL .img, .map, .EDS and .ASW', () => {
  it(`${RUNS} mutated and truncated images and maps`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...images), arbMutation, async (file, m) => {
        await settles([file.name], async () =>
          readJeolImage(mutate(file.bytes, m, 0x8000), file.name),
        );
      }),
      { numRuns: RUNS, seed: 1202 },
    );
  }, 600_000);

  it(`${RUNS} mutated and truncated spectra`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...spectra), arbMutation, async (file, m) => {
        await settles([file.name], async () =>
          readJeolEds(mutate(file.bytes, m, 0x200), file.name),
        );
      }),
      { numRuns: RUNS, seed: 1203 },
    );
  }, 600_000);

  it(`${RUNS} mutated and truncated projects`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...projects), arbMutation, async (file, m) => {
        await settles([file.name], async () =>
          aswFiles(mutate(file.bytes, m, 0x1000), file.name, '/x'),
        );
      }),
      { numRuns: RUNS, seed: 1204 },
    );
  }, 600_000);

  it('forged sizes are refused before anything is allocated', () => {
    const file = images[1]!;
    const b = file.bytes.slice();
    const dv = new DataView(b.buffer);
    // The image's Size (width, height) sits just before its Bits.
    const at = new TextDecoder('latin1').decode(b).lastIndexOf('Size\0');
    dv.setUint32(at + 13, 0x7fffffff, true);
    expect(() => readJeolImage(b, file.name)).toThrow(
      /2147483647x64 image is not a JEOL image size/,
    );
    const eds = spectra[0]!.bytes.slice();
    new DataView(eds.buffer).setUint32(0x1c6, 0xfffffff, true);
    expect(() => readJeolEds(eds, 'met03.EDS')).toThrow(FileFormatError);
  });
});
