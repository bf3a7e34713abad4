/**
 * What belongs to the open dataset and must never be stale or carried over:
 * the parameter table's values at the current pixel (after a run, during
 * one, after a fit elsewhere), which values sit on a bound, the SAMFire
 * settings (a new file starts from the defaults, a project reopens with its
 * own), the seeds a file holds, and why a pixel cannot be a seed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelState } from '@samfire/core/api';
import { createHost } from '@samfire/core/host';
import type { Host } from '@samfire/core/host';
import { nodeHostDeps } from '@samfire/core/node';
import { readHspy } from '@samfire/core/node';

const DATA = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
let host: Host | null = null;

function newHost(): Host {
  host = createHost(nodeHostDeps({ backupDir: null }));
  return host;
}

afterEach(async () => {
  await host?.close();
  host = null;
});

function value(state: ModelState, name: string): number {
  for (const c of state.components)
    for (const p of c.parameters) if (p.fullName === name) return p.values[0]!;
  throw new Error(`no ${name}`);
}

async function runToEnd(h: Host): Promise<void> {
  const done = new Promise<void>((ok) =>
    h.fit.onRunEvent((e) => (e.kind === 'finished' || e.kind === 'failed' ? ok() : undefined)),
  );
  await h.fit.start();
  await done;
}

describe('the parameter table shows the current pixel’s values', () => {
  it('after a run, at a pixel the run fitted (not the values from before the run)', async () => {
    const h = newHost();
    await h.file.openExample();
    await h.fit.updateSettings({ workers: 0, randomSeed: 2 });
    await h.fit.fitPixel({ pixel: 0, seed: true });
    // Move to a pixel of the other domain, then run: the run fits it.
    const before = await h.model.setPixel({ pixel: 52 });
    await runToEnd(h);
    const after = await h.model.state();
    const map = await h.dataset.image({ kind: 'parameter', parameter: 'g.centre' });
    expect(after.pixel).toBe(52);
    expect(value(after, 'g.centre')).toBe(map.values[52]);
    expect(value(after, 'g.centre')).not.toBe(value(before, 'g.centre'));
    // Moving away and back shows the same values.
    await h.model.setPixel({ pixel: 0 });
    expect(value(await h.model.setPixel({ pixel: 52 }), 'g.centre')).toBe(value(after, 'g.centre'));
  });

  it('during a run: moving to a pixel shows its stored values without disturbing the run', async () => {
    const h = newHost();
    await h.file.openExample();
    await h.fit.updateSettings({ workers: 0, randomSeed: 2 });
    await h.fit.fitPixel({ pixel: 0, seed: true });
    const done = new Promise<void>((ok) =>
      h.fit.onRunEvent((e) => (e.kind === 'finished' ? ok() : undefined)),
    );
    await h.fit.start();
    const moved = await h.model.setPixel({ pixel: 0 });
    expect(moved.pixel).toBe(0);
    await done;
    const map = await h.dataset.image({ kind: 'parameter', parameter: 'g.A' });
    expect(value(await h.model.state(), 'g.A')).toBe(map.values[0]);
    expect((await h.fit.status()).state).toBe('finished');
  });

  it('after a fit at the current pixel and after undo', async () => {
    const h = newHost();
    await h.file.openExample();
    const before = await h.model.setPixel({ pixel: 3 });
    await h.model.setParameter({ parameter: 'g.centre', value: 205 });
    await h.fit.fitPixel({ pixel: 3, seed: false });
    const fitted = await h.model.state();
    const map = await h.dataset.image({ kind: 'parameter', parameter: 'g.centre' });
    expect(value(fitted, 'g.centre')).toBe(map.values[3]);
    expect(value(fitted, 'g.centre')).not.toBe(205);
    // Undo goes back to before the edit and its fit: the pixel is unfitted
    // again (NaN in the maps) and the table shows the values a fit would start from.
    const undone = await h.model.undo();
    expect(value(undone, 'g.centre')).toBe(value(before, 'g.centre'));
    expect(
      (await h.dataset.image({ kind: 'parameter', parameter: 'g.centre' })).values[3],
    ).toBeNaN();
  });

  it('after a refit of other pixels: still the current pixel, with its own values', async () => {
    const h = newHost();
    await h.file.openExample();
    await h.model.setPixel({ pixel: 5 });
    const before = await h.model.setParameter({ parameter: 'g.centre', value: 390 });
    const changed: ModelState[] = [];
    h.model.onChanged((m) => changed.push(m));
    for (const pixel of [20, 21]) await h.fit.fitPixel({ pixel, seed: false });
    const after = await h.model.state();
    expect(after.pixel).toBe(5);
    expect(value(after, 'g.centre')).toBe(390);
    expect(changed.map((m) => m.pixel)).toEqual([5, 5]);
    expect(value(before, 'g.centre')).toBe(390);
    // The refitted pixels hold their fits.
    const map = await h.dataset.image({ kind: 'parameter', parameter: 'g.centre' });
    expect(map.values[20]).not.toBe(390);
  });

  it('marks free values that sit on a bound', async () => {
    const h = newHost();
    await h.file.openExample();
    await h.model.setParameter({ parameter: 'g.sigma', bmax: 4 });
    await h.model.setParameter({ parameter: 'g.sigma', value: 4 });
    await h.fit.updateSettings({ fit: { optimizer: 'lm', bounded: true } });
    const fit = await h.fit.fitPixel({ pixel: 0, seed: false });
    expect(fit.atBound).toContain('g.sigma');
    expect(fit.report).toContain('(at boundary: bmax = 4)');
    const state = await h.model.state();
    const sigma = state.components[0]!.parameters.find((p) => p.name === 'sigma')!;
    expect(sigma.values[0]).toBe(4);
    expect(sigma.atBound).toEqual(['bmax']);
    const centre = state.components[0]!.parameters.find((p) => p.name === 'centre')!;
    expect(centre.atBound).toEqual([null]);
    // A fixed parameter on its bound is not marked.
    const fixed = await h.model.setParameter({ parameter: 'g.sigma', free: false });
    expect(fixed.components[0]!.parameters.find((p) => p.name === 'sigma')!.atBound).toEqual([
      null,
    ]);
  });
});

describe('SAMFire settings belong to the dataset', () => {
  it('a new file starts from the defaults; the machine’s settings carry over', async () => {
    const h = newHost();
    await h.file.openExample();
    const defaults = await h.fit.settings();
    await h.fit.updateSettings({
      goodness: { kind: 'redChisq', tolerance: 30 },
      randomSeed: 9,
      workers: 1,
    });
    const r = await h.file.openPath({ path: join(DATA, 'io/msa/example1.msa') });
    expect(r.kind === 'opened' && r.dataset.settingsFrom).toBe('defaults');
    const next = await h.fit.settings();
    expect(next.goodness).toEqual(defaults.goodness);
    expect(next.randomSeed).toBeNull();
    expect(next.workers).toBe(1);
  });

  it('are saved with the project and read back on opening it, with its seeds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'samfire-state-'));
    const path = join(dir, 'domain.hspy');
    const h = newHost();
    await h.file.openExample();
    await h.fit.updateSettings({
      goodness: { kind: 'redChisq', tolerance: 30 },
      randomSeed: 9,
      strategies: [{ kind: 'redChisq', name: 'local', settings: { radii: 2 } }],
      activeStrategy: 0,
      fit: { optimizer: 'lm', bounded: false, maxEvaluations: 300 },
    });
    await h.fit.fitPixel({ pixel: 4, seed: true });
    await h.fit.fitPixel({ pixel: 10, seed: true });
    await h.fit.fitPixel({ pixel: 20, seed: false });
    const saved = await h.fit.settings();
    await h.file.saveProjectTo({ path });
    const stored = (await readHspy(path)).modelAttribute(0, 'samfire', 'samfire_studio');
    expect(JSON.parse(stored!)).toMatchObject({ seeds: [4, 10], settings: { randomSeed: 9 } });
    await h.file.openPath({ path: join(DATA, 'io/msa/example1.msa') });
    expect((await h.fit.settings()).goodness.tolerance).toBe(1);

    const r = await h.file.openPath({ path });
    expect(r.kind === 'opened' && r.dataset.settingsFrom).toBe('project');
    const back = await h.fit.settings();
    expect(back.goodness).toEqual({ kind: 'redChisq', tolerance: 30 });
    expect(back.randomSeed).toBe(9);
    expect(back.strategies).toEqual(saved.strategies);
    expect(back.fit).toEqual({ optimizer: 'lm', bounded: false, maxEvaluations: 300 });
    // The seeds the user marked, not every fitted pixel.
    expect((await h.fit.status()).seeds).toEqual([4, 10]);
  });

  it('a project state that cannot be used is reported, and the defaults are used', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'samfire-state-'));
    const path = join(dir, 'bad.hspy');
    const deps = nodeHostDeps({ backupDir: null });
    const save = deps.saveProject!;
    deps.saveProject = (p, signal, models) =>
      save(p, signal, models, JSON.stringify({ format: 'samfire-studio-project', version: 1 }));
    host = createHost(deps);
    await host.file.openExample();
    await host.fit.updateSettings({ goodness: { kind: 'redChisq', tolerance: 30 } });
    await host.file.saveProjectTo({ path });
    const r = await host.file.openPath({ path });
    if (r.kind !== 'opened') throw new Error('not opened');
    expect(r.dataset.settingsFrom).toBe('defaults');
    expect(r.dataset.settingsProblem).toMatch(/samfire_studio\.settings/);
    expect((await host.fit.settings()).goodness.tolerance).toBe(1);
  });
});

describe('seeds stored in a file', () => {
  it('lists the pixel a HyperSpy model was fitted at', async () => {
    const h = newHost();
    await h.file.openPath({ path: join(DATA, 'reference/domain-7x15x400/seed.hspy') });
    expect((await h.fit.status()).seeds).toEqual([0]);
  });

  it('lists the seed of the real EDS map at (25, 25)', async () => {
    const h = newHost();
    await h.file.openPath({ path: join(DATA, 'real/eds-agcu-50x50-seed.hspy') });
    const status = await h.fit.status();
    expect(status.seeds).toEqual([25 * 50 + 25]);
  });
});

describe('why a pixel cannot be a seed', () => {
  it('a fitted pixel that fails the test: the test, its number and what to do', async () => {
    const h = newHost();
    await h.file.openExample();
    await h.fit.updateSettings({ goodness: { kind: 'redChisq', tolerance: 0.001 } });
    const fit = await h.fit.fitPixel({ pixel: 0, seed: true });
    expect(fit.good).toBe(false);
    const d = Math.abs(fit.redChisq - 1);
    await expect(h.fit.setSeeds({ pixels: [0], seed: true })).rejects.toThrow(
      new RegExp(
        `pixel \\(0, 0\\) fails the goodness test: \\|χ²ᵣ − 1\\| = ${String(Number(d.toPrecision(4))).replace('.', '\\.')}, not below 0\\.001\\. A seed must pass it`,
      ),
    );
    await expect(h.fit.setSeeds({ pixels: [5], seed: true })).rejects.toThrow(
      /pixel \(0, 5\) has not been fitted: fit it first/,
    );
  });

  it('a seed the test no longer passes after the tolerance changes is flagged', async () => {
    const h = newHost();
    await h.file.openExample();
    const fit = await h.fit.fitPixel({ pixel: 0, seed: true });
    expect(fit.good).toBe(true);
    expect(fit.statistics.redChisq).toBe(fit.redChisq);
    expect(Number.isFinite(fit.statistics.aicc)).toBe(true);
    expect((await h.fit.status()).failingSeeds).toEqual([]);
    await h.fit.updateSettings({ goodness: { kind: 'redChisq', tolerance: 1e-6 } });
    expect((await h.fit.status()).failingSeeds).toEqual([0]);
  });
});
