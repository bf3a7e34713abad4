/**
 * The scheduler alone, on a marker and a hand-driven pool: largest marker
 * first, results applied in pick order whatever order they arrive in, and a
 * stop that keeps the unapplied jobs for the next run.
 */
import { describe, expect, it } from 'vitest';
import type { PixelResult, PoolEvents, PoolJob, Strategy, WorkerPool } from '@samfire/core';
import { SamfireRandom } from '../../../core/src/samfire/random.js';
import { Scheduler, type SchedulerHost } from '../../../core/src/samfire/scheduler.js';

/** A pool that answers only when told, in the order the test chooses. */
class HandPool implements WorkerPool {
  readonly size = 2;
  readonly capacity = 2;
  events: PoolEvents | null = null;
  queued: PoolJob[] = [];

  get inFlight(): number {
    return this.queued.length;
  }
  async init(_init: unknown, events: PoolEvents): Promise<void> {
    this.events = events;
  }
  submit(jobs: readonly PoolJob[]): void {
    this.queued.push(...jobs);
  }
  /** Answers the queued job of `pixel`. */
  answer(pixel: number): void {
    const i = this.queued.findIndex((j) => j.pixel === pixel);
    const [job] = this.queued.splice(i, 1);
    this.events!.onResult(job!.job, { pixel } as PixelResult);
  }
  drain(): PoolJob[] {
    return [];
  }
  async close(): Promise<void> {}
}

function setup(marker: Float64Array, window: number) {
  const applied: number[] = [];
  // A strategy that gives empty starts and raises nothing.
  const strategy = { values: () => ({ components: [] }) } as unknown as Strategy;
  const host: SchedulerHost = {
    activeStrategy: () => strategy,
    apply: (pixel) => {
      applied.push(pixel);
      scheduler.answered(pixel);
      marker[pixel] = -1;
    },
    strategyEnded: () => true,
    log: () => undefined,
    error: (e) => {
      throw new Error(e.message);
    },
  };
  const scheduler = new Scheduler(marker, new SamfireRandom(1), host, {
    order: 'pick',
    window,
    stopTimeout: 0,
    now: () => 0,
  });
  return { scheduler, applied };
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('Scheduler', () => {
  it('picks the largest marker first and marks the pixel running', () => {
    const marker = Float64Array.of(1, 5, 3, 0, -1);
    const { scheduler } = setup(marker, 2);
    expect(scheduler.pick(2).map((j) => j.pixel)).toEqual([1, 2]);
    expect(Array.from(marker)).toEqual([1, 0, 0, 0, -1]);
    expect([...scheduler.runningSet]).toEqual([1, 2]);
    scheduler.discardPending();
    expect(Array.from(marker)).toEqual([1, 5, 3, 0, -1]);
    expect(scheduler.runningSet.size).toBe(0);
  });

  it('applies results in pick order when they arrive out of it', async () => {
    const marker = Float64Array.of(4, 3, 2, 1);
    const { scheduler, applied } = setup(marker, 2);
    const pool = new HandPool();
    await scheduler.init(pool, {} as never);
    scheduler.state = 'running';
    const run = scheduler.run(pool);
    await tick();
    expect(pool.queued.map((j) => j.pixel)).toEqual([0, 1]);
    pool.answer(1);
    await tick();
    expect(applied).toEqual([]); // pixel 0 is not answered yet
    pool.answer(0);
    await tick();
    expect(applied).toEqual([0, 1]);
    pool.answer(3);
    pool.answer(2);
    expect(await run).toBe(true);
    expect(applied).toEqual([0, 1, 2, 3]);
  });

  it('keeps the unapplied jobs (and answers) on a stop and hands the unanswered out again first', async () => {
    const marker = Float64Array.of(4, 3, 2);
    const { scheduler, applied } = setup(marker, 2);
    const pool = new HandPool();
    await scheduler.init(pool, {} as never);
    scheduler.state = 'running';
    const run = scheduler.run(pool);
    await tick();
    pool.answer(1);
    scheduler.requestStop();
    expect(await run).toBe(false);
    expect(applied).toEqual([]);
    expect(scheduler.pending.entries().map((e) => e.pixel)).toEqual([0, 1]);

    const next = new HandPool();
    await scheduler.init(next, {} as never);
    scheduler.state = 'running';
    const again = scheduler.run(next);
    await tick();
    // Pixel 1's answer came before the stop: kept, not fitted again.
    expect(next.queued.map((j) => j.pixel)).toEqual([0]);
    next.answer(0);
    await tick();
    expect(applied).toEqual([0, 1]);
    next.answer(2);
    expect(await again).toBe(true);
    expect(applied).toEqual([0, 1, 2]);
  });
});
