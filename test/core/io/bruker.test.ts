/**
 * The Bruker readers against HyperSpy 1.7.3 on every file of HyperSpy's own
 * Bruker test folder (real .bcf maps and .spx spectra), with HyperSpy's
 * options: shape, dtype, axes (1e-9 relative), the data's sha256, the
 * metadata tree (beam energy, elements, X-ray lines, detector angles, real
 * and live time, stage...) and original_metadata. HyperSpy runs once, on a
 * batch of cases (test/helpers/hyperspy-load.ts).
 *
 * Where we differ from HyperSpy on purpose, the tests say so:
 * - a sample without a name: HyperSpy writes its placeholder 'Undefinded';
 *   we leave Sample.name out;
 * - the overview image's marker (metadata.Markers) is not kept;
 * - HyperSpy guesses the dtype of a downsampled cube before decoding and
 *   can wrap counts around (bcf-edx-ebsd.bcf at downsample 5); we use the
 *   smallest type that holds the real counts (the same type wherever
 *   HyperSpy does not wrap, as at downsample 2 and 3 on every file).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runInfo } from '../../../core/src/cli/info.js';
import { readBcf, type BcfOptions } from '../../../core/src/io/bruker/bcf.js';
import { webInflate } from '../../../core/src/io/bruker/sfs.js';
import { FileFormatError } from '@samfire/core';
import { readBcfFile, readSpxFile } from '../../../core/src/io/node/bruker.js';
import { writeHspy } from '@samfire/core/node';
import { withFileSource } from '@samfire/core/node';
import { readableExtensions, readSignalFile } from '@samfire/core/node';
import { toFloat64 } from '@samfire/core';
import type { Signal } from '@samfire/core';
import {
  close,
  comparable,
  expectSignalMatches,
  expectTree,
  sha256,
} from '../../helpers/bruker-compare.js';
import {
  PYTHON,
  hyperspyAvailable,
  hyperspyLoad,
  hyperspyMissing,
  type HsCase,
  type HsResult,
  type HsSignal,
} from '../../helpers/hyperspy-load.js';

const BRUKER_DIR = '/usr/lib/python3/dist-packages/hyperspy/tests/io/bruker_data/';
const files = readdirSync(BRUKER_DIR).sort();
const bcfFiles = files.filter((f) => f.endsWith('.bcf') && f !== 'Nope.bcf');
const spxFiles = files.filter((f) => f.endsWith('.spx'));

interface Case {
  file: string;
  ours: BcfOptions;
  hs: Record<string, unknown>;
}

const optionFiles = [
  '30x30_instructively_packed_16bit_compressed.bcf',
  'P45_the_default_job.bcf',
  '16x16_12bit_packed_8bit.bcf',
  'over16bit.bcf',
  'bcf_v2_50x50px.bcf',
];
const OPTIONS: { ours: BcfOptions; hs: Record<string, unknown> }[] = [
  { ours: { downsample: 2 }, hs: { downsample: 2 } },
  { ours: { downsample: 3 }, hs: { downsample: 3 } },
  { ours: { cutoffAtKv: 5.3 }, hs: { cutoff_at_kV: 5.3 } },
  { ours: { cutoffAtKv: 0.1 }, hs: { cutoff_at_kV: 0.1 } },
  // Beyond the recorded range: empty channels are added.
  { ours: { cutoffAtKv: 30 }, hs: { cutoff_at_kV: 30 } },
  { ours: { selectType: 'spectrum_image' }, hs: { select_type: 'spectrum_image' } },
  { ours: { selectType: 'image' }, hs: { select_type: 'image' } },
  { ours: { index: 0 }, hs: { index: 0 } },
  { ours: { index: 'all' }, hs: { index: 'all' } },
  { ours: { downsample: 2, cutoffAtKv: 3 }, hs: { downsample: 2, cutoff_at_kV: 3 } },
];

const cases: Case[] = [
  ...[...bcfFiles, ...spxFiles].map((file) => ({ file, ours: {}, hs: {} })),
  // Every file at downsample 2 and 3 (the dtype HyperSpy picks included).
  ...bcfFiles.flatMap((file) =>
    [2, 3].map((downsample) => ({ file, ours: { downsample }, hs: { downsample } })),
  ),
  ...optionFiles.flatMap((file) =>
    OPTIONS.filter((o) => o.ours.downsample === undefined || o.ours.cutoffAtKv !== undefined).map(
      (o) => ({ file, ...o }),
    ),
  ),
];

let reference: HsResult[] = [];
beforeAll(async () => {
  if (!hyperspyAvailable) return;
  const batch: HsCase[] = cases.map((c) => ({ file: BRUKER_DIR + c.file, kwargs: c.hs }));
  reference = await hyperspyLoad(batch);
}, 600_000);

if (!hyperspyAvailable) console.warn(`bruker tests against HyperSpy skipped: ${hyperspyMissing}`);

function read(file: string, options: BcfOptions = {}): Promise<Signal[]> {
  return file.endsWith('.spx')
    ? readSpxFile(BRUKER_DIR + file)
    : readBcfFile(BRUKER_DIR + file, options);
}

describe.skipIf(!hyperspyAvailable)('Bruker files as HyperSpy 1.7.3 reads them', () => {
  cases.forEach((c, k) => {
    const label = `${c.file} ${Object.keys(c.hs).length ? JSON.stringify(c.hs) : '(defaults)'}`;
    it(label, async () => {
      const ref = reference[k]!;
      expect('error' in ref ? ref.error : null, `${label}: HyperSpy failed`).toBeNull();
      const expected = (ref as { signals: HsSignal[] }).signals;
      const ours = await read(c.file, c.ours);
      expect(ours.map((s) => s.title)).toEqual(expected.map((s) => s.title));
      ours.forEach((s, i) => expectSignalMatches(s, expected[i]!, `${label} [${i}]`));
    });
  });
});

describe('Bruker .bcf: HyperSpy reference arrays and metadata shipped with its tests', () => {
  it('30x30: channels 222-223 equal 30x30_16bit.npy, and at downsample 4 30x30_16bit_ds.npy', async () => {
    const npy = (f: string): Uint16Array => {
      const b = readFileSync(BRUKER_DIR + f);
      const body = b.subarray(10 + b.readUInt16LE(8));
      return new Uint16Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.length));
    };
    for (const [file, downsample] of [
      ['30x30_16bit.npy', 1],
      ['30x30_16bit_ds.npy', 4],
    ] as const) {
      const [eds] = await read('30x30_instructively_packed_16bit_compressed.bcf', {
        downsample,
        selectType: 'spectrum_image',
      });
      const expected = npy(file);
      const [h, w, n] = eds!.shape as [number, number, number];
      const slice = new Uint16Array(h * w * 2);
      for (let p = 0; p < h * w; p++) {
        slice[2 * p] = Number(eds!.data[p * n + 222]);
        slice[2 * p + 1] = Number(eds!.data[p * n + 223]);
      }
      expect(Array.from(slice)).toEqual(Array.from(expected));
    }
  });

  it('30x30: original_metadata equals 30x30_original_metadata.json', async () => {
    const expected = JSON.parse(
      readFileSync(`${BRUKER_DIR}30x30_original_metadata.json`, 'utf8'),
    ) as unknown;
    const [, eds] = await read('30x30_instructively_packed_16bit_compressed.bcf');
    expectTree(eds!.metadata['original_metadata'], expected, 'original_metadata');
  });

  it('a file that is not an SFS container is a FileFormatError naming it', async () => {
    const err = await read('Nope.bcf').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileFormatError);
    expect((err as FileFormatError).fileName).toBe('Nope.bcf');
    expect((err as Error).message).toMatch(/^Nope\.bcf: not a Bruker \.bcf file/);
  });

  it('bad options name the file and the option', async () => {
    const f = '16x16_12bit_packed_8bit.bcf';
    await expect(read(f, { index: 1 })).rejects.toThrow(
      /16x16_12bit_packed_8bit\.bcf: index 1: the file holds hypermap 0/,
    );
    await expect(read(f, { downsample: 0 })).rejects.toThrow(/downsample must be a whole number/);
    await expect(read(f, { downsample: 1.5 })).rejects.toThrow(/downsample/);
    await expect(read(f, { cutoffAtKv: -5 })).rejects.toThrow(
      /cutoff_at_kV -5 is below the first channel/,
    );
  });

  it('downsampling never wraps counts around: every output pixel is the sum of its block', async () => {
    // HyperSpy 1.7.3 gives uint8 at these sizes, and its largest count is 254 where the sum is 316.
    const f = 'bcf-edx-ebsd.bcf';
    const [, full] = await read(f);
    const [h, w, n] = full!.shape as [number, number, number];
    const fullData = toFloat64(full!.data);
    for (const ds of [5, 8, 10]) {
      const [, eds] = await read(f, { downsample: ds });
      const [oh, ow] = eds!.shape as [number, number, number];
      expect([oh, ow]).toEqual([Math.ceil(h / ds), Math.ceil(w / ds)]);
      const sums = new Float64Array(oh * ow * n);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const o = (Math.floor(y / ds) * ow + Math.floor(x / ds)) * n;
          for (let c = 0; c < n; c++) sums[o + c]! += fullData[(y * w + x) * n + c]!;
        }
      }
      const got = toFloat64(eds!.data);
      expect(got).toEqual(sums);
      const max = sums.reduce((a, b) => Math.max(a, b), 0);
      expect(max).toBeGreaterThan(255);
      expect(eds!.dtype).toBe('uint16');
    }
  });

  it('the pure path (DecompressionStream) reads what the Node path (node:zlib) reads', async () => {
    for (const f of ['30x30_instructively_packed_16bit_compressed.bcf', 'bcf_v2_50x50px.bcf']) {
      const node = await read(f);
      const web = await withFileSource(BRUKER_DIR + f, (src) =>
        readBcf(src, { inflate: webInflate }),
      );
      expect(web.map(sha256)).toEqual(node.map(sha256));
      expectTree(web.at(-1)!.metadata, node.at(-1)!.metadata, f);
    }
  });

  it('sharedMemory puts the cube over a SharedArrayBuffer; progress runs to the end', async () => {
    const seen: number[] = [];
    let total = 0;
    const [eds] = await readBcfFile(
      `${BRUKER_DIR}30x30_instructively_packed_16bit_compressed.bcf`,
      {
        sharedMemory: true,
        selectType: 'spectrum_image',
        onProgress: (p) => {
          seen.push(p.done);
          total = p.total;
        },
      },
    );
    expect(eds!.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(seen.length).toBeGreaterThan(2);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
    expect(seen.at(-1)).toBe(total);
    // The inflated stream is cached between the passes unless told not to; both give the same cube.
    const [again] = await readBcfFile(
      `${BRUKER_DIR}30x30_instructively_packed_16bit_compressed.bcf`,
      {
        selectType: 'spectrum_image',
        cacheBytes: 0,
      },
    );
    expect(sha256(again!)).toBe(sha256(eds!));
  });

  it('an aborted signal stops the read with its reason', async () => {
    const controller = new AbortController();
    controller.abort(new DOMException('cancelled by the user', 'AbortError'));
    await expect(
      readBcfFile(`${BRUKER_DIR}bcf_v2_50x50px.bcf`, { signal: controller.signal }),
    ).rejects.toThrow(/cancelled by the user/);
  });

  it(".bcf and .spx are registered readers (the app's open dialog and drag and drop)", async () => {
    expect(readableExtensions()).toEqual(expect.arrayContaining(['.bcf', '.spx']));
    const viaRegistry = await readSignalFile(`${BRUKER_DIR}over16bit.bcf`);
    const direct = await read('over16bit.bcf');
    expect(viaRegistry.map(sha256)).toEqual(direct.map(sha256));
    const spx = await readSignalFile(`${BRUKER_DIR}bruker_nano.spx`);
    expect(spx).toHaveLength(1);
    expect(spx[0]!.dtype).toBe('uint64');
  });
});

describe.skipIf(!hyperspyAvailable)('Bruker signals saved as .hspy', () => {
  it('HyperSpy loads our .hspy of a map, an image and a spectrum as its own .hspy of them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bruker-hspy-'));
    try {
      const picks: [string, number][] = [
        ['30x30_instructively_packed_16bit_compressed.bcf', 1],
        ['P45_the_default_job.bcf', 0],
        ['bruker_nano.spx', 0],
      ];
      const script = [
        'import sys, warnings; warnings.filterwarnings("ignore")',
        'import logging; logging.disable(logging.CRITICAL)',
        'import hyperspy.api as hs',
        'r = hs.load(sys.argv[1]); r = r if isinstance(r, list) else [r]',
        'r[int(sys.argv[2])].save(sys.argv[3], overwrite=True)',
      ].join('\n');
      const batch: HsCase[] = [];
      for (const [file, i] of picks) {
        const ours = join(dir, `ours-${file}.hspy`);
        const theirs = join(dir, `theirs-${file}.hspy`);
        await writeHspy(ours, (await read(file))[i]!);
        const r = spawnSync(PYTHON, ['-c', script, BRUKER_DIR + file, String(i), theirs], {
          encoding: 'utf8',
        });
        expect(r.status, r.stderr).toBe(0);
        batch.push({ file: ours }, { file: theirs });
      }
      const loaded = await hyperspyLoad(batch);
      for (let k = 0; k < picks.length; k++) {
        const [a, b] = [loaded[2 * k]!, loaded[2 * k + 1]!];
        expect('error' in a ? a.error : null).toBeNull();
        expect('error' in b ? b.error : null).toBeNull();
        const [ours, theirs] = [
          (a as { signals: HsSignal[] }).signals[0]!,
          (b as { signals: HsSignal[] }).signals[0]!,
        ];
        const where = picks[k]![0];
        expect(ours.sha256, where).toBe(theirs.sha256);
        expect(ours.dtype, where).toBe(theirs.dtype);
        expect(ours.axes, where).toEqual(theirs.axes);
        expectTree(ours.metadata, comparable(theirs), `${where} metadata`);
        expectTree(ours.original_metadata, theirs.original_metadata, `${where} original_metadata`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe.skipIf(!hyperspyAvailable)('samfire info on Bruker files', () => {
  afterEach(() => vi.restoreAllMocks());

  async function info(file: string): Promise<{ code: number; out: string }> {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    const code = await runInfo([file, '--json']);
    vi.restoreAllMocks();
    return { code, out };
  }

  it.each(['test_TEM.bcf', 'P45_the_default_job.bcf', 'extracted_from_bcf.spx'])(
    '%s: shape, dtype, axes and sha256 as HyperSpy reads them',
    async (file) => {
      const { code, out } = await info(BRUKER_DIR + file);
      expect(code).toBe(0);
      const report = JSON.parse(out) as {
        file: string;
        signals: {
          title: string;
          dtype: string;
          shape: number[];
          sha256: string;
          axes: { scale: number }[];
        }[];
      };
      expect(report.file).toBe(file);
      const k = cases.findIndex((c) => c.file === file && Object.keys(c.hs).length === 0);
      const expected = (reference[k] as { signals: HsSignal[] }).signals;
      expect(report.signals.map((s) => [s.title, s.dtype, s.shape, s.sha256])).toEqual(
        expected.map((s) => [s.title, s.dtype, s.shape, s.sha256]),
      );
      report.signals.forEach((s, i) =>
        s.axes.forEach((a, j) =>
          expect(close(a.scale, expected[i]!.axes[j]!.scale, 1e-9)).toBe(true),
        ),
      );
    },
  );
});
