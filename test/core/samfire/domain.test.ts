/**
 * End to end on the domain-structured reference case of HyperSpy's own
 * SAMFire tests (../shared/data/reference/domain-7x15x400): seed pixel (0, 0)
 * fitted by hand, local strategy only, radii 1, l2 optional, bounded fits,
 * reduced chi-squared tolerance 1 (HyperSpy's settings for its result in
 * hyperspy_maps.json).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { domainExampleModel, Samfire, modelFromState } from '@samfire/core';
import type {
  Model,
  WorkerPool,
  SamfireBackup,
  SamfireOptions,
  RedChisqStrategy,
} from '@samfire/core';
import {
  DOMAIN_DIR,
  domainSignal,
  domainTruth,
  DOMAIN_PARAMETERS,
  domainMaps,
} from '../../helpers/reference.js';
import { ScrambledPool } from './scrambled-pool.js';

const signal = domainSignal();
const truth = domainTruth();
const hyperspy = JSON.parse(readFileSync(`${DOMAIN_DIR}hyperspy_maps.json`, 'utf8')) as Record<
  string,
  number[][]
>;
const [ROWS, COLS] = signal.navigationShape as [number, number];
const N = ROWS * COLS;

function truthMap(name: string): number[] {
  const [c, p] = name.split('.') as ['g' | 'l1' | 'l2', string];
  return (truth[c] as Record<string, number[][]>)[p]!.flat();
}

const l2Present = truth.l2_present.flat();

function seededModel(): Model {
  const model = domainExampleModel(signal);
  model.component('l2').activeIsMultidimensional = true;
  model.fit([0, 0]);
  return model;
}

function engine(model: Model, options: SamfireOptions = {}): Samfire {
  const s = new Samfire(model, { workers: 0, randomSeed: 7, ...options });
  s.remove(1);
  (s.strategies.at(0) as RedChisqStrategy).radii = 1;
  s.optionalComponents = ['l2'];
  return s;
}

async function run(options: SamfireOptions = {}): Promise<{ model: Model; samfire: Samfire }> {
  const model = seededModel();
  const samfire = engine(model, options);
  await samfire.start({ bounded: true });
  return { model, samfire };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

describe('SAMFire on the domain reference case (workers: 0)', async () => {
  const { model, samfire } = await run();
  const marker = samfire.metadata.marker;
  const fitted = Array.from({ length: N }, (_, i) => marker[i]! <= -1);

  it('leaves at most 2 of 105 pixels unfitted', () => {
    expect(fitted.filter((f) => !f).length).toBeLessThanOrEqual(2);
    expect(samfire.pixelsDone).toBe(fitted.filter((f) => f).length);
    expect(samfire.pixelsLeft).toBe(0);
  });

  it.each(DOMAIN_PARAMETERS)(
    'fits %s within 10% of the truth on at least 95% of fitted pixels',
    (name) => {
      const t = truthMap(name);
      const values = model.parameter(name).map.values;
      const pixels = fitted.flatMap((f, i) =>
        f && (!name.startsWith('l2') || l2Present[i]) ? [i] : [],
      );
      const close = pixels.filter((i) => Math.abs(values[i]! - t[i]!) <= 0.1 * Math.abs(t[i]!));
      expect(close.length / pixels.length).toBeGreaterThanOrEqual(0.95);
    },
  );

  it.each(DOMAIN_PARAMETERS)(
    "fits %s with a median relative error at most 1.1 x HyperSpy 1.7.3's",
    (name) => {
      const t = truthMap(name);
      const ours = model.parameter(name).map.values;
      const theirs = hyperspy[name]!.flat();
      const pixels = fitted.flatMap((f, i) =>
        f && (!name.startsWith('l2') || l2Present[i]) ? [i] : [],
      );
      const rel = (v: number, i: number): number => Math.abs(v - t[i]!) / Math.abs(t[i]!);
      const mine = median(pixels.map((i) => rel(ours[i]!, i)));
      const reference = median(pixels.map((i) => rel(theirs[i]!, i)));
      expect(mine).toBeLessThanOrEqual(1.1 * reference);
    },
  );

  it('switches l2 off exactly where it is absent', () => {
    const active = model.component('l2').activeMap!;
    for (let i = 0; i < N; i++)
      if (fitted[i]) expect(active[i], `pixel ${i}`).toBe(l2Present[i] ? 1 : 0);
  });

  it('passes the goodness test at every fitted pixel', () => {
    for (let i = 0; i < N; i++)
      if (fitted[i]) expect(Math.abs(model.redChisq[i]! - 1)).toBeLessThan(1);
  });
});

describe('reproducibility', () => {
  it('gives the same maps whatever the number of workers (results applied in pick order)', async () => {
    const inProcess = domainMaps((await run()).model);
    for (const workers of [2, 3]) {
      const pool: WorkerPool = new ScrambledPool(workers, workers);
      const { model } = await run({ workers, pool });
      expect(domainMaps(model)).toEqual(inProcess);
    }
  });

  it('gives the same maps when stopped and started again as in one run', async () => {
    const whole = domainMaps((await run()).model);
    const model = seededModel();
    const samfire = engine(model);
    const progress: number[] = [];
    samfire.on('pixelDone', () => {
      if (samfire.count === 20 || samfire.count === 61) void samfire.stop();
    });
    samfire.on('stopped', (e) => progress.push(e.count));
    await samfire.start({ bounded: true });
    expect(samfire.running).toBe(false);
    expect(samfire.pixelsDone).toBeLessThan(N);
    await samfire.start();
    await samfire.start();
    expect(progress).toEqual([20, 61]);
    expect(samfire.pixelsDone).toBeGreaterThanOrEqual(N - 2);
    expect(domainMaps(model)).toEqual(whole);
  });

  it('stops within a second and keeps what is stored', async () => {
    const model = seededModel();
    const samfire = engine(model);
    const running = samfire.start({ bounded: true });
    await new Promise((r) => setTimeout(r, 30));
    const t0 = Date.now();
    await samfire.stop();
    await running;
    expect(Date.now() - t0).toBeLessThan(1000);
    const done = samfire.pixelsDone;
    for (let i = 0; i < N; i++)
      if (samfire.metadata.marker[i]! <= -1) expect(Number.isFinite(model.redChisq[i]!)).toBe(true);
    await samfire.start();
    expect(samfire.pixelsDone).toBeGreaterThanOrEqual(Math.max(done, N - 2));
  });

  it('resumes from a backup and completes (with the same maps)', async () => {
    const whole = domainMaps((await run()).model);
    const saved: string[] = [];
    const model = seededModel();
    const samfire = engine(model, {
      writer: (_name, data) => {
        saved.push(JSON.stringify(data));
      },
    });
    samfire.saveEvery = 40;
    samfire.on('pixelDone', () => {
      if (samfire.count === 50) void samfire.stop();
    });
    await samfire.start({ bounded: true });
    await samfire.backup('final.json');
    expect(saved).toHaveLength(2);
    const backup = JSON.parse(saved[0]!) as SamfireBackup;
    expect(backup.engine.count).toBe(40);
    const restoredModel = modelFromState(signal, backup.model);
    const resumed = Samfire.restore(restoredModel, backup, { workers: 0 });
    expect(resumed.count).toBe(40);
    expect(resumed.optionalComponents).toEqual([2]);
    expect(resumed.strategies.length).toBe(1);
    await resumed.start();
    expect(resumed.pixelsDone).toBeGreaterThanOrEqual(N - 2);
    expect(domainMaps(restoredModel)).toEqual(whole);
  });

  it('also completes applying results as they arrive', async () => {
    const { samfire } = await run({ order: 'arrival', workers: 3, pool: new ScrambledPool(3, 9) });
    expect(samfire.pixelsDone).toBeGreaterThanOrEqual(N - 2);
  });
});

describe('events', () => {
  it('reports progress, and finished at the end', async () => {
    const model = seededModel();
    const samfire = engine(model, { progressInterval: 0 });
    const progress: { done: number; left: number; rate: number; eta: number }[] = [];
    const ends: string[] = [];
    samfire.on('progress', (p) => progress.push(p));
    samfire.on('finished', (e) => ends.push(`finished ${e.done}`));
    samfire.on('stopped', () => ends.push('stopped'));
    await samfire.start({ bounded: true });
    expect(ends).toEqual([`finished ${samfire.pixelsDone}`]);
    expect(progress.length).toBeGreaterThan(50);
    const last = progress[progress.length - 1]!;
    expect(last.done).toBe(samfire.pixelsDone);
    expect(last.left).toBe(0);
    expect(last.rate).toBeGreaterThan(0);
    expect(last.eta).toBe(0);
  });

  it('refuses a second start while running', async () => {
    const samfire = engine(seededModel());
    const first = samfire.start({ bounded: true });
    await expect(samfire.start()).rejects.toThrow(/already running/);
    expect(() => samfire.changeStrategy(0)).toThrow(/cannot change strategy while SAMFire runs/);
    expect(() => (samfire.optionalComponents = [])).toThrow(
      /cannot change the optional components while/,
    );
    await first;
  });
});
