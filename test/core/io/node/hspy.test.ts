/**
 * HyperSpy HDF5 files: the samples of ../shared/data/io against what
 * HyperSpy 1.7.3 reads from them (manifest.json), the stored models of the
 * reference cases (seed fits and HyperSpy's SAMFire results) against
 * HyperSpy's own figures, and the errors for bad files.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileFormatError } from '@samfire/core';
import type { Model } from '@samfire/core';
import { encodeHdf5, type H5Group } from '../../../../core/src/io/node/hspy-hdf5.js';
import { readHspy, readHspyModel, readSignalFile } from '@samfire/core/node';
import { h5wasm } from '../../../../core/src/io/node/hspy-h5read.js';
import type { Dataset, Group } from 'h5wasm/node';
import { attr, group } from '../../../../core/src/io/node/hspy-tree.js';
import { hspyTree } from '../../../../core/src/io/node/hspy-write.js';
import { checkSignal, expectClose, IO_DIR, manifest } from '../../../helpers/manifest.js';
import { DOMAIN_DIR, DOMAIN_PARAMETERS, SHARED } from '../../../helpers/reference.js';

const EDS_DIR = `${SHARED}data/real/`;

function bytesOf(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}
const hspyEntries = manifest.filter((e) => /\.(hspy|hdf5)$/i.test(e.file));

/** A group of a write tree by path (the test edits trees before encoding them). */
function subgroup(g: H5Group, ...path: string[]): H5Group {
  let node: H5Group = g;
  for (const name of path) {
    const next = node.children.get(name);
    if (next?.kind !== 'group') throw new Error(`no group ${name}`);
    node = next;
  }
  return node;
}

const tmp = mkdtempSync(join(tmpdir(), 'hspy-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * chi-squared of the stored values at `pixel`: the sum over the fitted
 * channels of (data - factor * model)^2 / variance.
 */
function storedChisq(model: Model, pixel: number, factor = 1): number {
  const s = model.signal;
  model.fetchStoredValues(pixel);
  const y = s.readSpectrum(pixel);
  const variance = new Float64Array(s.channels);
  s.readVariance(pixel, y, variance);
  const f = model.evaluate();
  let chisq = 0;
  for (let i = 0; i < s.channels; i++) {
    if (model.channelSwitches[i]) chisq += (y[i]! - factor * f[i]!) ** 2 / variance[i]!;
  }
  return chisq;
}

describe('HyperSpy sample files match HyperSpy 1.7.3 (manifest.json)', () => {
  it('has the .hspy samples', () => {
    expect(hspyEntries.map((e) => e.file).sort()).toEqual([
      'EELS_LL_linescan.hspy',
      'example2_v3.1.hspy',
    ]);
  });

  it.each(hspyEntries.map((e) => [e.file, e] as const))('%s', async (file, entry) => {
    const signals = await readSignalFile(`${IO_DIR}hspy/${file}`);
    expect(signals.length).toBe(entry.signals.length);
    entry.signals.forEach((m, k) => checkSignal(signals[k]!, m));
  });

  it('reads the binned flag, metadata and variance model', async () => {
    const [eels] = await readSignalFile(`${IO_DIR}hspy/EELS_LL_linescan.hspy`);
    expect(eels!.signalAxis.isBinned).toBe(true);
    expect(eels!.navigationAxes[0]!.isBinned).toBe(false);
    expect(eels!.metadata['Acquisition_instrument']).toEqual({
      TEM: {
        beam_energy: 200,
        convergence_angle: 10,
        Detector: { EELS: { collection_angle: 20 } },
      },
    });
    expect(eels!.variance.kind).toBe('none');
    const [image] = await readSignalFile(`${IO_DIR}hspy/example2_v3.1.hspy`);
    // Variance_linear_model (gain 1, offset 0) without a variance signal: the Poisson estimate.
    expect(image!.variance).toEqual({ kind: 'poisson', gain: 1, offset: 0, floor: 1 });
    expect((image!.metadata['General'] as Record<string, unknown>)['original_filename']).toBe(
      'test_diffraction_pattern.dm3',
    );
  });
});

describe('stored seed models reproduce HyperSpy chi-squared at the seed pixel', () => {
  it('domain 7x15x400, model seed at (0, 0)', async () => {
    const file = await readHspy(`${DOMAIN_DIR}seed.hspy`);
    expect(file.formatVersion).toBe('3.1');
    expect(file.modelNames).toEqual([['seed']]);
    const model = file.model(0, 'seed');
    const signal = model.signal;
    expect(signal.variance.kind).toBe('array');
    expect(model.components.map((c) => `${c.name}:${c.kind}`)).toEqual([
      'g:Gaussian',
      'l1:Lorentzian',
      'l2:Lorentzian',
    ]);
    expect(model.component('l2').activeMap).not.toBeNull();
    expect(model.parameter('l2.A').bmin).toBe(30000);
    expect(model.parameter('l2.A').bmax).toBe(100000);
    expect(model.parameter('g.A').bmin).toBe(0);
    expect(model.parameter('g.A').bmax).toBeNull();
    const pixel = signal.pixelIndex([0, 0]);
    const stored = model.chisq[pixel]!;
    expect(Number.isFinite(stored)).toBe(true);
    expectClose(storedChisq(model, pixel), stored, 'chisq at (0, 0)', 1e-6);
    // HyperSpy stores 9 free parameters; ours is 400 fitted channels - 9.
    expect(model.dof[pixel]).toBe(391);
    expect(model.redChisq[pixel]).toBe(stored / 391);
    expect(Number.isNaN(model.chisq[1]!)).toBe(true);
  });

  it('EDS Ag/Cu 50x50, model seed at (25, 25): binned, the model scaled by the channel width', async () => {
    const model = await readHspyModel(`${EDS_DIR}eds-agcu-50x50-seed.hspy`, 0, 'seed');
    const signal = model.signal;
    expect(signal.signalAxis.isBinned).toBe(true);
    expect(model.components.map((c) => `${c.name}:${c.kind}`)).toEqual([
      'background:Polynomial',
      'Al_Ka:Gaussian',
      'Ag_La:Gaussian',
      'Ag_Lb1:Gaussian',
    ]);
    expect(model.parameter('background.coefficients').length).toBe(2);
    expect(model.fittedChannels).toBe(241); // 1.2 to 3.6 keV
    const pixel = signal.pixelIndex([25, 25]);
    const stored = model.chisq[pixel]!;
    expectClose(storedChisq(model, pixel), stored, 'chisq at (25, 25)', 1e-6);
    expect(model.dof[pixel]).toBe(241 - 11);
    // Without the binned scale (the channel width, 0.01 keV) the model is far off.
    expect(storedChisq(model, pixel, 1 / signal.signalAxis.scale)).toBeGreaterThan(100 * stored);
    const eds = JSON.parse(readFileSync(`${EDS_DIR}eds-agcu-50x50-hyperspy.json`, 'utf8')) as {
      seed_red_chisq: number;
    };
    // HyperSpy reports chisq / (channels - free parameters - 1).
    expectClose(stored / (model.dof[pixel]! - 1), eds.seed_red_chisq, 'HyperSpy red_chisq', 1e-12);
  });
});

describe("HyperSpy's SAMFire results read back as HyperSpy has them", () => {
  it('domain 7x15x400, model samfire, against hyperspy_maps.json', async () => {
    const model = await readHspyModel(`${DOMAIN_DIR}hyperspy.hspy`, 0, 'samfire');
    const maps = JSON.parse(readFileSync(`${DOMAIN_DIR}hyperspy_maps.json`, 'utf8')) as Record<
      string,
      (number | boolean | null)[][]
    >;
    for (const name of DOMAIN_PARAMETERS) {
      const expected = maps[name]!.flat() as number[];
      const p = model.parameter(name);
      expect(
        p.map.isSet.every((x) => x === 1),
        name,
      ).toBe(true);
      expected.forEach((v, i) => expectClose(p.map.values[i]!, v, `${name}[${i}]`, 1e-12));
    }
    const active = maps['l2_active']!.flat() as boolean[];
    expect(Array.from(model.component('l2').activeMap!, (x) => x === 1)).toEqual(active);
    const red = maps['red_chisq']!.flat() as (number | null)[];
    red.forEach((v, i) => {
      // HyperSpy: chisq / (channels - free - 1); ours: chisq / (channels - free).
      expectClose(model.chisq[i]! / (model.dof[i]! - 1), v!, `red_chisq[${i}]`, 1e-12);
      expect(model.redChisq[i]).toBe(model.chisq[i]! / model.dof[i]!);
    });
  });

  it('EDS Ag/Cu 50x50, model samfire, against eds-agcu-50x50-hyperspy.json', async () => {
    const file = await readHspy(`${EDS_DIR}eds-agcu-50x50-hyperspy.hspy`);
    expect([...file.modelNames[0]!].sort()).toEqual(['samfire', 'seed']);
    const model = file.model(0, 'samfire');
    const figures = JSON.parse(readFileSync(`${EDS_DIR}eds-agcu-50x50-hyperspy.json`, 'utf8')) as {
      pixels_fitted: number;
      red_chisq_median: number;
    };
    const red: number[] = [];
    model.chisq.forEach((c, i) => {
      if (Number.isFinite(c)) red.push(c / (model.dof[i]! - 1));
    });
    expect(red.length).toBe(figures.pixels_fitted);
    red.sort((a, b) => a - b);
    expectClose(
      red[Math.floor(red.length / 2)]!,
      figures.red_chisq_median,
      'median red_chisq',
      1e-12,
    );
    // The fitted pixels' chisq match the stored parameters.
    const pixel = model.chisq.findIndex((c) => Number.isFinite(c));
    expectClose(storedChisq(model, pixel), model.chisq[pixel]!, `chisq at pixel ${pixel}`, 1e-6);
  });
});

describe('large datasets', () => {
  it('are read in blocks of chunks, equal to a one-shot read, and into shared memory on request', async () => {
    const path = `${EDS_DIR}eds-agcu-50x50-seed.hspy`;
    // The reference: h5wasm reading the whole dataset at once.
    const { default: h5 } = await h5wasm();
    const f = new h5.File(path, 'r');
    let whole: Float64Array;
    try {
      const name = (f.get('Experiments') as Group).keys()[0]!;
      const ds = f.get(`Experiments/${name}/data`) as Dataset;
      // 41 MB in (7, 7, 2048) chunks over 50 rows: blocks of 14 rows, the last one short.
      expect(ds.metadata.chunks).toEqual([7, 7, 2048]);
      whole = ds.value as Float64Array;
    } finally {
      f.close();
    }
    const plain = (await readHspy(path)).signals[0]!;
    const shared = (await readHspy(path, { sharedMemory: true })).signals[0]!;
    expect(plain.data).toBeInstanceOf(Float64Array);
    expect(plain.data.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(shared.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(plain.data.length).toBe(50 * 50 * 2048);
    expect(Buffer.compare(bytesOf(plain.data), bytesOf(whole))).toBe(0);
    expect(Buffer.compare(bytesOf(shared.data), bytesOf(whole))).toBe(0);
    // The stored variance array comes over shared memory too.
    expect(shared.variance.kind).toBe('array');
    if (shared.variance.kind === 'array' && plain.variance.kind === 'array') {
      expect(shared.variance.data.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(Buffer.compare(bytesOf(shared.variance.data), bytesOf(plain.variance.data))).toBe(0);
    }
  });
});

describe('older layouts (file format 1.x and 2.x)', () => {
  /** A file as older HyperSpy versions wrote it: no navigate or is_binned, binned in metadata. */
  async function olderFile(version: string, metadataName = 'metadata'): Promise<string> {
    const { signals } = await readHspy(`${IO_DIR}hspy/EELS_LL_linescan.hspy`);
    const tree = hspyTree(signals[0]!);
    tree.attrs.splice(
      tree.attrs.findIndex((a) => a.name === 'file_format_version'),
      1,
      attr.str('file_format_version', version),
    );
    const experiment = subgroup(
      tree,
      'Experiments',
      'Simulated EELS low-loss thickness 0.3-1.9 $t-\\lambda$',
    );
    for (const axis of ['axis-0', 'axis-1']) {
      const g = subgroup(experiment, axis);
      g.attrs.splice(
        0,
        g.attrs.length,
        ...g.attrs.filter((a) => !['navigate', 'is_binned', '_type'].includes(a.name)),
      );
    }
    subgroup(experiment, 'metadata', 'Signal').attrs.push(attr.bool('binned', true));
    if (metadataName !== 'metadata') {
      experiment.children.set(metadataName, experiment.children.get('metadata')!);
      experiment.children.delete('metadata');
    }
    const path = join(tmp, `v${version}-${metadataName}.hspy`);
    writeFileSync(path, Buffer.concat(encodeHdf5(tree)));
    return path;
  }

  it.each(['1.2', '2.0'])(
    'version %s: signal axes from record_by, binned from metadata',
    async (version) => {
      const file = await readHspy(await olderFile(version));
      expect(file.formatVersion).toBe(version);
      const s = file.signals[0]!;
      expect(s.axes.map((a) => [a.name, a.navigate, a.isBinned])).toEqual([
        ['stack_element', true, false],
        ['Energy', false, true],
      ]);
      expect(s.signalType).toBe('EELS');
    },
  );

  it("version 1.0's mapped_parameters", async () => {
    const s = (await readHspy(await olderFile('1.0', 'mapped_parameters'))).signals[0]!;
    expect(s.title).toBe('Simulated EELS low-loss thickness 0.3-1.9 $t/\\lambda$');
    expect(s.signalAxis.isBinned).toBe(true);
  });

  it('refuses a newer major version', async () => {
    await expect(readHspy(await olderFile('4.0'))).rejects.toThrow(
      /file format version 4\.0 is not supported \(1\.x to 3\.x are\)/,
    );
  });
});

describe('bad files give FileFormatErrors naming the file', () => {
  async function expectError(
    promise: Promise<unknown>,
    file: string,
    pattern: RegExp,
  ): Promise<void> {
    const err: unknown = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FileFormatError);
    expect((err as FileFormatError).fileName).toBe(file);
    expect((err as FileFormatError).message).toMatch(pattern);
    expect((err as FileFormatError).message.startsWith(`${file}: `)).toBe(true);
  }

  it('truncated', async () => {
    const bytes = readFileSync(`${IO_DIR}hspy/EELS_LL_linescan.hspy`);
    const path = join(tmp, 'truncated.hspy');
    writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expectError(readHspy(path), 'truncated.hspy', /truncated/);
    await expectError(readSignalFile(path), 'truncated.hspy', /truncated/);
  });

  it('not HDF5', async () => {
    const path = join(tmp, 'text.hspy');
    writeFileSync(path, 'this is not HDF5\n'.repeat(10));
    await expectError(readHspy(path), 'text.hspy', /not an HDF5 file/);
  });

  it('HDF5 but not HyperSpy', async () => {
    const path = join(tmp, 'other.hdf5');
    writeFileSync(path, Buffer.concat(encodeHdf5(group([attr.str('creator', 'someone else')]))));
    await expectError(readHspy(path), 'other.hdf5', /not a HyperSpy one/);
  });

  it('missing model name', async () => {
    const file = await readHspy(`${DOMAIN_DIR}seed.hspy`);
    expect(() => file.model(0, 'fitted')).toThrow(FileFormatError);
    expect(() => file.model(0, 'fitted')).toThrow(
      /seed\.hspy: signal 'domain 7x15x400' has no stored model 'fitted' \(it has 'seed'\)/,
    );
    await expectError(
      readHspyModel(`${DOMAIN_DIR}seed.hspy`, 0, 'fitted'),
      'seed.hspy',
      /no stored model 'fitted'/,
    );
  });

  it('unknown component kind', async () => {
    const file = await readHspy(`${DOMAIN_DIR}seed.hspy`);
    const model = file.model(0, 'seed');
    const tree = hspyTree(model.signal, { fitted: model });
    // Rename the first component's kind to one this program does not have.
    const first = subgroup(
      tree,
      'Analysis',
      'models',
      'fitted',
      '_dict',
      '_list_3_components',
      '0',
    );
    const i = first.attrs.findIndex((a) => a.name === '_id_name');
    first.attrs[i] = attr.str('_id_name', 'Voigt');
    const path = join(tmp, 'unknown-kind.hspy');
    writeFileSync(path, Buffer.concat(encodeHdf5(tree)));
    const read = await readHspy(path);
    expect(read.signals.length).toBe(1); // the signal stays readable
    expect(() => read.model(0, 'fitted')).toThrow(
      /unknown-kind\.hspy: component 'g' \(Voigt\) of model 'fitted': its kind 'Voigt' is not a known component kind/,
    );
  });
});
