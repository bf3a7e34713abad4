/**
 * Hostile input for the Bruker readers: real .bcf and .spx files (and the
 * .bcf maps re-stored uncompressed, so that mutations reach the XML header
 * and the hypermap stream rather than only breaking zlib), mutated byte by
 * byte, with 32-bit words overwritten (counts, sizes, chunk pointers) or
 * truncated. Each case reads or fails with a FileFormatError naming the
 * file; never another error, never a hang (each case is bounded in time),
 * never an allocation the file cannot back. Seeded, so failures reproduce.
 * Forged sizes are also tried on purpose (map sizes, channel counts, chunk
 * counts, compressed block sizes).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { readBcf } from '../../../core/src/io/bruker/bcf.js';
import { SfsContainer } from '../../../core/src/io/bruker/sfs.js';
import { readSpx } from '../../../core/src/io/bruker/spx.js';
import { FileFormatError } from '@samfire/core';
import { nodeInflate } from '../../../core/src/io/node/inflate.js';
import { bytesSource } from '@samfire/core';
import { sfsBytes, writeSyntheticBcf } from '../../helpers/bcf-writer.js';
import { arbMutation, mutate, settles } from '../../helpers/fuzz.js';

const DIR = '/usr/lib/python3/dist-packages/hyperspy/tests/io/bruker_data/';
const RUNS = 1000;

interface Sample {
  name: string;
  bytes: Uint8Array;
}

const load = (name: string): Sample => ({ name, bytes: new Uint8Array(readFileSync(DIR + name)) });

// Hitachi_TM3030Plus.bcf decodes into 157 MB; the others into at most 15 MB.
const bcfNames = [
  '16x16_12bit_packed_8bit.bcf',
  '30x30_instructively_packed_16bit_compressed.bcf',
  'P45_the_default_job.bcf',
  'bcf-edx-ebsd.bcf',
  'bcf_v2_50x50px.bcf',
  'over16bit.bcf',
  'test_TEM.bcf',
];
const spx: Sample[] = [
  'bruker_m6_jetstream_file_example.spx',
  'bruker_nano.spx',
  'extracted_from_bcf.spx',
].map(load);
const bcf: Sample[] = bcfNames.map(load);
/** The same maps with HeaderData and SpectrumData0 stored uncompressed. */
const stored: Sample[] = [];

beforeAll(async () => {
  for (const name of [
    '30x30_instructively_packed_16bit_compressed.bcf',
    'bcf_v2_50x50px.bcf',
    'test_TEM.bcf',
    'over16bit.bcf',
  ]) {
    const sfs = await SfsContainer.open(bytesSource(load(name).bytes, name));
    const files = [];
    for (const f of ['HeaderData', 'SpectrumData0']) {
      const entry = sfs.find(`EDSDatabase/${f}`)!;
      files.push({ name: f, data: await sfs.readFile(entry, nodeInflate, 1 << 28) });
    }
    stored.push({ name: `stored-${name}`, bytes: sfsBytes(files) });
  }
});

const readBcfBytes = (bytes: Uint8Array, name: string): Promise<unknown> =>
  readBcf(bytesSource(bytes, name), { inflate: nodeInflate, cacheBytes: 1 << 24 });

describe('fuzz: Bruker .bcf', () => {
  it(`${RUNS} mutated and truncated real maps`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...bcf), arbMutation, async (file, m) => {
        await settles([file.name], () => readBcfBytes(mutate(file.bytes, m), file.name));
      }),
      { numRuns: RUNS, seed: 1201 },
    );
  }, 600_000);

  it(`${RUNS} mutated and truncated maps stored uncompressed`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3 }),
        arbMutation,
        fc.constantFrom(1, 2),
        async (k, m, downsample) => {
          const file = stored[k]!;
          await settles([file.name], () =>
            readBcf(bytesSource(mutate(file.bytes, m), file.name), {
              inflate: nodeInflate,
              downsample,
            }),
          );
        },
      ),
      { numRuns: RUNS, seed: 1202 },
    );
  }, 600_000);

  it('forged sizes are refused before anything large is allocated', async () => {
    const file = stored[0]!; // 30x30: HeaderData then SpectrumData0, 4 KiB chunks
    const at = (needle: string): number => Buffer.from(file.bytes).indexOf(needle, 0, 'latin1');
    const forge = (edit: (b: Uint8Array, dv: DataView) => void): Uint8Array => {
      const b = file.bytes.slice();
      edit(b, new DataView(b.buffer));
      return b;
    };
    // The stream's header: the first bytes of SpectrumData0's first chunk (30, 30, 4096, 1).
    const stream = Buffer.from(file.bytes).indexOf(
      Buffer.from([30, 0, 0, 0, 30, 0, 0, 0, 0, 16, 0, 0, 1, 0, 0, 0]),
    );
    expect(stream).toBeGreaterThan(0);
    const cases: [string, Uint8Array, RegExp][] = [
      [
        'huge map',
        forge((_, dv) => dv.setUint32(stream + 4, 60000, true)),
        /map|HeaderData describes/,
      ],
      ['chunk count', forge((_, dv) => dv.setUint32(0x148, 0x7fffffff, true)), /chunks/],
      ['chunk size', forge((_, dv) => dv.setUint32(0x128, 0x7ffffff0, true)), /chunk size/],
      ['file count', forge((_, dv) => dv.setUint32(0x144, 0xffffffff, true)), /number of files/],
      [
        'channel count',
        forge((b) => b.set(Buffer.from('<ChannelCount>9999', 'latin1'), at('<ChannelCount>2048'))),
        /channels/,
      ],
    ];
    for (const [what, bytes, message] of cases) {
      const err = await readBcfBytes(bytes, file.name).then(
        () => null,
        (e: unknown) => e,
      );
      await settles([file.name], () => readBcfBytes(bytes, file.name));
      expect(err, what).toBeInstanceOf(FileFormatError);
      expect((err as Error).message, what).toMatch(message);
    }
    // A map of 1000 x 1000 empty pixels: a valid stream of a few kB that would decode into 2 GB.
    const dir = mkdtempSync(join(tmpdir(), 'bcf-forged-'));
    try {
      const path = join(dir, 'empty.bcf');
      writeSyntheticBcf(path, {
        height: 1000,
        width: 1000,
        packing: 'pulses',
        counts: 1,
        emptyEvery: 1,
        image: false,
      });
      const bytes = new Uint8Array(readFileSync(path));
      await settles(['empty.bcf'], () => readBcfBytes(bytes, 'empty.bcf'));
      await expect(readBcfBytes(bytes, 'empty.bcf')).rejects.toThrow(
        /more than a file of this size can hold/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // A compressed block claiming gigabytes, in the real (AACS) file.
    const real = bcf[1]!;
    const aacs = Buffer.from(real.bytes).indexOf('AACS', 0, 'latin1');
    const bomb = real.bytes.slice();
    new DataView(bomb.buffer).setUint32(aacs + 0x80 + 4, 0x7fffffff, true);
    await settles([real.name], () => readBcfBytes(bomb, real.name));
    await expect(readBcfBytes(bomb, real.name)).rejects.toThrow(/implausible size/);
  });
});

describe('fuzz: Bruker .spx', () => {
  it(`${RUNS} mutated and truncated spectra`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...spx), arbMutation, async (file, m) => {
        await settles([file.name], () =>
          readSpx(mutate(file.bytes, m), file.name, { inflate: nodeInflate }),
        );
      }),
      { numRuns: RUNS, seed: 1203 },
    );
  }, 600_000);

  it('XML that is not a spectrum, or nested without end, is a FileFormatError', async () => {
    const cases = [
      '<?xml version="1.0"?><Other/>',
      '<TRTSpectrum><ClassInstance Type="TRTSpectrum"></ClassInstance></TRTSpectrum>',
      `<TRTSpectrum>${'<a>'.repeat(100_000)}`,
      '<TRTSpectrum attr=noquotes/>',
      '',
    ];
    for (const text of cases) {
      await settles(['x.spx'], () => readSpx(new Uint8Array(Buffer.from(text)), 'x.spx'));
      await expect(readSpx(new Uint8Array(Buffer.from(text)), 'x.spx')).rejects.toBeInstanceOf(
        FileFormatError,
      );
    }
  });
});
