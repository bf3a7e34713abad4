/**
 * Loading a noise variance from a file (model.loadVariancePath / Upload /
 * Dialog) on an in-process host with the example (7x15 pixels, 400
 * channels): the data's shape or one spectrum, every bad file refused with
 * its name and the problem while the variance in use stays, refused while
 * SAMFire runs, and what a saved project keeps.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelState, ShellInfo } from '@samfire/core/api';
import { createHost, Listeners, RecentList, createShellApi } from '@samfire/core/host';
import type { Host, HostDeps } from '@samfire/core/host';
import { nodeHostDeps, readHspy } from '@samfire/core/node';
import { varianceFromSignals } from '../../../core/src/host/variance-file.js';
import { varianceSetting } from '../../../core/src/host/workspace.js';
import { writeNpy, toFloat64, Signal } from '@samfire/core';

const ROWS = 7;
const COLS = 15;
const CHANNELS = 400;
const dir = mkdtempSync(join(tmpdir(), 'samfire-variance-'));
let host: Host | null = null;

afterEach(async () => {
  await host?.close();
  host = null;
});

async function exampleHost(deps: HostDeps = nodeHostDeps({ backupDir: null })): Promise<Host> {
  host = createHost(deps);
  await host.file.openExample();
  return host;
}

/** Writes a .npy into the temp folder and returns its path. */
function npy(name: string, data: Float64Array | Float32Array, shape: number[]): string {
  const path = join(dir, name);
  writeFileSync(path, writeNpy(data, shape));
  return path;
}

/** A full-shape variance: 1 + (element index mod 7), so every value is known and positive. */
function fullVariance(): Float64Array {
  return Float64Array.from({ length: ROWS * COLS * CHANNELS }, (_, i) => 1 + (i % 7));
}

describe('loading a noise variance from a file', () => {
  it('loads a variance of the data shape and says where it came from', async () => {
    const h = await exampleHost();
    const before = await h.model.state();
    expect(before.variance.kind).toBe('poisson');
    const m = await h.model.loadVariancePath({
      path: npy('noise.npy', fullVariance(), [ROWS, COLS, CHANNELS]),
    });
    expect(m.variance).toEqual({ kind: 'array', source: 'noise.npy', oneSpectrum: false });
    // The component table and history are untouched: the variance belongs to the data.
    expect(m.components.map((c) => c.name)).toEqual(before.components.map((c) => c.name));
    const fit = await h.fit.fitPixel({ pixel: 0, seed: false });
    expect(Number.isFinite(fit.redChisq)).toBe(true);
  });

  it('weighs the fits: four times the variance, a quarter of the reduced chi-squared', async () => {
    const h = await exampleHost();
    const flat = (v: number) => new Float64Array(CHANNELS).fill(v);
    await h.model.loadVariancePath({ path: npy('ones.npy', flat(1), [CHANNELS]) });
    const one = await h.fit.fitPixel({ pixel: 0, seed: false });
    await h.model.loadVariancePath({ path: npy('fours.npy', flat(4), [CHANNELS]) });
    const four = await h.fit.fitPixel({ pixel: 0, seed: false });
    expect(four.redChisq).toBeCloseTo(one.redChisq / 4, 6);
  });

  it('loads one spectrum (the same variance at every pixel), also as float32', async () => {
    const h = await exampleHost();
    const spectrum = Float32Array.from({ length: CHANNELS }, (_, c) => 2 + c / 100);
    const m = await h.model.loadVariancePath({ path: npy('spectrum.npy', spectrum, [CHANNELS]) });
    expect(m.variance).toEqual({ kind: 'array', source: 'spectrum.npy', oneSpectrum: true });
    // [1, 400] is one spectrum too.
    const m2 = await h.model.loadVariancePath({
      path: npy('row.npy', Float64Array.from(spectrum), [1, CHANNELS]),
    });
    expect(m2.variance).toEqual({ kind: 'array', source: 'row.npy', oneSpectrum: true });
  });

  it('loads an upload (browser mode) under the uploaded name', async () => {
    const h = await exampleHost();
    const bytes = writeNpy(fullVariance(), [ROWS, COLS, CHANNELS]);
    const m = await h.model.loadVarianceUpload({ files: [{ name: 'uploaded-noise.npy', bytes }] });
    expect(m.variance).toEqual({ kind: 'array', source: 'uploaded-noise.npy', oneSpectrum: false });
    await expect(h.model.loadVarianceUpload({ files: [] })).rejects.toThrow(
      /no variance file was given/,
    );
  });

  it('forgets the file name once another variance is chosen', async () => {
    const h = await exampleHost();
    await h.model.loadVariancePath({
      path: npy('noise.npy', fullVariance(), [ROWS, COLS, CHANNELS]),
    });
    const m = await h.model.setVariance({ variance: { kind: 'constant', value: 3 } });
    expect(m.variance).toEqual({ kind: 'constant', value: 3 });
    await h.file.openExample();
    expect((await h.model.state()).variance.kind).toBe('poisson');
  });

  const bad = (data: number[] | Float64Array, shape: number[]): Float64Array => {
    const out = Float64Array.from(data);
    expect(out.length).toBe(shape.reduce((a, b) => a * b, 1));
    return out;
  };
  const withValue = (at: number, value: number): Float64Array => {
    const v = fullVariance();
    v[at] = value;
    return v;
  };
  // Element 3 * 400 + 17 is pixel 3 = [0, 3], channel 17.
  const AT = 3 * CHANNELS + 17;

  it.each<[string, () => string, RegExp]>([
    [
      'a wrong shape (both shapes named)',
      () =>
        npy('wrong-shape.npy', bad(new Float64Array(3 * CHANNELS).fill(1), [3, CHANNELS]), [
          3,
          CHANNELS,
        ]),
      /^wrong-shape\.npy: a variance of shape 3×400 does not fit the data: give the data's shape 7×15×400, or one spectrum of 400 channels$/,
    ],
    [
      'a spectrum of the wrong length',
      () => npy('short.npy', new Float64Array(399).fill(1), [399]),
      /^short\.npy: a variance of shape 399 does not fit the data: give the data's shape 7×15×400/,
    ],
    [
      'the navigation axes swapped',
      () => npy('swapped.npy', fullVariance(), [COLS, ROWS, CHANNELS]),
      /^swapped\.npy: a variance of shape 15×7×400 does not fit/,
    ],
    [
      'NaN',
      () => npy('nan.npy', withValue(AT, NaN), [ROWS, COLS, CHANNELS]),
      /^nan\.npy: 1 value is not finite \(NaN or infinite; the first is NaN at pixel \[0, 3\], channel 17\): every variance must be a positive, finite number$/,
    ],
    [
      'infinity',
      () => npy('inf.npy', withValue(AT, Infinity), [ROWS, COLS, CHANNELS]),
      /^inf\.npy: 1 value is not finite .*Infinity at pixel \[0, 3\], channel 17/,
    ],
    [
      'a negative value',
      () => npy('negative.npy', withValue(AT, -0.5), [ROWS, COLS, CHANNELS]),
      /^negative\.npy: 1 value is negative \(the first is -0\.5 at pixel \[0, 3\], channel 17\): a variance cannot be negative$/,
    ],
    [
      'zeros (infinite weight)',
      () => {
        const v = new Float32Array(CHANNELS).fill(1);
        v[5] = 0;
        v[9] = 0;
        return npy('zero.npy', v, [CHANNELS]);
      },
      /^zero\.npy: 2 values are zero \(the first at channel 5\): a zero variance gives its channel infinite weight in the fit, so every variance must be positive$/,
    ],
    [
      'a file that is not a variance at all',
      () => {
        const path = join(dir, 'garbage.npy');
        writeFileSync(path, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));
        return path;
      },
      /^garbage\.npy: not a NumPy \.npy file/,
    ],
    [
      'a file type without a reader',
      () => {
        const path = join(dir, 'noise.txt');
        writeFileSync(path, '1 2 3');
        return path;
      },
      /^noise\.txt: unknown file type '\.txt'/,
    ],
  ])('refuses %s, naming the file, and keeps the variance in use', async (_what, make, message) => {
    const h = await exampleHost();
    const loaded = await h.model.loadVariancePath({
      path: npy('good.npy', fullVariance(), [ROWS, COLS, CHANNELS]),
    });
    let changed: ModelState | null = null;
    h.model.onChanged((m) => (changed = m));
    await expect(h.model.loadVariancePath({ path: make() })).rejects.toThrow(message);
    expect(changed).toBeNull();
    expect((await h.model.state()).variance).toEqual(loaded.variance);
  });

  it('refuses a file with several signals, and a missing file', async () => {
    const h = await exampleHost();
    const before = (await h.model.state()).variance;
    const signal = (): Signal =>
      new Signal({
        data: new Float64Array(CHANNELS).fill(1),
        axes: [{ name: 'E', size: CHANNELS, offset: 0, scale: 1, units: '', navigate: false }],
      });
    expect(() => varianceFromSignals([signal(), signal()], signal(), 'two.hspy')).toThrow(
      /^two\.hspy: the file holds 2 signals; a variance file must hold exactly one/,
    );
    expect(() => varianceFromSignals([], signal(), 'empty.hspy')).toThrow(
      /^empty\.hspy: the file holds no signal/,
    );
    await expect(h.model.loadVariancePath({ path: join(dir, 'missing.npy') })).rejects.toThrow(
      /missing\.npy/,
    );
    expect((await h.model.state()).variance).toEqual(before);
  });

  it('names the file only while its variance is the one in use', () => {
    const signal = new Signal({
      data: new Float64Array(2 * 3),
      axes: [
        { name: 'x', size: 2, offset: 0, scale: 1, units: '', navigate: true },
        { name: 'E', size: 3, offset: 0, scale: 1, units: '', navigate: false },
      ],
    });
    signal.setVariance({ kind: 'array', data: Float64Array.of(1, 2, 3) });
    const loaded = { variance: signal.variance, name: 'v.npy' };
    expect(varianceSetting(signal, loaded)).toEqual({
      kind: 'array',
      source: 'v.npy',
      oneSpectrum: true,
    });
    signal.setVariance({ kind: 'array', data: Float64Array.of(1, 2, 3, 4, 5, 6) });
    expect(varianceSetting(signal, loaded)).toEqual({
      kind: 'array',
      source: null,
      oneSpectrum: false,
    });
  });

  it('needs an open dataset', async () => {
    host = createHost(nodeHostDeps({ backupDir: null }));
    await expect(
      host.model.loadVariancePath({ path: npy('n.npy', new Float64Array(4).fill(1), [4]) }),
    ).rejects.toThrow(/no dataset is open/);
  });

  it('is refused while SAMFire runs, also when a run starts while the file is read', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((ok) => (release = ok));
    const real = nodeHostDeps({ backupDir: null });
    let gated = false;
    const h = await exampleHost({
      ...real,
      readSignals: async (path) => {
        if (gated) await gate;
        return real.readSignals(path);
      },
    });
    await h.fit.updateSettings({ workers: 0, randomSeed: 1 });
    await h.fit.fitPixel({ pixel: 0, seed: true });
    const path = npy('noise.npy', fullVariance(), [ROWS, COLS, CHANNELS]);
    const before = (await h.model.state()).variance;

    // The read is slow; a run starts meanwhile: the variance must not change under it.
    gated = true;
    const loading = h.model.loadVariancePath({ path });
    const finished = new Promise<void>((ok) =>
      h.fit.onRunEvent((e) => (e.kind === 'finished' || e.kind === 'stopped' ? ok() : undefined)),
    );
    expect((await h.fit.start()).state).toBe('running');
    release();
    await expect(loading).rejects.toThrow(
      /cannot load a noise variance while SAMFire runs; stop the run first/,
    );
    // And straight away while it runs.
    await expect(h.model.loadVariancePath({ path })).rejects.toThrow(/while SAMFire runs/);
    await expect(
      h.model.loadVarianceUpload({ files: [{ name: 'n.npy', bytes: readFileSync(path) }] }),
    ).rejects.toThrow(/while SAMFire runs/);
    expect((await h.model.state()).variance).toEqual(before);
    await h.fit.stop();
    await finished;
    const m = await h.model.loadVariancePath({ path });
    expect(m.variance).toMatchObject({ kind: 'array', source: 'noise.npy' });
  });

  it('is saved in the project (.hspy) as HyperSpy keeps it, one value per data element', async () => {
    const h = await exampleHost();
    const spectrum = Float64Array.from({ length: CHANNELS }, (_, c) => 1 + c);
    await h.model.loadVariancePath({ path: npy('spectrum.npy', spectrum, [CHANNELS]) });
    const project = join(dir, 'with-variance.hspy');
    await h.file.saveProjectTo({ path: project });
    const file = await readHspy(project);
    const v = file.signals[0]!.variance;
    expect(v.kind).toBe('array');
    if (v.kind !== 'array') return;
    expect(v.data.length).toBe(ROWS * COLS * CHANNELS);
    const values = toFloat64(v.data);
    for (const pixel of [0, 52, 104])
      expect(Array.from(values.subarray(pixel * CHANNELS, (pixel + 1) * CHANNELS))).toEqual(
        Array.from(spectrum),
      );
    // Reopened, it came with the dataset.
    await h.file.openPath({ path: project });
    expect((await h.model.state()).variance).toEqual({
      kind: 'array',
      source: null,
      oneSpectrum: false,
    });
  });
});

describe('the variance dialog (shell)', () => {
  const info: ShellInfo = { shell: 'electron', appVersion: '0', platform: 'linux', dialogs: true };

  function shellApi(answer: string | null, dialogs = true) {
    host = createHost(nodeHostDeps({ backupDir: null }));
    const titles: (string | undefined)[] = [];
    const api = createShellApi(host, {
      info: { ...info, dialogs },
      recent: new RecentList(),
      onCommand: new Listeners<never>().on,
      onHostStatus: new Listeners<never>().on,
      ...(dialogs
        ? {
            showOpenDialog: async (_ext: readonly string[], title?: string) => {
              titles.push(title);
              return answer;
            },
          }
        : {}),
    });
    return { api, titles };
  }

  it('loads the file chosen in the dialog, and does nothing when it is dismissed', async () => {
    const path = npy('dialog-noise.npy', fullVariance(), [ROWS, COLS, CHANNELS]);
    const { api, titles } = shellApi(path);
    await api.file.openExample();
    const r = await api.model.loadVarianceDialog();
    expect(r.kind).toBe('loaded');
    if (r.kind === 'loaded')
      expect(r.model.variance).toEqual({
        kind: 'array',
        source: 'dialog-noise.npy',
        oneSpectrum: false,
      });
    expect(titles).toEqual(['Load a noise variance']);
    // The path call stays the host's: the UI cannot name files.
    expect(Object.keys(api.model)).not.toContain('loadVariancePath');
  });

  it('answers cancelled when the dialog is dismissed', async () => {
    const { api } = shellApi(null);
    await api.file.openExample();
    await expect(api.model.loadVarianceDialog()).resolves.toEqual({ kind: 'cancelled' });
    expect((await api.model.state()).variance.kind).toBe('poisson');
  });

  it('in browser mode: no dialog, uploads instead', async () => {
    const { api } = shellApi(null, false);
    await api.file.openExample();
    await expect(api.model.loadVarianceDialog()).rejects.toThrow(
      /no file dialog in browser mode: upload the variance file instead/,
    );
    const m = await api.model.loadVarianceUpload({
      files: [{ name: 'up.npy', bytes: writeNpy(new Float64Array(CHANNELS).fill(2), [CHANNELS]) }],
    });
    expect(m.variance).toEqual({ kind: 'array', source: 'up.npy', oneSpectrum: true });
  });
});
