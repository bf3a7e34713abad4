/** The reduced chi-squared weight: |redChisq - 1|. */
import { describe, expect, it } from 'vitest';
import { RedChisqWeight } from '@samfire/core';
import { gridModel } from '../fixtures.js';

describe('reduced chi-squared weight', () => {
  it('is |redChisq - 1| at a pixel', () => {
    const model = gridModel([4]);
    model.redChisq.set([1, 1.5, 0.25, NaN]);
    const w = new RedChisqWeight();
    expect(w.value(model, 0)).toBe(0);
    expect(w.value(model, 1)).toBeCloseTo(0.5, 15);
    expect(w.value(model, 2)).toBeCloseTo(0.75, 15);
    expect(w.value(model, 3)).toBeNaN();
  });

  it('maps over a mask (NaN outside it)', () => {
    const model = gridModel([4]);
    model.redChisq.set([1, 3, 0.5, 2]);
    const out = new RedChisqWeight().map(model, Uint8Array.of(1, 1, 0, 1));
    expect(Array.from(out)).toEqual([0, 2, NaN, 1]);
    expect(() => new RedChisqWeight().map(model, new Uint8Array(2))).toThrow(/mask has 2 pixels/);
  });
});
