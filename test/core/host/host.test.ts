/**
 * The host services in Node, in-process: real file reads from ../shared/data,
 * the example, the model editor with undo, a real single-pixel fit with its
 * verdict, and a short SAMFire run to the end.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { FitProgress, RunEvent } from '@samfire/core/api';
import { autoSaveEvery } from '../../../core/src/host/fit-service.js';
import { writeNpy } from '@samfire/core';
import { mulberry32, poissonNoise } from '../../helpers/random.js';
import { createHost } from '@samfire/core/host';
import type { Host } from '@samfire/core/host';
import { nodeHostDeps } from '@samfire/core/node';

const DATA = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
let host: Host | null = null;

function newHost(backupDir: string | null = null): Host {
  host = createHost(nodeHostDeps({ backupDir }));
  return host;
}

afterEach(async () => {
  await host?.close();
  host = null;
});

describe('host file service', () => {
  it('cancels an open in progress: the file is dropped and the dataset open before stays', async () => {
    const deps = nodeHostDeps({ backupDir: null });
    let release = (): void => undefined;
    const gate = new Promise<void>((ok) => (release = ok));
    const readSignals = deps.readSignals;
    deps.readSignals = async (path) => (await gate, readSignals(path));
    host = createHost(deps);
    const h = host;
    await h.file.openExample();
    const pending = h.file.openPath({ path: join(DATA, 'io/msa/example1.msa') });
    await h.file.cancelOpen();
    release();
    await expect(pending).resolves.toEqual({ kind: 'cancelled' });
    expect((await h.dataset.summary())?.source.kind).toBe('example');
    // Cancelling does not spoil the next open.
    const next = await h.file.openPath({ path: join(DATA, 'io/msa/example1.msa') });
    expect(next.kind).toBe('opened');
    expect((await h.dataset.summary())?.source.name).toBe('example1.msa');
  });

  it('opens a real EMSA file and summarises it', async () => {
    const h = newHost();
    const r = await h.file.openPath({ path: join(DATA, 'io/msa/example1.msa') });
    expect(r.kind).toBe('opened');
    if (r.kind !== 'opened') return;
    expect(r.dataset.source).toEqual({
      kind: 'path',
      name: 'example1.msa',
      path: join(DATA, 'io/msa/example1.msa'),
    });
    expect(r.dataset.pixels).toBe(1);
    expect(r.dataset.channels).toBeGreaterThan(10);
    const image = await h.dataset.image({ kind: 'sum' });
    expect(image.shape).toEqual([1, 1]);
    expect(image.values[0]).toBeGreaterThan(0);
  });

  it('reports a corrupt file with its name and keeps working', async () => {
    const h = newHost();
    await expect(
      h.file.openUpload({ files: [{ name: 'broken.dm3', bytes: new Uint8Array([1, 2, 3, 4]) }] }),
    ).rejects.toThrow(/broken\.dm3/);
    const r = await h.file.openExample();
    expect(r.kind).toBe('opened');
  });

  it('opens an uploaded Ripple pair through its .rpl', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const dir = join(DATA, 'io/ripple');
    const rpl = readdirSync(dir).find((n) => n.endsWith('.rpl'))!;
    const raw = rpl.replace(/\.rpl$/, '.raw');
    const h = newHost();
    const r = await h.file.openUpload({
      files: [
        { name: raw, bytes: readFileSync(join(dir, raw)) },
        { name: rpl, bytes: readFileSync(join(dir, rpl)) },
      ],
    });
    expect(r.kind).toBe('opened');
    if (r.kind === 'opened') expect(r.dataset.source.kind).toBe('upload');
  });
});

describe('host views and model', () => {
  it('shows the example: navigator images and a spectrum with model, parts and residual', async () => {
    const h = newHost();
    const r = await h.file.openExample();
    if (r.kind !== 'opened') throw new Error('not opened');
    expect(r.dataset.navigationShape).toEqual([7, 15]);
    const sum = await h.dataset.image({ kind: 'sum' });
    expect(sum.shape).toEqual([7, 15]);
    expect(sum.values).toBeInstanceOf(Float64Array);
    expect(sum.min).toBeGreaterThan(0);
    const s = await h.dataset.spectrum({ pixel: 3 });
    expect(s.x.length).toBe(400);
    expect(s.components.map((c) => c.name)).toEqual(['g', 'l1', 'l2']);
    expect(s.residual![10]).toBeCloseTo(s.data[10]! - s.model![10]!, 9);
    const chisq = await h.dataset.image({ kind: 'redChisq' });
    expect(Number.isNaN(chisq.values[0])).toBe(true);
  });

  it('edits the model per pixel, with undo and redo', async () => {
    const h = newHost();
    await h.file.openExample();
    let m = await h.model.addComponent({ kind: 'Offset', name: 'bg' });
    expect(m.components.map((c) => c.name)).toEqual(['g', 'l1', 'l2', 'bg']);
    expect(m.undoLabel).toBe('add component bg');
    m = await h.model.setPixel({ pixel: 5 });
    m = await h.model.setParameter({ parameter: 'g.centre', value: 410 });
    expect(m.components[0]!.parameters.find((p) => p.name === 'centre')!.values).toEqual([410]);
    m = await h.model.setPixel({ pixel: 6 });
    m = await h.model.setPixel({ pixel: 5 });
    expect(m.components[0]!.parameters.find((p) => p.name === 'centre')!.values).toEqual([410]);
    await expect(h.model.setParameter({ parameter: 'g.nope', value: 1 })).rejects.toThrow(
      /has no parameter 'nope'/,
    );
    m = await h.model.undo();
    m = await h.model.undo();
    expect(m.components.map((c) => c.name)).toEqual(['g', 'l1', 'l2']);
    m = await h.model.redo();
    expect(m.components.map((c) => c.name)).toEqual(['g', 'l1', 'l2', 'bg']);
    m = await h.model.renameComponent({ component: 'bg', name: 'background' });
    expect(m.components[3]!.name).toBe('background');
    m = await h.model.setSignalRange({ range: { start: 50, end: 350 } });
    expect(m.signalRange).toEqual({ start: 50, end: 350 });
    m = await h.model.setVariance({ variance: { kind: 'poisson', gain: 2, offset: 0 } });
    expect(m.variance).toEqual({ kind: 'poisson', gain: 2, offset: 0 });
  });

  it('exports maps as CSV and .npy', async () => {
    const h = newHost();
    await h.file.openExample();
    const csv = await h.dataset.mapFile({ image: { kind: 'sum' }, format: 'csv' });
    expect(csv.name).toMatch(/Sum\.csv$/);
    const text = new TextDecoder().decode(csv.bytes);
    expect(text.trim().split('\n')).toHaveLength(7);
    expect(text.split('\n')[0]!.split(',')).toHaveLength(15);
    const npy = await h.dataset.mapFile({ image: { kind: 'sum' }, format: 'npy' });
    expect(
      Array.from(npy.bytes.subarray(1, 6))
        .map((c) => String.fromCharCode(c))
        .join(''),
    ).toBe('NUMPY');
  });
});

describe('host fit service', () => {
  it('fits a seed pixel with a verdict, then runs SAMFire to the end', async () => {
    const h = newHost();
    await h.file.openExample();
    await h.fit.updateSettings({
      workers: 0,
      strategies: [{ kind: 'redChisq', name: 'local', settings: { radii: 1 } }],
      activeStrategy: 0,
      randomSeed: 7,
      plotEvery: 20,
    });
    await expect(h.fit.start()).rejects.toThrow(/no seed/);
    const fit = await h.fit.fitPixel({ pixel: 0, seed: true });
    expect(fit.good).toBe(true);
    expect(Math.abs(fit.redChisq - 1)).toBeLessThan(1);
    expect(fit.report).toContain('[[Fit Statistics]]');
    expect((await h.fit.status()).seeds).toEqual([0]);
    const progress: FitProgress[] = [];
    const events: RunEvent[] = [];
    h.fit.onProgress((p) => progress.push(p));
    let plots = 0;
    h.fit.onPlot(() => plots++);
    const done = new Promise<void>((ok) =>
      h.fit.onRunEvent(
        (e) => (events.push(e), e.kind === 'finished' || e.kind === 'failed' ? ok() : undefined),
      ),
    );
    const started = await h.fit.start();
    expect(started.state).toBe('running');
    await done;
    const status = await h.fit.status();
    expect(events.at(-1)!.kind).toBe('finished');
    expect(status.state).toBe('finished');
    expect(status.pixelsDone).toBeGreaterThanOrEqual(103);
    expect(progress.length).toBeGreaterThan(0);
    expect(plots).toBeGreaterThan(0);
    const map = await h.dataset.image({ kind: 'parameter', parameter: 'g.centre' });
    const fitted = Array.from(map.values).filter(Number.isFinite);
    expect(fitted.length).toBeGreaterThanOrEqual(103);
    const l2 = await h.dataset.image({ kind: 'active', component: 'l2' });
    expect(l2.min).toBe(0);
    expect(l2.max).toBe(1);
  });

  it('refuses bad settings with a message naming them', async () => {
    const h = newHost();
    await h.file.openExample();
    await expect(
      h.fit.updateSettings({ strategies: [{ kind: 'nope', name: 'x', settings: {} }] }),
    ).rejects.toThrow(/unknown strategy kind 'nope'/);
    await expect(h.fit.updateSettings({ goodness: { kind: 'zz', tolerance: 1 } })).rejects.toThrow(
      /unknown goodness test 'zz'/,
    );
  });

  it('backs up by default, every ~5% of the open map, until the user sets a count', async () => {
    expect(autoSaveEvery(105)).toBe(25);
    expect(autoSaveEvery(128 * 128)).toBe(820);
    expect(autoSaveEvery(1024 * 1024)).toBe(5000);
    const dir = mkdtempSync(join(tmpdir(), 'samfire-host-'));
    const h = newHost(dir);
    await h.file.openExample();
    expect((await h.fit.settings()).saveEvery).toBe(25);
    await h.fit.updateSettings({ workers: 0, randomSeed: 3 });
    expect((await h.fit.settings()).saveEvery).toBe(25);
    await h.fit.fitPixel({ pixel: 0, seed: true });
    const events: RunEvent[] = [];
    const done = new Promise<void>((ok) =>
      h.fit.onRunEvent((e) => (events.push(e), e.kind === 'finished' ? ok() : undefined)),
    );
    await h.fit.start();
    await done;
    await new Promise((r) => setTimeout(r, 200));
    // No setting touched, and still a crash would lose at most 25 results.
    expect(events.filter((e) => e.kind === 'backup-written').length).toBeGreaterThanOrEqual(3);
    // The user's choice (0: off) sticks, also for the next file.
    await h.fit.updateSettings({ saveEvery: 0 });
    await h.file.openPath({ path: join(DATA, 'io/msa/example1.msa') });
    expect((await h.fit.settings()).saveEvery).toBe(0);
    await h.close();
  });

  it('writes the session and a backup, and restores both in a new host', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'samfire-host-'));
    const h = newHost(dir);
    await h.file.openExample();
    await h.fit.updateSettings({ workers: 0, saveEvery: 10, randomSeed: 3 });
    await h.fit.fitPixel({ pixel: 0, seed: true });
    const done = new Promise<void>((ok) =>
      h.fit.onRunEvent((e) => (e.kind === 'finished' ? ok() : undefined)),
    );
    await h.fit.start();
    await done;
    await new Promise((r) => setTimeout(r, 200));
    await h.close();
    const again = newHost(dir);
    const restored = await again.restoreSession();
    expect(restored).toEqual({ dataset: true, run: true });
    const status = await again.fit.status();
    expect(status.state).toBe('stopped');
    expect(status.pixelsDone).toBeGreaterThan(10);
  });
});

describe('crash recovery of a file with a model built in the app', () => {
  it('reopens the file with the run, the components and the variance the run used', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'samfire-host-'));
    // A 4x5 map of 200 channels: 30 + a Gaussian (area 4000 at 100, sigma 8), Poisson noise.
    const rand = mulberry32(9);
    const n = 200;
    const mean = new Float64Array(20 * n);
    for (let p = 0; p < 20; p++)
      for (let i = 0; i < n; i++)
        mean[p * n + i] =
          30 + (4000 / (8 * Math.sqrt(2 * Math.PI))) * Math.exp(-0.5 * ((i - 100) / 8) ** 2);
    const path = join(dir, 'map.npy');
    writeFileSync(path, writeNpy(poissonNoise(rand, mean), [4, 5, n]));
    const h = newHost(join(dir, 'backups'));
    expect((await h.file.openPath({ path })).kind).toBe('opened');
    await h.model.addComponent({ kind: 'Offset', name: 'bg' });
    await h.model.addComponent({ kind: 'Gaussian', name: 'peak' });
    await h.model.setParameter({ parameter: 'bg.offset', value: 25, allPixels: true });
    await h.model.setParameter({ parameter: 'peak.A', value: 3000, allPixels: true });
    await h.model.setParameter({ parameter: 'peak.centre', value: 98, allPixels: true });
    await h.model.setParameter({ parameter: 'peak.sigma', value: 7, allPixels: true });
    await h.model.setVariance({ variance: { kind: 'poisson', gain: 1.5, offset: 2 } });
    await h.fit.updateSettings({ workers: 0, saveEvery: 5, randomSeed: 1 });
    await h.fit.updateSettings({ goodness: { kind: 'redChisq', tolerance: 2 } });
    expect((await h.fit.fitPixel({ pixel: 0, seed: true })).good).toBe(true);
    const done = new Promise<void>((ok) =>
      h.fit.onRunEvent((e) => (e.kind === 'finished' ? ok() : undefined)),
    );
    await h.fit.start();
    await done;
    await new Promise((r) => setTimeout(r, 200));
    const before = await h.dataset.image({ kind: 'parameter', parameter: 'peak.centre' });
    await h.close();

    const again = newHost(join(dir, 'backups'));
    expect(await again.restoreSession()).toEqual({ dataset: true, run: true });
    const state = await again.model.state();
    expect(state.components.map((c) => `${c.name}:${c.kind}`)).toEqual([
      'bg:Offset',
      'peak:Gaussian',
    ]);
    expect(state.variance).toEqual({ kind: 'poisson', gain: 1.5, offset: 2 });
    const status = await again.fit.status();
    expect(status.state).toBe('stopped');
    expect(status.pixelsDone).toBeGreaterThanOrEqual(15);
    const after = await again.dataset.image({ kind: 'parameter', parameter: 'peak.centre' });
    // Every pixel the backup holds has the value it had (the last results may postdate it).
    let same = 0;
    for (let i = 0; i < 20; i++) if (after.values[i] === before.values[i]) same++;
    expect(same).toBeGreaterThanOrEqual(status.pixelsDone);
  });
});

describe('host projects', () => {
  it('saves the data and the fitted model as .hspy and reopens them with the same maps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'samfire-project-'));
    const path = join(dir, 'domain.hspy');
    const h = newHost();
    await h.file.openExample();
    await h.fit.updateSettings({ workers: 0, randomSeed: 11 });
    await h.fit.fitPixel({ pixel: 0, seed: true });
    const done = new Promise<void>((ok) =>
      h.fit.onRunEvent((e) => (e.kind === 'finished' ? ok() : undefined)),
    );
    await h.fit.start();
    await done;
    const before = await h.dataset.image({ kind: 'parameter', parameter: 'g.centre' });
    const chisqBefore = await h.dataset.image({ kind: 'redChisq' });
    await h.file.saveProjectTo({ path });
    expect(await h.file.projectPath()).toBe(path);
    await h.close();

    const again = newHost();
    const r = await again.file.openPath({ path });
    expect(r.kind).toBe('opened');
    const state = await again.model.state();
    expect(state.components.map((c) => c.name)).toEqual(['g', 'l1', 'l2']);
    expect(state.components.find((c) => c.name === 'l2')!.optional).toBe(true);
    const after = await again.dataset.image({ kind: 'parameter', parameter: 'g.centre' });
    expect(Array.from(after.values)).toEqual(Array.from(before.values));
    const chisqAfter = await again.dataset.image({ kind: 'redChisq' });
    Array.from(chisqAfter.values).forEach((v, i) =>
      expect(v).toBeCloseTo(chisqBefore.values[i]!, 9),
    );
    expect(await again.file.projectPath()).toBe(path);
  });
});
