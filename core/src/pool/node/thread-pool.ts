/**
 * A WorkerPool of Node worker threads or child processes.
 *
 * Every worker gets the model and data once (init); jobs then wait in one
 * queue and each ready worker is kept `queuePerWorker` jobs deep, so it never
 * idles between a result and its next job. A worker fits its jobs in order,
 * so the oldest job it has not answered is the one running: that is the
 * pixel blamed when it crashes or hangs.
 *
 * Faults: a worker that exits unexpectedly, sends garbage, or stays silent
 * for `timeoutMs` while it has jobs is killed and replaced (re-init), and its
 * unanswered jobs go back to the front of the queue. Every submitted job gets
 * exactly one answer (onResult or onJobError) unless it is drained or the pool
 * is closed: a pixel that takes its worker down twice is answered with
 * onJobError rather than retried forever, and if replacements themselves
 * cannot start, the jobs left are answered with onJobError too.
 */
import type { PoolEvents, PoolJob, WorkerPool } from '../pool.js';
import { describeMessage, isFromWorker } from '../guards.js';
import { assertNever } from '../protocol.js';
import type { FromWorker, WorkerInit } from '../protocol.js';
import { shareForThreads } from './shared-init.js';
import { spawnWorker } from './spawn.js';
import type { WorkerHandle, WorkerKind, WorkerSpawner } from './spawn.js';
import { errorText, WORKER_ERROR_JOB } from './worker-host.js';
import { fitWorkerScript } from './worker-script.js';
import type { WorkerScript } from './worker-script.js';

export interface NodeWorkerPoolOptions {
  workers: number;
  kind: WorkerKind;
  /** A worker silent this long with jobs in hand is declared hung. @default 60000 */
  timeoutMs?: number;
  /**
   * How long a worker may take to start and build its kernel (loading the
   * code and receiving the data take longer than one pixel). @default 30000
   */
  startTimeoutMs?: number;
  /** Jobs sent ahead to each worker. @default 3 */
  queuePerWorker?: number;
  /** The worker entry. @default fitWorkerScript() */
  script?: WorkerScript;
  /** How long close() lets an idle worker exit on 'stop' before killing it. @default 1000 */
  closeGraceMs?: number;
  /**
   * Starts the workers instead of spawnWorker(kind, script): another
   * transport, same bookkeeping. `kind` then only says whether the workers
   * can share memory ('thread') or get copies ('process').
   */
  spawn?: WorkerSpawner;
}

/** Tries a job gets when its worker dies or hangs while fitting it. */
const MAX_ATTEMPTS = 2;

interface Slot {
  readonly index: number;
  readonly handle: WorkerHandle;
  ready: boolean;
  /** Jobs sent and not answered, oldest first (the worker fits them in this order). */
  readonly sent: Map<number, PoolJob>;
  timer: ReturnType<typeof setTimeout> | null;
  /** Set once the pool has given up on this worker: its late messages and its exit are ignored. */
  retired: boolean;
  /** Settles init()'s wait for the first workers; null for replacements. */
  starting: { resolve(): void; reject(e: Error): void } | null;
}

export class NodeWorkerPool implements WorkerPool {
  readonly size: number;
  readonly capacity: number;
  readonly #kind: WorkerKind;
  readonly #timeoutMs: number;
  readonly #startTimeoutMs: number;
  readonly #queuePerWorker: number;
  readonly #script: WorkerScript;
  readonly #closeGraceMs: number;
  readonly #spawn: WorkerSpawner;
  #slots: (Slot | null)[] = [];
  #queue: PoolJob[] = [];
  readonly #attempts = new Map<number, number>();
  #init: WorkerInit | null = null;
  #events: PoolEvents | null = null;
  #closed = false;

  constructor(options: NodeWorkerPoolOptions) {
    const { workers, kind } = options;
    const timeoutMs = options.timeoutMs ?? 60_000;
    const queuePerWorker = options.queuePerWorker ?? 3;
    if (!Number.isInteger(workers) || workers < 1)
      throw new Error(`worker pool: workers must be a positive integer, got ${workers}`);
    if (!(timeoutMs > 0))
      throw new Error(`worker pool: timeoutMs must be positive, got ${timeoutMs}`);
    if (!Number.isInteger(queuePerWorker) || queuePerWorker < 1) {
      throw new Error(
        `worker pool: queuePerWorker must be a positive integer, got ${queuePerWorker}`,
      );
    }
    this.size = workers;
    this.capacity = workers * queuePerWorker;
    this.#kind = kind;
    this.#timeoutMs = timeoutMs;
    this.#startTimeoutMs = options.startTimeoutMs ?? 30_000;
    this.#queuePerWorker = queuePerWorker;
    this.#script = options.script ?? fitWorkerScript();
    this.#closeGraceMs = options.closeGraceMs ?? 1000;
    const script = this.#script;
    this.#spawn = options.spawn ?? ((_index, listeners) => spawnWorker(kind, script, listeners));
  }

  get inFlight(): number {
    let n = this.#queue.length;
    for (const slot of this.#slots) n += slot?.sent.size ?? 0;
    return n;
  }

  /** The live workers' Worker or ChildProcess objects, for diagnostics and tests. */
  get workers(): NonNullable<WorkerHandle['raw']>[] {
    return this.#slots.flatMap((s) => (s && !s.retired && s.handle.raw ? [s.handle.raw] : []));
  }

  /**
   * Starts the workers and waits until every one has built its kernel. A
   * second init (a new run) starts fresh workers; it needs no job in flight.
   */
  async init(init: WorkerInit, events: PoolEvents): Promise<void> {
    if (this.#closed) throw new Error('worker pool: init after close');
    if (this.inFlight > 0)
      throw new Error(`worker pool: init with ${this.inFlight} jobs in flight; drain them first`);
    await this.#stopAll();
    this.#init = this.#kind === 'thread' ? shareForThreads(init) : init;
    this.#events = events;
    const started = Array.from(
      { length: this.size },
      (_, i) =>
        new Promise<void>((resolve, reject) => {
          this.#slots[i] = this.#start(i, { resolve, reject });
        }),
    );
    try {
      await Promise.all(started);
    } catch (e) {
      await this.#stopAll();
      this.#init = null;
      throw e;
    }
  }

  submit(jobs: readonly PoolJob[]): void {
    if (this.#closed) throw new Error('worker pool: submit after close');
    if (!this.#init) throw new Error('worker pool: submit before init');
    this.#queue.push(...jobs);
    if (this.#slots.every((s) => s === null))
      this.#failQueue('no fit worker left (see the earlier faults)');
    else this.#dispatch();
  }

  /** Jobs already sent to a worker are not recalled: their answers still arrive. */
  drain(): PoolJob[] {
    const drained = this.#queue;
    this.#queue = [];
    for (const job of drained) this.#attempts.delete(job.job);
    return drained;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#queue = [];
    await this.#stopAll();
  }

  // --- workers --------------------------------------------------------------

  #start(index: number, starting: Slot['starting']): Slot {
    const init = this.#init;
    if (!init) throw new Error('worker pool: no init to start a worker with');
    // The listeners close over `slot`, assigned right below, before any event can fire.
    let slot: Slot | null = null;
    const handle = this.#spawn(index, {
      message: (m) => {
        if (slot) this.#onMessage(slot, m);
      },
      exit: (reason) => {
        if (slot && !slot.retired) this.#fault(slot, `${reason} unexpectedly`);
      },
    });
    slot = { index, handle, ready: false, sent: new Map(), timer: null, retired: false, starting };
    handle.send({ type: 'init', init });
    this.#arm(slot);
    return slot;
  }

  /** (Re)starts the silence timer: while starting, or while the worker has jobs. */
  #arm(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    if (slot.retired || (slot.ready && slot.sent.size === 0)) return;
    const ms = slot.ready ? this.#timeoutMs : this.#startTimeoutMs;
    slot.timer = setTimeout(() => {
      const running = slot.sent.values().next().value;
      const what = running ? `on pixel ${running.pixel}` : 'starting up';
      this.#fault(slot, `spent more than ${ms} ms ${what} without answering`);
    }, ms);
  }

  #retire(slot: Slot): void {
    slot.retired = true;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.handle.kill();
  }

  async #stopAll(): Promise<void> {
    const slots = this.#slots.filter((s): s is Slot => s !== null);
    this.#slots = [];
    await Promise.all(slots.map((s) => this.#stop(s)));
  }

  /** An idle worker is asked to stop (a clean exit); a busy or slow one is killed. */
  async #stop(slot: Slot): Promise<void> {
    const idle = !slot.retired && slot.ready && slot.sent.size === 0;
    slot.starting?.reject(new Error('worker pool: closed while starting'));
    slot.starting = null;
    if (!idle) {
      this.#retire(slot);
      return slot.handle.exited;
    }
    slot.retired = true;
    if (slot.timer) clearTimeout(slot.timer);
    slot.handle.send({ type: 'stop' });
    let grace: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => (grace = setTimeout(resolve, this.#closeGraceMs)));
    await Promise.race([slot.handle.exited, late]);
    clearTimeout(grace);
    slot.handle.kill();
    return slot.handle.exited;
  }

  // --- messages -------------------------------------------------------------

  #onMessage(slot: Slot, raw: unknown): void {
    if (slot.retired) return;
    if (!isFromWorker(raw)) {
      this.#fault(slot, `sent ${describeMessage(raw)}`);
      return;
    }
    this.#handle(slot, raw);
  }

  #handle(slot: Slot, message: FromWorker): void {
    const events = this.#events;
    if (!events) return;
    switch (message.type) {
      case 'ready':
        slot.ready = true;
        slot.starting?.resolve();
        slot.starting = null;
        this.#arm(slot);
        this.#dispatch();
        return;
      case 'result':
      case 'error': {
        if (message.job === WORKER_ERROR_JOB && message.type === 'error') {
          this.#fault(slot, `reported: ${message.message}`);
          return;
        }
        const job = slot.sent.get(message.job);
        if (!job) {
          this.#fault(slot, `answered job ${message.job}, which it was not given`);
          return;
        }
        slot.sent.delete(message.job);
        this.#attempts.delete(message.job);
        this.#arm(slot);
        this.#dispatch();
        if (message.type === 'result') events.onResult(message.job, message.result);
        else events.onJobError(message.job, message.pixel, message.message);
        return;
      }
      default:
        assertNever(message);
    }
  }

  /** Sends queued jobs round-robin, one per ready worker per round, until the workers are full. */
  #dispatch(): void {
    let sent = true;
    while (sent && this.#queue.length > 0) {
      sent = false;
      for (const slot of this.#slots) {
        if (!slot || slot.retired || !slot.ready || slot.sent.size >= this.#queuePerWorker)
          continue;
        const job = this.#queue.shift();
        if (!job) return;
        slot.sent.set(job.job, job);
        slot.handle.send({ type: 'fit', job: job.job, pixel: job.pixel, start: job.start });
        if (slot.sent.size === 1) this.#arm(slot);
        sent = true;
      }
    }
  }

  // --- faults ---------------------------------------------------------------

  /** Gives up on a worker: kill it, requeue its jobs, replace it, tell the engine. */
  #fault(slot: Slot, what: string): void {
    if (slot.retired) return;
    this.#retire(slot);
    const name = `worker ${slot.index} (${slot.handle.label})`;
    if (slot.starting) {
      // One of init()'s first workers: init() fails and stops the rest.
      slot.starting.reject(new Error(`worker pool: ${name} ${what}`));
      slot.starting = null;
      return;
    }
    if (!slot.ready) {
      // A replacement that cannot start would fail again: run on with fewer workers.
      this.#dropSlot(slot.index, `${name} ${what} while restarting`);
      return;
    }
    const events = this.#events;
    const jobs = [...slot.sent.values()];
    const running = jobs[0];
    let givenUp: PoolJob | null = null;
    if (running) {
      const attempts = (this.#attempts.get(running.job) ?? 0) + 1;
      this.#attempts.set(running.job, attempts);
      if (attempts >= MAX_ATTEMPTS) {
        givenUp = running;
        jobs.shift();
        this.#attempts.delete(running.job);
      }
    }
    this.#queue.unshift(...jobs);
    try {
      this.#slots[slot.index] = this.#start(slot.index, null);
    } catch (e) {
      this.#dropSlot(slot.index, `${name} ${what}, and could not be restarted (${errorText(e)})`);
      return;
    }
    const resubmitted = jobs.length
      ? ` and resubmitted pixel(s) ${jobs.map((j) => j.pixel).join(', ')}`
      : '';
    const skipped = givenUp
      ? `; pixel ${givenUp.pixel} took down its worker ${MAX_ATTEMPTS} times and is given up`
      : '';
    events?.onFault(`${name} ${what}; replaced it${resubmitted}${skipped}`);
    if (givenUp) {
      const message = `pixel ${givenUp.pixel}: its worker ${what}, ${MAX_ATTEMPTS} times; skipped`;
      events?.onJobError(givenUp.job, givenUp.pixel, message);
    }
    this.#dispatch();
  }

  /** Runs on without worker `index`; with none left, the queued jobs are answered with errors. */
  #dropSlot(index: number, why: string): void {
    this.#slots[index] = null;
    const left = this.#slots.filter((s) => s !== null).length;
    this.#events?.onFault(`${why}; not replaced, ${left} worker(s) left`);
    if (left === 0) this.#failQueue(`no fit worker left (${why})`);
  }

  #failQueue(message: string): void {
    const jobs = this.drain();
    for (const job of jobs)
      this.#events?.onJobError(job.job, job.pixel, `pixel ${job.pixel}: ${message}`);
  }
}
