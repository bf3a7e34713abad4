/** Subsets of optional components, tried from none to all, and the AICc choice between them. */
import { describe, expect, it } from 'vitest';
import { aiccWins } from '../../../core/src/kernel/aicc-choice.js';
import { subsetsBySize } from '../../../core/src/kernel/subsets.js';

describe('subsets of optional components', () => {
  it('go from none to all, by size then lexicographically', () => {
    expect(subsetsBySize([])).toEqual([[]]);
    expect(subsetsBySize([4])).toEqual([[], [4]]);
    expect(subsetsBySize([1, 3, 5])).toEqual([
      [],
      [1],
      [3],
      [5],
      [1, 3],
      [1, 5],
      [3, 5],
      [1, 3, 5],
    ]);
    expect(subsetsBySize([0, 1, 2, 3, 4, 5])).toHaveLength(64);
  });
});

describe('AICc choice', () => {
  it('takes a new fit with AICc below 0.99 x best', () => {
    expect(aiccWins(98.9, 5, 100, 3)).toBe(true);
    expect(aiccWins(99.1, 5, 100, 3)).toBe(false);
  });

  it('takes a fit within the margin when it has fewer free parameters', () => {
    expect(aiccWins(100.5, 3, 100, 5)).toBe(true);
    expect(aiccWins(99.5, 5, 100, 5)).toBe(false);
    expect(aiccWins(101.5, 3, 100, 5)).toBe(false);
  });

  it('prefers any finite AICc to an infinite one', () => {
    expect(aiccWins(1e9, 9, Infinity, 3)).toBe(true);
    expect(aiccWins(Infinity, 3, 1e9, 9)).toBe(false);
  });
});
