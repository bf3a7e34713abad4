/**
 * NodeWorkerPool with the fake kernel (fixtures/fake-kernel.ts): queueing,
 * shared data, job errors, and the fault paths: a worker killed from
 * outside, a hang, a pixel that crashes every worker, a failed init.
 * Every test closes its pool, and checks that no worker outlives it.
 */
import { rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeWorkerPool } from '@samfire/core/node';
import type { NodeWorkerPoolOptions, WorkerKind } from '@samfire/core/node';
import {
  command,
  CRASH,
  FIT,
  HANG_ONCE,
  markerPath,
  SLEEP,
  THROW,
} from '../fixtures/fake-kernel.js';
import { fakeWorker, jobs, Recorder, tinyInit } from '../helpers.js';

const pools: NodeWorkerPool[] = [];

function pool(options: Omit<NodeWorkerPoolOptions, 'script'>): NodeWorkerPool {
  const p = new NodeWorkerPool({ script: fakeWorker, ...options });
  pools.push(p);
  return p;
}

function isGone(raw: Worker | ChildProcess): boolean {
  return raw instanceof Worker
    ? raw.threadId === -1
    : raw.exitCode !== null || raw.signalCode !== null;
}

/** Closes the pool and checks every worker it ever showed us is gone. */
async function closeAndCheck(
  p: NodeWorkerPool,
  seen: (Worker | ChildProcess)[] = [],
): Promise<void> {
  const all = [...seen, ...p.workers];
  await p.close();
  // A worker killed earlier (hung or crashed) finishes exiting on its own
  // schedule; on a loaded machine that can trail close() by a moment.
  const deadline = Date.now() + 5000;
  while (!all.every(isGone) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(all.every(isGone)).toBe(true);
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

/** Each job answered exactly once, with the values of its own pixel. */
function expectEachOnce(events: Recorder, submitted: ReturnType<typeof jobs>): void {
  for (const job of submitted) {
    const got = events.results.get(job.job) ?? [];
    expect(got, `job ${job.job}`).toHaveLength(1);
    expect(Array.from(got[0]!.values)).toEqual([job.pixel, 10 * job.pixel]);
  }
}

const kinds: WorkerKind[] = ['thread', 'process'];

describe('NodeWorkerPool', () => {
  it('keeps 2 thread workers fed and shares the spectra with them', async () => {
    const p = pool({ workers: 2, kind: 'thread', queuePerWorker: 2 });
    expect(p.capacity).toBe(4);
    const events = new Recorder();
    await p.init(tinyInit(12), events);
    const submitted = jobs([...Array(12).keys()]);
    p.submit(submitted);
    expect(p.inFlight).toBe(12);
    await events.until(12);
    expectEachOnce(events, submitted);
    expect([...events.results.values()].every(([r]) => r?.status === 'shared')).toBe(true);
    expect(p.inFlight).toBe(0);
    expect(events.faults).toEqual([]);
    await closeAndCheck(p);
  });

  it('runs child processes (data copied over IPC) and passes kernel errors on as job errors', async () => {
    const p = pool({ workers: 1, kind: 'process' });
    const events = new Recorder();
    await p.init(tinyInit(4), events);
    p.submit(jobs([0, 1, 2, 3], (pixel) => command(pixel === 2 ? THROW : FIT)));
    await events.until(4);
    expect(events.results.get(1001)?.[0]?.status).toBe('copied');
    expect(events.errors).toEqual([
      { job: 1002, pixel: 2, message: 'pixel 2: fake kernel: bad data here' },
    ]);
    expect(events.faults).toEqual([]);
    await closeAndCheck(p);
  });

  it.each(kinds)('replaces a %s worker killed mid-run and resubmits its jobs', async (kind) => {
    const p = pool({ workers: 2, kind, queuePerWorker: 2 });
    const events = new Recorder();
    await p.init(tinyInit(16), events);
    const submitted = jobs([...Array(16).keys()], () => command(SLEEP, 30));
    p.submit(submitted);
    await events.until(2);
    const victim = p.workers[0]!;
    if (victim instanceof Worker) void victim.terminate();
    else process.kill(victim.pid!, 'SIGKILL');
    await events.until(16);
    // Nothing late or duplicated may follow.
    await new Promise((r) => setTimeout(r, 100));
    expectEachOnce(events, submitted);
    expect(events.errors).toEqual([]);
    expect(events.faults).toHaveLength(1);
    expect(events.faults[0]).toMatch(
      /^worker 0 \(.+\) (exited with code 1|was killed by SIGKILL) unexpectedly; replaced it/,
    );
    expect(p.workers).toHaveLength(2);
    expect(p.workers.includes(victim)).toBe(false);
    await closeAndCheck(p, [victim]);
  });

  it.each(kinds)(
    'kills a hung %s worker after the timeout and refits its pixel elsewhere',
    async (kind) => {
      const token = Math.floor(Math.random() * 1e9);
      try {
        const p = pool({ workers: 2, kind, timeoutMs: 800 });
        const events = new Recorder();
        await p.init(tinyInit(8), events);
        const seen = p.workers;
        const submitted = jobs([...Array(8).keys()], (pixel) =>
          command(pixel === 3 ? HANG_ONCE : FIT, token),
        );
        p.submit(submitted);
        await events.until(8);
        expectEachOnce(events, submitted);
        expect(events.faults).toHaveLength(1);
        expect(events.faults[0]).toMatch(
          /spent more than 800 ms on pixel 3 without answering; replaced it and resubmitted pixel\(s\) 3/,
        );
        await closeAndCheck(p, seen);
      } finally {
        rmSync(markerPath(token), { force: true });
      }
    },
  );

  it('gives up on a pixel that takes down its worker twice, and fits the rest', async () => {
    const p = pool({ workers: 2, kind: 'thread' });
    const events = new Recorder();
    await p.init(tinyInit(6), events);
    const submitted = jobs([0, 1, 2, 3, 4, 5], (pixel) => command(pixel === 4 ? CRASH : FIT));
    p.submit(submitted);
    await events.until(6);
    expect(events.errors).toEqual([
      {
        job: 1004,
        pixel: 4,
        message: expect.stringMatching(/^pixel 4: its worker exited with code 3/),
      },
    ]);
    expectEachOnce(
      events,
      submitted.filter((j) => j.pixel !== 4),
    );
    expect(events.faults).toHaveLength(2);
    expect(events.faults[1]).toMatch(/pixel 4 took down its worker 2 times and is given up/);
    await closeAndCheck(p);
  });

  it('answers every job with an error when the last worker cannot be replaced', async () => {
    const token = Math.floor(Math.random() * 1e9);
    try {
      const p = pool({ workers: 1, kind: 'thread' });
      const events = new Recorder();
      await p.init(tinyInit(4, `refuse-restart:${token}`), events);
      p.submit(jobs([0, 1, 2, 3], (pixel) => command(pixel === 0 ? CRASH : FIT)));
      await events.until(4);
      expect(events.results.size).toBe(0);
      expect(events.errors.map((e) => e.pixel).sort()).toEqual([0, 1, 2, 3]);
      expect(events.errors[0]?.message).toMatch(/no fit worker left/);
      expect(events.faults).toHaveLength(2);
      expect(events.faults[1]).toMatch(
        /refusing to restart while restarting; not replaced, 0 worker\(s\) left/,
      );
      expect(p.workers).toEqual([]);
      expect(() => p.submit(jobs([1]))).not.toThrow();
      await events.until(5);
    } finally {
      rmSync(markerPath(token), { force: true });
    }
  });

  it('fails init when a worker cannot build its kernel, leaving no worker behind', async () => {
    const p = pool({ workers: 2, kind: 'thread' });
    await expect(p.init(tinyInit(2, 'refuse'), new Recorder())).rejects.toThrow(
      /reported: worker init failed: fake kernel: refusing to start/,
    );
    expect(p.workers).toEqual([]);
    expect(() => p.submit(jobs([0]))).toThrow(/submit before init/);
  });

  it('drains queued jobs not yet sent, and closes with jobs in flight', async () => {
    const p = pool({ workers: 1, kind: 'thread', queuePerWorker: 2 });
    const events = new Recorder();
    await p.init(tinyInit(10), events);
    const seen = p.workers;
    p.submit(jobs([...Array(10).keys()], () => command(SLEEP, 50)));
    const drained = p.drain();
    expect(drained.map((j) => j.pixel)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(p.inFlight).toBe(2);
    await closeAndCheck(p, seen);
    expect(() => p.submit(drained)).toThrow(/after close/);
  });
});
