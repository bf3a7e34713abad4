/** What kind of numbers a dataset holds, as the host tells the app (DatasetSummary.values). */
import { describe, expect, it } from 'vitest';
import { readHspy } from '@samfire/core/node';
import { DATA_VALUES_SAMPLE, dataValues } from '../../../core/src/host/views.js';
import { SHARED } from '../../helpers/reference.js';

describe('dataValues', () => {
  it('tells counts, non-integers and the rest apart', () => {
    expect(dataValues(Float64Array.of(0, 3, 12, 0))).toBe('counts');
    expect(dataValues(Uint16Array.of(0, 1, 2))).toBe('counts');
    expect(dataValues(BigUint64Array.of(0n, 5n))).toBe('counts');
    expect(dataValues(Float32Array.of(0.25, 0.5, 0.125))).toBe('non-integer');
    expect(dataValues(Float64Array.of(3, 4, 5.5))).toBe('non-integer');
    expect(dataValues(Float64Array.of(3, -2, 5))).toBe('other');
    expect(dataValues(new Float64Array(8))).toBe('other');
    expect(dataValues(Float64Array.of(NaN, Infinity))).toBe('other');
    // Non-finite values are skipped: the finite ones decide.
    expect(dataValues(Float64Array.of(NaN, 2, 7))).toBe('counts');
  });

  it('samples a large array (a non-integer at a sampled place is found)', () => {
    const n = 4 * DATA_VALUES_SAMPLE;
    const data = new Float64Array(n).fill(2);
    expect(dataValues(data)).toBe('counts');
    data[8] = 2.5;
    expect(dataValues(data)).toBe('non-integer');
  });

  it('finds counts in the real EDS map and non-integers once it is normalised', async () => {
    const signal = (await readHspy(`${SHARED}data/real/eds-agcu-50x50-seed.hspy`)).signals[0]!;
    expect(dataValues(signal.data)).toBe('counts');
    const normalised = Float64Array.from(signal.data as Float64Array, (v) => v / 380);
    expect(dataValues(normalised)).toBe('non-integer');
  });
});
