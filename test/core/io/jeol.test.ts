/**
 * The JEOL .pts reader against HyperSpy 1.7.3 on every .pts of HyperSpy's
 * JEOL_files test folder (a 512x512 map of 14 sweeps, and three 64x64 maps
 * cut short in the first sweep, in the second, and just after the first):
 * title, signal type, shape, dtype, axes (1e-9 relative), the data's
 * sha256 and the beam energy. HyperSpy runs once, on a batch of cases.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bytesSource,
  FileFormatError,
  readPts,
  type PtsReadOptions,
  type Signal,
} from '@samfire/core';
import { readPtsFile, readSignalFile, readableExtensions } from '@samfire/core/node';
import { close, sha256 } from '../../helpers/bruker-compare.js';
import {
  hyperspyAvailable,
  hyperspyLoad,
  hyperspyMissing,
  type HsCase,
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

const VIEW = IO + 'Sample/00_View000/View000_0000006.pts';
const DUMMY = IO + 'InvalidFrame/Sample/00_Dummy-Data/';
const D15 = DUMMY + 'Dummy-Data_0000015.pts';

/** HyperSpy's keyword arguments of hs.load and ours, on one file. */
interface OptionCase {
  file: string;
  kwargs: Record<string, unknown>;
  options: PtsReadOptions;
}
const optionCases: OptionCase[] = [
  { file: VIEW, kwargs: { cutoff_at_kV: 5 }, options: { cutoffAtKv: 5 } },
  { file: VIEW, kwargs: { rebin_energy: 4 }, options: { rebinEnergy: 4 } },
  {
    file: VIEW,
    kwargs: { cutoff_at_kV: 5, rebin_energy: 4 },
    options: { cutoffAtKv: 5, rebinEnergy: 4 },
  },
  { file: VIEW, kwargs: { downsample: [2, 4] }, options: { downsample: [2, 4] } },
  { file: VIEW, kwargs: { downsample: 2 }, options: { downsample: 2 } },
  { file: VIEW, kwargs: { downsample: [2, 1] }, options: { downsample: [2, 1] } },
  { file: D15, kwargs: { SI_dtype: 'uint16' }, options: { siDtype: 'uint16' } },
  {
    file: VIEW,
    kwargs: { sum_frames: false, downsample: [8, 8], cutoff_at_kV: 2 },
    options: { sumFrames: false, downsample: [8, 8], cutoffAtKv: 2 },
  },
  {
    file: VIEW,
    kwargs: { sum_frames: false, downsample: [2, 1], cutoff_at_kV: 1 },
    options: { sumFrames: false, downsample: [2, 1], cutoffAtKv: 1 },
  },
  { file: D15, kwargs: { sum_frames: false }, options: { sumFrames: false } },
  {
    file: D15,
    kwargs: { sum_frames: false, only_valid_data: false },
    options: { sumFrames: false, onlyValidData: false },
  },
  { file: D15, kwargs: { only_valid_data: false }, options: { onlyValidData: false } },
  { file: D15, kwargs: { cutoff_at_kV: 2.5 }, options: { cutoffAtKv: 2.5 } },
  { file: D15, kwargs: { cutoff_at_kV: 100 }, options: { cutoffAtKv: 100 } },
  {
    file: D15,
    kwargs: { cutoff_at_kV: 2.5, rebin_energy: 4 },
    options: { cutoffAtKv: 2.5, rebinEnergy: 4 },
  },
  { file: D15, kwargs: { SI_dtype: 'int8' }, options: { siDtype: 'int8' } },
  {
    file: DUMMY + 'Dummy-Data_0000007.pts',
    kwargs: { sum_frames: false, only_valid_data: false },
    options: { sumFrames: false, onlyValidData: false },
  },
  {
    file: DUMMY + 'Dummy-Data_0000023.pts',
    kwargs: { sum_frames: false },
    options: { sumFrames: false },
  },
];
/**
 * HyperSpy 1.7.3's frame_list is broken ([0, 2] reads sweep 0 alone, [1, 2] fails): each
 * listed sweep is compared with that sweep of its sum_frames=False read instead.
 */
const everyFrame: HsCase = {
  file: VIEW,
  kwargs: { sum_frames: false, downsample: [8, 8], cutoff_at_kV: 2 },
};
const frameListAxes: HsCase = {
  file: VIEW,
  kwargs: { sum_frames: false, frame_list: [0, 2], downsample: [8, 8], cutoff_at_kV: 2 },
};
const everyFrameFull: HsCase = {
  file: VIEW,
  kwargs: { sum_frames: false, downsample: 8, SI_dtype: 'uint16' },
};

let reference: HsResult[] = [];
let optionReference: HsResult[] = [];
let apartReference: HsResult[] = [];
beforeAll(async () => {
  if (!hyperspyAvailable) return;
  const all = await hyperspyLoad([
    ...files.map((file) => ({ file })),
    ...optionCases,
    everyFrame,
    frameListAxes,
    everyFrameFull,
  ]);
  reference = all.slice(0, files.length);
  optionReference = all.slice(files.length, files.length + optionCases.length);
  apartReference = all.slice(files.length + optionCases.length);
}, 600_000);

const signalsOf = (ref: HsResult | undefined, what: string): HsSignal[] => {
  expect(ref && 'error' in ref ? ref.error : null, `${what}: HyperSpy failed`).toBeNull();
  return (ref as { signals: HsSignal[] }).signals;
};

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

describe.skipIf(!hyperspyAvailable)('JEOL .pts options as HyperSpy 1.7.3 has them', () => {
  optionCases.forEach((c, k) => {
    it(`${c.file.replace(IO, '')} ${JSON.stringify(c.kwargs)}`, async () => {
      const [hs] = signalsOf(optionReference[k], JSON.stringify(c.kwargs));
      const ours = await readSignalFile(c.file, c.options);
      expect(ours.length).toBe(1);
      expectMatches(ours[0]!, hs!, `${c.file} ${JSON.stringify(c.options)}`);
    }, 120_000);
  });

  it('frameList reads the listed sweeps, summed or apart', async () => {
    const [every] = signalsOf(apartReference[0], 'sum_frames=False');
    const [listed] = signalsOf(apartReference[1], 'frame_list [0, 2]');
    const [full] = signalsOf(apartReference[2], 'sum_frames=False uint16');
    const [s] = await readPtsFile(VIEW, {
      sumFrames: false,
      frameList: [0, 2],
      downsample: [8, 8],
      cutoffAtKv: 2,
    });
    // HyperSpy's axes are right (a Frame axis of 2), its data holds one frame.
    expect(s!.shape).toEqual([2, ...listed!.shape.slice(1)]);
    expect(s!.axes.map((a) => [a.name, a.size, a.units])).toEqual(
      listed!.axes.map((a) => [a.name, a.size, a.units]),
    );
    expect(close(s!.axes[0]!.scale, listed!.axes[0]!.scale, 1e-9)).toBe(true);
    const frame = s!.data.length / 2;
    [0, 2].forEach((f, i) => {
      const bytes = s!.data.subarray(i * frame, (i + 1) * frame) as Uint8Array;
      expect(createHash('sha256').update(bytes).digest('hex'), `sweep ${f}`).toBe(
        every!.frame_sha256![f],
      );
    });
    const [summed] = await readPtsFile(VIEW, {
      frameList: [0, 2],
      downsample: 8,
      siDtype: 'uint16',
    });
    let total = 0;
    for (let j = 0; j < summed!.data.length; j++) total += Number(summed!.data[j]);
    expect(total).toBe(full!.frame_sum![0]! + full!.frame_sum![2]!);
  }, 120_000);
});

describe('JEOL .pts options refused', () => {
  const cases: [PtsReadOptions, RegExp][] = [
    [{ downsample: 3 }, /downsample 3 along x must be a positive divisor of the map's 64/],
    [{ downsample: [1, 0] }, /downsample 0 along y/],
    [{ rebinEnergy: 3 }, /rebinEnergy 3 must be a positive divisor of 4096/],
    [{ cutoffAtKv: -2 }, /cutoffAtKv -2 keV leaves -?\d+ channels/],
    [
      { frameList: [1] },
      /frameList: sweep 1 is not in the file \(it has 1 complete sweep, 0 to 0\)/,
    ],
    [{ frameList: [] }, /frameList is empty/],
    [{ frameList: [0, 0], onlyValidData: false }, /frameList lists sweep 0 twice/],
    [{ siDtype: 'float32' }, /siDtype 'float32' cannot hold counts/],
  ];
  for (const [options, message] of cases) {
    it(JSON.stringify(options), async () => {
      const err = await readPtsFile(D15, options).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RangeError);
      expect((err as Error).message).toMatch(/^Dummy-Data_0000015\.pts: /);
      expect((err as Error).message).toMatch(message);
    });
  }

  it('a map without a complete sweep, kept apart, is refused with the way out', async () => {
    const err = await readPtsFile(DUMMY + 'Dummy-Data_0000007.pts', {
      sumFrames: false,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileFormatError);
    expect((err as Error).message).toMatch(/no complete sweep \(onlyValidData: false/);
  });
});

describe('JEOL .pts reader', () => {
  it('is registered for .pts, .asw, .img, .map and .eds', () => {
    expect(readableExtensions()).toEqual(
      expect.arrayContaining(['.pts', '.asw', '.img', '.map', '.eds']),
    );
  });

  it('refuses a file without the PTTDFILE signature, naming it', async () => {
    const bytes = new Uint8Array(4096).fill(7);
    const err = await readPts(bytesSource(bytes, 'bad.pts')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileFormatError);
    expect((err as Error).message).toMatch(/bad\.pts.*PTTDFILE/);
  });
});

/** Every image, map and spectrum of HyperSpy's JEOL folder, and its projects. */
const smallFiles = [
  ...dirs.flatMap((d) =>
    readdirSync(IO + d)
      .filter((f) => /\.(img|map)$/i.test(f))
      .sort()
      .map((f) => IO + d + f),
  ),
  ...readdirSync(IO)
    .filter((f) => /\.eds$/i.test(f))
    .map((f) => IO + f),
];
const projects = [IO + 'rawdata.ASW', IO + 'InvalidFrame/dummy2.ASW'];

let smallReference: HsResult[] = [];
let projectReference: HsResult[] = [];
beforeAll(async () => {
  if (!hyperspyAvailable) return;
  const all = await hyperspyLoad([...smallFiles, ...projects].map((file) => ({ file })));
  smallReference = all.slice(0, smallFiles.length);
  projectReference = all.slice(smallFiles.length);
}, 600_000);

/** An image is y (navigation, in our model) by x; HyperSpy has both as signal axes. */
function expectImageOrSpectrum(s: Signal, hs: HsSignal, where: string): void {
  const image = hs.axes.filter((a) => !a.navigate).length === 2;
  expectMatches(
    s,
    image ? { ...hs, axes: hs.axes.map((a, i) => ({ ...a, navigate: i === 0 })) } : hs,
    where,
  );
}

describe.skipIf(!hyperspyAvailable)(
  'JEOL images, maps and spectra as HyperSpy 1.7.3 reads them',
  () => {
    it('finds the files', () => {
      expect(smallFiles.length).toBeGreaterThanOrEqual(20);
    });
    smallFiles.forEach((file, k) => {
      it(file.replace(IO, ''), async () => {
        const expected = signalsOf(smallReference[k], file);
        const ours = await readSignalFile(file);
        expect(ours.length).toBe(expected.length);
        ours.forEach((s, i) => expectImageOrSpectrum(s, expected[i]!, `${file} [${i}]`));
        expect(ours.map(beam)).toEqual(expected.map(beam));
      });
    });

    it('met03.EDS carries the detector HyperSpy gives', async () => {
      const [hs] = signalsOf(smallReference[smallFiles.indexOf(IO + 'met03.EDS')], 'met03.EDS');
      const [s] = await readSignalFile(IO + 'met03.EDS');
      const det = (m: Record<string, unknown>): unknown =>
        (m['Acquisition_instrument'] as { TEM: { Detector: unknown } }).TEM.Detector;
      expect(det(s!.metadata)).toEqual(det(hs!.metadata));
    });

    projects.forEach((file, k) => {
      it(`${file.replace(IO, '')} opens every file it lists, in HyperSpy's order`, async () => {
        const expected = signalsOf(projectReference[k], file);
        const ours = await readSignalFile(file);
        expect(ours.map((s) => s.title)).toEqual(expected.map((s) => s.title));
        ours.forEach((s, i) => expectImageOrSpectrum(s, expected[i]!, `${file} [${i}]`));
      }, 120_000);
    });
  },
);

describe('JEOL .asw projects', () => {
  it('pass the .pts options on', async () => {
    const ours = await readSignalFile(IO + 'InvalidFrame/dummy2.ASW', {
      cutoffAtKv: 2.5,
      rebinEnergy: 4,
    } as PtsReadOptions);
    const maps = ours.filter((s) => s.signalType === 'EDS_TEM');
    expect(maps.map((s) => s.shape)).toEqual([
      [64, 64, 87],
      [64, 64, 87],
      [64, 64, 87],
    ]);
  });

  it('name the project and the missing file when a listed file is absent', async () => {
    const err = await readSignalFile(IO + '181019-BN.ASW').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileFormatError);
    expect((err as FileFormatError).fileName).toBe('181019-BN.ASW');
    // The first file it lists, with its Japanese (Shift JIS) path, as HyperSpy names it.
    expect((err as Error).message).toContain(
      "181019-BN.ASW: the file 'サンプル/00_視野000/視野000_0000000.img' it lists is missing",
    );
  });
});
