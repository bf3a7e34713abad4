/**
 * The cluster pool against a real nats-server (JetStream, file storage in a
 * temporary folder) on 127.0.0.1, with real `samfire worker` processes:
 * the maps equal a local run's with the same seed, and stay equal when a
 * worker is SIGKILLed mid-run, when the server restarts mid-run and when a
 * worker joins mid-run; wrong credentials fail fast and clearly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { domainExampleModel, InProcessPool, makeDomainExample, Samfire } from '@samfire/core';
import type {
  Model,
  PoolEvents,
  PoolJob,
  RedChisqStrategy,
  WorkerInit,
  WorkerPool,
} from '@samfire/core';
import {
  NatsPool,
  NatsWorker,
  startNatsServer,
  TYPESCRIPT_EXEC_ARGV,
  type LocalNats,
} from '@samfire/core/node';
import { domainMaps } from '../../../../helpers/reference.js';

const clients: NatsConnection[] = [];
/** A plain client of the test's own, to read the server's view of the consumers. */
async function natsClient(url: string): Promise<NatsConnection> {
  const nc = await connect({ servers: url });
  clients.push(nc);
  return nc;
}

const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const CLI = join(ROOT, 'core/src/cli/samfire.ts');
const dir = mkdtempSync(join(tmpdir(), 'samfire-nats-test-'));
const children: ChildProcess[] = [];
const servers: LocalNats[] = [];
let server: LocalNats;

const { signal } = makeDomainExample({ rows: 24, cols: 24, channels: 256 });
const SEED = 5;
const WORKERS = 3;

function seeded(): Model {
  const model = domainExampleModel(signal);
  model.component('l2').activeIsMultidimensional = true;
  model.fit([0, 0]);
  return model;
}

function engine(model: Model, pool?: WorkerPool): Samfire {
  const s = new Samfire(model, { workers: WORKERS, randomSeed: SEED, ...(pool ? { pool } : {}) });
  s.remove(1);
  (s.strategies.at(0) as RedChisqStrategy).radii = 1;
  s.optionalComponents = ['l2'];
  return s;
}

let reference: { maps: Record<string, number[]>; done: number };

interface Worker {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
}

function worker(url: string, name: string, ...extra: string[]): Worker {
  const child = spawn(
    process.execPath,
    [
      ...TYPESCRIPT_EXEC_ARGV,
      CLI,
      'worker',
      '--nats',
      url,
      '--concurrency',
      '1',
      '--name',
      name,
      ...extra,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, exited, output: () => output };
}

async function stopWorkers(workers: Worker[]): Promise<void> {
  for (const w of workers)
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
}

/** A run on the cluster pool; `during` is called after each applied result. */
async function clusterRun(
  pool: NatsPool,
  during?: (count: number, samfire: Samfire) => void,
  faults: string[] = [],
): Promise<{ maps: Record<string, number[]>; done: number; faults: string[] }> {
  const model = seeded();
  const samfire = engine(model, pool);
  samfire.on('error', (e) => faults.push(e.message));
  let count = 0;
  if (during) samfire.on('pixelDone', () => during(++count, samfire));
  try {
    await samfire.start({ bounded: true });
  } finally {
    await samfire.close();
  }
  return { maps: domainMaps(model), done: samfire.pixelsDone, faults };
}

beforeAll(async () => {
  server = await startNatsServer({ storeDir: join(dir, 'js') });
  servers.push(server);
  const model = seeded();
  const local = engine(model);
  await local.start({ bounded: true });
  await local.close();
  reference = { maps: domainMaps(model), done: local.pixelsDone };
}, 120_000);

afterAll(async () => {
  for (const nc of clients) await nc.close();
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('NatsPool with samfire worker processes', () => {
  it('gives the same maps on three workers as a local run with the same seed', async () => {
    expect(reference.done).toBeGreaterThan(signal.navigationSize * 0.9);
    const workers = [1, 2, 3].map((i) => worker(server.url, `w${i}`));
    const pool = new NatsPool({ url: server.url, minWorkers: 3 });
    const run = await clusterRun(pool);
    const status = pool.cluster;
    await stopWorkers(workers);
    expect(run.done).toBe(reference.done);
    expect(run.maps).toEqual(reference.maps);
    expect(run.faults).toEqual([]);
    expect(status.workers.filter((w) => w.name.startsWith('w')).length).toBe(3);
    // Clean exits: SIGTERM ends each worker with 0 after its goodbye.
    for (const w of workers) {
      expect(await w.exited).toBe(0);
      expect(w.output()).toMatch(/stopped \(\d+ pixels fitted\)/);
    }
  }, 180_000);

  it(
    'redelivers the jobs of a worker SIGKILLed mid-run: no pixel lost, the fault reported',
    { timeout: 240_000 },
    async () => {
      // k1 alone takes the first jobs. Mid-run it is frozen (SIGSTOP), so what it
      // holds stays held whatever the load: the run cannot go on until k2 and k3
      // start, which they do only once the pool has reported k1's silence and the
      // server shows k1 holding unacknowledged job messages. Then k1 is SIGKILLed.
      const k1 = worker(server.url, 'k1', '--max-in-flight', '8');
      const pool = new NatsPool({
        url: server.url,
        minWorkers: 1,
        ackWaitMs: 4000,
        workerTimeoutMs: 2500,
      });
      const faults: string[] = [];
      let later: Worker[] = [];
      let held = 0;
      let attempts = 0;
      let killed: Promise<void> | null = null;
      let redelivered = 0;
      // Every wait is bounded: a report that never comes fails the test, saying which.
      const until = async (
        waitingFor: string,
        what: () => boolean | Promise<boolean>,
        ms = 30_000,
      ): Promise<void> => {
        const deadline = Date.now() + ms;
        while (!(await what())) {
          if (Date.now() > deadline)
            throw new Error(
              `waited ${ms} ms for ${waitingFor}; faults so far: ${faults.join(' | ')}`,
            );
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      const heldByK1 = async (): Promise<number> => {
        const jsm = await jetstreamManager(await natsClient(server.url));
        const info = await jsm.consumers.info(`SAMFIRE_${pool.cluster.run}`, 'workers');
        return info.num_ack_pending;
      };
      const freezeAndKill = async (): Promise<void> => {
        // Whatever happens here, k1 goes and k2, k3 come, so the run can end and the
        // test reports what went wrong instead of timing out.
        try {
          for (;;) {
            attempts++;
            const silentBefore = faults.filter((f) => /k1 .*went silent/.test(f)).length;
            k1.child.kill('SIGSTOP');
            // Reported while the run waits: nobody else can answer k1's jobs.
            await until(
              "the pool's report that k1 went silent",
              () => faults.filter((f) => /k1 .*went silent/.test(f)).length > silentBefore,
            );
            // 2.5 s after k1 froze, every acknowledgement it sent has reached the server.
            held = await heldByK1();
            if (held > 0 || attempts >= 5) break;
            // It held nothing at that moment (all answered): let it go on, try again.
            k1.child.kill('SIGCONT');
            await until('k1 back after SIGCONT', () =>
              pool.cluster.workers.some((w) => w.name === 'k1' && w.state !== 'lost'),
            );
            await new Promise((r) => setTimeout(r, 300));
          }
        } finally {
          k1.child.kill('SIGKILL');
          await k1.exited;
          later = [2, 3].map((i) => worker(server.url, `k${i}`));
        }
      };
      const run = await clusterRun(
        pool,
        (count) => {
          if (count === 40) killed = freezeAndKill();
          redelivered = pool.cluster.redelivered;
        },
        faults,
      );
      await killed;
      await stopWorkers(later);
      expect(killed).not.toBeNull();
      expect(held, `k1 held job messages when killed (attempt ${attempts})`).toBeGreaterThan(0);
      expect(run.done).toBe(reference.done);
      expect(run.maps).toEqual(reference.maps);
      // Both reports came while the run was still going: k1's silence (the
      // run waited for it) and the redelivery of what it held (reported before
      // the redelivered jobs' answers are applied, so before the run could end).
      expect(faults.some((f) => /cluster worker k1 .*went silent/.test(f))).toBe(true);
      expect(faults.some((f) => /job message \d+ .*was delivered again/.test(f))).toBe(true);
      expect(redelivered).toBeGreaterThan(0);
    },
  );

  it('finishes with nothing lost when nats-server restarts mid-run', async () => {
    const store = join(dir, 'restart-js');
    const own = await startNatsServer({ storeDir: store });
    servers.push(own);
    let current = own;
    const workers = [1, 2].map((i) => worker(own.url, `r${i}`));
    const pool = new NatsPool({ url: own.url, minWorkers: 2, ackWaitMs: 3000 });
    let restarted: Promise<void> | null = null;
    const run = await clusterRun(pool, (count) => {
      if (count !== 40) return;
      restarted = (async () => {
        own.process.kill('SIGKILL');
        await own.stop();
        current = await startNatsServer({ storeDir: store, port: own.port });
        servers.push(current);
      })();
    });
    await restarted;
    await stopWorkers(workers);
    expect(restarted).not.toBeNull();
    expect(current).not.toBe(own);
    expect(run.done).toBe(reference.done);
    expect(run.maps).toEqual(reference.maps);
    for (const w of workers) expect(w.output()).toMatch(/reconnected/);
  }, 180_000);
});

/** The kernel in this thread, its results held back `ms` each: a slow host. */
class SlowPool implements WorkerPool {
  readonly size = 0;
  readonly capacity = 1;
  readonly #inner = new InProcessPool();
  #inFlight = 0;
  constructor(readonly ms: number) {}
  get inFlight(): number {
    return this.#inFlight;
  }
  init(init: WorkerInit, events: PoolEvents): Promise<void> {
    const later =
      (f: (...a: never[]) => void) =>
      (...a: never[]): void => {
        setTimeout(() => {
          this.#inFlight--;
          f(...a);
        }, this.ms);
      };
    return this.#inner.init(init, {
      onResult: later(events.onResult as (...a: never[]) => void),
      onJobError: later(events.onJobError as (...a: never[]) => void),
      onFault: events.onFault,
    });
  }
  submit(jobs: readonly PoolJob[]): void {
    this.#inFlight += jobs.length;
    this.#inner.submit(jobs);
  }
  drain(): PoolJob[] {
    const left = this.#inner.drain();
    this.#inFlight -= left.length;
    return left;
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
}

describe('NatsPool with workers joining', () => {
  it('hands work to a worker that joins mid-run', async () => {
    const slow = new NatsWorker({
      url: server.url,
      concurrency: 1,
      name: 'slow',
      maxInFlight: 1,
      createPool: () => new SlowPool(20),
    });
    await slow.start();
    const late = new NatsWorker({ url: server.url, concurrency: 1, name: 'late' });
    const pool = new NatsPool({ url: server.url, minWorkers: 1 });
    let joined: Promise<void> | null = null;
    const run = await clusterRun(pool, (count) => {
      if (count === 20) joined = late.start();
    });
    await joined;
    await Promise.all([slow.stop(), late.stop()]);
    expect(joined).not.toBeNull();
    expect(late.pixels).toBeGreaterThan(0);
    expect(run.done).toBe(reference.done);
    expect(run.maps).toEqual(reference.maps);
  }, 180_000);
});

describe('NATS authentication', () => {
  it('fails fast with a clear error on wrong credentials, for the engine and for a worker', async () => {
    const secured = await startNatsServer({
      storeDir: join(dir, 'auth-js'),
      args: ['--user', 'lab', '--pass', 'right-secret'],
    });
    servers.push(secured);
    const t0 = Date.now();
    const pool = new NatsPool({ url: secured.url, user: 'lab', pass: 'wrong' });
    await expect(
      pool.init({} as WorkerInit, { onResult() {}, onJobError() {}, onFault() {} }),
    ).rejects.toThrow(/refused the login.*check user 'lab' and its password/);
    const anonymous = new NatsPool({ url: secured.url });
    await expect(
      anonymous.init({} as WorkerInit, { onResult() {}, onJobError() {}, onFault() {} }),
    ).rejects.toThrow(/refused the login.*no credentials/);
    expect(Date.now() - t0).toBeLessThan(30_000);
    const w = worker(secured.url, 'bad', '--nats-user', 'lab', '--nats-password', 'nope');
    expect(await w.exited).toBe(1);
    expect(w.output()).toMatch(/refused the login.*check user 'lab'/);
    // The right password gets in.
    const good = new NatsWorker({
      url: secured.url,
      user: 'lab',
      pass: 'right-secret',
      concurrency: 1,
      name: 'good',
    });
    await good.start();
    await good.stop();
  }, 120_000);
});
