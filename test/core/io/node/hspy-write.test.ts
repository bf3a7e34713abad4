/**
 * writeHspy then readHspy gives back the same signal and models: data in
 * their native dtype, axes, variance of every kind, metadata, images, and
 * models of every component kind with their maps, bounds, active maps,
 * signal range and fit statistics. Writing is atomic and may replace a file
 * that was just read. (test/interop checks that HyperSpy itself reads them.)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeHdf5, type H5Group } from '../../../../core/src/io/node/hspy-hdf5.js';
import { hspyTree } from '../../../../core/src/io/node/hspy-write.js';
import { readHspy, writeHspy, readSignalFile } from '@samfire/core/node';
import {
  registerComponentKind,
  gaussian,
  allocate,
  DTYPES,
  Model,
  Signal,
  domainExampleModel,
  makeDomainExample,
} from '@samfire/core';
import type { DType, Variance } from '@samfire/core';
import { DOMAIN_DIR } from '../../../helpers/reference.js';

const tmp = mkdtempSync(join(tmpdir(), 'hspy-write-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let counter = 0;
const tmpFile = (name = 'f.hspy'): string => join(tmp, `${counter++}-${name}`);

function smallSignal(dtype: DType = 'float64', variance: Variance = { kind: 'none' }): Signal {
  const data = allocate(dtype, 2 * 3 * 8);
  for (let i = 0; i < data.length; i++) {
    const v = dtype === 'bool' ? i % 2 : (i * 7) % 11;
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) data[i] = BigInt(v);
    else data[i] = v;
  }
  return new Signal({
    data,
    dtype,
    axes: [
      { name: 'y', size: 2, offset: 0.5, scale: 2, units: 'nm', navigate: true },
      { name: 'x', size: 3, offset: -1, scale: 0.25, units: 'nm', navigate: true },
      {
        name: 'Energy',
        size: 8,
        offset: 100,
        scale: 0.5,
        units: 'eV',
        navigate: false,
        isBinned: true,
      },
    ],
    title: 'small/one',
    signalType: 'EELS',
    variance,
    metadata: { Acquisition_instrument: { TEM: { beam_energy: 200.5, detector: 'x' } } },
  });
}

/** A model with every kind HyperSpy files can hold, values stored at some pixels. */
function everyKindModel(signal: Signal): Model {
  const model = new Model(signal, [
    { kind: 'Gaussian', name: 'g' },
    { kind: 'Lorentzian', name: 'l' },
    { kind: 'Offset', name: 'o' },
    { kind: 'Polynomial', name: 'poly', options: { order: 2 } },
    { kind: 'PowerLaw', name: 'pl' },
    { kind: 'Exponential', name: 'e' },
    { kind: 'Expression', name: 'ex', options: { expression: 'a * x + b' } },
    { kind: 'PseudoVoigt', name: 'pv' },
  ]);
  model.parameter('g.sigma').set({ value: 2, bmin: 0.5, bmax: 9 });
  model.parameter('o.offset').free = false;
  model
    .parameter('poly.coefficients')
    .set({ value: [1e-3, -0.5, 3], bmin: -10, bmax: 10, std: [0.1, 0.2, 0.3] });
  model.component('pl').active = false;
  const l = model.component('l');
  l.activeIsMultidimensional = true;
  for (let pixel = 0; pixel < signal.navigationSize; pixel += 2) {
    model.parameter('g.A').value = 10 + pixel;
    model.parameter('ex.a').value = -pixel;
    l.active = pixel !== 2;
    model.storeCurrentValues(pixel);
    model.chisq[pixel] = 3 + pixel;
    model.dof[pixel] = 5;
    model.redChisq[pixel] = (3 + pixel) / 5;
  }
  model.setSignalRange(101, 103);
  return model;
}

function expectSameSignal(a: Signal, b: Signal): void {
  expect(b.dtype).toBe(a.dtype);
  expect(b.data).toEqual(a.data);
  expect(b.axes).toEqual(a.axes);
  expect(b.title).toBe(a.title);
  expect(b.signalType).toBe(a.signalType);
}

function expectSameModel(a: Model, b: Model): void {
  expect(b.components.map((c) => [c.name, c.kind, c.active, c.activeMap])).toEqual(
    a.components.map((c) => [c.name, c.kind, c.active, c.activeMap]),
  );
  a.parameters.forEach((p, i) => {
    const q = b.parameters[i]!;
    expect([q.fullName, q.free, q.bmin, q.bmax, q.units]).toEqual([
      p.fullName,
      p.free,
      p.bmin,
      p.bmax,
      p.units,
    ]);
    expect(q.current).toEqual(p.current);
    expect(q.currentStd).toEqual(p.currentStd);
    expect(q.map).toEqual(p.map);
  });
  expect(b.channelSwitches).toEqual(a.channelSwitches);
  expect(b.chisq).toEqual(a.chisq);
  expect(b.dof).toEqual(a.dof);
  expect(b.redChisq).toEqual(a.redChisq);
}

describe('writeHspy then readHspy', () => {
  it.each<DType>([...DTYPES])('keeps %s data, axes, title and signal type', async (dtype) => {
    const signal = smallSignal(dtype);
    const path = tmpFile();
    await writeHspy(path, signal);
    const file = await readHspy(path);
    expect(file.formatVersion).toBe('3.1');
    expect(file.modelNames).toEqual([[]]);
    expectSameSignal(signal, file.signals[0]!);
  });

  it.each<[string, Variance]>([
    ['none', { kind: 'none' }],
    ['constant', { kind: 'constant', value: 2.5 }],
    ['poisson', { kind: 'poisson', gain: 2, offset: 0.5, floor: 1.5 }],
    ['array', { kind: 'array', data: Float64Array.from({ length: 48 }, (_x, i) => 1 + i) }],
  ])('keeps a %s variance', async (_kind, variance) => {
    const signal = smallSignal('float64', variance);
    const path = tmpFile();
    await writeHspy(path, signal);
    expect((await readHspy(path)).signals[0]!.variance).toEqual(variance);
  });

  it('writes one shared variance spectrum out for every pixel', async () => {
    const shared = Float64Array.from({ length: 8 }, (_x, i) => 1 + i);
    const path = tmpFile();
    await writeHspy(path, smallSignal('float64', { kind: 'array', data: shared }));
    const v = (await readHspy(path)).signals[0]!.variance;
    expect(v.kind).toBe('array');
    const data = (v as { data: Float64Array }).data;
    expect(data.length).toBe(48);
    expect(data.subarray(40)).toEqual(shared);
  });

  it('keeps the metadata tree', async () => {
    const signal = smallSignal();
    signal.metadata = {
      ...signal.metadata,
      Sample: {
        elements: ['Ag', 'Cu'],
        thickness: 12.5,
        count: 3,
        flag: true,
        nothing: null,
        empty: [],
        mixed: [1, 'a', { k: 2 }],
      },
      'odd/key': 'slash',
    };
    const path = tmpFile();
    await writeHspy(path, signal);
    const md = (await readHspy(path)).signals[0]!.metadata;
    expect(md['Sample']).toEqual(signal.metadata['Sample']);
    expect(md['odd-key']).toBe('slash');
    expect(md['Acquisition_instrument']).toEqual(signal.metadata['Acquisition_instrument']);
    expect(md['General']).toEqual({ title: 'small/one' });
    expect(md['Signal']).toEqual({ signal_type: 'EELS', record_by: 'spectrum' });
  });

  it('keeps an image (two signal axes in HyperSpy)', async () => {
    const [image] = await readSignalFile(`${DOMAIN_DIR}/../../io/hspy/example2_v3.1.hspy`);
    const path = tmpFile('image.hspy');
    await writeHspy(path, image!);
    const back = (await readHspy(path)).signals[0]!;
    expectSameSignal(image!, back);
    expect(back.metadata['signalDimension']).toBe(2);
    expect(back.variance).toEqual(image!.variance);
  });

  it('keeps models of every component kind', async () => {
    const signal = smallSignal('float64', { kind: 'poisson', gain: 1, offset: 0, floor: 1 });
    const model = everyKindModel(signal);
    const empty = new Model(signal);
    const path = tmpFile();
    await writeHspy(path, signal, { all: model, empty });
    const file = await readHspy(path);
    expect(file.modelNames).toEqual([['all', 'empty']]);
    expectSameModel(model, file.model(0, 'all'));
    expect(file.model(0, 'empty').components).toEqual([]);
  });

  it('keeps the domain seed model of HyperSpy exactly', async () => {
    const original = await readHspy(`${DOMAIN_DIR}seed.hspy`);
    const model = original.model(0, 'seed');
    const path = tmpFile('seed.hspy');
    await writeHspy(path, original.signals[0]!, { seed: model });
    const file = await readHspy(path);
    expectSameSignal(original.signals[0]!, file.signals[0]!);
    expect(file.signals[0]!.variance).toEqual(original.signals[0]!.variance);
    expectSameModel(model, file.model(0, 'seed'));
  });

  it('round-trips fitted pixels of the domain example', async () => {
    const { signal } = makeDomainExample({ rows: 3, cols: 4, channels: 200 });
    const model = domainExampleModel(signal);
    model.component('l2').activeIsMultidimensional = true;
    for (const pixel of [0, 1, 5]) model.fit(pixel, { bounded: true });
    const path = tmpFile();
    await writeHspy(path, signal, { fitted: model });
    expectSameModel(model, (await readHspy(path)).model(0, 'fitted'));
  });

  it('metadata of any shape survive (property)', async () => {
    const key = fc
      .string({ minLength: 1, maxLength: 8 })
      .filter((k) => !k.includes('/') && k !== '.' && !k.startsWith('_'));
    const scalar = fc.oneof(
      fc.string({ maxLength: 12 }).filter((s) => s !== '_None_'),
      fc.integer({ min: -1e9, max: 1e9 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x)),
      fc.boolean(),
      fc.constant(null),
    );
    const tree = fc.dictionary(
      key,
      fc.oneof(
        scalar,
        fc.dictionary(key, scalar, { maxKeys: 4 }),
        fc.array(fc.integer(), { minLength: 1, maxLength: 4 }),
      ),
      { maxKeys: 6 },
    );
    await fc.assert(
      fc.asyncProperty(tree, async (t) => {
        const signal = smallSignal();
        signal.metadata = { Extra: t };
        const path = tmpFile();
        await writeHspy(path, signal);
        const md = (await readHspy(path)).signals[0]!.metadata;
        expect(md['Extra']).toEqual(t);
      }),
      { numRuns: 25 },
    );
  });
});

describe('PseudoVoigt, which HyperSpy lacks, is written as an Expression', () => {
  it('that our reader evaluates the same even without the samfire_kind mark', async () => {
    const signal = smallSignal();
    const model = new Model(signal, [{ kind: 'PseudoVoigt', name: 'pv' }]);
    model.parameter('pv.centre').value = 102;
    model.parameter('pv.gamma').value = 0.7;
    model.parameter('pv.eta').value = 0.4;
    model.parameter('pv.A').value = 5;
    model.assignCurrentValuesToAll();
    const tree = hspyTree(signal, { m: model });
    let component: H5Group = tree;
    for (const name of ['Analysis', 'models', 'm', '_dict', '_list_1_components', '0']) {
      component = component.children.get(name) as H5Group;
    }
    const mark = component.attrs.findIndex((a) => a.name === 'samfire_kind');
    expect(mark).toBeGreaterThanOrEqual(0);
    component.attrs.splice(mark, 1);
    const path = tmpFile();
    writeFileSync(path, Buffer.concat(encodeHdf5(tree)));
    const back = (await readHspy(path)).model(0, 'm');
    const c = back.component('pv');
    expect(c.kind).toBe('Expression');
    // The formula calls the width hwhm (gamma is a function to sympy); rename_pars maps it back.
    expect(c.parameters.map((p) => p.name).sort()).toEqual(['A', 'centre', 'eta', 'hwhm']);
    expect(c.parameter('hwhm').map.values[0]).toBe(0.7);
    back.fetchStoredValues(0);
    model.fetchStoredValues(0);
    const ours = model.evaluate();
    back.evaluate().forEach((v, i) => expect(v).toBeCloseTo(ours[i]!, 12));
  });
});

describe('writing is safe', () => {
  it('replaces a file that was just read', async () => {
    const path = tmpFile('replace.hspy');
    writeFileSync(path, readFileSync(`${DOMAIN_DIR}seed.hspy`));
    const file = await readHspy(path);
    const model = file.model(0, 'seed');
    model.parameter('g.A').map.values[3] = 12345;
    await writeHspy(path, file.signals[0]!, { seed: model, copy: model });
    const again = await readHspy(path);
    expect(again.modelNames).toEqual([['copy', 'seed']]);
    expect(again.model(0, 'seed').parameter('g.A').map.values[3]).toBe(12345);
  });

  it('leaves the old file and no temporary file when the model cannot be written', async () => {
    registerComponentKind('TestOnlyKind', () => ({ ...gaussian(), kind: 'TestOnlyKind' }), true);
    const dir = mkdtempSync(join(tmp, 'atomic-'));
    const path = join(dir, 'keep.hspy');
    const signal = smallSignal();
    await writeHspy(path, signal);
    const before = readFileSync(path);
    const model = new Model(signal, [{ kind: 'TestOnlyKind', name: 'mine' }]);
    await expect(writeHspy(path, signal, { m: model })).rejects.toThrow(
      "model 'm': component 'mine' is of kind 'TestOnlyKind', which HyperSpy files cannot hold",
    );
    await expect(writeHspy(path, signal, { 'a/b': new Model(signal) })).rejects.toThrow(
      /cannot be stored/,
    );
    expect(readFileSync(path)).toEqual(before);
    expect(readdirSync(dir)).toEqual(['keep.hspy']);
  });

  it('refuses a model of another signal shape', async () => {
    const other = new Model(makeDomainExample({ rows: 2, cols: 2, channels: 8 }).signal);
    await expect(writeHspy(tmpFile(), smallSignal(), { other })).rejects.toThrow(
      /belongs to a signal of shape 2x2x8/,
    );
  });

  it('encodes large groups over several symbol nodes', async () => {
    const signal = smallSignal();
    signal.metadata = {
      Many: Object.fromEntries(Array.from({ length: 300 }, (_x, i) => [`k${i}`, { v: i }])),
    };
    const path = tmpFile();
    await writeHspy(path, signal);
    expect((await readHspy(path)).signals[0]!.metadata['Many']).toEqual(signal.metadata['Many']);
    // The encoder alone: names sorted as bytes, whatever their script.
    expect(
      encodeHdf5({ kind: 'group', attrs: [], children: new Map() })[0]!.length,
    ).toBeGreaterThan(96);
  });
});
