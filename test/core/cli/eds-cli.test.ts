/**
 * `samfire eds` end to end on the real AgCu map: the model is built,
 * calibrated and fitted; OUT.hspy, the per-element maps (.npy and CSV, NaN
 * where not fitted) and the summary are written; HyperSpy 1.7.3 restores
 * the model and computes the same spectra and maps from it; bad options
 * are refused with the option named.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readHspy } from '@samfire/core/node';
import { readNpy } from '@samfire/core';
import { runEds, type EdsSummary } from '../../../core/src/cli/eds.js';
import { PYTHON, hyperspyAvailable, hyperspyMissing } from '../../helpers/hyperspy-load.js';
import { SHARED } from '../../helpers/reference.js';

const SEED = `${SHARED}data/real/eds-agcu-50x50-seed.hspy`;
const SCRIPT = fileURLToPath(new URL('./py/hs_eds_restore.py', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'samfire-eds-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

async function eds(...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const code = await runEds(args);
  vi.restoreAllMocks();
  return { code, out };
}

const OUT = join(tmp, 'out.hspy');
const MAPS = join(tmp, 'maps');
const SUMMARY = join(tmp, 'summary.json');

describe('samfire eds', () => {
  let summary: EdsSummary;
  beforeAll(async () => {
    const r = await eds(
      SEED,
      '--elements',
      'Al,Ag,Cu',
      '--range',
      '1.2,3.6',
      '--tolerance',
      '0.8',
      '--out',
      OUT,
      '--maps',
      MAPS,
      '--summary',
      SUMMARY,
      '--model',
      'agcu',
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/2\d\d\d of 2500 pixels pass redChisq < 0.8 \(loss ls,/);
    summary = JSON.parse(readFileSync(SUMMARY, 'utf8')) as EdsSummary;
  }, 120_000);

  it('writes the summary with the issue fields', () => {
    expect(summary.pixels).toBe(2500);
    // As SAMFire with this model and tolerance (test/core/eds/eds-real.test.ts): 2082.
    expect(summary.pixelsFitted).toBeGreaterThanOrEqual(2070);
    expect(summary.pixelsFitted).toBeLessThan(2500);
    expect(summary.seconds).toBeGreaterThan(0);
    expect(summary.calibration.offset).toBeCloseTo(-0.47553, 3);
    expect(summary.calibration.scale * 1000).toBeCloseTo(9.9861, 2);
    expect(summary.calibration.resolution).toBeGreaterThan(133);
    expect(summary.calibration.resolution).toBeLessThan(137);
    expect(summary.redChisqMedian).toBeCloseTo(0.296, 2);
    expect(summary.families).toEqual(['Al_K', 'Ag_L']);
    expect(Object.keys(summary.medianIntensity)).toEqual(['Al', 'Ag']);
    expect(summary.medianIntensity['Al']).toBeGreaterThan(50);
    expect(summary.weighting).toBe('per-pixel');
    expect(summary.lossFunction).toBe('ls');
    // Counts at a few hundred a pixel: reduced chi-squared with variance
    // max(counts, 1) is biased low, the deviance per dof less so.
    expect(summary.devianceMedian).not.toBeNull();
    expect(summary.devianceMedian!).toBeGreaterThan(summary.redChisqMedian);
  });

  it('writes per-element maps, NaN where the fit failed the test, equal to the stored model', async () => {
    const file = await readHspy(OUT);
    const model = file.model(0, 'agcu');
    const npy = readNpy(new Uint8Array(readFileSync(join(MAPS, 'Al.npy'))), 'Al.npy');
    expect(npy.shape).toEqual([50, 50]);
    const values = npy.data as Float64Array;
    const csv = readFileSync(join(MAPS, 'Al.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(50);
    const a = model.parameter('Al_K.A');
    let nan = 0;
    for (let i = 0; i < 2500; i++) {
      const cell = Number(csv[Math.floor(i / 50)]!.split(',')[i % 50]);
      if (Number.isNaN(values[i]!)) {
        nan++;
        expect(cell).toBeNaN();
        expect(model.chisq[i]).toBeNaN();
        continue;
      }
      expect(cell).toBe(values[i]);
      expect(values[i]).toBeCloseTo(a.map.values[i]!, 9);
    }
    expect(nan).toBe(2500 - summary.pixelsFitted);
  });

  it.skipIf(!hyperspyAvailable)(
    `HyperSpy restores the model and computes the same spectra and maps ${hyperspyMissing}`,
    async () => {
      const pixels = [
        [25, 25],
        [3, 40],
      ];
      const { stdout } = await promisify(execFile)(
        PYTHON,
        [SCRIPT, OUT, 'agcu', ...pixels.map((p) => p.join(','))],
        { maxBuffer: 64 << 20, timeout: 300_000 },
      );
      const hs = JSON.parse(stdout) as {
        components: string[];
        chisq: (number | null)[];
        A: Record<string, (number | null)[]>;
        twins: Record<string, string | null>;
        spectra: (number | null)[][];
      };
      expect(hs.components.slice(0, 3)).toEqual(['background', 'Al_Ka', 'Al_Kb']);
      expect(hs.twins['Ag_Lb1']).toBe('Ag_La');
      const file = await readHspy(OUT);
      const model = file.model(0, 'agcu');
      model.chisq.forEach((c, i) => {
        if (Number.isFinite(c)) expect(hs.chisq[i]).toBeCloseTo(c, 6);
      });
      // The main line carries the family's area times its weight, at every fitted pixel.
      const al = readNpy(new Uint8Array(readFileSync(join(MAPS, 'Al.npy'))), 'Al.npy')
        .data as Float64Array;
      const ratios = new Set<string>();
      al.forEach((v, i) => {
        if (!Number.isNaN(v) && v > 1) ratios.add((hs.A['Al_Ka']![i]! / v).toFixed(9));
      });
      expect(ratios.size).toBe(1);
      // HyperSpy's model spectrum at the pixels equals ours.
      pixels.forEach(([row, col], k) => {
        const ours = model.atStoredValues(row! * 50 + col!, () => model.evaluate());
        const theirs = hs.spectra[k]!;
        // HyperSpy gives the channels of the signal range only.
        expect(theirs).toHaveLength(model.fittedChannels);
        let worst = 0;
        let j = 0;
        for (let i = 0; i < ours.length; i++) {
          if (!model.channelSwitches[i]) continue;
          worst = Math.max(worst, Math.abs(ours[i]! - theirs[j++]!));
        }
        expect(worst).toBeLessThan(1e-6 * Math.max(...ours));
      });
    },
    300_000,
  );

  it('keeps the file calibration with --no-calibrate and refines it per pixel with --refine', async () => {
    const summaryPath = join(tmp, 'refine.json');
    const r = await eds(
      SEED,
      '--elements',
      'Al,Ag',
      '--range',
      '1.2,3.6',
      '--background',
      'bremsstrahlung',
      '--beam-energy',
      '15',
      '--resolution',
      '135',
      '--no-calibrate',
      '--refine',
      '--test',
      'redchisq',
      '--tolerance',
      '0.8',
      '--out',
      join(tmp, 'refine.hspy'),
      '--summary',
      summaryPath,
    );
    expect(r.code).toBe(0);
    const s = JSON.parse(readFileSync(summaryPath, 'utf8')) as EdsSummary;
    expect(s.calibrated).toBe(false);
    expect(s.calibration.offset).toBe(-0.47316066); // the file's axis offset
    expect(s.calibration.resolution).toBe(135);
    expect(s.refined).toBeGreaterThan(1000);
    const model = (await readHspy(join(tmp, 'refine.hspy'))).model(0, 'eds');
    expect(model.component('background').kind).toBe('Bremsstrahlung');
    // Refined per pixel: the offset differs from pixel to pixel and from the file's.
    const offsets = new Set<number>();
    model.chisq.forEach((c, i) => {
      if (Number.isFinite(c)) offsets.add(model.parameter('calibration.offset').map.values[i]!);
    });
    expect(offsets.size).toBeGreaterThan(100);
  }, 300_000);

  it('refuses bad options, naming them', async () => {
    const base = [SEED, '--out', join(tmp, 'x.hspy')];
    await expect(runEds([...base, '--range', '1,2'])).rejects.toThrow(/--elements/);
    await expect(runEds([...base, '--elements', 'Al'])).rejects.toThrow(/--range/);
    await expect(runEds([...base, '--elements', 'Al', '--range', '1'])).rejects.toThrow(
      /--range takes two/,
    );
    await expect(
      runEds([...base, '--elements', 'Al', '--range', '1,2', '--background', 'spline']),
    ).rejects.toThrow(/--background/);
    await expect(
      runEds([...base, '--elements', 'Al', '--range', '1,2', '--test', 'nope']),
    ).rejects.toThrow(/--test must be one of redchisq/);
    await expect(
      runEds([...base, '--elements', 'Al', '--range', '1,2', '--tolerance', '-1']),
    ).rejects.toThrow(/--tolerance/);
    await expect(runEds([...base, '--elements', 'Xx', '--range', '1,2'])).rejects.toThrow(/Xx/);
    await expect(runEds([SEED, '--elements', 'Al', '--range', '1,2'])).rejects.toThrow(/--out/);
  });
});
