/** Which bound a parameter sits on, with a tolerance relative to the bound range. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AT_BOUND_RTOL, boundHit } from '../../../core/src/model/at-bound.js';

describe('boundHit', () => {
  it('says which bound a value sits on, relative to the bound range', () => {
    expect(boundHit(1, 1, 4)).toBe('bmin');
    expect(boundHit(4, 1, 4)).toBe('bmax');
    // Within 1e-6 of the range (3): on the bound; a little further: not.
    expect(boundHit(4 - 2e-6, 1, 4)).toBe('bmax');
    expect(boundHit(4 - 4e-6, 1, 4)).toBeNull();
    expect(boundHit(2.5, 1, 4)).toBeNull();
    // The tolerance scales with the range, so units do not matter.
    expect(boundHit(4e9 - 2e3, 1e9, 4e9)).toBe('bmax');
    expect(boundHit(4e-9 - 2e-15, 1e-9, 4e-9)).toBe('bmax');
    expect(boundHit(4e-9 - 4e-15, 1e-9, 4e-9)).toBeNull();
  });

  it('with one bound, relative to the bound (or the value, for a bound at 0)', () => {
    expect(boundHit(0, 0, null)).toBe('bmin');
    expect(boundHit(1e-12, 0, null)).toBeNull();
    expect(boundHit(850 * (1 + 5e-7), null, 850)).toBe('bmax');
    expect(boundHit(851, null, 850)).toBeNull();
    expect(boundHit(5, null, null)).toBeNull();
  });

  it('sits on no bound for a value that is not a number', () => {
    expect(boundHit(NaN, 0, 1)).toBeNull();
    expect(boundHit(Infinity, 0, Infinity)).toBeNull();
  });

  it('is symmetric: a value mirrored in the range sits on the other bound', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (lo, span, t) => {
          const hi = lo + span;
          const v = lo + t * span;
          const mirrored = hi - t * span;
          const a = boundHit(v, lo, hi);
          const b = boundHit(mirrored, lo, hi);
          // Rounding of lo + t*span can move a value by an ulp; away from the edge both agree.
          if (Math.abs(t * span - AT_BOUND_RTOL * span) < 1e-9 * Math.abs(hi)) return;
          expect(b).toBe(a === 'bmin' ? 'bmax' : a === 'bmax' ? 'bmin' : null);
        },
      ),
      { seed: 5, numRuns: 300 },
    );
  });
});
