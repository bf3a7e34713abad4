/** A fit's verdict follows the goodness test in force, not the one it was fitted under. */
import { describe, expect, it } from 'vitest';
import type { PixelFitOutcome } from '@samfire/core/api';
import { judgeFit } from '../../../renderer/src/lib/logic/verdict.js';

const fit: PixelFitOutcome = {
  pixel: 0,
  position: [0, 0],
  redChisq: 27.7,
  chisq: 27.7 * 390,
  dof: 390,
  good: false,
  goodness: { kind: 'redChisq', tolerance: 1 },
  converged: true,
  status: 'ftol',
  message: 'converged',
  atBound: [],
  statistics: { redChisq: 27.7, deviancePerDof: 20, aic: 5000, aicc: 5001, bic: 5020 },
  report: '',
  diagnosis: { kind: 'noise', meanSquare: 27.7, lag1: 0.01, region: null, text: '' },
};

describe('judgeFit', () => {
  it('states the test it was fitted under', () => {
    expect(judgeFit(fit, null)).toEqual({
      good: false,
      text: '|χ²ᵣ − 1| = 26.7, not below 1',
      goodness: { kind: 'redChisq', tolerance: 1 },
      rejudged: false,
    });
  });

  it('is recomputed when the tolerance or the kind changes', () => {
    expect(judgeFit(fit, { kind: 'redChisq', tolerance: 30 })).toEqual({
      good: true,
      text: '|χ²ᵣ − 1| = 26.7 < 30',
      goodness: { kind: 'redChisq', tolerance: 30 },
      rejudged: true,
    });
    expect(judgeFit(fit, { kind: 'BIC', tolerance: 5000 }).text).toBe('BIC = 5020, not below 5000');
  });

  it('keeps the host’s verdict for a test kind it does not know', () => {
    const v = judgeFit({ ...fit, good: true }, { kind: 'custom', tolerance: 2 });
    expect(v.good).toBe(true);
    expect(v.rejudged).toBe(false);
  });
});
