/** Parsing and formatting numbers typed into fields. */
import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatNumber,
  parseBound,
  parseInteger,
  parseNumber,
  parseNumberList,
} from '../../../renderer/src/lib/logic/parse.js';

describe('parse', () => {
  it('reads numbers as people type them', () => {
    expect(parseNumber('12')).toEqual({ ok: true, value: 12 });
    expect(parseNumber(' -3.5 ')).toEqual({ ok: true, value: -3.5 });
    expect(parseNumber('1e3')).toEqual({ ok: true, value: 1000 });
    expect(parseNumber('.5')).toEqual({ ok: true, value: 0.5 });
    expect(parseNumber('2,5')).toEqual({ ok: true, value: 2.5 });
    expect(parseNumber('1e999')).toMatchObject({ ok: false });
    expect(parseNumber('NaN')).toMatchObject({ ok: false });
    expect(parseNumber('12abc')).toMatchObject({ ok: false });
  });

  it('reads whole numbers in a range and bounds', () => {
    expect(parseInteger('4', 1, 8)).toEqual({ ok: true, value: 4 });
    expect(parseInteger('9', 1, 8)).toEqual({ ok: false, message: 'must be between 1 and 8' });
    expect(parseInteger('1.5', 1, 8)).toEqual({ ok: false, message: '1.5 is not a whole number' });
    expect(parseBound('')).toEqual({ ok: true, value: null });
    expect(parseBound('None')).toEqual({ ok: true, value: null });
    expect(parseBound('7')).toEqual({ ok: true, value: 7 });
  });

  it('reads lists separated by commas, semicolons or spaces', () => {
    expect(parseNumberList('1, 2.5, -3')).toEqual({ ok: true, value: [1, 2.5, -3] });
    expect(parseNumberList('1 2;3')).toEqual({ ok: true, value: [1, 2, 3] });
    expect(parseNumberList('1,-2')).toEqual({ ok: true, value: [1, -2] });
    expect(parseNumberList(' ')).toMatchObject({ ok: false });
  });

  it('formats numbers and sizes for display', () => {
    expect(formatNumber(400.3459248)).toBe('400.346');
    expect(formatNumber(50000)).toBe('50000');
    expect(formatNumber(3e6)).toBe('3e+6');
    expect(formatNumber(1.5e-5)).toBe('1.5e-5');
    // Exponent from 1e5 up and below 1e-3, never cut to its mantissa.
    expect(formatNumber(5.79473e9)).toBe('5.79473e+9');
    expect(formatNumber(123456)).toBe('1.23456e+5');
    expect(formatNumber(99999.97)).toBe('1e+5');
    expect(formatNumber(0.000999)).toBe('9.99e-4');
    expect(formatNumber(0.001)).toBe('0.001');
    expect(formatNumber(-2.5e-7, 3)).toBe('-2.5e-7');
    // What is shown reads back.
    for (const v of [5.79473e9, -1.23457e-10, 187.313, 0.0123457])
      expect(parseNumber(formatNumber(v))).toEqual({ ok: true, value: v });
    expect(formatNumber(null)).toBe('');
    expect(formatNumber(NaN)).toBe('');
    expect(formatNumber(-Infinity)).toBe('-∞');
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(336000)).toBe('328.1 KiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.00 GiB');
  });
});
