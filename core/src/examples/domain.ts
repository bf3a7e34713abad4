/**
 * The built-in example: a domain-structured spectrum image like the one in
 * HyperSpy's own SAMFire tests (../shared/data/reference/domain-7x15x400).
 * Every pixel holds a Lorentzian `l1`, a Gaussian `g` and a Lorentzian `l2`;
 * inside a central disc the peaks swap places and `l2` is absent, so one seed
 * fitted outside the disc is not a good start inside it. Maps are smoothed
 * with a Gaussian filter (sigma 1.5 pixels, reflecting edges), the data are
 * Poisson counts + 0.1 and the variance is the Poisson estimate.
 */
import { Model } from '../model/model.js';
import { Signal } from '../model/signal.js';
import { lorentzian } from '../components/lorentzian.js';
import { gaussian } from '../components/gaussian.js';
import { Random } from '../util/random.js';

export interface DomainExampleOptions {
  rows?: number;
  cols?: number;
  channels?: number;
  seed?: number;
}

export interface DomainTruthMaps {
  /** Parameter maps (rows x cols, C order) by "component.parameter". */
  maps: Record<string, Float64Array>;
  /** 1 where l2 is present (outside the disc). */
  l2Present: Uint8Array;
}

export interface DomainExample {
  signal: Signal;
  truth: DomainTruthMaps;
}

/** Separable Gaussian filter with reflecting edges (scipy's 'reflect', truncate 4). */
export function gaussianFilter2d(
  src: Float64Array,
  rows: number,
  cols: number,
  sigma: number,
): Float64Array {
  const radius = Math.floor(4 * sigma + 0.5);
  const kernel = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const v = Math.exp((-0.5 * i * i) / (sigma * sigma));
    kernel[i + radius] = v;
    sum += v;
  }
  for (let i = 0; i < kernel.length; i++) kernel[i] = kernel[i]! / sum;
  const reflect = (i: number, n: number): number => {
    const period = 2 * n;
    let j = ((i % period) + period) % period;
    if (j >= n) j = period - 1 - j;
    return j;
  };
  const tmp = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let s = 0;
      for (let k = -radius; k <= radius; k++)
        s += kernel[k + radius]! * src[reflect(r + k, rows) * cols + c]!;
      tmp[r * cols + c] = s;
    }
  }
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let s = 0;
      for (let k = -radius; k <= radius; k++)
        s += kernel[k + radius]! * tmp[r * cols + reflect(c + k, cols)]!;
      out[r * cols + c] = s;
    }
  }
  return out;
}

export function makeDomainExample(options: DomainExampleOptions = {}): DomainExample {
  const rows = options.rows ?? 7;
  const cols = options.cols ?? 15;
  const n = options.channels ?? 400;
  const rng = new Random(options.seed ?? 17);
  const nav = rows * cols;
  const radius = Math.floor(Math.min(rows, cols) / 3);
  const cr = Math.floor(rows / 2);
  const cc = Math.floor(cols / 2);
  const inside = new Uint8Array(nav);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const y = r - cr;
      const x = c - cc;
      inside[r * cols + c] = x * x + y * y <= radius * radius ? 1 : 0;
    }
  }
  const map = (f: (i: number) => number): Float64Array =>
    Float64Array.from({ length: nav }, (_, i) => f(i));
  const blur = (m: Float64Array): Float64Array => gaussianFilter2d(m, rows, cols, 1.5);
  const maps: Record<string, Float64Array> = {
    'l1.gamma': map(() => 50),
    'l1.centre': blur(map((i) => (inside[i] ? 400 : 300))),
    'l1.A': blur(map((i) => (100 * rng.random() + 300000) * (inside[i] ? 0.75 : 1))),
    'g.sigma': map(() => 15),
    'g.centre': blur(map((i) => (inside[i] ? 300 : 400))),
    'g.A': map(() => 50000),
    'l2.gamma': map(() => 20),
    'l2.centre': map((i) => (inside[i] ? 900 : 100)),
    'l2.A': map((i) => (100 * rng.random() + 50000) * (inside[i] ? 0 : 1)),
  };
  const scale = n === 400 ? 1 : 400 / n;
  const x = Float64Array.from({ length: n }, (_, i) => i * scale);
  const data = new Float64Array(nav * n);
  const fns = { g: gaussian(), l1: lorentzian(), l2: lorentzian() };
  const tmp = new Float64Array(n);
  const clean = new Float64Array(n);
  for (let i = 0; i < nav; i++) {
    clean.fill(0);
    for (const [name, fn] of Object.entries(fns)) {
      const width = name === 'g' ? 'sigma' : 'gamma';
      const p = Float64Array.of(
        maps[`${name}.A`]![i]!,
        maps[`${name}.centre`]![i]!,
        maps[`${name}.${width}`]![i]!,
      );
      fn.evaluate(x, n, p, tmp);
      for (let j = 0; j < n; j++) clean[j] = clean[j]! + tmp[j]!;
    }
    for (let j = 0; j < n; j++) data[i * n + j] = rng.poisson(clean[j]!) + 0.1;
  }
  const signal = new Signal({
    data,
    axes: [
      { name: 'y', size: rows, offset: 0, scale: 1, units: 'px', navigate: true },
      { name: 'x', size: cols, offset: 0, scale: 1, units: 'px', navigate: true },
      { name: 'Energy', size: n, offset: 0, scale, units: 'eV', navigate: false },
    ],
    title: `domain ${rows}x${cols}x${n}`,
    signalType: '',
  });
  signal.estimatePoissonianNoiseVariance({ gain: 1, offset: 0, floor: 0.1 });
  const l2Present = Uint8Array.from(inside, (v) => 1 - v);
  return { signal, truth: { maps, l2Present } };
}

/**
 * The example's model with the starting guesses of HyperSpy's test
 * (g at 400, l1 at 300, l2 at 100, l2 bounded), values assigned to all pixels.
 */
export function domainExampleModel(signal: Signal): Model {
  const model = new Model(signal, [
    { kind: 'Gaussian', name: 'g' },
    { kind: 'Lorentzian', name: 'l1' },
    { kind: 'Lorentzian', name: 'l2' },
  ]);
  model.parameter('g.sigma').value = 50;
  model.parameter('g.centre').value = 400;
  model.parameter('g.A').value = 50000;
  model.parameter('l1.gamma').value = 40;
  model.parameter('l1.centre').value = 300;
  model.parameter('l1.A').value = 300000;
  model.parameter('l2.gamma').set({ value: 15, bmin: 0, bmax: 60 });
  model.parameter('l2.centre').set({ value: 100, bmin: 0, bmax: 200 });
  model.parameter('l2.A').set({ value: 50000, bmin: 30000, bmax: 100000 });
  model.assignCurrentValuesToAll();
  return model;
}
