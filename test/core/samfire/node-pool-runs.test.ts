/**
 * SAMFire on the domain reference with real Node worker threads: the same
 * settings as domain.test.ts (HyperSpy's), with 1 and 2 workers. Maps must be
 * identical for the same random seed whatever the number of workers
 * (in-process included), accurate against the truth, and a worker killed in
 * the middle of a run must cost nothing.
 */
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { domainExampleModel, Samfire } from '@samfire/core';
import type { Model, RedChisqStrategy } from '@samfire/core';
import { NodeWorkerPool } from '@samfire/core/node';
import { domainSignal, domainTruth, domainMaps } from '../../helpers/reference.js';

const signal = domainSignal();
const truth = domainTruth();
const N = signal.navigationSize;

function seededModel(): Model {
  const model = domainExampleModel(signal);
  model.component('l2').activeIsMultidimensional = true;
  model.fit([0, 0]);
  return model;
}

function engine(model: Model, workers: number, pool?: NodeWorkerPool): Samfire {
  const s = new Samfire(model, { workers, randomSeed: 11, ...(pool ? { pool } : {}) });
  s.remove(1);
  (s.strategies.at(0) as RedChisqStrategy).radii = 1;
  s.optionalComponents = ['l2'];
  return s;
}

async function run(workers: number): Promise<{ model: Model; samfire: Samfire }> {
  const model = seededModel();
  const pool = workers > 0 ? new NodeWorkerPool({ workers, kind: 'thread' }) : undefined;
  const samfire = engine(model, workers, pool);
  try {
    await samfire.start({ bounded: true });
  } finally {
    await samfire.close();
  }
  return { model, samfire };
}

describe('SAMFire with Node worker threads on the domain reference', () => {
  it('gives identical maps with 0, 1 and 2 workers for the same random seed', async () => {
    const [zero, one, two] = [await run(0), await run(1), await run(2)];
    expect(one.samfire.pixelsDone).toBeGreaterThanOrEqual(N - 2);
    expect(domainMaps(one.model)).toEqual(domainMaps(zero.model));
    expect(domainMaps(two.model)).toEqual(domainMaps(one.model));
  });

  it('fits accurately with 2 workers: l2 off exactly where absent, parameters within 10% of the truth', async () => {
    const { model, samfire } = await run(2);
    const marker = samfire.metadata.marker;
    const l2 = model.component('l2').activeMap!;
    const present = truth.l2_present.flat();
    let within = 0;
    let fitted = 0;
    for (let i = 0; i < N; i++) {
      if (marker[i]! > -1) continue;
      fitted++;
      expect(l2[i], `pixel ${i}`).toBe(present[i] ? 1 : 0);
      const ok = ['g', 'l1'].every((c) =>
        Object.entries((truth as unknown as Record<string, Record<string, number[][]>>)[c]!).every(
          ([p, m]) => {
            const t = m.flat()[i]!;
            return Math.abs(model.parameter(`${c}.${p}`).map.values[i]! - t) <= 0.1 * Math.abs(t);
          },
        ),
      );
      if (ok) within++;
    }
    expect(fitted).toBeGreaterThanOrEqual(N - 2);
    expect(within / fitted).toBeGreaterThanOrEqual(0.95);
  });

  it('completes with no pixel lost when a worker is killed mid-run, and reports the fault', async () => {
    const reference = await run(2);
    const model = seededModel();
    const pool = new NodeWorkerPool({ workers: 2, kind: 'thread' });
    const samfire = engine(model, 2, pool);
    const errors: string[] = [];
    samfire.on('error', (e) => errors.push(e.message));
    let killed = false;
    samfire.on('pixelDone', () => {
      if (killed || samfire.count < 20) return;
      killed = true;
      void (pool.workers[0] as Worker).terminate();
    });
    try {
      await samfire.start({ bounded: true });
    } finally {
      await samfire.close();
    }
    expect(killed).toBe(true);
    expect(errors.length).toBeGreaterThan(0);
    expect(samfire.pixelsDone).toBe(reference.samfire.pixelsDone);
    expect(domainMaps(model)).toEqual(domainMaps(reference.model));
  });
});
