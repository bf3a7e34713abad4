/** The one number formatter of the UI and the fit reports. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatNumber } from '@samfire/core/api';

describe('formatNumber', () => {
  it('writes significant digits, with an exponent from 1e5 up and below 1e-3', () => {
    expect(formatNumber(187.31264)).toBe('187.313');
    expect(formatNumber(5.79473e9)).toBe('5.79473e+9');
    expect(formatNumber(-5.79473e9)).toBe('-5.79473e+9');
    expect(formatNumber(1e5)).toBe('1e+5');
    expect(formatNumber(99999)).toBe('99999');
    expect(formatNumber(0.001)).toBe('0.001');
    expect(formatNumber(0.00099)).toBe('9.9e-4');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(-0)).toBe('0');
    expect(formatNumber(12.5, 3)).toBe('12.5');
    expect(formatNumber(2, 7)).toBe('2');
    expect(formatNumber(NaN)).toBe('');
    expect(formatNumber(Infinity)).toBe('∞');
  });

  it('never writes more than 13 characters, and reads back within its digits', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
        const text = formatNumber(v);
        expect(text.length).toBeLessThanOrEqual(13);
        const back = Number(text);
        if (v === 0) expect(back).toBe(0);
        else expect(Math.abs(back - v)).toBeLessThanOrEqual(Math.abs(v) * 5e-6);
      }),
      { seed: 3, numRuns: 500 },
    );
  });
});
