import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Model, Signal } from '@samfire/core';
import type { AxisSpec, Variance } from '@samfire/core';
import { gaussianNoise, mulberry32 } from '../../helpers/random.js';

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

function gaussianAt(x: number, a: number, c: number, s: number): number {
  return ((a * INV_SQRT_2PI) / s) * Math.exp(-0.5 * ((x - c) / s) ** 2);
}

function signalAxis(size: number, offset = 0, scale = 1): AxisSpec {
  return { name: 'Energy', size, offset, scale, units: 'eV', navigate: false };
}

function navAxis(name: string, size: number): AxisSpec {
  return { name, size, offset: 0, scale: 1, units: '', navigate: true };
}

interface PeakTruth {
  A: number;
  centre: number;
  sigma: number;
  offset: number;
}

const TRUTH: PeakTruth = { A: 2000, centre: 50, sigma: 5, offset: 20 };

/** Gaussian + offset on x = offset + i * scale, the same spectrum in every pixel. */
function peakSignal(options: {
  channels?: number;
  navShape?: number[];
  truth?: PeakTruth;
  noiseSd?: number;
  seed?: number;
  variance?: Variance;
}): Signal {
  const channels = options.channels ?? 100;
  const navShape = options.navShape ?? [];
  const t = options.truth ?? TRUTH;
  const pixels = navShape.reduce((a, b) => a * b, 1);
  const rand = mulberry32(options.seed ?? 1);
  const data = new Float64Array(pixels * channels);
  for (let p = 0; p < pixels; p++) {
    const mean = Float64Array.from(
      { length: channels },
      (_, i) => gaussianAt(i, t.A, t.centre, t.sigma) + t.offset,
    );
    data.set(options.noiseSd ? gaussianNoise(rand, mean, options.noiseSd) : mean, p * channels);
  }
  return new Signal({
    data,
    axes: [...navShape.map((n, d) => navAxis(`nav${d}`, n)), signalAxis(channels)],
    ...(options.variance ? { variance: options.variance } : {}),
  });
}

/** A Gaussian 'g' + Offset 'bg' model started near TRUTH. */
function peakModel(signal: Signal): Model {
  const m = new Model(signal, [
    { kind: 'Gaussian', name: 'g' },
    { kind: 'Offset', name: 'bg' },
  ]);
  m.parameter('g.A').value = 1500;
  m.parameter('g.centre').value = 47;
  m.parameter('g.sigma').value = 6;
  m.parameter('bg.offset').value = 15;
  return m;
}

describe('component names', () => {
  const signal = (): Signal => new Signal({ data: new Float64Array(10), axes: [signalAxis(10)] });

  it('defaults to the kind, made unique with _1, _2', () => {
    const m = new Model(signal(), [{ kind: 'Gaussian' }, { kind: 'Gaussian' }, { kind: 'Offset' }]);
    m.append({ kind: 'Gaussian' });
    expect(m.components.map((c) => c.name)).toEqual([
      'Gaussian',
      'Gaussian_1',
      'Offset',
      'Gaussian_2',
    ]);
  });

  it('a default name skips names already taken explicitly', () => {
    const m = new Model(signal(), [{ kind: 'Offset', name: 'Gaussian' }]);
    expect(m.append({ kind: 'Gaussian' }).name).toBe('Gaussian_1');
  });

  it('a duplicate explicit name is an error naming both kinds', () => {
    const m = new Model(signal(), [{ kind: 'Gaussian', name: 'peak' }]);
    expect(() => m.append({ kind: 'Lorentzian', name: 'peak' })).toThrow(
      /two components are named 'peak' \(a Gaussian and a new Lorentzian\)/,
    );
    expect(m.components.length).toBe(1);
  });

  it('rejects names with a dot or empty names', () => {
    const m = new Model(signal());
    expect(() => m.append({ kind: 'Gaussian', name: 'g.1' })).toThrow(/must not contain '\.'/);
    expect(() => m.append({ kind: 'Gaussian', name: '' })).toThrow(/non-empty string/);
  });

  it('looks components up by name and by index, with errors naming what was asked', () => {
    const m = new Model(signal(), [
      { kind: 'Gaussian', name: 'g' },
      { kind: 'Offset', name: 'bg' },
    ]);
    expect(m.component('bg')).toBe(m.components[1]);
    expect(m.component(0)).toBe(m.components[0]);
    expect(m.indexOf('bg')).toBe(1);
    expect(() => m.component('nope')).toThrow(
      /no component named 'nope' \(the model has 'g', 'bg'\)/,
    );
    expect(() => m.component(2)).toThrow(/no component at index 2 \(the model has 2\)/);
    expect(() => m.component(-1)).toThrow(/no component at index -1/);
    expect(() => m.component(0.5)).toThrow(/no component at index 0.5/);
  });

  it("parameter('g.A') finds a parameter; bad names give clear errors", () => {
    const m = new Model(signal(), [{ kind: 'Gaussian', name: 'g' }]);
    const a = m.parameter('g.A');
    expect(a).toBe(m.component('g').parameter('A'));
    expect(a.fullName).toBe('g.A');
    expect(() => m.parameter('gA')).toThrow(/parameter 'gA': expected 'component.parameter'/);
    expect(() => m.parameter('g.width')).toThrow(
      /component 'g' \(Gaussian\) has no parameter 'width' \(it has A, centre, sigma\)/,
    );
    expect(() => m.parameter('h.A')).toThrow(/no component named 'h'/);
  });

  it('rename keeps names unique and renames the parameters', () => {
    const m = new Model(signal(), [
      { kind: 'Gaussian', name: 'g' },
      { kind: 'Offset', name: 'bg' },
    ]);
    m.rename('g', 'peak');
    expect(m.component(0).name).toBe('peak');
    expect(m.parameter('peak.sigma').fullName).toBe('peak.sigma');
    expect(() => m.component('g')).toThrow(/no component named 'g'/);
    expect(() => m.rename(0, 'bg')).toThrow(/already named 'bg'/);
    expect(() => m.rename('bg', 'a.b')).toThrow(/must not contain '\.'/);
    m.rename(1, 'bg'); // same name: no-op
    expect(m.components.map((c) => c.name)).toEqual(['peak', 'bg']);
  });

  it('an unknown component kind is an error naming it and the known kinds', () => {
    expect(() => new Model(signal(), [{ kind: 'Gausian' }])).toThrow(
      /unknown component kind 'Gausian' \(known: .*Gaussian.*\)/,
    );
  });
});

describe('signal range', () => {
  // x = 100, 100.5, ..., 119.5
  const make = (): Model =>
    new Model(new Signal({ data: new Float64Array(40), axes: [signalAxis(40, 100, 0.5)] }), [
      { kind: 'Offset' },
    ]);
  const on = (m: Model): number[] =>
    [...m.channelSwitches.keys()].filter((i) => m.channelSwitches[i]);

  it('setSignalRange by axis values is inclusive and order-free', () => {
    const m = make();
    m.setSignalRange(102, 104);
    expect(on(m)).toEqual([4, 5, 6, 7, 8]);
    m.setSignalRange(104, 102);
    expect(on(m)).toEqual([4, 5, 6, 7, 8]);
    expect(m.fittedChannels).toBe(5);
  });

  it('add and remove ranges, by value and by index, then reset', () => {
    const m = make();
    m.setSignalRange(102, 104);
    m.addSignalRange(110, 111);
    expect(on(m)).toEqual([4, 5, 6, 7, 8, 20, 21, 22]);
    m.removeSignalRange(103, 103.5);
    expect(on(m)).toEqual([4, 5, 8, 20, 21, 22]);
    m.removeSignalRange(20, 21, 'index');
    m.addSignalRange(30, 31, 'index');
    expect(on(m)).toEqual([4, 5, 8, 22, 30, 31]);
    m.setSignalRange(2, 3, 'index');
    expect(on(m)).toEqual([2, 3]);
    m.resetSignalRange();
    expect(m.fittedChannels).toBe(40);
  });

  it('clamps ranges to the axis and rejects non-finite bounds', () => {
    const m = make();
    m.setSignalRange(0, 1000);
    expect(m.fittedChannels).toBe(40);
    m.setSignalRange(-5, 1, 'index');
    expect(on(m)).toEqual([0, 1]);
    expect(() => m.setSignalRange(NaN, 3)).toThrow(/bounds must be finite/);
  });

  it('a fit uses only the switched-on channels: NaN data outside the range are ignored', () => {
    const clean = peakSignal({ noiseSd: 1, seed: 3, variance: { kind: 'constant', value: 1 } });
    const dirty = new Float64Array(clean.data as Float64Array);
    for (let i = 0; i < 100; i++) if (i < 20 || i > 80) dirty[i] = NaN;
    const m = peakModel(
      new Signal({
        data: dirty,
        axes: [signalAxis(100)],
        variance: { kind: 'constant', value: 1 },
      }),
    );
    m.setSignalRange(20, 80);
    const r = m.fit(0);
    expect(r.converged).toBe(true);
    expect(r.dof).toBe(61 - 4);
    // Same fit as on the clean data restricted to the same channels.
    const ref = peakModel(clean);
    ref.setSignalRange(20, 80);
    const rr = ref.fit(0);
    expect(r.chisq).toBeCloseTo(rr.chisq, 8);
    for (const name of ['g.A', 'g.centre', 'g.sigma', 'bg.offset']) {
      expect(m.parameter(name).value).toBeCloseTo(ref.parameter(name).value, 8);
    }
    // chisq sums over the range only: recompute it from the model.
    const model = m.evaluate();
    let chisq = 0;
    for (let i = 20; i <= 80; i++) chisq += (model[i]! - dirty[i]!) ** 2;
    expect(r.chisq).toBeCloseTo(chisq, 8);
  });

  it('NaN data inside the range is an error naming the pixel and the channel', () => {
    const s = peakSignal({ navShape: [2, 3] });
    (s.data as Float64Array)[s.pixelIndex([1, 2]) * 100 + 57] = NaN;
    const m = peakModel(s);
    m.setSignalRange(20, 80);
    expect(m.fit([1, 1]).converged).toBe(true);
    expect(() => m.fit([1, 2])).toThrow(/pixel \(1, 2\): data at channel 57 is NaN/);
    expect(m.chisq[s.pixelIndex([1, 2])]).toBeNaN();
  });

  it('a zero variance inside the range is an error naming the channel', () => {
    const v = new Float64Array(100).fill(1);
    v[42] = 0;
    const m = peakModel(peakSignal({ variance: { kind: 'array', data: v } }));
    expect(() => m.fit(0)).toThrow(/pixel \(\): variance at channel 42 is 0/);
    m.setSignalRange(50, 99, 'index');
    expect(m.fit(0).dof).toBe(50 - 4);
  });

  it('no switched-on channel is an error', () => {
    const m = make();
    m.removeSignalRange(0, 39, 'index');
    expect(() => m.fit(0)).toThrow(/no channel is switched on/);
  });
});

describe('stored values', () => {
  const make = (): Model =>
    new Model(
      new Signal({
        data: new Float64Array(4 * 10),
        axes: [navAxis('y', 2), navAxis('x', 2), signalAxis(10)],
      }),
      [
        { kind: 'Gaussian', name: 'g' },
        { kind: 'Polynomial', name: 'p', options: { order: 2 } },
      ],
    );

  it('atStoredValues runs at the stored values of a pixel and puts the current ones back, even on a throw', () => {
    const m = make();
    const a = m.parameter('g.A');
    a.set({ value: 5, std: 0.5 });
    m.storeCurrentValues(3);
    a.set({ value: 7, std: 0.25 });
    m.component('g').active = false;
    expect(m.atStoredValues(3, () => [a.value, a.std])).toEqual([5, 0.5]);
    expect([a.value, a.std, m.component('g').active]).toEqual([7, 0.25, false]);
    expect(() =>
      m.atStoredValues(3, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect([a.value, a.std]).toEqual([7, 0.25]);
  });

  it('storeCurrentValues writes the maps at one pixel and marks it set; fetchStoredValues reads them back', () => {
    const m = make();
    const a = m.parameter('g.A');
    a.set({ value: 5, std: 0.5 });
    m.parameter('p.coefficients').setValues([1, 2, 3]);
    m.storeCurrentValues([1, 0]);
    expect(Array.from(a.map.isSet)).toEqual([0, 0, 1, 0]);
    expect(a.map.values[2]).toBe(5);
    expect(a.map.std[2]).toBe(0.5);
    expect(Array.from(m.parameter('p.coefficients').map.values.subarray(6, 9))).toEqual([1, 2, 3]);
    a.set({ value: 7, std: 0.25 });
    m.parameter('p.coefficients').setValues([9, 9, 9]);
    m.fetchStoredValues(2);
    expect(a.value).toBe(5);
    expect(a.std).toBe(0.5);
    expect(Array.from(m.parameter('p.coefficients').current)).toEqual([1, 2, 3]);
  });

  it('assignCurrentValuesToAll copies the current values to every pixel', () => {
    const m = make();
    m.parameter('g.sigma').set({ value: 3.5, std: 0.1 });
    m.parameter('p.coefficients').setValues([4, 5, 6]);
    m.assignCurrentValuesToAll();
    const s = m.parameter('g.sigma').map;
    expect(Array.from(s.isSet)).toEqual([1, 1, 1, 1]);
    expect(Array.from(s.values)).toEqual([3.5, 3.5, 3.5, 3.5]);
    expect(Array.from(s.std)).toEqual([0.1, 0.1, 0.1, 0.1]);
    expect(Array.from(m.parameter('p.coefficients').map.values)).toEqual([
      4, 5, 6, 4, 5, 6, 4, 5, 6, 4, 5, 6,
    ]);
  });

  it('a per-pixel active map is stored and fetched with the values', () => {
    const m = make();
    const g = m.component('g');
    g.activeIsMultidimensional = true;
    expect(Array.from(g.activeMap!)).toEqual([1, 1, 1, 1]);
    g.active = false;
    m.storeCurrentValues(3);
    expect(Array.from(g.activeMap!)).toEqual([1, 1, 1, 0]);
    m.fetchStoredValues(0);
    expect(g.active).toBe(true);
    m.fetchStoredValues(3);
    expect(g.active).toBe(false);
    expect(g.isActiveAt(3)).toBe(false);
    expect(g.isActiveAt(1)).toBe(true);
    expect(() => g.setActiveMap(new Uint8Array(3))).toThrow(
      /active map has 3 pixels, the navigation space 4/,
    );
  });

  it('a component switched off at a pixel is left out of that pixel’s fit', () => {
    const m = peakModel(
      peakSignal({ navShape: [2], noiseSd: 1, seed: 5, variance: { kind: 'constant', value: 1 } }),
    );
    const bg = m.component('bg');
    bg.activeIsMultidimensional = true;
    bg.active = false;
    m.storeCurrentValues(1);
    bg.active = true;
    m.fetchStoredValues(1);
    expect(bg.active).toBe(false);
    const startOffset = m.parameter('bg.offset').value;
    const r = m.fit(1);
    expect(r.dof).toBe(100 - 3);
    expect(m.parameter('bg.offset').value).toBe(startOffset);
    expect(m.parameter('bg.offset').std).toBeNaN();
    expect(m.parameter('g.A').std).toBeGreaterThan(0);
  });
});

describe('fit statistics maps', () => {
  it('chisq, dof and redChisq are NaN where not fitted and set where fitted', () => {
    const s = peakSignal({
      navShape: [2, 2],
      noiseSd: 2,
      seed: 7,
      variance: { kind: 'constant', value: 4 },
    });
    const m = peakModel(s);
    m.setSignalRange(10, 89, 'index');
    expect(Array.from(m.chisq).every(Number.isNaN)).toBe(true);
    const r = m.fit([1, 0]);
    const i = 2;
    expect(r.pixel).toBe(i);
    expect(r.position).toEqual([1, 0]);
    expect(m.dof[i]).toBe(80 - 4);
    expect(m.chisq[i]).toBe(r.chisq);
    expect(m.redChisq[i]).toBeCloseTo(m.chisq[i]! / m.dof[i]!, 12);
    for (const j of [0, 1, 3]) {
      expect(m.chisq[j]).toBeNaN();
      expect(m.dof[j]).toBeNaN();
      expect(m.redChisq[j]).toBeNaN();
    }
    // chisq from the model at the stored values, by hand.
    const model = m.evaluate();
    const y = s.readSpectrum(i);
    let chisq = 0;
    for (let c = 10; c <= 89; c++) chisq += (model[c]! - y[c]!) ** 2 / 4;
    expect(m.chisq[i]).toBeCloseTo(chisq, 8);
    expect(Array.from(m.parameter('g.A').map.isSet)).toEqual([0, 0, 1, 0]);
    expect(m.parameter('g.A').map.values[i]).toBe(m.parameter('g.A').value);
  });

  it('dof counts free parameters: fixing one raises dof by one', () => {
    const m = peakModel(peakSignal({ noiseSd: 1, seed: 9 }));
    expect(m.fit(0).dof).toBe(96);
    m.parameter('g.sigma').free = false;
    expect(m.freeParameterCount).toBe(3);
    expect(m.fit(0).dof).toBe(97);
  });
});

describe('fit errors', () => {
  it('dof <= 0 is an error naming the pixel and the counts', () => {
    const m = peakModel(peakSignal({}));
    m.setSignalRange(48, 51, 'index');
    expect(() => m.fit(0)).toThrow(
      /pixel \(\): 4 fitted channels cannot determine 4 free parameters \(dof = 0 <= 0\)/,
    );
  });

  it('inverted bounds throw naming the parameter and leave the bounds unchanged', () => {
    const m = peakModel(peakSignal({}));
    const s = m.parameter('g.sigma');
    expect(() => s.set({ bmin: 5, bmax: 1 })).toThrow(
      /parameter 'g.sigma': bmin 5 is above bmax 1/,
    );
    expect(s.bmin).toBe(0);
    expect(s.bmax).toBeNull();
    s.bmax = 10;
    expect(() => (s.bmin = 11)).toThrow(/parameter 'g.sigma': bmin 11 is above bmax 10/);
    expect(() => s.set({ bmin: NaN })).toThrow(/parameter 'g.sigma': bmin is NaN/);
  });

  it('a NaN starting value is refused, by the setter and by fit', () => {
    const m = peakModel(peakSignal({}));
    expect(() => (m.parameter('g.A').value = NaN)).toThrow(
      /parameter 'g.A': value must be a finite number, got NaN/,
    );
    expect(() => m.parameter('g.A').set({ value: Infinity })).toThrow(
      /parameter 'g.A': value must be a finite/,
    );
    m.parameter('g.centre').current[0] = NaN;
    expect(() => m.fit(0)).toThrow(
      /pixel \(\): parameter 'g.centre' starts at NaN; give it a finite value/,
    );
    expect(m.chisq[0]).toBeNaN();
  });

  it('without a variance the fit is unweighted: chisq is the plain sum of squares', () => {
    const s = peakSignal({ noiseSd: 3, seed: 11 });
    expect(s.variance.kind).toBe('none');
    const m = peakModel(s);
    const r = m.fit(0);
    const model = m.evaluate();
    const y = s.readSpectrum(0);
    let ss = 0;
    for (let i = 0; i < 100; i++) ss += (model[i]! - y[i]!) ** 2;
    expect(r.chisq).toBeCloseTo(ss, 8);
    // Noise sd 3: the unweighted reduced chi-squared is about 9, not 1.
    expect(r.redChisq).toBeGreaterThan(6);
    expect(r.redChisq).toBeLessThan(12);
    // A constant variance v gives the same parameters and chisq / v.
    const values = m.parameters.map((p) => p.value);
    s.setVariance({ kind: 'constant', value: 9 });
    const w = peakModel(s).fit(0);
    expect(w.chisq).toBeCloseTo(r.chisq / 9, 6);
    const wm = peakModel(s);
    wm.fit(0);
    wm.parameters.forEach((p, k) => expect(p.value).toBeCloseTo(values[k]!, 6));
  });
});

describe('bounded fits', () => {
  const NAMES = ['g.A', 'g.centre', 'g.sigma', 'bg.offset'] as const;
  const TRUE_VALUES = [TRUTH.A, TRUTH.centre, TRUTH.sigma, TRUTH.offset];
  // A natural scale per parameter for building boxes around the truth.
  const SCALES = [1000, 5, 2.5, 10];
  const frac = (min: number, max: number): fc.Arbitrary<number> =>
    fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  /** A box around or beside the truth, and where in the box the fit starts. */
  const box = fc.record({
    kind: fc.constantFrom('contains', 'below', 'above'),
    near: frac(0.05, 0.5),
    width: frac(0.05, 1),
    start: frac(0, 1),
  });
  const boxes = fc.tuple(box, box, box, box).filter((bs) => bs.some((b) => b.kind !== 'contains'));

  function bounds(
    b: { kind: string; near: number; width: number },
    k: number,
  ): readonly [number, number] {
    const t = TRUE_VALUES[k]!;
    const s = SCALES[k]!;
    if (b.kind === 'contains') return [t - b.near * s, t + b.width * s] as const;
    if (b.kind === 'below') return [t - (b.near + b.width) * s, t - b.near * s] as const;
    return [t + b.near * s, t + (b.near + b.width) * s] as const;
  }

  it('never leave the bounds and report exactly the parameters on a bound', () => {
    const signal = peakSignal({});
    fc.assert(
      fc.property(boxes, (bs) => {
        const m = peakModel(signal);
        bs.forEach((b, k) => {
          const [lo, hi] = bounds(b, k);
          m.parameter(NAMES[k]!).set({ bmin: lo, bmax: hi, value: lo + b.start * (hi - lo) });
        });
        const r = m.fit(0, { bounded: true });
        const onBound: string[] = [];
        NAMES.forEach((name) => {
          const p = m.parameter(name);
          const v = p.value;
          if (!(v >= p.bmin! && v <= p.bmax!))
            throw new Error(`${name} = ${v} outside [${p.bmin}, ${p.bmax}]`);
          if (v === p.bmin || v === p.bmax) onBound.push(name);
          if (p.map.values[0] !== v)
            throw new Error(`${name}: map holds ${p.map.values[0]}, current ${v}`);
        });
        expect(r.atBound).toEqual(onBound);
        // The unconstrained optimum (the truth, noiseless data) is outside the box,
        // so the constrained one lies on its surface.
        expect(r.atBound.length).toBeGreaterThan(0);
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  it('bounds are ignored unless bounded: true (as HyperSpy)', () => {
    const m = peakModel(peakSignal({}));
    m.parameter('g.sigma').set({ bmin: 1, bmax: 4, value: 4 });
    m.fit(0);
    expect(m.parameter('g.sigma').value).toBeCloseTo(TRUTH.sigma, 6);
    m.parameter('g.sigma').value = 4;
    const r = m.fit(0, { bounded: true });
    expect(m.parameter('g.sigma').value).toBe(4);
    expect(r.atBound).toEqual(['g.sigma']);
  });
});

describe('fetching a pixel that was never stored', () => {
  it('keeps the current values (as HyperSpy does where is_set is false)', () => {
    const s = new Signal({
      data: new Float64Array(20),
      axes: [
        { name: 'x', size: 2, offset: 0, scale: 1, units: '', navigate: true },
        { name: 'E', size: 10, offset: 0, scale: 1, units: '', navigate: false },
      ],
    });
    const m = new Model(s, [{ kind: 'Gaussian', name: 'g' }]);
    m.parameter('g.sigma').value = 2;
    m.parameter('g.A').value = 7;
    m.storeCurrentValues(0);
    m.parameter('g.sigma').value = 3;
    m.fetchStoredValues(1);
    expect(m.parameter('g.sigma').value).toBe(3);
    expect(m.parameter('g.A').value).toBe(7);
    m.fetchStoredValues(0);
    expect(m.parameter('g.sigma').value).toBe(2);
  });
});
