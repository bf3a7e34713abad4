/**
 * The worker side of the cluster pool (`samfire worker --nats URL`): joins
 * the runs coordinators announce, fetches each run's data once from the
 * object store, takes jobs from the run's shared JetStream consumer (at most
 * `maxInFlight` job messages at a time), fits them with the same kernel as
 * local workers, in `concurrency` worker threads (a NodeWorkerPool, which
 * replaces a thread that crashes), and publishes the results to the run's
 * stream before acknowledging the job.
 *
 * A worker runs nothing but the kernel on the model and data it is sent:
 * every message is checked against the worker protocol (guards.ts) first.
 *
 * Drops: the connection reconnects forever; jobs in hand whose
 * acknowledgement is lost come back to some worker and the duplicate answer
 * is dropped by the engine. stop() (SIGTERM) fetches no more, hands back the
 * jobs not yet started (nak: delivered again at once), finishes the ones
 * being fitted, says goodbye and closes.
 */
import { hostname } from 'node:os';
import {
  jetstream,
  type Consumer,
  type ConsumerMessages,
  type JetStreamClient,
  type JsMsg,
} from '@nats-io/jetstream';
import { Objm, type ObjectStore } from '@nats-io/obj';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { describeMessage, isToWorker } from '../../guards.js';
import type { PoolEvents, PoolJob, WorkerPool } from '../../pool.js';
import type { FromWorker } from '../../protocol.js';
import { NodeWorkerPool } from '../thread-pool.js';
import { decodeMessage, encodeMessage } from './codec.js';
import {
  announceSubject,
  checkWorkerName,
  DATA_BUCKET,
  DEFAULT_PREFIX,
  endSubject,
  heartbeatSubject,
  isAnnouncement,
  runSubjects,
  WORKERS_CONSUMER,
  type ResultBatch,
  type RunAnnouncement,
  type RunSubjects,
  type WorkerHeartbeat,
} from './cluster-protocol.js';
import { connectNats, safeUrl, urlList, type NatsConnectSettings } from './connection.js';

export interface NatsWorkerOptions extends NatsConnectSettings {
  /** Kernels (worker threads) fitting at once. */
  concurrency: number;
  /** Shown to the engine; unique in the cluster. @default `<host>-<pid>` */
  name?: string;
  /** @default 'samfire' */
  prefix?: string;
  /** Most job messages held at once (fetched, not yet acknowledged). @default 2 * concurrency */
  maxInFlight?: number;
  /** @default 1000 */
  heartbeatMs?: number;
  /** How long stop() waits for the fits being run. @default 30000 */
  stopGraceMs?: number;
  /** The local pool the kernels run in. @default worker threads */
  createPool?: (concurrency: number) => WorkerPool;
  log?: (line: string) => void;
}

interface Held {
  msg: JsMsg;
  /** Jobs of the message not yet answered. */
  left: number;
  /** Answers being published. */
  publishing: Promise<boolean>[];
  /** Handed back (nak): no ack, answers still published. */
  returned: boolean;
}

interface LocalJob {
  held: Held;
  job: number;
}

interface RunState {
  a: RunAnnouncement;
  subjects: RunSubjects;
  pool: WorkerPool;
  local: Map<number, LocalJob>;
  held: Set<Held>;
  fetching: ConsumerMessages | null;
  ended: boolean;
  working: ReturnType<typeof setInterval>;
}

function text(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class NatsWorker {
  readonly name: string;
  readonly concurrency: number;
  readonly #settings: NatsWorkerOptions;
  readonly #prefix: string;
  readonly #maxInFlight: number;
  readonly #log: (line: string) => void;
  readonly #createPool: (concurrency: number) => WorkerPool;
  #nc: NatsConnection | null = null;
  #js: JetStreamClient | null = null;
  #store: ObjectStore | null = null;
  #subs: Subscription[] = [];
  /** Runs announced recently, by id, with when. */
  readonly #announced = new Map<string, { a: RunAnnouncement; at: number }>();
  readonly #ended = new Set<string>();
  #run: RunState | null = null;
  #stopping = false;
  #state: WorkerHeartbeat['state'] = 'idle';
  #pixels = 0;
  readonly #recent: number[] = [];
  #nextLocal = 1;
  #beat: ReturnType<typeof setInterval> | null = null;
  #wakeLoop: (() => void) | null = null;
  #loop: Promise<void> | null = null;

  constructor(options: NatsWorkerOptions) {
    this.#settings = options;
    this.concurrency = options.concurrency;
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1)
      throw new Error(`--concurrency must be a whole number >= 1, got ${options.concurrency}`);
    this.name = checkWorkerName(
      options.name ?? `${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9_-]/g, '-'),
    );
    this.#prefix = options.prefix ?? DEFAULT_PREFIX;
    this.#maxInFlight = options.maxInFlight ?? 2 * options.concurrency;
    if (!Number.isInteger(this.#maxInFlight) || this.#maxInFlight < 1)
      throw new Error(`--max-in-flight must be a whole number >= 1, got ${this.#maxInFlight}`);
    this.#log = options.log ?? (() => {});
    this.#createPool =
      options.createPool ?? ((n) => new NodeWorkerPool({ workers: n, kind: 'thread' }));
  }

  /** Pixels fitted since start. */
  get pixels(): number {
    return this.#pixels;
  }

  /** Connects (a clear error on a wrong URL or credentials) and starts serving; returns once connected. */
  async start(): Promise<void> {
    const nc = await connectNats(this.#settings, {
      name: `samfire worker ${this.name}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
    });
    this.#nc = nc;
    this.#js = jetstream(nc, { timeout: 10_000 });
    void this.#watchStatus(nc);
    const starts = nc.subscribe(announceSubject(this.#prefix));
    const ends = nc.subscribe(endSubject(this.#prefix));
    this.#subs.push(starts, ends);
    void (async () => {
      for await (const m of starts) {
        let a: unknown;
        try {
          a = m.json();
        } catch {
          continue;
        }
        if (!isAnnouncement(a) || this.#ended.has(a.run)) continue;
        this.#announced.set(a.run, { a, at: Date.now() });
        this.#wake();
      }
    })();
    void (async () => {
      for await (const m of ends) {
        let e: unknown;
        try {
          e = m.json();
        } catch {
          continue;
        }
        const run = (e as { run?: unknown }).run;
        if (typeof run !== 'string') continue;
        this.#ended.add(run);
        this.#announced.delete(run);
        if (this.#run?.a.run === run) this.#endRun(`run ${run} ended`);
      }
    })();
    this.#beat = setInterval(() => this.#heartbeat(), this.#settings.heartbeatMs ?? 1000);
    this.#heartbeat();
    this.#log(
      `worker ${this.name}: connected to ${urlList(this.#settings.url).map(safeUrl).join(', ')} with ${this.concurrency} kernel(s); waiting for runs`,
    );
    this.#loop = this.#main();
  }

  /** Resolves when the worker has stopped (after stop(), or when the connection closes for good). */
  async done(): Promise<void> {
    await this.#loop;
  }

  /** Fetches no more jobs, hands back those not started, finishes the rest, says goodbye, closes. */
  async stop(): Promise<void> {
    if (this.#stopping) return this.done();
    this.#stopping = true;
    this.#wake();
    await this.#loop;
  }

  // --- the main loop ------------------------------------------------------------

  #wake(): void {
    const w = this.#wakeLoop;
    this.#wakeLoop = null;
    w?.();
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#wakeLoop = null;
        resolve();
      }, ms);
      this.#wakeLoop = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  async #main(): Promise<void> {
    try {
      while (!this.#stopping && this.#nc && !this.#nc.isClosed()) {
        const next = this.#pickRun();
        if (!next) {
          this.#state = 'idle';
          await this.#sleep(1000);
          continue;
        }
        await this.#serve(next);
      }
    } finally {
      await this.#shutdown();
    }
  }

  /** The oldest run announced within the last few seconds. */
  #pickRun(): RunAnnouncement | null {
    const now = Date.now();
    let best: { a: RunAnnouncement; at: number } | null = null;
    for (const [run, e] of this.#announced) {
      if (now - e.at > 10_000) this.#announced.delete(run);
      else if (!best) best = e;
    }
    return best?.a ?? null;
  }

  async #serve(a: RunAnnouncement): Promise<void> {
    this.#state = 'loading';
    this.#log(`joining run ${a.run} from ${a.host} (${a.bytes} bytes of data)`);
    let pool: WorkerPool | null = null;
    try {
      this.#store ??= await new Objm(this.#js!).open(DATA_BUCKET);
      const bytes = await this.#store.getBlob(a.object);
      if (!bytes) throw new Error(`its data (object ${a.object}) is not in the object store`);
      const init = decodeMessage(bytes);
      const message = { type: 'init', init };
      if (!isToWorker(message)) throw new Error(`its data is ${describeMessage(init)}`);
      pool = this.#createPool(this.concurrency);
      const state: RunState = {
        a,
        subjects: runSubjects(this.#prefix, a.run),
        pool,
        local: new Map(),
        held: new Set(),
        fetching: null,
        ended: false,
        working: setInterval(
          () => {
            for (const h of state.held) if (!h.returned) h.msg.working();
          },
          Math.max(500, a.ackWaitMs / 3),
        ),
      };
      await pool.init(message.init, this.#localEvents(state));
      if (this.#ended.has(a.run) || this.#stopping) {
        clearInterval(state.working);
        await pool.close();
        return;
      }
      this.#run = state;
      this.#state = 'fitting';
      // Said at once, not at the next beat: the pool counts it on the run from now.
      this.#heartbeat();
      this.#log(`run ${a.run}: ready`);
      await this.#take(state);
    } catch (e) {
      this.#log(`run ${a.run}: cannot serve it (${text(e)}); skipping it`);
      this.#ended.add(a.run);
      this.#announced.delete(a.run);
      await pool?.close().catch(() => {});
    }
  }

  /** Pulls job messages while the run lasts, keeping at most maxInFlight in hand. */
  async #take(state: RunState): Promise<void> {
    let consumer: Consumer | null = null;
    let failures = 0;
    while (!state.ended && !this.#stopping) {
      const free = this.#maxInFlight - state.held.size;
      if (free <= 0) {
        await this.#sleep(1000);
        continue;
      }
      try {
        consumer ??= await this.#js!.consumers.get(state.subjects.stream, WORKERS_CONSUMER);
        const messages = await consumer.fetch({ max_messages: free, expires: 1000 });
        state.fetching = messages;
        for await (const m of messages) this.#received(state, m);
        state.fetching = null;
        failures = 0;
      } catch (e) {
        state.fetching = null;
        consumer = null;
        if (state.ended || this.#stopping) break;
        if (
          /consumer deleted/i.test(text(e)) ||
          (/stream not found|consumer not found|no responders/i.test(text(e)) && failures > 3)
        ) {
          this.#endRun(`run ${state.a.run} is gone (${text(e)})`);
          break;
        }
        if (failures++ === 0)
          this.#log(`run ${state.a.run}: fetching jobs failed (${text(e)}); retrying`);
        await this.#sleep(Math.min(2000, 100 * 2 ** Math.min(failures, 5)));
      }
    }
    await this.#finishRun(state);
  }

  #received(state: RunState, m: JsMsg): void {
    let decoded: unknown;
    try {
      decoded = decodeMessage(m.data);
    } catch (e) {
      this.#event(state, `a job message could not be read (${text(e)}); dropped it`);
      m.term();
      return;
    }
    const jobs = (decoded as { jobs?: unknown }).jobs;
    const fits: PoolJob[] = [];
    const held: Held = { msg: m, left: 0, publishing: [], returned: false };
    if (Array.isArray(jobs)) {
      for (const j of jobs) {
        const message = { type: 'fit', ...(j as object) };
        if (!isToWorker(message) || message.type !== 'fit') {
          fits.length = 0;
          break;
        }
        const local = this.#nextLocal++;
        state.local.set(local, { held, job: message.job });
        fits.push({ job: local, pixel: message.pixel, start: message.start });
      }
    }
    if (fits.length === 0) {
      this.#event(state, `a job message held ${describeMessage(decoded)}; dropped it`);
      m.term();
      return;
    }
    held.left = fits.length;
    state.held.add(held);
    state.pool.submit(fits);
  }

  #localEvents(state: RunState): PoolEvents {
    return {
      onResult: (local, result) => this.#answered(state, local, { type: 'result', job: 0, result }),
      onJobError: (local, pixel, message) =>
        this.#answered(state, local, { type: 'error', job: 0, pixel, message }),
      onFault: (message) => this.#event(state, message),
    };
  }

  #answered(state: RunState, local: number, answer: FromWorker): void {
    const entry = state.local.get(local);
    if (!entry) return;
    state.local.delete(local);
    const { held, job } = entry;
    if (answer.type === 'result') {
      this.#pixels++;
      this.#recent.push(Date.now());
    }
    const item = answer.type === 'ready' ? answer : { ...answer, job };
    const batch: ResultBatch = {
      worker: this.name,
      seq: held.msg.seq,
      delivery: held.msg.info.deliveryCount,
      items: [item],
    };
    held.publishing.push(this.#publish(state, encodeMessage(batch), `${state.a.run}.r.${job}`));
    if (--held.left > 0) return;
    void Promise.all(held.publishing).then((stored) => {
      state.held.delete(held);
      this.#wake();
      if (!held.returned && !state.ended && stored.every(Boolean)) held.msg.ack();
    });
  }

  /** Publishes a result until it is stored; false if the run ended first. */
  async #publish(state: RunState, data: Uint8Array, msgID: string): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      const js = this.#js;
      if (!js || state.ended) return false;
      try {
        await js.publish(state.subjects.results, data, { msgID, timeout: 5000 });
        return true;
      } catch (e) {
        if (/stream not found|no stream/i.test(text(e)) && attempt > 3) return false;
        if (attempt === 0) this.#log(`publishing a result failed (${text(e)}); retrying`);
        await delay(Math.min(2000, 100 * 2 ** Math.min(attempt, 5)));
      }
    }
  }

  #event(state: RunState, message: string): void {
    this.#log(`run ${state.a.run}: ${message}`);
    try {
      this.#nc?.publish(
        state.subjects.events,
        JSON.stringify({ worker: this.name, host: hostname(), message }),
      );
    } catch {
      // Disconnected: the log has it.
    }
  }

  #endRun(why: string): void {
    const state = this.#run;
    if (!state || state.ended) return;
    this.#log(why);
    state.ended = true;
    state.fetching?.stop();
    this.#wake();
  }

  /** After the run ended or on stop: hand back what has not started, wait for the rest. */
  async #finishRun(state: RunState): Promise<void> {
    state.fetching?.stop();
    if (!state.ended) {
      // Stopping: jobs queued in the local pool are handed back at once.
      const queued = state.pool.drain();
      const returned = new Set<Held>();
      for (const job of queued) {
        const entry = state.local.get(job.job);
        if (entry) returned.add(entry.held);
      }
      for (const held of returned) {
        held.returned = true;
        held.msg.nak();
      }
      for (const job of queued) {
        const entry = state.local.get(job.job);
        if (!entry) continue;
        state.local.delete(job.job);
        if (--entry.held.left === 0) state.held.delete(entry.held);
      }
      if (returned.size > 0) this.#log(`handed back ${returned.size} job message(s)`);
      const deadline = Date.now() + (this.#settings.stopGraceMs ?? 30_000);
      while (state.held.size > 0 && Date.now() < deadline) await this.#sleep(100);
      for (const held of state.held) if (!held.returned) held.msg.nak();
    }
    state.ended = true;
    clearInterval(state.working);
    await state.pool.close().catch(() => {});
    if (this.#run === state) this.#run = null;
  }

  // --- status ----------------------------------------------------------------------

  async #watchStatus(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect')
        this.#log(`lost the connection (${safeUrl(String(s.server))}); reconnecting`);
      else if (s.type === 'reconnect') {
        this.#log(`reconnected to ${safeUrl(String(s.server))}`);
        this.#heartbeat();
      } else if (s.type === 'close') this.#wake();
    }
  }

  #heartbeat(state: WorkerHeartbeat['state'] = this.#state): void {
    const nc = this.#nc;
    if (!nc || nc.isClosed()) return;
    const now = Date.now();
    while (this.#recent.length > 0 && now - this.#recent[0]! > 5000) this.#recent.shift();
    const beat: WorkerHeartbeat = {
      name: this.name,
      host: hostname(),
      pid: process.pid,
      concurrency: this.concurrency,
      run: this.#run?.a.run ?? null,
      state,
      pixels: this.#pixels,
      rate: this.#recent.length / 5,
      inHand: this.#run?.held.size ?? 0,
    };
    try {
      nc.publish(heartbeatSubject(this.#prefix, this.name), JSON.stringify(beat));
    } catch {
      // Disconnected: the next beat goes after the reconnect.
    }
  }

  async #shutdown(): Promise<void> {
    if (this.#beat) clearInterval(this.#beat);
    this.#beat = null;
    this.#heartbeat('bye');
    for (const s of this.#subs) s.unsubscribe();
    this.#subs = [];
    const nc = this.#nc;
    this.#nc = null;
    if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
    this.#log(`worker ${this.name}: stopped (${this.#pixels} pixels fitted)`);
  }
}
