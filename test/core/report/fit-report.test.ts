/** The lmfit-style fit report: statistics, parameters, and which of them sit on a bound. */
import { describe, expect, it } from 'vitest';
import { Model } from '@samfire/core';
import { Signal } from '@samfire/core';
import { fitReport, fitSummary } from '@samfire/core';

/** A Gaussian (A 2000 at 50, sigma 5) on an offset of 20, 100 channels, no noise. */
function peak(): Model {
  const data = Float64Array.from(
    { length: 100 },
    (_, i) => (2000 / (5 * Math.sqrt(2 * Math.PI))) * Math.exp(-0.5 * ((i - 50) / 5) ** 2) + 20,
  );
  const signal = new Signal({
    data,
    axes: [{ name: 'E', size: 100, offset: 0, scale: 1, units: 'eV', navigate: false }],
  });
  const m = new Model(signal, [
    { kind: 'Gaussian', name: 'g' },
    { kind: 'Offset', name: 'bg' },
  ]);
  m.parameter('g.A').value = 1500;
  m.parameter('g.centre').value = 48;
  m.parameter('g.sigma').value = 4;
  m.parameter('bg.offset').value = 15;
  return m;
}

describe('fit report', () => {
  it('marks a parameter the bounded fit left on its bound as at boundary, as lmfit does', () => {
    const m = peak();
    m.parameter('g.sigma').set({ bmin: 1, bmax: 4 });
    const r = m.fit(0, { bounded: true });
    const summary = fitSummary(m, r);
    const sigma = summary.parameters.find((p) => p.name === 'g.sigma')!;
    expect(sigma.value).toBe(4);
    expect(sigma.atBound).toBe('bmax');
    expect(summary.parameters.filter((p) => p.atBound !== null).map((p) => p.name)).toEqual([
      'g.sigma',
    ]);
    const text = fitReport(summary);
    expect(text).toMatch(/g\.sigma: +4 .*\(at boundary: bmax = 4\)/);
    expect(text).toContain('[[Warnings]]');
    expect(text).toContain('    g.sigma: at boundary (bmax)');
    expect(text).not.toMatch(/g\.centre:.*at boundary/);
  });

  it('uses a tolerance relative to the bound range, not exact equality', () => {
    const m = peak();
    // The fit ends at centre 50; a bound range of 1e7 puts it within 1e-6 of the range of bmin.
    m.parameter('g.centre').set({ bmin: 49.999, bmax: 49.999 + 1e7 });
    const r = m.fit(0, { bounded: true });
    const centre = fitSummary(m, r).parameters.find((p) => p.name === 'g.centre')!;
    expect(centre.value).toBeGreaterThan(49.999);
    expect(centre.atBound).toBe('bmin');
    // A fixed parameter on its bound is not reported: it was never fitted.
    const f = peak();
    f.parameter('bg.offset').set({ value: 20, bmin: 20, free: false });
    const fr = f.fit(0, { bounded: true });
    expect(fitSummary(f, fr).parameters.find((p) => p.name === 'bg.offset')!.atBound).toBeNull();
    expect(fitReport(fitSummary(f, fr))).not.toContain('[[Warnings]]');
  });

  it('writes numbers with the UI’s formatter: seven digits, exponents past 1e5', () => {
    const m = peak();
    m.parameter('g.A').value = 2e6;
    const data = m.signal.data as Float64Array;
    for (let i = 0; i < data.length; i++) data[i] = data[i]! * 1000;
    const r = m.fit(0);
    const text = fitReport(fitSummary(m, r));
    expect(text).toMatch(/g\.A: +2e\+6 /);
    expect(text).toMatch(/g\.centre: +50 /);
  });
});
