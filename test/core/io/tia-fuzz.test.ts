/**
 * Hostile input for the FEI TIA readers: real .ser series (spectrum images,
 * line profiles, spectra, image series) and .emi files, mutated byte by byte,
 * with 32-bit words overwritten (counts, offsets, sizes, data types) or
 * truncated. Each case reads or fails with a FileFormatError naming the file;
 * never another error, never a hang, never an allocation the file cannot
 * back. Seeded, so failures reproduce. Forged sizes are also tried on purpose.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesSource, emiMetadata, emiObjects, FileFormatError, readSer } from '@samfire/core';
import { arbMutation, mutate, settles } from '../../helpers/fuzz.js';

const IO = '/usr/lib/python3/dist-packages/hyperspy/tests/io/';
const RUNS = 1000;

const load = (path: string): { name: string; bytes: Uint8Array } => ({
  name: path.split('/').pop()!,
  bytes: new Uint8Array(readFileSync(IO + path)),
});
const ser = [
  'FEI_new/16x16-spectrum_image_5x5x4000-not_square_1.ser',
  'FEI_new/16x16-line_profile_horizontal_5x128x128_EDS_2.ser',
  'FEI_new/128x128x5-diffraction_preview_1.ser',
  'FEI_old/03_Scanning Preview_1.ser',
  'FEI_old/16x16-2_point-spectra-2x1024_1.ser',
  'FEI_old/64x64_TEM_images_acquire_1.ser',
  'FEI_old/X - Au NP EELS_2.ser',
].map(load);
const emi = [
  'FEI_new/16x16-diffraction_imagel_5x5x256x256_EDS.emi',
  'FEI_old/64x64x5_TEM_preview.emi',
].map(load);

const readSerBytes = (bytes: Uint8Array, name: string): Promise<unknown> =>
  readSer(bytesSource(bytes, name));

describe('fuzz: TIA .ser', () => {
  it(`${RUNS} mutated and truncated series`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ser), arbMutation, async (file, m) => {
        await settles([file.name], () => readSerBytes(mutate(file.bytes, m, 512), file.name));
      }),
      { numRuns: RUNS, seed: 1301 },
    );
  }, 600_000);

  it('forged sizes are refused before anything large is allocated', async () => {
    const file = ser[5]!; // 64x64 float32 image, version 0x210
    const forge = (at: number, value: number, width: 16 | 32 = 32): Uint8Array => {
      const b = file.bytes.slice();
      const dv = new DataView(b.buffer);
      if (width === 32) dv.setUint32(at, value, true);
      else dv.setUint16(at, value, true);
      return b;
    };
    const first = new DataView(file.bytes.buffer).getUint32(
      new DataView(file.bytes.buffer).getUint32(22, true),
      true,
    );
    const cases: [string, Uint8Array, RegExp][] = [
      ['total elements', forge(14, 0x7fffffff), /offset array|dimensions|element counts/],
      ['image width', forge(first + 42, 0x7fffffff), /past the end|more values/],
      ['image height', forge(first + 46, 0x10000), /past the end|more values/],
      ['data type', forge(first + 40, 9, 16), /complex/],
      ['offset array', forge(22, 0xfffffff0), /offset array/],
    ];
    for (const [what, bytes, message] of cases) {
      await settles([file.name], () => readSerBytes(bytes, file.name));
      const err = await readSerBytes(bytes, file.name).catch((e: unknown) => e);
      expect(err, what).toBeInstanceOf(FileFormatError);
      expect((err as Error).message, what).toMatch(message);
    }
  });
});

describe('fuzz: TIA .emi', () => {
  it(`${RUNS} mutated and truncated .emi files give metadata or nothing, never an error`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...emi), arbMutation, fc.nat(3), async (file, m, k) => {
        await settles([file.name], () => {
          const objects = emiObjects(mutate(file.bytes, m, 1 << 20));
          return Promise.resolve(emiMetadata(objects, k));
        });
      }),
      { numRuns: RUNS, seed: 1302 },
    );
  }, 600_000);
});
