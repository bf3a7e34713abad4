/**
 * diagnoseFit tells why a fit fails from its residuals: a white residual
 * larger than the variance (the noise model is off, by how much), or a
 * structured one (the model misses a feature, and where).
 */
import { describe, expect, it } from 'vitest';
import { Model, Signal, diagnoseFit } from '@samfire/core';
import { gaussianSample, mulberry32, poissonNoise } from '../../helpers/random.js';

const N = 400;

/** Gaussians (area, centre, sigma) on a flat 50 counts, Poisson noise, `scale` × the counts. */
function spectrum(peaks: [number, number, number][], scale = 1, seed = 3): Signal {
  const means = Float64Array.from({ length: N }, (_, i) => {
    let y = 50;
    for (const [a, c, s] of peaks)
      y += (a / (s * Math.sqrt(2 * Math.PI))) * Math.exp(-0.5 * ((i - c) / s) ** 2);
    return y;
  });
  const counts = poissonNoise(mulberry32(seed), means);
  return new Signal({
    data: counts.map((v) => v * scale),
    axes: [{ name: 'Energy', size: N, offset: 100, scale: 0.5, units: 'eV', navigate: false }],
  });
}

function fitOneGaussian(signal: Signal): Model {
  const m = new Model(signal, [
    { kind: 'Gaussian', name: 'g' },
    { kind: 'Offset', name: 'bg' },
  ]);
  m.parameter('g.A').value = 20_000;
  m.parameter('g.centre').value = 195;
  m.parameter('g.sigma').value = 6;
  m.parameter('bg.offset').value = 40;
  m.fit(0);
  return m;
}

describe('diagnoseFit', () => {
  it('finds nothing to say of a good fit: mean square about 1, no correlation', () => {
    const s = spectrum([[40_000, 200, 10]]);
    s.estimatePoissonianNoiseVariance();
    const d = diagnoseFit(fitOneGaussian(s), 0);
    expect(d.channels).toBe(N);
    expect(d.weighted).toBe(true);
    expect(Math.abs(d.meanSquare - 1)).toBeLessThan(0.2);
    expect(Math.abs(d.lag1)).toBeLessThan(0.15);
    expect(d.kind).toBe('none');
    expect(d.text).toMatch(/like the noise .*as good as the noise allows/);
    expect(d.region).toBeNull();
  });

  it('says the noise is underestimated, and by how much, when the gain is wrong', () => {
    // A detector with 4 counts per electron, the variance taken as if 1.
    const s = spectrum([[40_000, 200, 10]], 4);
    s.estimatePoissonianNoiseVariance({ gain: 1 });
    const d = diagnoseFit(fitOneGaussian(s), 0);
    expect(d.kind).toBe('noise');
    expect(d.meanSquare).toBeGreaterThan(3.3);
    expect(d.meanSquare).toBeLessThan(4.7);
    expect(d.text).toMatch(
      /noise-like .* larger than the variance says: the noise is underestimated/,
    );
    expect(d.text).toMatch(/gain is 1; the data suggest about (3\.[3-9]|4\.[0-6])/);
  });

  it('says the model misses a feature, and where, when a peak is left out', () => {
    // A second, smaller peak at channel 300 (250 eV) that the model has no component for.
    const s = spectrum([
      [40_000, 200, 10],
      [6_000, 300, 5],
    ]);
    s.estimatePoissonianNoiseVariance();
    const d = diagnoseFit(fitOneGaussian(s), 0);
    expect(d.kind).toBe('structure');
    expect(d.lag1).toBeGreaterThan(0.3);
    expect(d.region).not.toBeNull();
    expect(d.region!.excess).toBe('above');
    // The window holds the missing peak's centre (250 eV).
    expect(d.region!.start).toBeLessThanOrEqual(252);
    expect(d.region!.end).toBeGreaterThanOrEqual(248);
    expect(d.region!.sigmas).toBeGreaterThan(10);
    expect(d.text).toMatch(/model misses a feature; largest at 2\d\d(\.\d+)?–2\d\d(\.\d+)? eV/);
  });

  it('does not take correlated noise (a CCD point spread) for a missing feature', () => {
    // Noise of the counts' size, each channel's shared with its neighbours (3-channel box):
    // lag-1 correlation 2/3, no shape.
    const rand = mulberry32(5);
    const white = Float64Array.from({ length: N + 2 }, () => gaussianSample(rand));
    const means = Float64Array.from(
      { length: N },
      (_, i) =>
        50 + (40_000 / (10 * Math.sqrt(2 * Math.PI))) * Math.exp(-0.5 * ((i - 200) / 10) ** 2),
    );
    const data = means.map(
      (mu, i) => mu + (Math.sqrt(mu) * (white[i]! + white[i + 1]! + white[i + 2]!)) / Math.sqrt(3),
    );
    const s = new Signal({
      data,
      axes: [{ name: 'Energy', size: N, offset: 100, scale: 0.5, units: 'eV', navigate: false }],
    });
    s.estimatePoissonianNoiseVariance();
    const d = diagnoseFit(fitOneGaussian(s), 0);
    expect(d.lag1).toBeGreaterThan(0.5);
    expect(d.kind).toBe('none');
    expect(d.text).toMatch(/noise correlates, 0\.\d+, as a detector's point spread makes it/);
  });

  it('looks only at the channels in the signal range', () => {
    const s = spectrum([
      [40_000, 200, 10],
      [6_000, 300, 5],
    ]);
    s.estimatePoissonianNoiseVariance();
    const m = fitOneGaussian(s);
    m.setSignalRange(100, 230); // leaves the missing peak out
    m.fit(0);
    const d = diagnoseFit(m, 0);
    expect(d.channels).toBe(m.fittedChannels);
    expect(d.kind).toBe('none');
  });

  it('asks for a variance when the fit is unweighted', () => {
    const d = diagnoseFit(fitOneGaussian(spectrum([[40_000, 200, 10]])), 0);
    expect(d.weighted).toBe(false);
    expect(d.text).toMatch(/no noise variance/);
  });
});
