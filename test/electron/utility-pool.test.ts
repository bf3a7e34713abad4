/**
 * The host's pool on fitting workers in "utility processes", end to end
 * without the Electron binary: NodeWorkerPool with the host's spawner
 * (core/src/host/node/utility-workers.ts) asks main's broker
 * (electron/main/host/fit-workers.ts) for workers; the stubbed
 * utilityProcess.fork runs the real worker entry in a worker thread behind a
 * stand-in process.parentPort (fixtures/electron-utility.ts), and Node's
 * MessageChannel stands in for MessageChannelMain, so the ports are really
 * transferred and the worker protocol really runs on them.
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MessagePortMain } from 'electron';
import {
  domainExampleModel,
  makeDomainExample,
  RED_CHISQ_TEST,
  createKernel,
  workerInit,
} from '@samfire/core';
import type { PoolJob, PixelResult, PixelStart, WorkerInit } from '@samfire/core';
import type { BrokerNotice } from '@samfire/core/host';
import { utilityWorkerSpawner, NodeWorkerPool, fitWorkerScript } from '@samfire/core/node';
import type { ElectronParentPort, NodeWorkerPoolOptions } from '@samfire/core/node';
import { FitWorkerBroker } from '../../electron/main/host/fit-workers.js';
import { command, FIT, HANG_ONCE, markerPath } from '../core/pool/fixtures/fake-kernel.js';
import { fakeWorker, jobs, Recorder, tinyInit } from '../core/pool/helpers.js';
import { forks } from './fixtures/electron-utility.js';

// Hoisted above the imports: fit-workers.ts gets the stand-in.
vi.mock('electron', () => import('./fixtures/electron-utility.js'));

/**
 * The host's process.parentPort and main's view of the host process, joined
 * in this test process the way Electron joins them over IPC: asynchronously,
 * as structured clones, ports transferred.
 */
function hostLink(script: string): {
  parentPort: ElectronParentPort;
  notices: BrokerNotice[];
  broker: FitWorkerBroker;
} {
  const listeners: ((event: unknown) => void)[] = [];
  const notices: BrokerNotice[] = [];
  const broker = new FitWorkerBroker(
    {
      postMessage: (message: BrokerNotice, transfer: MessagePortMain[] = []) => {
        notices.push(message);
        const data = structuredClone(message);
        setImmediate(() => {
          for (const l of listeners) l({ data, ports: transfer });
        });
      },
    },
    { script },
  );
  const parentPort: ElectronParentPort = {
    postMessage: (message) => {
      const data = structuredClone(message);
      setImmediate(() => broker.receive(data));
    },
    on: (_event, listener) => listeners.push(listener),
  };
  return { parentPort, notices, broker };
}

const REAL_WORKER = fileURLToPath(fitWorkerScript().url);
const FAKE_WORKER = fileURLToPath(fakeWorker.url);
const pools: NodeWorkerPool[] = [];

function pool(
  script: string,
  options: Omit<NodeWorkerPoolOptions, 'kind' | 'spawn'>,
): { pool: NodeWorkerPool; link: ReturnType<typeof hostLink> } {
  const link = hostLink(script);
  // 'process': utility processes share no memory with the host.
  const p = new NodeWorkerPool({
    ...options,
    kind: 'process',
    spawn: utilityWorkerSpawner(link.parentPort),
  });
  pools.push(p);
  return { pool: p, link };
}

/** Closes the pools, and checks that every stand-in utility process has exited. */
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
  const all = Promise.all(forks.splice(0).map((f) => f.exited));
  const late = new Promise<string>((r) => setTimeout(() => r('a worker outlived its pool'), 5000));
  expect(await Promise.race([all.then(() => 'all exited'), late])).toBe('all exited');
});

/** The domain example, its seed fitted by hand, and the in-process kernel's answers. */
const PIXELS = Array.from({ length: 18 }, (_, i) => i + 1);
let init: WorkerInit;
let start: PixelStart;
const expected = new Map<number, PixelResult>();

beforeAll(() => {
  const { signal } = makeDomainExample();
  const model = domainExampleModel(signal);
  expect(model.fit(0).converged).toBe(true);
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
  for (const pixel of PIXELS) expected.set(pixel, kernel.fit(pixel, start));
});

/** Every job answered once, with what the in-process kernel returns for its pixel. */
function expectAllOnce(events: Recorder, submitted: readonly PoolJob[]): void {
  expect(events.errors).toEqual([]);
  for (const job of submitted) {
    const got = events.results.get(job.job) ?? [];
    expect(got, `job ${job.job}`).toHaveLength(1);
    expect(got[0]).toEqual(expected.get(job.pixel));
  }
}

describe('NodeWorkerPool on utility-process workers forked by main', () => {
  it('fits real pixels of the domain example as the in-process kernel does', async () => {
    const { pool: p, link } = pool(REAL_WORKER, { workers: 2 });
    const events = new Recorder();
    await p.init(init, events);
    expect(forks.map((f) => f.script)).toEqual([REAL_WORKER, REAL_WORKER]);
    expect(forks[0]!.options).toMatchObject({ serviceName: 'SAMFire fitting worker' });
    const submitted = PIXELS.map((pixel, i) => ({ job: i, pixel, start }));
    p.submit(submitted);
    await events.until(submitted.length, 30_000);
    expectAllOnce(events, submitted);
    expect(events.faults).toEqual([]);
    // One channel per worker, handed to the host.
    expect(link.notices.filter((n) => n.type === 'fit-worker:port')).toHaveLength(2);
    await p.close();
    // A clean close: each worker exited on 'stop', none had to be killed.
    const exits = link.notices.filter((n) => n.type === 'fit-worker:exit');
    expect(exits.sort((a, b) => a.id - b.id)).toEqual([
      { type: 'fit-worker:exit', id: 1, reason: 'exited with code 0' },
      { type: 'fit-worker:exit', id: 2, reason: 'exited with code 0' },
    ]);
    expect(link.broker.size).toBe(0);
  }, 60_000);

  it('replaces a worker that dies mid-run, and loses no pixel', async () => {
    const { pool: p, link } = pool(REAL_WORKER, { workers: 2 });
    const events = new Recorder();
    await p.init(init, events);
    const submitted = PIXELS.map((pixel, i) => ({ job: i, pixel, start }));
    p.submit(submitted);
    await events.until(3, 30_000);
    // A crash from outside the pool: the utility process ends with code 1.
    void forks[0]!.thread.terminate();
    await events.until(submitted.length, 30_000);
    await new Promise((r) => setTimeout(r, 100)); // nothing late or duplicated may follow
    expectAllOnce(events, submitted);
    expect(events.faults).toHaveLength(1);
    expect(events.faults[0]).toMatch(
      /^worker 0 \(utility process \d+\) exited with code 1 unexpectedly; replaced it/,
    );
    // The replacement is a new utility process, forked by main on the host's request.
    expect(forks).toHaveLength(3);
    expect(link.broker.size).toBe(2);
  }, 60_000);

  it('kills a hung worker through main and refits its pixel elsewhere', async () => {
    const token = Math.floor(Math.random() * 1e9);
    try {
      const { pool: p, link } = pool(FAKE_WORKER, { workers: 2, timeoutMs: 800 });
      const events = new Recorder();
      await p.init(tinyInit(8), events);
      const submitted = jobs([...Array(8).keys()], (pixel) =>
        command(pixel === 3 ? HANG_ONCE : FIT, token),
      );
      p.submit(submitted);
      await events.until(8);
      expect(events.errors).toEqual([]);
      expect([...events.results.keys()].sort()).toEqual(submitted.map((j) => j.job));
      expect(events.faults).toHaveLength(1);
      expect(events.faults[0]).toMatch(/spent more than 800 ms on pixel 3 without answering/);
      // kill = a request to main, which kills the process and reports it.
      await vi.waitFor(() =>
        expect(link.notices).toContainEqual(
          expect.objectContaining({ type: 'fit-worker:exit', reason: 'was killed' }),
        ),
      );
      expect(forks).toHaveLength(3);
    } finally {
      rmSync(markerPath(token), { force: true });
    }
  }, 30_000);
});
