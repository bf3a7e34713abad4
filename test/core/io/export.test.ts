import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  mapToCsv,
  mapToNpy,
  resultMap,
  resultMapNames,
  readNpy,
  Model,
  Signal,
} from '@samfire/core';
import { DOMAIN_DIR } from '../../helpers/reference.js';

function lineScanModel(): Model {
  const signal = new Signal({
    data: new Float64Array(3 * 8).fill(1),
    axes: [
      { name: 'x', size: 3, offset: 0, scale: 1, units: '', navigate: true },
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
    expect(Array.from(resultMap(model, 'active:g').values)).toEqual([1, 0, 1]);
    expect(() => resultMap(model, 'bg.coefficients[5]')).toThrow(
      /no map named 'bg.coefficients\[5\]'/,
    );
    expect(() => resultMap(model, 'nope.A')).toThrow(/no component named 'nope'/);
  });

  it('writes a line scan as CSV with its pixel index, and .npy that reads back', () => {
    const map = resultMap(lineScanModel(), 'g.A');
    expect(mapToCsv(map)).toBe('index0,g.A\n0,5\n1,NaN\n2,5\n');
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
