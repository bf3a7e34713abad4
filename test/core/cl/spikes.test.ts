import { describe, it, expect } from 'vitest';
import { Signal, findSpikes, removeSpikes, toFloat64 } from '@samfire/core';
import type { AxisSpec } from '@samfire/core';
import { mulberry32, poissonSample } from '../../helpers/random.js';

const N = 300;
const axes: AxisSpec[] = [
  { name: 'y', size: 4, offset: 0, scale: 1, units: 'µm', navigate: true },
  { name: 'x', size: 5, offset: 0, scale: 1, units: 'µm', navigate: true },
  { name: 'Wavelength', size: N, offset: 500, scale: 0.5, units: 'nm', navigate: false },
];

/** Poisson counts of a peak (height `height`, sigma `sigma` channels) on a background, per pixel. */
function peakMap(seed: number, height = 2000, sigma = 3): Uint16Array {
  const rand = mulberry32(seed);
  const data = new Uint16Array(20 * N);
  for (let p = 0; p < 20; p++) {
    const centre = 120 + 3 * p;
    for (let i = 0; i < N; i++) {
      const mean = 50 + height * Math.exp(-0.5 * ((i - centre) / sigma) ** 2);
      data[p * N + i] = poissonSample(rand, mean);
    }
  }
  return data;
}

describe('findSpikes and removeSpikes', () => {
  it('finds no spike on clean Gaussian peaks, narrow or wide, with Poisson noise', () => {
    for (const [seed, height, sigma] of [
      [1, 2000, 3],
      [2, 20000, 2.5],
      [3, 500, 12],
      [4, 60000, 4],
    ] as const) {
      const s = new Signal({ data: peakMap(seed, height, sigma), axes });
      expect(findSpikes(s), `peak height ${height}, sigma ${sigma}`).toEqual([]);
    }
  });

  it('finds every injected spike (one and two channels wide, on the background and on a peak) and reports where', () => {
    const data = peakMap(7);
    const injected: [number, number, number][] = [
      [0, 10, 900], // on the background
      [3, 125, 1200], // on the flank of the peak (centre 129)
      [7, 141, 1500], // at the top of the peak (centre 141)
      [12, 250, 700],
      [12, 251, 650], // two channels wide
      [19, 299, 800], // the last channel
      [19, 0, 800], // the first channel
    ];
    for (const [p, c, add] of injected) data[p * N + c] = data[p * N + c]! + add;
    const s = new Signal({ data, axes });
    const spikes = findSpikes(s);
    expect(spikes.map((k) => [k.pixel, k.channel])).toEqual(
      injected.map(([p, c]) => [p, c]).sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!),
    );
    const top = spikes.find((k) => k.pixel === 7)!;
    expect(top.position).toEqual([1, 2]);
    expect(top.value).toBe(data[7 * N + 141]);
    expect(top.score).toBeGreaterThan(10);
    // A lower threshold finds at least as many; a threshold above the spikes finds none.
    expect(findSpikes(s, { threshold: 5 }).length).toBeGreaterThanOrEqual(spikes.length);
    expect(findSpikes(s, { threshold: 1e6 })).toEqual([]);
  });

  it('looks through a range of pixels: slices together find what the whole map does', () => {
    const data = peakMap(7);
    for (const [p, c] of [
      [0, 10],
      [7, 141],
      [12, 250],
      [19, 299],
    ] as const)
      data[p * N + c] = data[p * N + c]! + 1000;
    const s = new Signal({ data, axes });
    const whole = findSpikes(s);
    const slices = [0, 7, 8, 13, 20]
      .slice(0, -1)
      .flatMap((from, i, all) => findSpikes(s, { from, to: [7, 8, 13, 20][i] ?? all.length }));
    expect(slices).toEqual(whole);
    expect(findSpikes(s, { from: 8, to: 12 })).toEqual([]);
    expect(() => findSpikes(s, { from: 5, to: 21 })).toThrow(
      'spikes: pixels 5 to 21 are not a range of the map (20 pixels)',
    );
    expect(() => findSpikes(s, { from: 6, to: 5 })).toThrow(/pixels 6 to 5/);
  });

  it('replaces the spikes by the local median in a new signal, leaving the input untouched', () => {
    const clean = peakMap(9);
    const data = Uint16Array.from(clean);
    data[5 * N + 40] = data[5 * N + 40]! + 3000;
    data[5 * N + 41] = data[5 * N + 41]! + 2500;
    const before = Uint16Array.from(data);
    const variance = Float64Array.from(data, (c) => c + 1);
    const s = new Signal({ data, axes, variance: { kind: 'array', data: variance } });
    const spikes = findSpikes(s);
    expect(spikes.map((k) => k.channel)).toEqual([40, 41]);
    const fixed = removeSpikes(s, spikes);
    expect(s.data).toEqual(before);
    expect(fixed.data).not.toBe(s.data);
    expect(fixed.dtype).toBe('uint16');
    const y = toFloat64(fixed.data);
    // Replaced by the median of the neighbours that are not spikes: near the background.
    for (const c of [40, 41]) {
      const neighbours = [c - 2, c - 1, c + 1, c + 2]
        .filter((j) => j !== 40 && j !== 41)
        .map((j) => clean[5 * N + j]!)
        .sort((a, b) => a - b);
      const m =
        neighbours.length % 2 === 1
          ? neighbours[neighbours.length >> 1]!
          : (neighbours[neighbours.length / 2 - 1]! + neighbours[neighbours.length / 2]!) / 2;
      expect(y[5 * N + c]).toBe(Math.round(m));
      expect(y[5 * N + c]!).toBeLessThan(100);
    }
    // Everything else unchanged, and no spike left.
    for (let k = 0; k < data.length; k++) {
      if (k !== 5 * N + 40 && k !== 5 * N + 41) expect(y[k]).toBe(before[k]);
    }
    expect(findSpikes(fixed)).toEqual([]);
    // The explicit variance is replaced the same way.
    const v = new Float64Array(N);
    fixed.readVariance(5, fixed.readSpectrum(5), v);
    expect(v[40]!).toBeLessThan(100);
    expect(variance[5 * N + 40]).toBe(before[5 * N + 40]! + 1);
  });

  it('refuses a spike outside the signal and a bad window, naming them', () => {
    const s = new Signal({ data: peakMap(1), axes });
    expect(() => removeSpikes(s, [{ pixel: 20, channel: 0 }])).toThrow(
      /spike 0: pixel 20 is not in the map \(20 pixels\)/,
    );
    expect(() => removeSpikes(s, [{ pixel: 0, channel: N }])).toThrow(
      /spike 0: channel 300 is not on the signal axis/,
    );
    expect(() => findSpikes(s, { window: 4 })).toThrow(/window must be an odd integer/);
    expect(() => findSpikes(s, { threshold: 0 })).toThrow(/threshold must be positive/);
  });
});
