/** `samfire run` options for the counts route: --loss and --test deviance. */
import { describe, expect, it } from 'vitest';
import { DevianceTest, Samfire, Model, Signal } from '@samfire/core';
import { applySettings, parseRunSettings } from '../../../core/src/cli/run-settings.js';

const opts = (o: Record<string, string | true>): Map<string, string | true> =>
  new Map(Object.entries(o));

describe('run settings', () => {
  it('takes --loss ml-poisson and --test deviance (tolerance 1 by default)', () => {
    const s = parseRunSettings(opts({ loss: 'ML-Poisson', test: 'deviance' }), 1);
    expect(s.lossFunction).toBe('ML-poisson');
    expect(s.test).toBe('deviance');
    expect(parseRunSettings(opts({}), 1).lossFunction).toBe('ls');
    const signal = new Signal({
      data: new Float64Array(2 * 16).fill(3),
      axes: [
        { name: 'x', size: 2, offset: 0, scale: 1, units: '', navigate: true },
        { name: 'E', size: 16, offset: 0, scale: 1, units: '', navigate: false },
      ],
    });
    const samf = new Samfire(new Model(signal, [{ kind: 'Offset' }]), { workers: 0 });
    applySettings(samf, s);
    expect(samf.metadata.goodnessTest).toBeInstanceOf(DevianceTest);
    expect(samf.metadata.goodnessTest.tolerance).toBe(1);
  });

  it('says what is wrong with a bad --loss or a loss the optimiser cannot minimise', () => {
    expect(() => parseRunSettings(opts({ loss: 'huber' }), 1)).toThrow(
      "--loss must be ls or ml-poisson, got 'huber'",
    );
    expect(() => parseRunSettings(opts({ loss: 'ml-poisson', optimizer: 'mljs' }), 1)).toThrow(
      "--loss ml-poisson needs --optimizer lm, got 'mljs'",
    );
    expect(() => parseRunSettings(opts({ test: 'chi' }), 1)).toThrow(
      /--test must be redchisq, deviance, aic, aicc or bic/,
    );
  });
});
