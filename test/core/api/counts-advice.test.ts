/** The counts route suggested for integer data, and the warning for non-integer data under Poisson assumptions. */
import { describe, expect, it } from 'vitest';
import { countsAdvice } from '@samfire/core/api';
import type { FitOptionsSetting, GoodnessSetting } from '@samfire/core/api';

const ls: FitOptionsSetting = { optimizer: 'mljs', bounded: true };
const ml: FitOptionsSetting = { optimizer: 'lm', bounded: true, lossFunction: 'ML-poisson' };
const redChisq: GoodnessSetting = { kind: 'redChisq', tolerance: 0.8 };
const deviance: GoodnessSetting = { kind: 'deviance', tolerance: 0.8 };

describe('countsAdvice', () => {
  it('suggests ML-Poisson and the deviance test for counts, keeping the other settings', () => {
    const a = countsAdvice('counts', 'poisson', ls, redChisq);
    expect(a?.level).toBe('suggest');
    expect(a?.text).toMatch(/ML-Poisson.*deviance test/);
    expect(a?.apply).toEqual({
      fit: { optimizer: 'lm', bounded: true, lossFunction: 'ML-poisson' },
      goodness: { kind: 'deviance', tolerance: 0.8 },
    });
    // An information-criterion tolerance means nothing to the deviance test: 1.
    expect(
      countsAdvice('counts', 'none', ls, { kind: 'AICc', tolerance: -300 })?.apply?.goodness,
    ).toEqual({ kind: 'deviance', tolerance: 1 });
    // Half the route taken: still suggested; all of it: nothing to say.
    expect(countsAdvice('counts', 'poisson', ml, redChisq)?.level).toBe('suggest');
    expect(countsAdvice('counts', 'poisson', ls, deviance)?.level).toBe('suggest');
    expect(countsAdvice('counts', 'poisson', ml, deviance)).toBeNull();
  });

  it('warns when non-integer data meet a Poisson variance or ML-Poisson, and only then', () => {
    const w = countsAdvice('non-integer', 'poisson', ls, redChisq);
    expect(w).toMatchObject({ level: 'warn', apply: null });
    expect(w?.text).toMatch(/^The Poisson variance assumes counts/);
    expect(countsAdvice('non-integer', 'constant', ml, deviance)?.text).toMatch(
      /^ML-Poisson fits assume counts/,
    );
    expect(countsAdvice('non-integer', 'constant', ls, redChisq)).toBeNull();
    expect(countsAdvice('non-integer', 'array', ls, redChisq)).toBeNull();
    expect(countsAdvice('other', 'poisson', ls, redChisq)).toBeNull();
  });
});
