/** The goodness tests in words and numbers, and their verdicts, as the host's tests decide them. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { goodnessCondition, goodnessVerdict, passesGoodness } from '@samfire/core/api';
import type { GoodnessStatistics } from '@samfire/core/api';
import { informationCriteria } from '@samfire/core';
import { createGoodnessTest } from '@samfire/core';

const stats = (
  redChisq: number,
  aic = 0,
  aicc = 0,
  bic = 0,
  deviancePerDof = NaN,
): GoodnessStatistics => ({
  redChisq,
  deviancePerDof,
  aic,
  aicc,
  bic,
});

describe('goodness test texts', () => {
  it('states every test in its real form', () => {
    expect(goodnessCondition({ kind: 'redChisq', tolerance: 1 })).toBe('|χ²ᵣ − 1| < 1');
    expect(goodnessCondition({ kind: 'redChisq', tolerance: 30 })).toBe('|χ²ᵣ − 1| < 30');
    expect(goodnessCondition({ kind: 'AIC', tolerance: 250 })).toBe('AIC < 250');
    expect(goodnessCondition({ kind: 'AICc', tolerance: -1200.5 })).toBe('AICc < -1200.5');
    expect(goodnessCondition({ kind: 'BIC', tolerance: 1e6 })).toBe('BIC < 1e+6');
    expect(goodnessCondition({ kind: 'deviance', tolerance: -0.5 })).toBe('|D/ν − 1| < 0.5');
  });

  it('gives a verdict with the number the test compared', () => {
    const g = { kind: 'redChisq', tolerance: 1 };
    expect(goodnessVerdict(g, stats(27.7))).toEqual({
      good: false,
      text: '|χ²ᵣ − 1| = 26.7, not below 1',
    });
    expect(goodnessVerdict(g, stats(1.042))).toEqual({ good: true, text: '|χ²ᵣ − 1| = 0.042 < 1' });
    // A fit below 1 by more than the tolerance fails too (the test is two-sided).
    expect(goodnessVerdict(g, stats(0.2)).good).toBe(true);
    expect(goodnessVerdict({ kind: 'redChisq', tolerance: 0.5 }, stats(0.2)).good).toBe(false);
    expect(goodnessVerdict({ kind: 'BIC', tolerance: 100 }, stats(1, 0, 0, 150))).toEqual({
      good: false,
      text: 'BIC = 150, not below 100',
    });
    expect(goodnessVerdict({ kind: 'deviance', tolerance: 0.5 }, stats(0.1, 0, 0, 0, 1.2))).toEqual(
      { good: true, text: '|D/ν − 1| = 0.2 < 0.5' },
    );
    expect(goodnessVerdict({ kind: 'deviance', tolerance: 0.5 }, stats(1, 0, 0, 0, 1.7)).good).toBe(
      false,
    );
    expect(goodnessVerdict(g, stats(NaN))).toEqual({
      good: false,
      text: '|χ²ᵣ − 1| = not defined, not below 1',
    });
  });

  it('recomputes the verdict when the tolerance changes', () => {
    const fit = stats(27.7);
    expect(passesGoodness({ kind: 'redChisq', tolerance: 1 }, fit)).toBe(false);
    expect(passesGoodness({ kind: 'redChisq', tolerance: 30 }, fit)).toBe(true);
    expect(passesGoodness({ kind: 'someone-elses', tolerance: 1 }, fit)).toBeNull();
  });

  it('agrees with the host’s goodness tests on every built-in kind', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('redChisq', 'AIC', 'AICc', 'BIC', 'deviance'),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        fc.double({ min: -500, max: 500, noNaN: true }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        (kind, tolerance, redChisq, logLikelihood, deviancePerDof) => {
          const channels = 200;
          const freeParameters = 4;
          const { aic, aicc, bic } = informationCriteria(logLikelihood, freeParameters, channels);
          const test = createGoodnessTest({ kind, tolerance });
          const host = test.isGood({
            chisq: redChisq * (channels - freeParameters),
            dof: channels - freeParameters,
            redChisq,
            freeParameters,
            channels,
            logLikelihood: () => logLikelihood,
            deviance: () => deviancePerDof * (channels - freeParameters),
          });
          expect(
            passesGoodness({ kind, tolerance }, stats(redChisq, aic, aicc, bic, deviancePerDof)),
          ).toBe(host);
        },
      ),
      { seed: 11, numRuns: 400 },
    );
  });
});
