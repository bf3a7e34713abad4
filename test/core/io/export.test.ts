import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { mapToCsv, mapToNpy, resultMap, resultMapNames } from '@samfire/core';
import { readNpy } from '@samfire/core';
import { Model } from '@samfire/core';
import { Signal } from '@samfire/core';
import { DOMAIN_DIR, SHARED } from '../../helpers/reference.js';

/** Pixels 0 and 2 hold a fit (values stored, chi-squared set); pixel 1 has none. */
function lineScanModel(): Model {
  const signal = new Signal({
    data: new Float64Array(3 * 8).fill(1),
    axes: [
      { name: 'x', size: 3, offset: 10, scale: 0.5, units: 'nm', navigate: true },
      { name: 'E', size: 8, offset: 0, scale: 1, units: '', navigate: false },
    ],
  });
  const model = new Model(signal, [
    { kind: 'Gaussian', name: 'g' },
    { kind: 'Polynomial', name: 'bg', options: { order: 1 } },
  ]);
  model.parameter('g.A').value = 5;
  model.parameter('bg.coefficients').setValues([0.5, 2]);
  model.storeCurrentValues(0);
  model.storeCurrentValues(2);
  for (const p of [0, 2]) {
    model.chisq[p] = 4;
    model.dof[p] = 2;
    model.redChisq[p] = 2;
  }
  model.component('g').activeIsMultidimensional = true;
  model.component('g').activeMap![1] = 0;
  return model;
}

describe('result maps', () => {
  it('lists every exportable map, including polynomial coefficients, std and on/off maps', () => {
    const names = resultMapNames(lineScanModel());
    expect(names).toEqual(
      expect.arrayContaining([
        'redChisq',
        'g.A',
        'g.A.std',
        'bg.coefficients[1]',
        'bg.coefficients[1].std',
        'active:g',
      ]),
    );
  });

  it('gives NaN where a parameter was never set, and picks elements of multi-valued parameters', () => {
    const model = lineScanModel();
    expect(Array.from(resultMap(model, 'g.A').values)).toEqual([5, Number.NaN, 5]);
    expect(Array.from(resultMap(model, 'bg.coefficients[1]').values)).toEqual([2, Number.NaN, 2]);
    // The on/off map is a result too: NaN where nothing was fitted (pixel 1 is off, unfitted).
    model.component('g').activeMap![2] = 0;
    expect(Array.from(resultMap(model, 'active:g').values)).toEqual([1, Number.NaN, 0]);
    expect(() => resultMap(model, 'bg.coefficients[5]')).toThrow(
      /no map named 'bg.coefficients\[5\]'/,
    );
    expect(() => resultMap(model, 'nope.A')).toThrow(/no component named 'nope'/);
  });

  it("gives NaN, never the seed's values, where values were only assigned and no fit is stored", () => {
    // HyperSpy's usual start: the seed's values copied to every pixel, then one pixel fitted.
    const model = lineScanModel();
    model.parameter('g.A').value = 7;
    model.parameter('g.A').currentStd[0] = 0.1;
    model.assignCurrentValuesToAll();
    model.chisq[2] = NaN; // pixel 2's fit forgotten (as when it is queued for a refit)
    expect(Array.from(model.parameter('g.A').map.isSet)).toEqual([1, 1, 1]);
    expect(Array.from(resultMap(model, 'g.A').values)).toEqual([7, NaN, NaN]);
    expect(Array.from(resultMap(model, 'g.A.std').values)).toEqual([0.1, NaN, NaN]);
    for (const name of ['redChisq', 'chisq', 'dof'])
      expect(Array.from(resultMap(model, name).values).map(Number.isNaN)).toEqual([
        false,
        true,
        true,
      ]);
    expect(Array.from(resultMap(model, 'active:g').values)).toEqual([1, NaN, NaN]);
  });

  it('writes a line scan as CSV with its pixel index and position, and .npy that reads back', () => {
    const map = resultMap(lineScanModel(), 'g.A');
    expect(mapToCsv(map)).toBe('index0,x (nm),g.A\n0,10,5\n1,10.5,NaN\n2,11,5\n');
    const back = readNpy(mapToNpy(map), 'g.npy');
    expect(back.shape).toEqual([3]);
    expect(back.dtype).toBe('float64');
    expect(Array.from(back.data as Float64Array)).toEqual([5, Number.NaN, 5]);
  });
});

describe('samfire export', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samfire-export-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const run = (...args: string[]) =>
    spawnSync(
      process.execPath,
      ['--import', 'tsx', join(root, 'core/src/cli/samfire.ts'), 'export', ...args],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );

  it("exports HyperSpy's SAMFire result map as CSV rows x columns equal to HyperSpy's own numbers", () => {
    const out = join(dir, 'gA.csv');
    const r = run(`${DOMAIN_DIR}hyperspy.hspy`, '--model', 'samfire', '--map', 'g.A', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    const rows = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(',').map(Number));
    const expected = (
      JSON.parse(readFileSync(`${DOMAIN_DIR}hyperspy_maps.json`, 'utf8')) as Record<
        string,
        number[][]
      >
    )['g.A']!;
    expect(rows).toHaveLength(7);
    expect(rows[0]).toHaveLength(15);
    rows.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 6)));
  });

  it("holds NaN, not the seed's stale values, at the real EDS map's pixels no fit passed (CSV, .npy, std)", () => {
    // HyperSpy assigned the seed's values to all 2500 pixels (is_set everywhere), then its SAMFire
    // stored 1971 good fits (finite chi-squared); the other 529 still hold the seed's Al_Ka.A.
    const file = `${SHARED}data/real/eds-agcu-50x50-hyperspy.hspy`;
    const csvPath = join(dir, 'al.csv');
    const r = run(file, '--model', 'samfire', '--map', 'Al_Ka.A', '--out', csvPath);
    expect(r.status, r.stderr).toBe(0);
    const cells = readFileSync(csvPath, 'utf8')
      .trim()
      .split('\n')
      .flatMap((l) => l.split(','));
    expect(cells).toHaveLength(2500);
    expect(cells.filter((c) => c === 'NaN')).toHaveLength(529);
    const numbers = cells.filter((c) => c !== 'NaN').map(Number);
    expect(numbers.every(Number.isFinite)).toBe(true);
    // The seed's value is left only at the seed pixel (25, 25), whose fit it is.
    const seed = (v: number): boolean => Math.abs(v - 156.12306636107695) < 1e-9;
    expect(numbers.filter(seed)).toHaveLength(1);
    expect(seed(Number(cells[25 * 50 + 25]))).toBe(true);
    for (const [map, out] of [
      ['Al_Ka.A', 'al.npy'],
      ['Al_Ka.A.std', 'al-std.npy'],
      ['redChisq', 'red.npy'],
      ['dof', 'dof.npy'],
    ] as const) {
      const path = join(dir, out);
      expect(run(file, '--model', 'samfire', '--map', map, '--out', path).status).toBe(0);
      const npy = readNpy(new Uint8Array(readFileSync(path)), out);
      expect(npy.shape).toEqual([50, 50]);
      const values = Array.from(npy.data as Float64Array);
      expect(values.filter(Number.isNaN), map).toHaveLength(529);
    }
  });

  it('exports .npy by extension and refuses unknown formats and maps', () => {
    const npy = join(dir, 'red.npy');
    expect(
      run(`${DOMAIN_DIR}hyperspy.hspy`, '--model', 'samfire', '--map', 'redChisq', '--out', npy)
        .status,
    ).toBe(0);
    expect(readNpy(new Uint8Array(readFileSync(npy)), 'red.npy').shape).toEqual([7, 15]);
    const bad = run(
      `${DOMAIN_DIR}hyperspy.hspy`,
      '--model',
      'samfire',
      '--map',
      'g.A',
      '--out',
      join(dir, 'x.png'),
    );
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--format must be csv or npy/);
  });
});
