/**
 * The real fit worker (fit-worker.ts with the SAMFire kernel) on the domain
 * example: the seed pixel (0, 0) is fitted by hand with Model.fit, its values
 * are the start for its neighbours, and every worker host must return exactly
 * what the kernel returns in-process.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  domainExampleModel,
  makeDomainExample,
  RED_CHISQ_TEST,
  createKernel,
  workerInit,
  isFromWorker,
} from '@samfire/core';
import type { PoolJob, PixelResult, PixelStart, WorkerInit } from '@samfire/core';
import { NodeWorkerPool, fitWorkerScript } from '@samfire/core/node';
import type { WorkerKind } from '@samfire/core/node';
import { electronShim, launchProcess, Recorder } from '../helpers.js';

/** (0, 1), (1, 0) and (1, 1) of the 7 x 15 map, plus (2, 2). */
const NEIGHBOURS = [1, 15, 16, 32];

let init: WorkerInit;
let start: PixelStart;
const expected = new Map<number, PixelResult>();

beforeAll(() => {
  const { signal } = makeDomainExample();
  const model = domainExampleModel(signal);
  const seed = model.fit(0);
  expect(seed.converged).toBe(true);
  init = workerInit(model, {
    optional: [],
    goodness: { kind: RED_CHISQ_TEST, tolerance: 1 },
    fit: {},
  });
  start = {
    components: model.components.map((c) => ({
      slots: c.parameters.flatMap((p) => Array.from(p.current, (v) => [v])),
    })),
  };
  const kernel = createKernel(init);
  for (const pixel of NEIGHBOURS) expected.set(pixel, kernel.fit(pixel, start));
});

function expectSameAsInProcess(pixel: number, got: PixelResult | undefined): void {
  const want = expected.get(pixel)!;
  expect(want.good).toBe(true);
  expect(got?.pixel).toBe(pixel);
  expect(got?.good).toBe(true);
  expect(got?.values).toEqual(want.values);
  expect(got?.std).toEqual(want.std);
  expect(got?.redChisq).toBe(want.redChisq);
}

const setups: [number, WorkerKind][] = [
  [1, 'thread'],
  [2, 'thread'],
  [2, 'process'],
];

describe('real fits through the pool', () => {
  it.each(setups)(
    '%i %s worker(s) fit the seed’s neighbours as the in-process kernel does',
    async (workers, kind) => {
      const pool = new NodeWorkerPool({ workers, kind });
      try {
        const events = new Recorder();
        await pool.init(init, events);
        const jobs: PoolJob[] = NEIGHBOURS.map((pixel, i) => ({ job: i, pixel, start }));
        pool.submit(jobs);
        await events.until(jobs.length, 30_000);
        expect(events.errors).toEqual([]);
        expect(events.faults).toEqual([]);
        for (const job of jobs) expectSameAsInProcess(job.pixel, events.results.get(job.job)?.[0]);
      } finally {
        await pool.close();
      }
    },
  );

  it('fits in the real entry behind an Electron-style process.parentPort', async () => {
    const worker = launchProcess(electronShim, [fileURLToPath(fitWorkerScript().url)]);
    try {
      worker.send({ type: 'init', init });
      worker.send({ type: 'fit', job: 1, pixel: 16, start });
      const [ready, result] = await worker.next(2);
      expect(ready).toEqual({ type: 'ready' });
      if (!isFromWorker(result) || result.type !== 'result')
        throw new Error(`expected a result, got ${JSON.stringify(result)}`);
      expectSameAsInProcess(16, result.result);
      worker.send({ type: 'stop' });
      expect(await worker.exited).toBe(0);
    } finally {
      worker.kill();
    }
  });
});
