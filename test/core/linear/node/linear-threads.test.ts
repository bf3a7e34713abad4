/**
 * The linear whole-map fit on worker threads gives the single-thread
 * answers bit for bit (values, std, chi-squared, which pixels are set) on
 * the real AgCu EDS map, Poisson-weighted, unweighted and non-negative,
 * with a mask; and a bad pixel is named as fitLinear names it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { LinearThreadPool, fitLinearThreads, readHspy } from '@samfire/core/node';
import { Model, Signal, buildEdsModel, calibrate, fitLinear } from '@samfire/core';
import { SHARED } from '../../../helpers/reference.js';

const SEED = `${SHARED}data/real/eds-agcu-50x50-seed.hspy`;

/** Every map the fit writes, as one list of numbers (NaN kept as NaN). */
function snapshot(model: Model): number[] {
  const out: number[] = [...model.chisq, ...model.dof, ...model.redChisq];
  for (const p of model.parameters) out.push(...p.map.values, ...p.map.std, ...p.map.isSet);
  return out;
}

function clear(model: Model): void {
  model.chisq.fill(-1);
  for (const p of model.parameters) {
    p.map.values.fill(-1);
    p.map.std.fill(-1);
    p.map.isSet.fill(0);
  }
}

const pool = new LinearThreadPool(2);
afterAll(() => pool.close());

describe('fitLinearThreads', () => {
  it('equals fitLinear bit for bit on the real EDS map', async () => {
    const signal = (await readHspy(SEED)).signals[0]!;
    const model = buildEdsModel(signal, { elements: ['Al', 'Ag', 'Cu'], range: [1.2, 3.6] });
    calibrate(model);
    model.assignCurrentValuesToAll();
    const mask = new Uint8Array(signal.navigationSize).map((_, i) => (i % 7 === 3 ? 0 : 1));
    const cases = [
      { weighted: true },
      { weighted: false },
      { weighted: true, nonNegative: true },
      { weighted: false, nonNegative: true, mask },
    ];
    for (const options of cases) {
      clear(model);
      const single = fitLinear(model, options);
      const expected = snapshot(model);
      clear(model);
      const threaded = await pool.fit(model, options);
      expect(threaded.threads).toBe(2);
      expect({ ...threaded, seconds: 0, threads: 1 }).toEqual({ ...single, seconds: 0 });
      const got = snapshot(model);
      expect(got.length).toBe(expected.length);
      let differ = 0;
      for (let i = 0; i < got.length; i++) if (!Object.is(got[i], expected[i])) differ++;
      expect(differ, JSON.stringify(options)).toBe(0);
    }
    // The non-negative case did hold some amplitudes at 0 (the test exercises NNLS).
    clear(model);
    expect((await pool.fit(model, { nonNegative: true })).constrained).toBeGreaterThan(0);
  });

  it('names the first bad pixel, as fitLinear does, and fits again afterwards', async () => {
    const rows = 40;
    const cols = 30;
    const channels = 64;
    const data = new Float64Array(rows * cols * channels);
    for (let i = 0; i < data.length; i++) data[i] = 5 + (i % 11);
    data[(25 * cols + 7) * channels + 20] = NaN;
    data[(33 * cols + 1) * channels + 30] = Infinity;
    const signal = new Signal({
      data,
      axes: [
        { name: 'y', size: rows, offset: 0, scale: 1, units: '', navigate: true },
        { name: 'x', size: cols, offset: 0, scale: 1, units: '', navigate: true },
        { name: 'E', size: channels, offset: 0, scale: 1, units: '', navigate: false },
      ],
    });
    const model = new Model(signal, [{ kind: 'Polynomial', name: 'bg', options: { order: 1 } }]);
    expect(() => fitLinear(model)).toThrow(/pixel \(25, 7\): data at channel 20 is NaN/);
    await expect(pool.fit(model)).rejects.toThrow(/pixel \(25, 7\): data at channel 20 is NaN/);
    data[(25 * cols + 7) * channels + 20] = 1;
    data[(33 * cols + 1) * channels + 30] = 1;
    // A copy of the changed data (the pool's shared copy is of the old array).
    const fixed = new Signal({ data: data.slice(), axes: [...signal.axes] });
    const again = new Model(fixed, [{ kind: 'Polynomial', name: 'bg', options: { order: 1 } }]);
    const r = await fitLinearThreads(again, { pool });
    expect(r.fitted).toBe(rows * cols);
  });

  it('rejects a thread count that is not a positive integer', async () => {
    const signal = new Signal({
      data: new Float64Array(8),
      axes: [{ name: 'E', size: 8, offset: 0, scale: 1, units: '', navigate: false }],
    });
    const model = new Model(signal, [{ kind: 'Offset', name: 'o' }]);
    await expect(fitLinearThreads(model, { threads: 0 })).rejects.toThrow(
      /threads must be a positive integer, got 0/,
    );
    expect(() => new LinearThreadPool(1.5)).toThrow(/threads must be a positive integer/);
  });
});
