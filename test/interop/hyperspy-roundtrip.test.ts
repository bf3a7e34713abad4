/**
 * Files written by writeHspy, loaded by HyperSpy 1.7.3 itself
 * (/usr/bin/python3 with python3-hyperspy; the scripts in ./py print what
 * HyperSpy sees as JSON): signals come back with the same data, axes and
 * variance, and `s.models.restore(name)` gives the same parameter maps,
 * active maps, bounds, signal range, chisq and dof, and HyperSpy evaluates
 * the restored model to the same spectrum as ours.
 *
 * Skipped, with a message, only when /usr/bin/python3 cannot import
 * hyperspy (CI installs python3-hyperspy, so it runs there).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { readHspy, writeHspy } from '@samfire/core/node';
import { domainExampleModel, makeDomainExample, toFloat64, Model, Signal } from '@samfire/core';
import { SHARED } from '../helpers/reference.js';
import { PYTHON, hyperspyAvailable, hyperspyMissing } from '../helpers/hyperspy-load.js';

const PY_DIR = fileURLToPath(new URL('./py/', import.meta.url));
if (!hyperspyAvailable) console.warn(`test/interop skipped: ${hyperspyMissing}`);

const run = promisify(execFile);

async function python<T>(script: string, ...args: string[]): Promise<T> {
  const { stdout } = await run(PYTHON, [join(PY_DIR, script), ...args], {
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120_000,
  });
  return JSON.parse(stdout) as T;
}

type Num = number | null;

interface HsAxis {
  name: string;
  size: number;
  offset: number;
  scale: number;
  units: string;
  navigate: boolean;
  is_binned: boolean;
}

interface HsSignal {
  title: string;
  signal_type: string;
  dtype: string;
  shape: number[];
  axes: HsAxis[];
  sum: number;
  variance: 'none' | 'signal' | 'number';
  variance_sum: Num;
  gain_factor: Num;
  models: string[];
}

interface HsParameter {
  name: string;
  free: boolean;
  bounds: [Num, Num];
  value: Num[];
  std: Num[] | null;
  map: { values: Num[]; std: Num[]; is_set: boolean[] };
}

interface HsModel {
  signal: Omit<HsSignal, 'sum' | 'models' | 'gain_factor'>;
  channel_switches: boolean[];
  chisq: Num[];
  dof: number[];
  components: {
    name: string;
    kind: string;
    active: boolean;
    active_is_multidimensional: boolean;
    active_map: boolean[] | null;
    parameters: HsParameter[];
  }[];
  first_pixel_model: number[];
}

const tmp = mkdtempSync(join(tmpdir(), 'hspy-interop-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** JSON's null for NaN, as restore.py writes it. */
const orNull = (x: number): Num => (Number.isNaN(x) ? null : x);

/** HyperSpy's kind for each of ours. */
const HS_KIND: Record<string, string> = { PseudoVoigt: 'Expression' };

function expectRestored(hs: HsModel, model: Model): void {
  const signal = model.signal;
  expect(hs.signal.shape).toEqual(signal.shape);
  expect(hs.channel_switches).toEqual(Array.from(model.channelSwitches, (x) => x === 1));
  expect(hs.chisq).toEqual(Array.from(model.chisq, orNull));
  // HyperSpy's dof is the number of free parameters: fitted channels - ours.
  const fitted = model.fittedChannels;
  expect(hs.dof).toEqual(
    Array.from(model.dof, (d, i) => (Number.isFinite(model.chisq[i]!) ? fitted - d : 0)),
  );
  expect(hs.components.map((c) => c.name)).toEqual(model.components.map((c) => c.name));
  hs.components.forEach((hc, ci) => {
    const c = model.components[ci]!;
    expect(hc.kind, c.name).toBe(HS_KIND[c.kind] ?? c.kind);
    // HyperSpy keeps no per-pixel flag for a single spectrum: there it is the flag.
    const single = signal.navigationShape.length === 0;
    const perPixel = c.activeMap !== null && !single;
    expect(hc.active_is_multidimensional, c.name).toBe(perPixel);
    if (perPixel) {
      expect(hc.active_map).toEqual(Array.from(c.activeMap!, (x) => x === 1));
    } else {
      expect(hc.active, c.name).toBe(single ? c.isActiveAt(0) : c.active);
    }
    expect(hc.parameters.map((p) => p.name).sort()).toEqual(c.parameters.map((p) => p.name).sort());
    for (const hp of hc.parameters) {
      const p = c.parameter(hp.name);
      const where = p.fullName;
      expect(hp.free, where).toBe(p.free);
      expect(hp.bounds, where).toEqual([p.bmin, p.bmax]);
      expect(hp.map.values, where).toEqual(Array.from(p.map.values, orNull));
      expect(hp.map.std, where).toEqual(Array.from(p.map.std, orNull));
      expect(hp.map.is_set, where).toEqual(Array.from(p.map.isSet, (x) => x === 1));
    }
  });
  // HyperSpy's model at the first pixel (on the fitted channels) is ours.
  model.fetchStoredValues(0);
  const ours = model.evaluate().filter((_v, i) => model.channelSwitches[i] === 1);
  expect(hs.first_pixel_model.length).toBe(ours.length);
  hs.first_pixel_model.forEach((v, i) => {
    const scale = Math.max(1e-12, Math.abs(ours[i]!));
    expect(
      Math.abs(v - ours[i]!) / scale,
      `model channel ${i}: HyperSpy ${v}, ours ${ours[i]}`,
    ).toBeLessThan(1e-9);
  });
}

describe.skipIf(!hyperspyAvailable)('HyperSpy 1.7.3 reads what writeHspy writes', () => {
  it('restores a model fitted here (domain example: bounds, per-pixel l2, a signal range with a gap)', async () => {
    const { signal } = makeDomainExample();
    const model = domainExampleModel(signal);
    model.setSignalRange(20, 380);
    model.removeSignalRange(150, 160);
    const l2 = model.component('l2');
    l2.activeIsMultidimensional = true;
    model.parameter('g.sigma').set({ bmin: 1, bmax: 80 });
    model.parameter('l1.gamma').free = false;
    for (const [pixel, l2On] of [
      [0, true],
      [1, true],
      [16, true],
      [52, false],
      [104, true],
    ] as const) {
      model.fetchStoredValues(pixel);
      l2.active = l2On;
      model.fit(pixel, { bounded: true });
    }
    const path = join(tmp, 'domain.hspy');
    await writeHspy(path, signal, { fitted: model });
    const hs = await python<HsModel>('restore.py', path, 'fitted');
    expect(hs.signal.variance).toBe('signal'); // the Poisson estimate, written out for HyperSpy's fits
    expect(hs.signal.axes.map((a) => [a.name, a.units, a.navigate])).toEqual([
      ['y', 'px', true],
      ['x', 'px', true],
      ['Energy', 'eV', false],
    ]);
    expectRestored(hs, model);
  });

  it('restores every component kind (Polynomial, PseudoVoigt as an Expression, ...) on a binned signal', async () => {
    const n = 64;
    const x = Float64Array.from({ length: n }, (_v, i) => 2 + 0.05 * i);
    const data = new Float64Array(2 * 3 * n);
    for (let p = 0; p < 6; p++) {
      for (let i = 0; i < n; i++)
        data[p * n + i] = 50 + 20 * Math.exp(-((x[i]! - 3 - 0.01 * p) ** 2) / 0.02) + (i % 5);
    }
    const signal = new Signal({
      data,
      axes: [
        { name: 'y', size: 2, offset: 0, scale: 1, units: '', navigate: true },
        { name: 'x', size: 3, offset: 0, scale: 1, units: '', navigate: true },
        {
          name: 'Energy',
          size: n,
          offset: 2,
          scale: 0.05,
          units: 'keV',
          navigate: false,
          isBinned: true,
        },
      ],
      title: 'every kind',
      signalType: 'EDS_SEM',
      // HyperSpy's EDS models need the beam energy.
      metadata: { Acquisition_instrument: { SEM: { beam_energy: 15 } } },
    });
    signal.estimatePoissonianNoiseVariance();
    const model = new Model(signal, [
      { kind: 'Polynomial', name: 'background', options: { order: 2 } },
      { kind: 'Gaussian', name: 'g' },
      { kind: 'Lorentzian', name: 'l' },
      { kind: 'PseudoVoigt', name: 'pv' },
      { kind: 'Offset', name: 'o' },
      { kind: 'PowerLaw', name: 'pl' },
      { kind: 'Exponential', name: 'e' },
      {
        kind: 'Expression',
        name: 'ex',
        options: { expression: 'a * exp(-(x - c)**2 / 0.1) + b * x' },
      },
    ]);
    model.parameter('background.coefficients').setValues([0.5, -2, 40]);
    model.parameter('g.A').value = 2;
    model.parameter('g.centre').value = 3;
    model.parameter('g.sigma').set({ value: 0.1, bmin: 0.01, bmax: 0.5 });
    model.parameter('l.centre').value = 3.5;
    model.parameter('l.gamma').value = 0.2;
    model.parameter('pv.A').value = 3;
    model.parameter('pv.centre').value = 4;
    model.parameter('pv.gamma').value = 0.15;
    model.parameter('pv.eta').value = 0.3;
    model.parameter('o.offset').set({ value: 1.5, free: false });
    model.parameter('pl.A').value = 100;
    model.parameter('e.tau').value = 2;
    model.parameter('ex.a').value = 5;
    model.parameter('ex.b').value = 0.25;
    model.parameter('ex.c').value = 3.2;
    model.assignCurrentValuesToAll();
    model.component('e').activeIsMultidimensional = true;
    model.component('e').activeMap!.set([1, 0, 1, 1, 0, 1]);
    model.setSignalRange(2.2, 4.8);
    model.fit(0);
    const path = join(tmp, 'every-kind.hspy');
    await writeHspy(path, signal, { kinds: model });
    const hs = await python<HsModel>('restore.py', path, 'kinds');
    expect(hs.signal.axes[2]!.is_binned).toBe(true);
    expectRestored(hs, model);
  });

  it('restores a model of a single spectrum (no navigation axes)', async () => {
    const n = 50;
    const data = Float64Array.from(
      { length: n },
      (_v, i) => 10 + 100 * Math.exp(-((i - 25) ** 2) / 20) + (i % 3),
    );
    const signal = new Signal({
      data,
      axes: [{ name: 'E', size: n, offset: 0, scale: 1, units: 'eV', navigate: false }],
      title: 'one spectrum',
    });
    signal.estimatePoissonianNoiseVariance();
    const model = new Model(signal, [
      { kind: 'Gaussian', name: 'g' },
      { kind: 'Offset', name: 'o' },
    ]);
    model.parameter('g.centre').value = 24;
    model.parameter('g.sigma').value = 4;
    model.parameter('g.A').value = 500;
    model.component('o').activeIsMultidimensional = true;
    model.fit(0);
    const path = join(tmp, 'single.hspy');
    await writeHspy(path, signal, { m: model });
    expectRestored(await python<HsModel>('restore.py', path, 'm'), model);
  });

  it("reads both of HyperSpy 1.7's Polynomials (legacy coefficients; new a0..aN) as ours", async () => {
    const path = join(tmp, 'polynomials.hspy');
    await run(PYTHON, [join(PY_DIR, 'make_polynomial.py'), path], { timeout: 120_000 });
    const hs = await python<HsModel>('restore.py', path, 'poly');
    const model = (await readHspy(path)).model(0, 'poly');
    expect(model.components.map((c) => `${c.name}:${c.kind}:${c.active}`)).toEqual([
      'legacy:Polynomial:false',
      'new:Polynomial:true',
    ]);
    const [legacy, fresh] = hs.components;
    expect(Array.from(model.parameter('legacy.coefficients').map.values)).toEqual(
      legacy!.parameters[0]!.map.values,
    );
    // Ours keeps the highest power first: a2, a1, a0 at each pixel.
    const coefficients = model.parameter('new.coefficients').map.values;
    const byName = (n: string) => fresh!.parameters.find((p) => p.name === n)!.map.values;
    for (let pixel = 0; pixel < 6; pixel++) {
      expect(Array.from(coefficients.subarray(3 * pixel, 3 * pixel + 3))).toEqual(
        ['a2', 'a1', 'a0'].map((n) => byName(n)[pixel]),
      );
    }
    expect(Array.from(model.chisq)).toEqual(hs.chisq);
    expect(Array.from(model.dof)).toEqual(hs.dof.map((free) => 100 - free));
  });

  it.each([
    ['EELS_LL_linescan.hspy', 'io/hspy/EELS_LL_linescan.hspy'],
    ['example2_v3.1.hspy (an image)', 'io/hspy/example2_v3.1.hspy'],
    ['eds-agcu-50x50-hyperspy.hspy (with its stored models)', 'real/eds-agcu-50x50-hyperspy.hspy'],
  ])('reads our copy of %s as it reads the original', async (_name, rel) => {
    const source = `${SHARED}data/${rel}`;
    const file = await readHspy(source);
    const models = Object.fromEntries(file.modelNames[0]!.map((n) => [n, file.model(0, n)]));
    const copy = join(tmp, rel.replaceAll('/', '_'));
    await writeHspy(copy, file.signals[0]!, models);
    const [original, ours] = await Promise.all([
      python<HsSignal>('info.py', source),
      python<HsSignal>('info.py', copy),
    ]);
    expect(ours.title).toBe(original.title);
    expect(ours.signal_type).toBe(original.signal_type);
    expect(ours.dtype).toBe(original.dtype);
    expect(ours.shape).toEqual(original.shape);
    expect(ours.axes).toEqual(original.axes);
    expect(ours.sum).toBe(original.sum);
    expect(ours.models).toEqual(original.models);
    // A variance signal stays one; a Variance_linear_model alone is our Poisson estimate, written out in full.
    if (original.variance === 'signal') expect(ours.variance_sum).toBe(original.variance_sum);
    if (original.gain_factor !== null) expect(ours.gain_factor).toBe(original.gain_factor);
    expect(toFloat64(file.signals[0]!.data).length).toBe(ours.shape.reduce((a, b) => a * b, 1));
  });
});
