/**
 * Low loss: zero-loss alignment per pixel (shifts returned, original kept)
 * and t/lambda by the log-ratio method on spectra of known thickness
 * (Poisson statistics of plural scattering: I_0 / I_t = exp(-t/lambda)).
 */
import { describe, expect, it } from 'vitest';
import { Signal, alignZeroLoss, thicknessMap } from '@samfire/core';

const N = 400;
const OFFSET = -20;
const SCALE = 0.25;
const gauss = (x: number, c: number, s: number) => Math.exp(-0.5 * ((x - c) / s) ** 2);

function lowLoss(shifts: number[], thickness: number[]): Signal {
  const data = new Float64Array(shifts.length * N);
  shifts.forEach((d, p) => {
    const t = thickness[p]!;
    for (let i = 0; i < N; i++) {
      const x = OFFSET + i * SCALE;
      // ZLP (area 1e5) and a plasmon holding the fraction 1 - exp(-t) of the counts.
      const zlp = (1e5 / (0.4 * Math.sqrt(2 * Math.PI))) * gauss(x, d, 0.4);
      const pl = ((1e5 * (Math.exp(t) - 1)) / (3 * Math.sqrt(2 * Math.PI))) * gauss(x, 22 + d, 3);
      data[p * N + i] = (zlp + pl) * SCALE;
    }
  });
  return new Signal({
    data,
    axes: [
      { name: 'x', size: shifts.length, offset: 0, scale: 1, units: '', navigate: true },
      { name: 'Energy loss', size: N, offset: OFFSET, scale: SCALE, units: 'eV', navigate: false },
    ],
    signalType: 'EELS',
  });
}

describe('alignZeroLoss', () => {
  it('finds each pixel shift to a small fraction of a channel and moves every peak to 0', () => {
    const shifts = [0, 0.6, -1.3, 2.05];
    const s = lowLoss(shifts, [0.3, 0.3, 0.3, 0.3]);
    const before = Float64Array.from(s.data as Float64Array);
    const out = alignZeroLoss(s);
    out.shifts.forEach((v, p) => expect(Math.abs(v - shifts[p]!)).toBeLessThan(0.02));
    const zero = Math.round(-OFFSET / SCALE);
    const y = new Float64Array(N);
    for (let p = 0; p < shifts.length; p++) {
      out.signal.readSpectrum(p, y);
      let top = 0;
      for (let i = 0; i < N; i++) if (y[i]! > y[top]!) top = i;
      expect(top).toBe(zero);
    }
    // The original is kept as it was (undo).
    expect(out.original).toBe(s);
    expect(s.data).toEqual(before);
  });
});

describe('thicknessMap', () => {
  it('gives t/lambda by the log ratio within 2%', () => {
    const t = [0.1, 0.5, 1.0, 1.5];
    const map = thicknessMap(lowLoss([0, 0.5, 0, -0.5], t));
    map.forEach((v, p) => expect(Math.abs(v / t[p]! - 1)).toBeLessThan(0.02));
  });

  it('names a pixel without a zero-loss peak', () => {
    const s = new Signal({
      data: new Float64Array(2 * N),
      axes: [
        { name: 'x', size: 2, offset: 0, scale: 1, units: '', navigate: true },
        { name: 'E', size: N, offset: OFFSET, scale: SCALE, units: 'eV', navigate: false },
      ],
    });
    expect(() => thicknessMap(s)).toThrow(/pixel 0 has no positive zero-loss/);
  });
});
