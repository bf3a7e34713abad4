/** The refit's notice sums up why the fits still fail: where the structure is, how far the noise is off. */
import { describe, expect, it } from 'vitest';
import type { FitDiagnosisInfo } from '@samfire/core/api';
import { FailureTally } from '../../../renderer/src/lib/logic/failure-summary.js';

const structure = (start: number, end: number): FitDiagnosisInfo => ({
  kind: 'structure',
  meanSquare: 9,
  lag1: 0.6,
  region: { start, end, excess: 'above', sigmas: 10 },
  text: '',
});
const noise = (meanSquare: number): FitDiagnosisInfo => ({
  kind: 'noise',
  meanSquare,
  lag1: 0.02,
  region: null,
  text: '',
});

describe('FailureTally', () => {
  it('says nothing when nothing failed', () => {
    expect(new FailureTally().text('eV')).toBe('');
  });

  it('names the window most structured misfits share, and the median noise factor', () => {
    const t = new FailureTally();
    for (const d of [
      structure(530, 560),
      structure(535, 565),
      structure(1950, 2040),
      structure(528, 558),
      noise(3),
      noise(5),
      noise(4.2),
      { kind: 'none', meanSquare: 1.1, lag1: 0, region: null, text: '' } as const,
      { kind: 'unclear', meanSquare: 1, lag1: NaN, region: null, text: '' } as const,
    ])
      t.add(d);
    expect(t.count).toBe(9);
    expect(t.text('eV')).toBe(
      'Of the 9 still failing: 4 miss a feature in the model (3 of them at 528–565 eV); ' +
        '3 are noise-like, 4.2× the variance (median): check the noise model; ' +
        '1 fit as well as the noise allows (the test is stricter); ' +
        '1 have too few channels in the range.',
    );
  });
});
