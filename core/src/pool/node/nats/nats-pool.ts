/**
 * A WorkerPool whose workers are `samfire worker --nats URL` processes on
 * other hosts, reached through a NATS server with JetStream (the engine side;
 * the worker side is nats-worker.ts, the subjects cluster-protocol.ts).
 *
 * - init() puts the run's model and data once into the JetStream object
 *   store (chunked) and announces the run; each worker fetches them once.
 * - submit() publishes jobs to the run's work-queue stream, a few pixels per
 *   message when several are submitted together. Workers pull them through
 *   one shared consumer with explicit acknowledgement: a job a worker does
 *   not acknowledge within `ackWaitMs` (it was killed, or its host cut off)
 *   is delivered to another worker. A worker acknowledges a job only after
 *   its results are stored in the stream, so nothing is lost when a worker,
 *   the network or the NATS server (file storage) goes away.
 * - Results come back through the run's results subject. A job answered
 *   twice (a redelivered job that finished twice) is answered to the engine
 *   once; the second answer is counted in `duplicates` and dropped.
 *
 * The engine applies results in pick order whatever the arrival order, so a
 * run gives the same maps as a local one with the same seed and window.
 *
 * Workers announce themselves by heartbeats; one serving this run that falls
 * silent for `workerTimeoutMs` is reported through onFault (its jobs come
 * back after the redelivery deadline), and `cluster` lists the workers with
 * their hosts and rates.
 */
import { hostname } from 'node:os';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { Objm, type ObjectStore } from '@nats-io/obj';
import { nanos, nuid, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { describeMessage, isFromWorker } from '../../guards.js';
import type { PoolEvents, PoolJob, WorkerPool } from '../../pool.js';
import type { WorkerInit } from '../../protocol.js';
import type { ClusterStatus } from '../../../api/types.js';
import { decodeMessage, encodeMessage } from './codec.js';
import {
  announceSubject,
  CHUNK_BYTES,
  COORDINATOR_CONSUMER,
  DATA_BUCKET,
  DEFAULT_PREFIX,
  endSubject,
  heartbeatSubject,
  isHeartbeat,
  runSubjects,
  WORKERS_CONSUMER,
  type JobBatch,
  type RunAnnouncement,
  type RunSubjects,
  type WorkerHeartbeat,
} from './cluster-protocol.js';
import { connectNats, safeUrl, urlList, type NatsConnectSettings } from './connection.js';

export interface NatsPoolOptions extends NatsConnectSettings {
  /** Subject prefix, to keep several clusters apart on one server. @default 'samfire' */
  prefix?: string;
  /** Redelivery deadline: a job not acknowledged this long after delivery goes to another worker. @default 30000 */
  ackWaitMs?: number;
  /** Most pixels per job message. @default 4 */
  batch?: number;
  /** A worker of this run silent this long is reported (onFault). @default 5000 */
  workerTimeoutMs?: number;
  /** How often the run is announced again (for workers that join later). @default 1000 */
  announceMs?: number;
  /** init() waits until this many workers are connected. @default 0 */
  minWorkers?: number;
  /** How long init() waits for them before failing. @default 60000 */
  minWorkersTimeoutMs?: number;
  /** Called with progress lines (workers joining, leaving, reconnects). */
  log?: (line: string) => void;
}

/** The pool's view of the cluster: the app contract's types (one definition). */
export type { ClusterStatus, ClusterWorkerInfo as ClusterWorker } from '../../../api/types.js';

interface Known {
  beat: WorkerHeartbeat;
  seen: number;
  lost: boolean;
}

function text(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class NatsPool implements WorkerPool {
  readonly size: number = 0;
  readonly #settings: NatsConnectSettings;
  readonly #prefix: string;
  readonly #ackWaitMs: number;
  readonly #batch: number;
  readonly #workerTimeoutMs: number;
  readonly #announceMs: number;
  readonly #minWorkers: number;
  readonly #minWorkersTimeoutMs: number;
  readonly #log: (line: string) => void;
  #nc: NatsConnection | null = null;
  #js: JetStreamClient | null = null;
  #jsm: JetStreamManager | null = null;
  #store: ObjectStore | null = null;
  #subs: Subscription[] = [];
  #run: string | null = null;
  /** Workers that answered jobs of this run: on it whatever their last heartbeat said. */
  readonly #answeredBy = new Set<string>();
  /** Results of this run applied from each worker (exact, where heartbeats lag). */
  readonly #resultsBy = new Map<string, number>();
  #subjects: RunSubjects | null = null;
  #announcement: RunAnnouncement | null = null;
  #events: PoolEvents | null = null;
  /** Jobs submitted and not answered. */
  readonly #pending = new Map<number, PoolJob>();
  #outbox: PoolJob[] = [];
  #flushing = false;
  #publishing: Promise<void> = Promise.resolve();
  readonly #workers = new Map<string, Known>();
  #timer: ReturnType<typeof setInterval> | null = null;
  #resultsLoop: Promise<void> | null = null;
  #closed = false;
  #connected = false;
  #duplicates = 0;
  /** Stream sequences of the redelivered job messages already reported. */
  readonly #redeliveredSeqs = new Set<number>();

  constructor(options: NatsPoolOptions) {
    this.#settings = options;
    this.#prefix = options.prefix ?? DEFAULT_PREFIX;
    this.#ackWaitMs = options.ackWaitMs ?? 30_000;
    this.#batch = options.batch ?? 4;
    this.#workerTimeoutMs = options.workerTimeoutMs ?? 5000;
    this.#announceMs = options.announceMs ?? 1000;
    this.#minWorkers = options.minWorkers ?? 0;
    this.#minWorkersTimeoutMs = options.minWorkersTimeoutMs ?? 60_000;
    this.#log = options.log ?? (() => {});
    if (urlList(options.url).length === 0)
      throw new Error('nats pool: no server URL given (nats://HOST:4222)');
    if (!(this.#ackWaitMs >= 1000))
      throw new Error(`nats pool: ackWaitMs must be >= 1000, got ${this.#ackWaitMs}`);
    if (!Number.isInteger(this.#batch) || this.#batch < 1)
      throw new Error(`nats pool: batch must be a whole number >= 1, got ${this.#batch}`);
  }

  /** Jobs the engine should keep out: two per kernel of the workers on this run (16 at least). */
  get capacity(): number {
    let kernels = 0;
    for (const w of this.#workers.values())
      if (!w.lost && w.beat.state !== 'bye') kernels += w.beat.concurrency;
    return Math.max(16, 2 * kernels);
  }

  get inFlight(): number {
    return this.#pending.size;
  }

  /** The workers, their hosts and rates, for a status display. */
  get cluster(): ClusterStatus {
    const now = Date.now();
    return {
      url: urlList(this.#settings.url).map(safeUrl).join(','),
      connected: this.#connected,
      run: this.#run,
      duplicates: this.#duplicates,
      redelivered: this.#redeliveredSeqs.size,
      workers: [...this.#workers.values()].map((w) => ({
        name: w.beat.name,
        host: w.beat.host,
        concurrency: w.beat.concurrency,
        state: w.lost ? 'lost' : w.beat.state,
        onThisRun:
          this.#run !== null && (w.beat.run === this.#run || this.#resultsBy.has(w.beat.name)),
        // This run's results from it, as applied; its own count when the pool has none.
        pixels: this.#resultsBy.get(w.beat.name) ?? w.beat.pixels,
        pixelsPerSecond: w.beat.rate,
        inHand: w.beat.inHand,
        silentMs: now - w.seen,
      })),
    };
  }

  async init(init: WorkerInit, events: PoolEvents): Promise<void> {
    if (this.#closed) throw new Error('nats pool: init after close');
    if (this.#pending.size > 0)
      throw new Error(`nats pool: init with ${this.#pending.size} jobs in flight`);
    await this.#connect();
    await this.#endRun();
    const js = this.#js!;
    const jsm = this.#jsm!;
    const run = nuid.next();
    const subjects = runSubjects(this.#prefix, run);
    await jsm.streams.add({
      name: subjects.stream,
      subjects: [subjects.jobs, subjects.results],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      // Job and result messages carry ids: a publish retried after a drop is stored once.
      duplicate_window: nanos(120_000),
      // A stream left by a coordinator that died goes away by itself.
      max_age: nanos(24 * 3600_000),
    });
    await jsm.consumers.add(subjects.stream, {
      durable_name: WORKERS_CONSUMER,
      filter_subject: subjects.jobs,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(this.#ackWaitMs),
      deliver_policy: DeliverPolicy.All,
      max_deliver: -1,
      max_ack_pending: 100_000,
    });
    await jsm.consumers.add(subjects.stream, {
      durable_name: COORDINATOR_CONSUMER,
      filter_subject: subjects.results,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(30_000),
      deliver_policy: DeliverPolicy.All,
      max_deliver: -1,
      max_ack_pending: 100_000,
    });
    if (!this.#store) {
      this.#store = await new Objm(js).create(DATA_BUCKET, { storage: StorageType.File });
    }
    const bytes = encodeMessage(init);
    await this.#store.putBlob({ name: run, options: { max_chunk_size: CHUNK_BYTES } }, bytes);
    this.#run = run;
    this.#subjects = subjects;
    this.#events = events;
    this.#announcement = {
      run,
      host: hostname(),
      ackWaitMs: this.#ackWaitMs,
      object: run,
      bytes: bytes.length,
    };
    this.#subscribe(subjects);
    this.#announce();
    this.#resultsLoop = this.#results(run, subjects);
    this.#log(`run ${run}: ${bytes.length} bytes of data in the object store; announced`);
    if (this.#minWorkers > 0) await this.#waitForWorkers();
  }

  submit(jobs: readonly PoolJob[]): void {
    if (this.#closed) throw new Error('nats pool: submit after close');
    if (!this.#run) throw new Error('nats pool: submit before init');
    for (const job of jobs) {
      this.#pending.set(job.job, job);
      this.#outbox.push(job);
    }
    if (!this.#flushing) {
      this.#flushing = true;
      // Jobs submitted in the same turn travel together.
      queueMicrotask(() => this.#flush());
    }
  }

  /** Jobs already published are not recalled (a worker may hold them): their answers still arrive. */
  drain(): PoolJob[] {
    return [];
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#endRun();
    const nc = this.#nc;
    this.#nc = null;
    if (nc) await nc.drain().catch(() => nc.close());
  }

  // --- connection -------------------------------------------------------------

  async #connect(): Promise<void> {
    if (this.#nc) return;
    const nc = await connectNats(this.#settings, {
      name: `samfire coordinator on ${hostname()}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
    });
    this.#nc = nc;
    this.#connected = true;
    try {
      this.#jsm = await jetstreamManager(nc, { timeout: 10_000 });
    } catch (e) {
      await nc.close();
      this.#nc = null;
      throw new Error(
        `nats: ${urlList(this.#settings.url).map(safeUrl).join(', ')} has no JetStream (${text(e)}); start nats-server with -js (and a --store_dir)`,
        { cause: e },
      );
    }
    this.#js = jetstream(nc, { timeout: 10_000 });
    void this.#watchStatus(nc);
    const hb = nc.subscribe(heartbeatSubject(this.#prefix, '*'));
    void (async () => {
      for await (const m of hb) {
        let beat: unknown;
        try {
          beat = m.json();
        } catch {
          continue;
        }
        if (isHeartbeat(beat)) this.#heartbeat(beat);
      }
    })();
    this.#timer = setInterval(() => this.#tick(), Math.min(1000, this.#announceMs));
  }

  async #watchStatus(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        this.#connected = false;
        this.#log(`lost the connection to ${safeUrl(String(s.server))}; reconnecting`);
      } else if (s.type === 'reconnect') {
        this.#connected = true;
        // Heartbeats could not arrive while this side was cut off.
        const now = Date.now();
        for (const w of this.#workers.values()) w.seen = now;
        this.#log(`reconnected to ${safeUrl(String(s.server))}`);
        this.#announce();
      }
    }
  }

  #subscribe(subjects: RunSubjects): void {
    const nc = this.#nc!;
    const events = nc.subscribe(subjects.events);
    this.#subs.push(events);
    void (async () => {
      for await (const m of events) {
        let e: unknown;
        try {
          e = m.json();
        } catch {
          continue;
        }
        const o = e as { worker?: unknown; host?: unknown; message?: unknown };
        if (typeof o.message === 'string')
          this.#events?.onFault(
            `cluster worker ${String(o.worker)} on ${String(o.host)}: ${o.message}`,
          );
      }
    })();
  }

  #announce(): void {
    const a = this.#announcement;
    const nc = this.#nc;
    if (!a || !nc || nc.isClosed()) return;
    try {
      nc.publish(announceSubject(this.#prefix), JSON.stringify(a));
    } catch {
      // Disconnected: the next tick announces again.
    }
  }

  #heartbeat(beat: WorkerHeartbeat): void {
    const known = this.#workers.get(beat.name);
    const onRun = this.#run !== null && beat.run === this.#run;
    if (!known) {
      this.#log(`worker ${beat.name} on ${beat.host} (${beat.concurrency} kernels) connected`);
    } else if (known.lost && beat.state !== 'bye') {
      this.#log(`worker ${beat.name} on ${beat.host} is back`);
    }
    if (beat.state === 'bye' && known?.beat.state !== 'bye')
      this.#log(`worker ${beat.name} on ${beat.host} left (cleanly)`);
    const wasOnRun = known !== undefined && known.beat.run === this.#run;
    if (onRun && !wasOnRun) this.#log(`worker ${beat.name} on ${beat.host} joined run ${beat.run}`);
    this.#workers.set(beat.name, { beat, seen: Date.now(), lost: false });
  }

  #tick(): void {
    this.#announce();
    if (!this.#connected) return;
    const now = Date.now();
    for (const w of this.#workers.values()) {
      if (w.lost || w.beat.state === 'bye' || now - w.seen < this.#workerTimeoutMs) continue;
      w.lost = true;
      // On the run: its last heartbeat said so, or it answered jobs of the run (a worker
      // can fit and hold jobs before a heartbeat says it is fitting).
      const onRun =
        this.#run !== null && (w.beat.run === this.#run || this.#answeredBy.has(w.beat.name));
      const message =
        `cluster worker ${w.beat.name} on ${w.beat.host} went silent ${now - w.seen} ms ago ` +
        `(killed, crashed or cut off)` +
        (onRun
          ? `; the ${w.beat.inHand} job message(s) it held go to other workers within the ${this.#ackWaitMs} ms redelivery deadline`
          : '');
      this.#log(message);
      if (onRun) this.#events?.onFault(message);
    }
  }

  async #waitForWorkers(): Promise<void> {
    const deadline = Date.now() + this.#minWorkersTimeoutMs;
    for (;;) {
      const live = [...this.#workers.values()].filter((w) => !w.lost && w.beat.state !== 'bye');
      if (live.length >= this.#minWorkers) return;
      if (Date.now() > deadline)
        throw new Error(
          `nats pool: ${live.length} of the ${this.#minWorkers} worker(s) asked for connected within ${this.#minWorkersTimeoutMs} ms`,
        );
      await delay(100);
    }
  }

  // --- jobs and results -------------------------------------------------------

  #flush(): void {
    this.#flushing = false;
    const run = this.#run;
    const subjects = this.#subjects;
    if (!run || !subjects || this.#outbox.length === 0) return;
    const jobs = this.#outbox;
    this.#outbox = [];
    for (let i = 0; i < jobs.length; i += this.#batch) {
      const slice = jobs.slice(i, i + this.#batch);
      const batch: JobBatch = {
        jobs: slice.map((j) => ({ job: j.job, pixel: j.pixel, start: j.start })),
      };
      const data = encodeMessage(batch);
      const id = `${run}.j.${slice[0]!.job}`;
      this.#publishing = this.#publishing.then(() => this.#publish(run, subjects.jobs, data, id));
    }
  }

  /** Publishes to the stream until it is stored (retrying through a server restart). */
  async #publish(run: string, subject: string, data: Uint8Array, msgID: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const js = this.#js;
      if (!js || this.#run !== run) return;
      try {
        await js.publish(subject, data, { msgID, timeout: 5000 });
        return;
      } catch (e) {
        if (attempt === 0) this.#log(`publishing jobs failed (${text(e)}); retrying`);
        await delay(Math.min(2000, 100 * 2 ** Math.min(attempt, 5)));
      }
    }
  }

  async #results(run: string, subjects: RunSubjects): Promise<void> {
    let failures = 0;
    while (this.#run === run && !this.#closed) {
      try {
        const consumer = await this.#js!.consumers.get(subjects.stream, COORDINATOR_CONSUMER);
        while (this.#run === run && !this.#closed) {
          const messages = await consumer.fetch({ max_messages: 256, expires: 1000 });
          for await (const m of messages) {
            if (this.#run !== run) break;
            this.#answer(m);
            m.ack();
          }
          failures = 0;
        }
      } catch (e) {
        if (this.#run !== run || this.#closed) return;
        if (failures++ === 0) this.#log(`reading results failed (${text(e)}); retrying`);
        await delay(Math.min(2000, 100 * 2 ** Math.min(failures, 5)));
      }
    }
  }

  #answer(m: JsMsg): void {
    const events = this.#events;
    if (!events) return;
    let decoded: unknown;
    try {
      decoded = decodeMessage(m.data);
    } catch (e) {
      events.onFault(`cluster: a result message could not be read (${text(e)}); dropped`);
      return;
    }
    const { items, worker: who, seq, delivery } = decoded as Partial<Record<string, unknown>>;
    const worker = String(who);
    this.#answeredBy.add(worker);
    if (!Array.isArray(items)) {
      events.onFault(`cluster worker ${worker} sent ${describeMessage(decoded)}; dropped`);
      return;
    }
    if (typeof delivery === 'number' && delivery > 1 && typeof seq === 'number')
      this.#redelivery(events, worker, seq, delivery, items);
    for (const item of items) {
      if (!isFromWorker(item) || item.type === 'ready') {
        events.onFault(`cluster worker ${worker} sent ${describeMessage(item)}; dropped`);
        continue;
      }
      const job = this.#pending.get(item.job);
      if (!job) {
        this.#duplicates++;
        continue;
      }
      this.#pending.delete(item.job);
      if (item.type === 'result') {
        if (item.result.pixel !== job.pixel) {
          this.#pending.set(item.job, job);
          events.onFault(
            `cluster worker ${worker} answered job ${item.job} with pixel ${item.result.pixel}, not ${job.pixel}; dropped`,
          );
          continue;
        }
        this.#resultsBy.set(worker, (this.#resultsBy.get(worker) ?? 0) + 1);
        events.onResult(item.job, item.result);
      } else events.onJobError(item.job, item.pixel, item.message);
    }
  }

  /**
   * A job message JetStream delivered again: the worker that held it before
   * was killed, crashed, was cut off or handed it back. Reported once per
   * message, before its answers are applied (so before the run can end), when
   * it still holds a job not answered otherwise.
   */
  #redelivery(
    events: PoolEvents,
    worker: string,
    seq: number,
    delivery: number,
    items: unknown[],
  ): void {
    if (this.#redeliveredSeqs.has(seq)) return;
    const pixels: number[] = [];
    for (const item of items) {
      const job = isFromWorker(item) && item.type !== 'ready' ? this.#pending.get(item.job) : null;
      if (job) pixels.push(job.pixel);
    }
    if (pixels.length === 0) return;
    this.#redeliveredSeqs.add(seq);
    const message =
      `cluster: job message ${seq} (pixel ${pixels.join(', ')}) was delivered again ` +
      `(delivery ${delivery}): the worker that held it was lost (killed, crashed or cut off) ` +
      `or handed it back; worker ${worker} answered it`;
    this.#log(message);
    events.onFault(message);
  }

  async #endRun(): Promise<void> {
    const run = this.#run;
    const subjects = this.#subjects;
    this.#run = null;
    this.#subjects = null;
    this.#announcement = null;
    this.#events = null;
    this.#pending.clear();
    this.#answeredBy.clear();
    this.#resultsBy.clear();
    this.#redeliveredSeqs.clear();
    this.#outbox = [];
    for (const s of this.#subs) s.unsubscribe();
    this.#subs = [];
    if (this.#closed && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
    await this.#resultsLoop?.catch(() => {});
    this.#resultsLoop = null;
    await this.#publishing.catch(() => {});
    if (!run || !subjects) return;
    const nc = this.#nc;
    try {
      nc?.publish(endSubject(this.#prefix), JSON.stringify({ run }));
      // The workers hear of the end before their consumer disappears.
      await nc?.flush();
      await this.#jsm?.streams.delete(subjects.stream);
      await this.#store?.delete(run);
    } catch (e) {
      this.#log(`run ${run}: clean-up failed (${text(e)}); the stream expires within a day`);
    }
  }
}
