/**
 * The Velox .emd reader against HyperSpy 1.7.3 on every real Velox file of
 * python3-hyperspy's test folder, with each of HyperSpy's options: the same
 * signals in the same order, titles, dtypes, shapes, axes (to 1e-9
 * relative), data (sha256) and metadata. Where HyperSpy's values are not the
 * file's, the test says so and checks ours against the file:
 * - its EDS elevation and azimuth are its preference defaults (35 and 0
 *   degrees), not the detectors' (22 degrees and each segment's azimuth);
 * - it gives no live time, we give the file's where it records it;
 * - some of its spatial offsets are the file's in another SI prefix than
 *   the scale's units they are labelled with (the Ceta images: 1000 times
 *   too small); ours are the file's, in the scale's units;
 * - with sum_frames=False it keeps only the first detector segment of a
 *   summed map (ours sums them all, as without that option);
 * - number_of_frames is the file's frame count even when only some frames
 *   are read (ours: the frames read);
 * - complex images (FFT, DPC) are left out by us.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signalInfo, runInfo } from '../../../core/src/cli/info.js';
import { FileFormatError } from '@samfire/core';
import { readSignalFile } from '@samfire/core/node';
import { readVelox, type VeloxReadOptions } from '../../../core/src/io/node/velox-read.js';
import { number } from '../../../core/src/io/velox/metadata.js';
import { parseUnit } from '../../../core/src/io/velox/units.js';
import type { Signal } from '@samfire/core';
import { SHARED } from '../../helpers/reference.js';
import {
  PYTHON,
  berkeleyFiles,
  extractVeloxFiles,
  hyperspyAvailable,
  hyperspyLoad,
  veloxFiles,
  type HsCase,
  type HsResult,
  type HsSignal,
} from './velox-files.js';

const FOUR = 'fei_SI_EDS-HAADF-4detectors_2frames.emd';
const SI = 'fei_emd_si.emd';
const TEN = 'fei_SI_SuperX-HAADF_10frames_10x50.emd';
const TWO_EV = 'fei_SI_SuperX-HAADF_20frames_10x50_2ev.emd';

interface OptionCase {
  file: string;
  kwargs: Record<string, unknown>;
  ours: VeloxReadOptions;
  /** HyperSpy's signals from this index on are summed (see the header). */
  sumFrom?: number;
}

const OPTION_CASES: OptionCase[] = [
  { file: SI, kwargs: { sum_frames: false }, ours: { sumFrames: false } },
  { file: SI, kwargs: { first_frame: 1, last_frame: 3 }, ours: { firstFrame: 1, lastFrame: 3 } },
  { file: SI, kwargs: { first_frame: 2 }, ours: { firstFrame: 2 } },
  { file: SI, kwargs: { last_frame: 2 }, ours: { lastFrame: 2 } },
  {
    file: SI,
    kwargs: { sum_frames: false, first_frame: 1, last_frame: 3 },
    ours: { sumFrames: false, firstFrame: 1, lastFrame: 3 },
  },
  { file: SI, kwargs: { rebin_energy: 4 }, ours: { rebinEnergy: 4 } },
  { file: SI, kwargs: { SI_dtype: 'uint8' }, ours: { siDtype: 'uint8' } },
  { file: SI, kwargs: { SI_dtype: 'float32' }, ours: { siDtype: 'float32' } },
  { file: SI, kwargs: { load_SI_image_stack: true }, ours: { loadSiImageStack: true } },
  { file: FOUR, kwargs: { sum_EDS_detectors: false }, ours: { sumEdsDetectors: false } },
  {
    file: FOUR,
    kwargs: { sum_frames: false, sum_EDS_detectors: false },
    ours: { sumFrames: false, sumEdsDetectors: false },
  },
  // From the frame location table: the first frame is not read at all.
  { file: FOUR, kwargs: { first_frame: 1 }, ours: { firstFrame: 1 } },
  {
    file: FOUR,
    kwargs: { last_frame: 1, sum_EDS_detectors: false },
    ours: { lastFrame: 1, sumEdsDetectors: false },
  },
  {
    file: TEN,
    kwargs: { sum_frames: false, first_frame: 3, last_frame: 7 },
    ours: { sumFrames: false, firstFrame: 3, lastFrame: 7 },
  },
  {
    file: TWO_EV,
    kwargs: { rebin_energy: 8, SI_dtype: 'uint32' },
    ours: { rebinEnergy: 8, siDtype: 'uint32' },
  },
];

/** sum_frames=False on a summed map: HyperSpy's per-segment frame cubes, summed, are our map. */
const SUMMED_FRAMES: OptionCase = {
  file: FOUR,
  kwargs: { sum_frames: false, sum_EDS_detectors: false },
  ours: { sumFrames: false },
  sumFrom: 5,
};

const ERROR_CASES: OptionCase[] = [
  { file: SI, kwargs: { rebin_energy: 3 }, ours: { rebinEnergy: 3 } },
  { file: SI, kwargs: { first_frame: 4, last_frame: 9 }, ours: { firstFrame: 4, lastFrame: 9 } },
];

let dir = '';
let cleanup = (): void => undefined;
let files: string[] = [];
let defaults: HsResult[] = [];
let options: HsResult[] = [];
let summed: HsResult | undefined;
let errors: HsResult[] = [];

const pathOf = (name: string): string => files.find((f) => f.endsWith(`/${name}`))!;

beforeAll(async () => {
  if (!hyperspyAvailable) return;
  ({ dir, cleanup } = extractVeloxFiles());
  files = veloxFiles(dir);
  const toCase = (c: OptionCase): HsCase => ({
    path: pathOf(c.file),
    kwargs: c.kwargs,
    ...(c.sumFrom === undefined ? {} : { sum_from: c.sumFrom }),
  });
  const results = await hyperspyLoad(
    [
      ...files.map((path) => ({ path })),
      ...OPTION_CASES.map(toCase),
      toCase(SUMMED_FRAMES),
      ...ERROR_CASES.map(toCase),
    ],
    dir,
  );
  defaults = results.slice(0, files.length);
  options = results.slice(files.length, files.length + OPTION_CASES.length);
  summed = results[files.length + OPTION_CASES.length];
  errors = results.slice(files.length + OPTION_CASES.length + 1);
}, 300_000);
afterAll(() => cleanup());

function signalsOf(r: HsResult | undefined): HsSignal[] {
  if (r === undefined || 'error' in r) throw new Error(`HyperSpy failed: ${JSON.stringify(r)}`);
  return r.signals;
}

function isClose(ours: number, theirs: number): boolean {
  return Math.abs(ours - theirs) <= 1e-9 * Math.max(Math.abs(ours), Math.abs(theirs));
}

function close(ours: number, theirs: number, what: string): void {
  const tolerance = 1e-9 * Math.max(Math.abs(ours), Math.abs(theirs));
  expect(Math.abs(ours - theirs), `${what}: ours ${ours}, HyperSpy ${theirs}`).toBeLessThanOrEqual(
    tolerance,
  );
}

function tem(s: Signal): Record<string, unknown> {
  const ai = s.metadata['Acquisition_instrument'] as Record<string, unknown> | undefined;
  return (ai?.['TEM'] as Record<string, unknown> | undefined) ?? {};
}

/** Axes whose HyperSpy offset is in the wrong prefix (see the header). */
const wrongPrefix: string[] = [];

/** Ours against HyperSpy's, signal by signal (see the header for the known differences). */
function compare(ours: Signal[], theirs: HsSignal[], where: string, range: boolean): void {
  const comparable = theirs.filter((s) => !s.dtype.startsWith('complex'));
  expect(
    ours.map((s) => `${s.title} ${s.shape.join('x')}`),
    where,
  ).toEqual(comparable.map((s) => `${s.title} ${s.shape.join('x')}`));
  comparable.forEach((h, i) => {
    const s = ours[i]!;
    const what = `${where} [${i}] ${h.title}`;
    const info = signalInfo(s);
    expect(info.dtype, what).toBe(h.dtype);
    expect(info.sha256, `${what}: data`).toBe(h.sha256);
    expect(info.signal_type, what).toBe(h.signal_type);
    expect(info.axes.length, what).toBe(h.axes.length);
    info.axes.forEach((a, k) => {
      const b = h.axes[k]!;
      const axis = `${what} axis ${k} (${b.name})`;
      expect([a.name, a.size, a.units, a.navigate], axis).toEqual([
        b.name,
        b.size,
        b.units,
        b.navigate,
      ]);
      close(a.scale, b.scale, `${axis} scale`);
      if (b.name === 'x' || b.name === 'y') {
        const unit = parseUnit(a.units)!;
        const file = number(s.metadata['original_metadata'], 'BinaryResult', 'Offset', b.name) ?? 0;
        close(a.offset, file / 10 ** unit.prefix, `${axis} offset against the file`);
        if (!isClose(a.offset, b.offset)) {
          const k = Math.log10(a.offset / b.offset) / 3;
          expect(
            Math.abs(k - Math.round(k)),
            `${axis} offset: ours/HyperSpy = 1000^${k}`,
          ).toBeLessThan(1e-9);
          wrongPrefix.push(`${where} ${h.title} ${b.name}`);
        }
      } else {
        close(a.offset, b.offset, `${axis} offset`);
      }
    });
    const t = tem(s);
    expect(t['beam_energy'], `${what}: beam energy`).toBe(h.beam_energy);
    for (const key of ['camera_length', 'magnification'] as const) {
      if (h[key] === null) expect(t[key], `${what}: ${key}`).toBeUndefined();
      else close(t[key] as number, h[key], `${what}: ${key}`);
    }
    expect(t['microscope'] ?? null, what).toBe(h.microscope);
    const stage = t['Stage'] as Record<string, number> | undefined;
    expect(stage?.['tilt_alpha'] ?? null, `${what}: tilt`).toBe(h.tilt_alpha);
    const general = s.metadata['General'] as Record<string, unknown>;
    expect(general['date'] ?? null, what).toBe(h.date);
    expect(general['time'] ?? null, what).toBe(h.time);
    const sample = s.metadata['Sample'] as Record<string, unknown> | undefined;
    expect(sample?.['elements'] ?? null, `${what}: elements`).toEqual(h.elements);
    const eds = (t['Detector'] as Record<string, Record<string, unknown>> | undefined)?.['EDS'];
    if (!range) {
      expect(eds?.['number_of_frames'] ?? null, `${what}: frames`).toBe(h.number_of_frames);
    }
    // HyperSpy records no live time for Velox data.
    expect(h.live_time, what).toBeNull();
  });
}

describe.skipIf(!hyperspyAvailable)('Velox .emd against HyperSpy 1.7.3', () => {
  it('reads every Velox file as HyperSpy does', async () => {
    expect(files.length).toBe(12);
    for (const [i, path] of files.entries()) {
      const name = path.slice(path.lastIndexOf('/') + 1);
      const theirs = signalsOf(defaults[i]);
      if (theirs.every((s) => s.dtype.startsWith('complex'))) {
        await expect(readVelox(path)).rejects.toThrow(/complex-valued images/);
        continue;
      }
      compare(await readVelox(path), theirs, name, false);
    }
    expect(wrongPrefix).toEqual([
      '1532 Camera Ceta.emd Ceta y',
      '1532 Camera Ceta.emd Ceta x',
      '1854 Camera Ceta.emd Ceta y',
      '1854 Camera Ceta.emd Ceta x',
      'fei_example_tem_stack.emd Ceta y',
      'fei_example_tem_stack.emd Ceta x',
    ]);
  });

  it.each(OPTION_CASES.map((c, i) => [`${c.file} ${JSON.stringify(c.kwargs)}`, i] as const))(
    'option %s as HyperSpy',
    async (label, i) => {
      const c = OPTION_CASES[i]!;
      const range = c.ours.firstFrame !== undefined || c.ours.lastFrame !== undefined;
      const ours = await readVelox(pathOf(c.file), c.ours);
      compare(ours, signalsOf(options[i]), label, range);
      if (range) {
        const frames = (c.ours.lastFrame ?? 5) - (c.ours.firstFrame ?? 0);
        const eds = (tem(ours.at(-1)!)['Detector'] as Record<string, Record<string, unknown>>)[
          'EDS'
        ]!;
        if (c.file === SI) expect(eds['number_of_frames']).toBe(frames);
      }
    },
  );

  it('sums the detector segments of a map with a frame axis (HyperSpy keeps only the first)', async () => {
    const ours = await readVelox(pathOf(FOUR), { sumFrames: false });
    const map = ours.at(-1)!;
    expect(map.shape).toEqual([2, 16, 16, 4096]);
    expect(signalInfo(map).sha256).toBe((summed as { summed_sha256: string }).summed_sha256);
    // ... and the frames of that map sum to the default map.
    const flat = await readVelox(pathOf(FOUR));
    const frames = map.data as Uint16Array;
    const sum = flat.at(-1)!.data as Uint16Array;
    for (let i = 0; i < sum.length; i++) {
      if (frames[i]! + frames[i + sum.length]! !== sum[i]) throw new Error(`element ${i} differs`);
    }
  });

  it.each(ERROR_CASES.map((c, i) => [JSON.stringify(c.kwargs), i] as const))(
    'refuses %s as HyperSpy does, naming the option',
    async (_label, i) => {
      const c = ERROR_CASES[i]!;
      expect('error' in errors[i]! && errors[i]!.error).toMatch(/ValueError/);
      await expect(readVelox(pathOf(c.file), c.ours)).rejects.toThrow(
        c.ours.rebinEnergy !== undefined ? /rebinEnergy 3 does not divide/ : /lastFrame 9/,
      );
    },
  );

  it('gives the EDS detector geometry and times the file records', async () => {
    const [spectrum, , , , , map] = await readVelox(pathOf(FOUR));
    // The first spectrum is segment SuperXG24 (azimuth 315 degrees), counted for 27.70 s live.
    const seds = (tem(spectrum!)['Detector'] as Record<string, Record<string, number>>)['EDS']!;
    expect(seds['elevation_angle']).toBeCloseTo(22, 6);
    expect(seds['azimuth_angle']).toBeCloseTo(315, 6);
    expect(seds['live_time']).toBe(27.700038087004355);
    expect(seds['real_time']).toBe(32.7680378);
    // The summed map: the segments' mean live time over 2 frames of 16 x 16 pixels, per pixel.
    const eds = (tem(map!)['Detector'] as Record<string, Record<string, number>>)['EDS']!;
    const live =
      (27.582455349747178 + 27.819320345368695 + 27.906697271813595 + 27.700038087004355) / 4;
    expect(eds['live_time']).toBeCloseTo(live / 256, 12);
    expect(eds['azimuth_angle']).toBeUndefined();
    expect(eds['number_of_frames']).toBe(2);
    // Half the frames, half the live time.
    const [, , , , , half] = await readVelox(pathOf(FOUR), { firstFrame: 1 });
    const heds = (tem(half!)['Detector'] as Record<string, Record<string, number>>)['EDS']!;
    expect(heds['live_time']).toBeCloseTo(live / 512, 12);
    // A file whose metadata do not cover the whole acquisition gets no live time.
    const si = (await readVelox(pathOf(SI))).at(-1)!;
    expect(
      (tem(si)['Detector'] as Record<string, Record<string, number>>)['EDS']!['live_time'],
    ).toBeUndefined();
    expect(map!.metadata['original_metadata']).toMatchObject({
      AcquisitionSettings: { bincount: '4096' },
      BinaryResult: { Detector: 'SuperXG21' },
    });
  });

  it('puts the map in shared memory on request and reports progress', async () => {
    const progress: number[] = [];
    const signals = await readVelox(pathOf(TEN), {
      sharedMemory: true,
      onProgress: (p) => progress.push(p.done / p.total),
    });
    expect(signals.at(-1)!.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(1);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  });

  it('is the reader of .emd files, and `samfire info --json` reports them', async () => {
    const path = pathOf(SI);
    const direct = await readVelox(path);
    const viaExtension = await readSignalFile(path);
    expect(viaExtension.map((s) => signalInfo(s).sha256)).toEqual(
      direct.map((s) => signalInfo(s).sha256),
    );
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    const code = await runInfo([path, '--json']);
    vi.restoreAllMocks();
    expect(code).toBe(0);
    const report = JSON.parse(out) as {
      file: string;
      signals: { sha256: string; shape: number[] }[];
    };
    expect(report.file).toBe(SI);
    expect(report.signals.map((s) => s.sha256)).toEqual(
      signalsOf(defaults[files.indexOf(path)]).map((s) => s.sha256),
    );
  });

  it('refuses a pruned file (spectrum stream removed) with a clear error', () => {
    const pruned = join(dir, 'pruned.emd');
    const r = spawnSync(
      PYTHON,
      [
        '-c',
        [
          'import shutil, sys, h5py',
          'shutil.copy(sys.argv[1], sys.argv[2])',
          'f = h5py.File(sys.argv[2], "r+")',
          'del f["Data/SpectrumStream"]',
          'f.close()',
        ].join('\n'),
        pathOf(SI),
        pruned,
      ],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    return expect(readVelox(pruned)).rejects.toThrow(
      /^pruned\.emd: the spectrum image was saved without its spectrum stream \(a "pruned" Velox file\)/,
    );
  });
});

describe('other .emd and HDF5 files', () => {
  it.each(berkeleyFiles().map((p) => [p.slice(p.lastIndexOf('/') + 1), p] as const))(
    'refuses the Berkeley EMD file %s, saying what it is',
    async (name, path) => {
      const err = await readVelox(path).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FileFormatError);
      expect((err as FileFormatError).fileName).toBe(name);
      expect((err as Error).message).toMatch(/Berkeley \(NCEM\) EMD file/);
    },
  );

  it('refuses a HyperSpy file and a non-HDF5 file', async () => {
    await expect(readVelox(`${SHARED}data/io/hspy/example2_v3.1.hspy`)).rejects.toThrow(
      /example2_v3\.1\.hspy: an HDF5 file, but not a Velox \.emd file/,
    );
    await expect(readVelox(`${SHARED}data/io/msa/example1.msa`)).rejects.toThrow(FileFormatError);
  });

  it('checks its options before opening the file', async () => {
    await expect(readVelox('/nonexistent.emd', { rebinEnergy: 0 })).rejects.toThrow(RangeError);
    await expect(readVelox('/nonexistent.emd', { firstFrame: -1 })).rejects.toThrow(
      /firstFrame must be an integer/,
    );
    await expect(readVelox('/nonexistent.emd', { siDtype: 'int64' })).rejects.toThrow(
      /siDtype 'int64' cannot hold the map/,
    );
  });
});
