/**
 * `samfire convert IN --to-energy --out OUT.hspy` (core/src/cli/convert.ts):
 * a CL map on a wavelength axis becomes a .hspy on a non-uniform energy
 * axis, with the intensity as wavelengthToEnergy gives it; errors name
 * what is wrong and nothing is written.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { readHspy, writeHspy } from '@samfire/core/node';
import { HC_EV_NM, Signal, axisValues, toFloat64, wavelengthToEnergy } from '@samfire/core';
import { runConvert } from '../../../core/src/cli/convert.js';
import { CL_AXIS, makeClMap, writeClMap } from '../../helpers/cl-map.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'core/src/cli/samfire.ts');
const dir = mkdtempSync(join(tmpdir(), 'samfire-convert-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

function quietStdout(): { text: () => string } {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  return { text: () => out };
}

describe('samfire convert --to-energy', () => {
  it('writes the map on an increasing non-uniform energy axis, scaled by the Jacobian', async () => {
    const input = join(dir, 'cl.hspy');
    const out = join(dir, 'cl-energy.hspy');
    const options = { rows: 2, cols: 3 };
    await writeClMap(input, options);
    const stdout = quietStdout();
    expect(await runConvert([input, '--to-energy', '--out', out])).toBe(0);
    expect(stdout.text()).toMatch(
      /wrote .*cl-energy\.hspy: 1024 channels from .* eV \(non-uniform\), intensity scaled/,
    );
    const s = (await readHspy(out)).signals[0]!;
    expect(s.shape).toEqual([2, 3, 1024]);
    expect(s.signalAxis.units).toBe('eV');
    const x = axisValues(s.signalAxis);
    const lastNm = CL_AXIS.offset + 1023 * CL_AXIS.scale;
    expect(x[0]).toBeCloseTo(HC_EV_NM / lastNm, 10);
    expect(x[1023]).toBeCloseTo(HC_EV_NM / CL_AXIS.offset, 10);
    const expected = wavelengthToEnergy(makeClMap(options));
    expect(Array.from(toFloat64(s.data))).toEqual(Array.from(toFloat64(expected.data)));
    // Channel 0 in energy is the last wavelength channel times lambda^2 / hc.
    const original = makeClMap(options).readSpectrum(4);
    expect(s.readSpectrum(4)[0]).toBeCloseTo((original[1023]! * lastNm * lastNm) / HC_EV_NM, 6);
  });

  it('keeps a binned signal counts per channel with --jacobian auto, scales them with always', async () => {
    const input = join(dir, 'binned.hspy');
    const data = Float64Array.from({ length: 50 }, (_, i) => i + 1);
    await writeHspy(
      input,
      new Signal({
        data,
        axes: [
          {
            name: 'W',
            size: 50,
            offset: 600,
            scale: 2,
            units: 'nm',
            navigate: false,
            isBinned: true,
          },
        ],
      }),
    );
    quietStdout();
    const auto = join(dir, 'binned-auto.hspy');
    expect(await runConvert([input, '--to-energy', '--out', auto])).toBe(0);
    const a = (await readHspy(auto)).signals[0]!;
    expect(a.signalAxis.isBinned).toBe(true);
    expect(Array.from(a.readSpectrum(0))).toEqual(Array.from(data).reverse());
    const always = join(dir, 'binned-always.hspy');
    expect(await runConvert([input, '--to-energy', '--jacobian', 'always', '--out', always])).toBe(
      0,
    );
    const b = (await readHspy(always)).signals[0]!;
    expect(b.readSpectrum(0)[0]).toBeCloseTo((50 * 698 * 698) / HC_EV_NM, 9);
  });

  it('refuses a missing conversion, a non-.hspy output, a bad mode and a non-wavelength axis, writing nothing', async () => {
    const input = join(dir, 'for-errors.hspy');
    await writeClMap(input, { rows: 1, cols: 2 });
    const out = join(dir, 'never.hspy');
    await expect(runConvert([input, '--out', out])).rejects.toThrow(/--to-energy/);
    await expect(runConvert([input, '--to-energy', '--out', join(dir, 'x.msa')])).rejects.toThrow(
      /--out must be a .hspy file/,
    );
    await expect(
      runConvert([input, '--to-energy', '--jacobian', 'maybe', '--out', out]),
    ).rejects.toThrow(/--jacobian must be auto, always or never, got 'maybe'/);
    await expect(runConvert([input, '--to-energy', '--out', input])).rejects.toThrow(
      /same file as the input/,
    );
    await expect(runConvert([input, '--to-energy', '--signal', '3', '--out', out])).rejects.toThrow(
      /--signal must be a signal index from 0 to 0/,
    );
    const eels = join(dir, 'eels.hspy');
    await writeHspy(
      eels,
      new Signal({
        data: new Float64Array(10),
        axes: [{ name: 'E', size: 10, offset: 100, scale: 1, units: 'eV', navigate: false }],
      }),
    );
    await expect(runConvert([eels, '--to-energy', '--out', out])).rejects.toThrow(
      /eels\.hspy: wavelength to energy: the signal axis is in 'eV', not a wavelength/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('is a samfire command', async () => {
    const input = join(dir, 'cli-in.hspy');
    const out = join(dir, 'cli-out.hspy');
    await writeClMap(input, { rows: 1, cols: 2 });
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', CLI, 'convert', input, '--to-energy', '--out', out],
      { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/non-uniform/);
    const s = (await readHspy(out)).signals[0]!;
    expect(s.signalAxis.values?.length).toBe(1024);
  });
});
