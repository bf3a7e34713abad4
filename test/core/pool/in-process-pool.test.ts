/**
 * The in-process pool (workers: 0): answers come asynchronously in slices,
 * queued jobs can be drained (stop), and kernel errors become job errors.
 * (Lives with the SAMFire tests: test/core/pool/ belongs to the Node pool.)
 */
import { describe, expect, it } from 'vitest';
import { InProcessPool } from '@samfire/core';
import type { PoolEvents, PixelResult, WorkerInit } from '@samfire/core';
import { result } from '../samfire/fixtures.js';

const INIT = {} as WorkerInit;

function recorder(): PoolEvents & { results: number[]; errors: string[] } {
  const rec = {
    results: [] as number[],
    errors: [] as string[],
    onResult: (job: number) => rec.results.push(job),
    onJobError: (job: number, pixel: number, message: string) =>
      rec.errors.push(`${job}/${pixel}: ${message}`),
    onFault: (message: string) => rec.errors.push(message),
  };
  return rec;
}

function fakeKernel(ms = 0) {
  return () => ({
    fit(pixel: number): PixelResult {
      if (pixel < 0) throw new Error(`pixel ${pixel}: bad`);
      const t = Date.now();
      while (Date.now() - t < ms) {
        // busy: a slow pixel
      }
      return result(pixel, [0]);
    },
  });
}

const jobs = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ job: i + 1, pixel: i, start: { components: [] } }));

describe('in-process pool', () => {
  it('answers every job asynchronously, in order', async () => {
    const pool = new InProcessPool({ createKernel: fakeKernel() });
    const events = recorder();
    await pool.init(INIT, events);
    expect(pool.size).toBe(0);
    pool.submit(jobs(5));
    expect(events.results).toEqual([]);
    expect(pool.inFlight).toBe(5);
    while (pool.inFlight > 0) await new Promise((r) => setTimeout(r, 1));
    expect(events.results).toEqual([1, 2, 3, 4, 5]);
  });

  it('yields between slices so queued jobs can be drained', async () => {
    const pool = new InProcessPool({ createKernel: fakeKernel(3), sliceMs: 5 });
    const events = recorder();
    await pool.init(INIT, events);
    pool.submit(jobs(50));
    await new Promise((r) => setTimeout(r, 15));
    const left = pool.drain();
    expect(events.results.length).toBeGreaterThan(0);
    expect(events.results.length + left.length).toBe(50);
    expect(left[0]!.job).toBe(events.results.length + 1);
    expect(pool.inFlight).toBe(0);
  });

  it('reports kernel errors as job errors', async () => {
    const pool = new InProcessPool({ createKernel: fakeKernel() });
    const events = recorder();
    await pool.init(INIT, events);
    pool.submit([{ job: 9, pixel: -3, start: { components: [] } }]);
    await new Promise((r) => setTimeout(r, 5));
    expect(events.errors).toEqual(['9/-3: pixel -3: bad']);
  });

  it('refuses jobs before init and after close', async () => {
    const pool = new InProcessPool({ createKernel: fakeKernel() });
    expect(() => pool.submit(jobs(1))).toThrow(/before init/);
    await pool.init(INIT, recorder());
    await pool.close();
    expect(() => pool.submit(jobs(1))).toThrow(/before init \(or after close\)/);
    expect(() => new InProcessPool({ capacity: 0 })).toThrow(
      /capacity must be a whole number >= 1/,
    );
  });
});
