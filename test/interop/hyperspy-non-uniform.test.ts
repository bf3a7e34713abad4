/**
 * Non-uniform axes (HyperSpy's DataAxis) between writeHspy/readHspy and
 * HyperSpy 1.7.3 (/usr/bin/python3; ./py/non_uniform.py uses its public API
 * only): a CL map converted to energy and written by us is read by HyperSpy
 * with the same axis values, data and variance; a non-uniform signal written
 * by HyperSpy is read by us with the same values.
 *
 * Skipped, with a message, only when /usr/bin/python3 cannot import
 * hyperspy (CI installs python3-hyperspy, so it runs there).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { readHspy, writeHspy } from '@samfire/core/node';
import { HC_EV_NM, Signal, axisValues, toFloat64, wavelengthToEnergy } from '@samfire/core';
import { PYTHON, hyperspyAvailable, hyperspyMissing } from '../helpers/hyperspy-load.js';

const PY_DIR = fileURLToPath(new URL('./py/', import.meta.url));
if (!hyperspyAvailable) console.warn(`test/interop skipped: ${hyperspyMissing}`);

const run = promisify(execFile);

interface HsAxis {
  name: string;
  size: number;
  units: string;
  navigate: boolean;
  is_binned: boolean;
  is_uniform: boolean;
  values: number[];
}

interface HsRead {
  shape: number[];
  data: number[];
  axes: HsAxis[];
  variance: number[] | null;
}

async function python(...args: string[]): Promise<string> {
  const { stdout } = await run(PYTHON, [join(PY_DIR, 'non_uniform.py'), ...args], {
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  return stdout;
}

const dir = mkdtempSync(join(tmpdir(), 'samfire-nonuniform-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!hyperspyAvailable)('non-uniform axes and HyperSpy 1.7.3', () => {
  it('HyperSpy reads the energy axis values, data and variance we write', async () => {
    const n = 64;
    const data = Float64Array.from(
      { length: 2 * 3 * n },
      (_, k) => (k % n) + 10 * Math.floor(k / n),
    );
    const wavelength = new Signal({
      data,
      axes: [
        { name: 'y', size: 2, offset: 0, scale: 1, units: 'µm', navigate: true },
        { name: 'x', size: 3, offset: 0, scale: 1, units: 'µm', navigate: true },
        { name: 'Wavelength', size: n, offset: 500, scale: 4, units: 'nm', navigate: false },
      ],
      title: 'cl',
      signalType: 'CL',
      variance: { kind: 'constant', value: 3 },
    });
    const energy = wavelengthToEnergy(wavelength);
    const path = join(dir, 'ours.hspy');
    await writeHspy(path, energy);
    const hs = JSON.parse(await python('read', path)) as HsRead;
    expect(hs.shape).toEqual([2, 3, n]);
    const ax = hs.axes[2]!;
    expect(ax.is_uniform).toBe(false);
    expect(ax.name).toBe('Energy');
    expect(ax.units).toBe('eV');
    expect(ax.navigate).toBe(false);
    expect(ax.is_binned).toBe(false);
    const ours = axisValues(energy.signalAxis);
    expect(ax.values).toEqual(Array.from(ours));
    expect(ax.values[0]).toBeCloseTo(HC_EV_NM / (500 + 4 * (n - 1)), 12);
    expect(hs.axes[0]!.is_uniform).toBe(true);
    expect(hs.data).toEqual(Array.from(toFloat64(energy.data)));
    expect(hs.variance).not.toBeNull();
    const v = new Float64Array(n);
    for (let p = 0; p < 6; p++) {
      energy.readVariance(p, energy.readSpectrum(p), v);
      expect(hs.variance!.slice(p * n, (p + 1) * n)).toEqual(Array.from(v));
    }

    // And we read our own file back the same.
    const back = (await readHspy(path)).signals[0]!;
    expect(Array.from(axisValues(back.signalAxis))).toEqual(Array.from(ours));
    expect(Array.from(toFloat64(back.data))).toEqual(Array.from(toFloat64(energy.data)));
  });

  it('we read the non-uniform axis HyperSpy writes', async () => {
    const path = join(dir, 'theirs.hspy');
    await python('write', path);
    const hs = JSON.parse(await python('read', path)) as HsRead;
    const file = await readHspy(path);
    const s = file.signals[0]!;
    expect(s.shape).toEqual([2, 3, 41]);
    expect(s.title).toBe('cl energy');
    expect(s.signalType).toBe('CL');
    const ax = s.signalAxis;
    expect(ax.values).toBeDefined();
    expect(ax.name).toBe('Energy');
    expect(ax.units).toBe('eV');
    expect(ax.isBinned).toBe(true);
    expect(Array.from(axisValues(ax))).toEqual(hs.axes[2]!.values);
    expect(s.navigationAxes.map((a) => [a.name, a.scale, a.values])).toEqual([
      ['y', 0.5, undefined],
      ['x', 0.5, undefined],
    ]);
    expect(Array.from(toFloat64(s.data))).toEqual(hs.data);
    const v = new Float64Array(41);
    s.readVariance(4, s.readSpectrum(4), v);
    expect(Array.from(v)).toEqual(hs.variance!.slice(4 * 41, 5 * 41));
  });
});
