/**
 * The FEI TIA readers against HyperSpy 1.7.3 on every file of HyperSpy's
 * FEI_old and FEI_new test folders (each .emi with its series, and each
 * .ser alone), and the zipped one (non_float_meta_value_zeroed): shape,
 * dtype, axes (1e-9 relative), the data's sha256, and the metadata tree
 * (beam energy, microscope, mode, magnification, camera length, camera,
 * stage, date and user). HyperSpy runs once, on a batch of cases.
 *
 * Where we differ from HyperSpy on purpose (see core/src/io/tia/ser.ts):
 * - the offset of an axis calibrated in metres is converted with its scale
 *   (HyperSpy converts the scale to nm and leaves the offset in metres):
 *   our offset is HyperSpy's times 1e9 (nm) or 1e-9 (1 / nm);
 * - a diffraction pattern read from its .ser alone is in 1 / nm (HyperSpy
 *   says nm, with a scale of 1e16 nm per pixel).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runInfo } from '../../../core/src/cli/info.js';
import { FileFormatError, type Signal } from '@samfire/core';
import { readSignalFile, readableExtensions } from '@samfire/core/node';
import {
  close,
  comparable,
  expectTree,
  hyperspyView,
  sha256,
} from '../../helpers/bruker-compare.js';
import {
  hyperspyAvailable,
  hyperspyLoad,
  hyperspyMissing,
  type HsResult,
  type HsSignal,
} from '../../helpers/hyperspy-load.js';

const IO = '/usr/lib/python3/dist-packages/hyperspy/tests/io/';
const dirs = ['FEI_old/', 'FEI_new/'];
const files = dirs.flatMap((d) =>
  readdirSync(IO + d)
    .filter((f) => /\.(emi|ser)$/i.test(f))
    .sort()
    .map((f) => IO + d + f),
);

let tmp = '';
const zipped = (): string[] => [
  join(tmp, 'non_float_meta_value_zeroed.emi'),
  join(tmp, 'non_float_meta_value_zeroed_1.ser'),
];
let reference: HsResult[] = [];
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tia-'));
  execFileSync('tar', ['xzf', `${IO}FEI_old/non_float_meta_value_zeroed.tar.gz`, '-C', tmp]);
  if (!hyperspyAvailable) return;
  reference = await hyperspyLoad([...files, ...zipped()].map((file) => ({ file })));
}, 600_000);
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

if (!hyperspyAvailable) console.warn(`TIA tests against HyperSpy skipped: ${hyperspyMissing}`);

/** HyperSpy's offset in our units (it leaves the offset in metres). */
function hsOffset(offset: number, units: string): number {
  return units === 'nm' ? offset * 1e9 : units === '1 / nm' ? offset * 1e-9 : offset;
}

function expectTiaMatches(s: Signal, hs: HsSignal, where: string): void {
  expect(s.title, `${where} title`).toBe(hs.title);
  expect(s.signalType, `${where} signal type`).toBe(hs.signal_type);
  expect(s.dtype, `${where} dtype`).toBe(hs.dtype);
  expect(s.shape, `${where} shape`).toEqual(hs.shape);
  const image = hs.axes.filter((a) => !a.navigate).length === 2;
  expect(s.metadata['signalDimension'], `${where} image`).toBe(image ? 2 : undefined);
  // A .ser diffraction pattern alone: HyperSpy's nm are metres taken for 1/m.
  const reciprocal = s.axes.some((a) => a.units === '1 / nm');
  hs.axes.forEach((ha, i) => {
    const a = s.axes[i]!;
    const at = `${where} axis ${i}`;
    expect(a.name, `${at} name`).toBe(ha.name);
    expect(a.size, `${at} size`).toBe(ha.size);
    const imageAxis = image && i >= hs.axes.length - 2;
    if (reciprocal && imageAxis && ha.units === 'nm') {
      expect(a.units, `${at} units`).toBe('1 / nm');
      expect(close(a.scale, ha.scale * 1e-18, 1e-9), `${at} scale`).toBe(true);
      expect(close(a.offset, ha.offset * 1e-9, 1e-9), `${at} offset`).toBe(true);
    } else {
      expect(a.units, `${at} units`).toBe(ha.units);
      expect(close(a.scale, ha.scale, 1e-9), `${at} scale ${a.scale} vs ${ha.scale}`).toBe(true);
      const o = hsOffset(ha.offset, ha.units);
      expect(close(a.offset, o, 1e-9), `${at} offset ${a.offset} vs ${o}`).toBe(true);
    }
    expect(a.navigate, `${at} navigate`).toBe(image ? i < hs.axes.length - 1 : ha.navigate);
  });
  expect(sha256(s), `${where} sha256`).toBe(hs.sha256);
  expectTree(hyperspyView(s), comparable(hs), `${where} metadata`);
}

describe.skipIf(!hyperspyAvailable)('FEI TIA files as HyperSpy 1.7.3 reads them', () => {
  const all = (): string[] => [...files, ...zipped()];
  [...files, 'non_float_meta_value_zeroed.emi', 'non_float_meta_value_zeroed_1.ser'].forEach(
    (label, k) => {
      it(
        label.replace(IO, ''),
        async () => {
          const file = all()[k]!;
          const ref = reference[k]!;
          expect('error' in ref ? ref.error : null, `${label}: HyperSpy failed`).toBeNull();
          const expected = (ref as { signals: HsSignal[] }).signals;
          const ours = await readSignalFile(file);
          expect(ours.length, `${label}: signals`).toBe(expected.length);
          ours.forEach((s, i) => expectTiaMatches(s, expected[i]!, `${label} [${i}]`));
          const beam = (s: { metadata: Record<string, unknown> }): unknown =>
            (s.metadata['Acquisition_instrument'] as { TEM?: { beam_energy?: number } } | undefined)
              ?.TEM?.beam_energy;
          expect(ours.map(beam)).toEqual(expected.map(beam));
        },
        120_000,
      );
    },
  );
});

describe('TIA readers', () => {
  it('are registered for .emi and .ser', () => {
    expect(readableExtensions()).toEqual(expect.arrayContaining(['.emi', '.ser']));
  });

  it('an .emi without its series names the missing .ser', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tia-lone-'));
    try {
      const lone = join(dir, 'lone.emi');
      execFileSync('cp', [`${IO}FEI_old/64x64_TEM_images_acquire.emi`, lone]);
      const err = await readSignalFile(lone).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FileFormatError);
      expect((err as FileFormatError).message).toMatch(/^lone\.emi: .*'lone_1\.ser'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports progress, stops on abort and fills shared memory', async () => {
    const file = `${IO}FEI_new/16x16-diffraction_imagel_5x5x256x256_EDS.emi`;
    const seen: number[] = [];
    const signals = await readSignalFile(file, {
      sharedMemory: true,
      onProgress: (p) => seen.push(p.done / p.total),
    });
    expect(signals.every((s) => s.data.buffer instanceof SharedArrayBuffer)).toBe(true);
    expect(seen.length).toBeGreaterThan(1);
    expect(seen[seen.length - 1]).toBe(1);
    const controller = new AbortController();
    controller.abort();
    await expect(readSignalFile(file, { signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});

describe.skipIf(!hyperspyAvailable)('samfire info on TIA files', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    'FEI_new/16x16-diffraction_imagel_5x5x256x256_EDS.emi',
    'FEI_old/16x16-line_profile_horizontal_10x1024_1.ser',
    'FEI_old/64x64x5_TEM_preview.emi',
  ])('%s: shape, dtype, axes and sha256 as HyperSpy reads them', async (file) => {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    const code = await runInfo([IO + file, '--json']);
    vi.restoreAllMocks();
    expect(code).toBe(0);
    const report = JSON.parse(out) as {
      file: string;
      signals: {
        dtype: string;
        shape: number[];
        sha256: string;
        axes: { scale: number; units: string; navigate: boolean }[];
      }[];
    };
    expect(report.file).toBe(file.split('/').pop());
    const expected = (reference[files.indexOf(IO + file)] as { signals: HsSignal[] }).signals;
    expect(report.signals.map((s) => [s.dtype, s.shape, s.sha256])).toEqual(
      expected.map((s) => [s.dtype, s.shape, s.sha256]),
    );
    report.signals.forEach((s, i) =>
      s.axes.forEach((a, j) => {
        const h = expected[i]!.axes[j]!;
        expect([a.units, a.navigate]).toEqual([h.units, h.navigate]);
        expect(close(a.scale, h.scale, 1e-9)).toBe(true);
      }),
    );
  });
});
