/**
 * Our ML-poisson fit against HyperSpy 1.7.3's (m.fit(optimizer=...,
 * loss_function="ML-poisson"), test/interop/py/ml_poisson.py) on a real
 * EDS spectrum: pixel (25, 25) of ../shared/data/real/eds-agcu-50x50-seed.hspy
 * (about 380 counts, most channels 0 to 3), Gaussians at Al Ka and Ag La
 * on an offset, 1.2 to 3.6 keV. Both start from HyperSpy's least-squares
 * result; HyperSpy's Nelder-Mead and L-BFGS-B agree to about 1e-7 there.
 *
 * Skipped, with a message, only when /usr/bin/python3 cannot import
 * hyperspy (CI installs python3-hyperspy, so it runs there).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { readHspy } from '@samfire/core/node';
import { Model } from '@samfire/core';
import { SHARED } from '../helpers/reference.js';
import { PYTHON, hyperspyAvailable, hyperspyMissing } from '../helpers/hyperspy-load.js';

const SCRIPT = fileURLToPath(new URL('./py/ml_poisson.py', import.meta.url));
const SEED = `${SHARED}data/real/eds-agcu-50x50-seed.hspy`;
if (!hyperspyAvailable) console.warn(`test/interop (ML-poisson) skipped: ${hyperspyMissing}`);
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'samfire-ml-poisson-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const START = {
  range: [1.2, 3.6],
  values: {
    'al.A': 20,
    'al.centre': 1.49,
    'al.sigma': 0.04,
    'ag.A': 2,
    'ag.centre': 2.98,
    'ag.sigma': 0.05,
    'bg.offset': 0.1,
  },
};

interface HsResult {
  binned: boolean;
  ls: Record<string, number>;
  'Nelder-Mead': { values: Record<string, number>; chisq: number };
  'L-BFGS-B': { values: Record<string, number>; chisq: number };
}

describe.skipIf(!hyperspyAvailable)(
  'ML-poisson against HyperSpy 1.7.3 on a real EDS spectrum',
  () => {
    it('reaches the same maximum-likelihood parameters', async () => {
      const startFile = join(dir, 'start.json');
      writeFileSync(startFile, JSON.stringify(START));
      const { stdout } = await run(PYTHON, [SCRIPT, SEED, '25', '25', startFile], {
        timeout: 300_000,
        maxBuffer: 1 << 24,
      });
      const hs = JSON.parse(stdout) as HsResult;
      expect(hs.binned).toBe(true);
      const nm = hs['Nelder-Mead'].values;
      const lb = hs['L-BFGS-B'].values;

      const signal = (await readHspy(SEED)).signals[0]!;
      expect(signal.signalAxis.isBinned).toBe(true);
      const model = new Model(signal, [
        { kind: 'Gaussian', name: 'al' },
        { kind: 'Gaussian', name: 'ag' },
        { kind: 'Offset', name: 'bg' },
      ]);
      model.setSignalRange(START.range[0]!, START.range[1]!);
      for (const [name, value] of Object.entries(hs.ls)) model.parameter(name).value = value;
      const start = (): void => {
        for (const [name, value] of Object.entries(hs.ls)) model.parameter(name).value = value;
      };
      const ref = (name: string): number => (nm[name]! + lb[name]!) / 2;
      // With the default tolerances: within a hundredth of a standard deviation.
      start();
      let r = model.fit([25, 25], { lossFunction: 'ML-poisson' });
      expect(r.converged, r.message).toBe(true);
      for (const name of Object.keys(START.values)) {
        const p = model.parameter(name);
        expect(Math.abs(p.value - ref(name)), name).toBeLessThan(1e-2 * p.std);
      }
      // Converged tightly: to 1e-6 relative (HyperSpy's two minimisers agree to ~1e-8).
      start();
      r = model.fit([25, 25], { lossFunction: 'ML-poisson', ftol: 1e-14, xtol: 1e-14 });
      expect(r.converged, r.message).toBe(true);
      for (const name of Object.keys(START.values)) {
        const ours = model.parameter(name).value;
        expect(Math.abs(ours - ref(name)) / Math.abs(ref(name)), name).toBeLessThan(1e-6);
      }
      // chisq is Pearson's with the file's variance (max(counts, 1)) in both, whatever the loss.
      expect(signal.variance.kind).toBe('array');
      expect(Math.abs(r.chisq / hs['L-BFGS-B'].chisq - 1)).toBeLessThan(1e-6);
    });
  },
);
