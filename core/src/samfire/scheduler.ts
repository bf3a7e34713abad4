/**
 * The scheduler of a SAMFire run: it picks the pixels to fit next (largest
 * marker first, ties broken by the seeded generator), keeps the pool fed
 * (refill), applies the results in pick order (reproducible) or as they
 * arrive, and on a stop collects what the workers are fitting. The engine
 * (engine.ts) owns the model and the strategies; the scheduler reaches them
 * through a SchedulerHost.
 */
import type { PoolEvents, PoolJob, WorkerPool } from '../pool/pool.js';
import type { PixelResult, WorkerInit } from '../pool/protocol.js';
import type { RunOrder } from './backup.js';
import { CandidateFront } from './candidate-front.js';
import { PendingJobs, type PendingJob } from './pending-jobs.js';
import type { SamfireRandom } from './random.js';
import { LocalStrategy } from './strategies/local/local-strategy.js';
import type { Strategy } from './strategies/strategy.js';

/** idle -> running (start) -> stopping (stop) -> idle (the run's promise settles). */
export type RunState = 'idle' | 'running' | 'stopping';

/** What the scheduler needs of the engine. */
export interface SchedulerHost {
  activeStrategy(): Strategy | null;
  /** Applies one pixel's answer (the engine's update()). */
  apply(pixel: number, result: PixelResult | null, isGood?: boolean): void;
  /** The active strategy has no pixel left: true when the run is over, else the next one is made active. */
  strategyEnded(): boolean;
  log(...args: unknown[]): void;
  error(event: { message: string; pixel?: number }): void;
}

export interface SchedulerOptions {
  order: RunOrder;
  /** Jobs handed out at once in pick order. */
  window: number;
  /** How long a stop waits for the pixels being fitted, in ms. */
  stopTimeout: number;
  now(): number;
}

export class Scheduler {
  state: RunState = 'idle';
  /** The seeded generator that breaks ties between candidates (replaced by a restore). */
  random: SamfireRandom;
  /** 1 per pixel handed out and not yet applied. */
  readonly running: Uint8Array;
  /** The same pixels as a set (for strategies that walk them). */
  readonly runningSet = new Set<number>();
  readonly front: CandidateFront;
  readonly pending = new PendingJobs();
  readonly #marker: Float64Array;
  readonly #host: SchedulerHost;
  readonly #options: SchedulerOptions;
  #nextJob = 1;
  #epoch = 0;
  #wake: (() => void) | null = null;
  #woken = false;
  /**
   * The periodic backup being written. A run applies no more results until
   * it has landed, so a crash loses at most `saveEvery` results.
   */
  #landing: Promise<unknown> | null = null;

  constructor(
    marker: Float64Array,
    random: SamfireRandom,
    host: SchedulerHost,
    options: SchedulerOptions,
  ) {
    this.#marker = marker;
    this.random = random;
    this.#host = host;
    this.#options = options;
    this.running = new Uint8Array(marker.length);
    this.front = new CandidateFront(marker, this.running);
  }

  /** Hands the run's init to the pool; results of earlier runs are ignored from now on. */
  async init(pool: WorkerPool, init: WorkerInit): Promise<void> {
    const epoch = ++this.#epoch;
    this.pending.forgetJobs();
    await pool.init(init, this.#poolEvents(epoch));
  }

  /** Applies no more results until `write` has settled. */
  holdUntil(write: Promise<unknown>): void {
    this.#landing = write;
  }

  /** Asks a run to stop; run() then collects and returns. */
  requestStop(): void {
    this.state = 'stopping';
    this.#signal();
  }

  #poolEvents(epoch: number): PoolEvents {
    return {
      onResult: (job, result) => {
        if (epoch === this.#epoch && this.pending.settle(job, result, null)) this.#signal();
      },
      onJobError: (job, pixel, message) => {
        if (epoch === this.#epoch && this.pending.settle(job, null, message)) {
          this.#signal();
          return;
        }
        this.#host.log('worker error', pixel, message);
        this.#host.error({ message });
      },
      onFault: (message) => {
        this.#host.log('pool fault', message);
        this.#host.error({ message });
      },
    };
  }

  /** Runs until nothing is left (true) or a stop was asked for (false). */
  async run(pool: WorkerPool): Promise<boolean> {
    if (this.state === 'running') this.#submit(pool, this.pending.unsubmitted());
    let rescanned = false;
    for (;;) {
      if (this.state !== 'running') break;
      this.#refill(pool);
      this.#applySettled(pool);
      if (this.#landing) {
        // The workers go on fitting; their results wait until the backup is on disk.
        const landing = this.#landing;
        this.#landing = null;
        await landing;
        continue;
      }
      if (this.state !== 'running') break;
      if (this.pending.size > 0) {
        rescanned = false;
        await this.#wait();
        continue;
      }
      if (!rescanned) {
        // Before a strategy ends, one scan of the whole marker: candidates
        // written into metadata.marker during the run (by a listener) count.
        rescanned = true;
        this.front.invalidate();
        continue;
      }
      // Switching rebuilds the front: no second scan needed.
      if (this.#host.strategyEnded()) return true;
    }
    await this.#collect(pool);
    return false;
  }

  /** Applies settled jobs (in pick or arrival order), handing out a new pixel after each. */
  #applySettled(pool: WorkerPool): void {
    for (;;) {
      const entry =
        this.#options.order === 'pick'
          ? this.pending.shiftSettledHead()
          : this.pending.shiftArrived();
      if (!entry) return;
      this.#apply(entry);
      // Stopping between applying and refilling is safe: start() refills first.
      if (this.state !== 'running') return;
      this.#refill(pool);
      if (this.#landing) return;
    }
  }

  #apply(entry: PendingJob): void {
    if (entry.error !== null) {
      this.#host.log('pixel error', entry.pixel, entry.error);
      this.#host.error({ message: entry.error, pixel: entry.pixel });
      this.#host.apply(entry.pixel, null, false);
    } else {
      this.#host.apply(entry.pixel, entry.result);
    }
  }

  #refill(pool: WorkerPool): void {
    if (this.state !== 'running') return;
    const target =
      this.#options.order === 'pick' ? this.#options.window : Math.max(1, pool.capacity);
    const want = target - this.pending.size;
    if (want <= 0) return;
    this.#submit(pool, this.pick(want));
  }

  #submit(pool: WorkerPool, entries: readonly PendingJob[]): void {
    if (entries.length === 0) return;
    const jobs: PoolJob[] = entries.map((e) => {
      const job = this.#nextJob++;
      this.pending.submitted(e, job);
      return { job, pixel: e.pixel, start: e.start };
    });
    pool.submit(jobs);
  }

  /**
   * After a stop request: queued jobs come back from the pool, jobs being
   * fitted are awaited (up to stopTimeout). In pick order unapplied jobs stay
   * pending, so the next start() continues exactly where this one stopped;
   * in arrival order the answers are applied and the rest given back.
   */
  async #collect(pool: WorkerPool): Promise<void> {
    pool.drain();
    const deadline = this.#options.now() + this.#options.stopTimeout;
    while (pool.inFlight > 0) {
      const left = deadline - this.#options.now();
      if (left <= 0) break;
      await this.#wait(left);
    }
    this.pending.forgetJobs();
    if (this.#options.order === 'arrival') {
      for (let e = this.pending.shiftArrived(); e; e = this.pending.shiftArrived()) this.#apply(e);
      this.discardPending();
    }
  }

  /** Picks up to `n` pixels and adds them to the pending jobs (not yet submitted). */
  pick(n: number): PendingJob[] {
    const strategy = this.#host.activeStrategy();
    if (!strategy) return [];
    const marker = this.#marker;
    const candidates = this.front.candidates;
    const out: PendingJob[] = [];
    // Only local strategies report the pixels they raise (StrategyHost.raised).
    const useFront = strategy instanceof LocalStrategy;
    for (let i = 0; i < n; i++) {
      const k = useFront ? this.front.maxima() : this.front.scanAll();
      if (k === 0) break;
      const pixel = candidates[k === 1 ? 0 : this.random.integer(k)]!;
      const priority = marker[pixel]!;
      marker[pixel] = 0;
      this.#markRunning(pixel);
      const job: PendingJob = {
        pixel,
        start: strategy.values(pixel),
        priority,
        job: null,
        result: null,
        error: null,
      };
      this.pending.add(job);
      out.push(job);
    }
    return out;
  }

  /** Adds a job (from a backup) as handed out and not yet submitted. */
  restorePending(job: PendingJob): void {
    this.pending.add(job);
    this.#markRunning(job.pixel);
  }

  /** A pixel answered through the engine's update(): no longer pending nor running. */
  answered(pixel: number): void {
    this.pending.removePixel(pixel);
    this.#release(pixel);
  }

  /** Gives back every pending pixel: it is no longer running and gets its priority back. */
  discardPending(): void {
    this.front.invalidate();
    const marker = this.#marker;
    for (const e of this.pending.clear()) {
      this.#release(e.pixel);
      if (marker[e.pixel] === 0) marker[e.pixel] = e.priority;
    }
  }

  #markRunning(pixel: number): void {
    this.running[pixel] = 1;
    this.runningSet.add(pixel);
  }

  #release(pixel: number): void {
    this.running[pixel] = 0;
    this.runningSet.delete(pixel);
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = null;
    if (wake) wake();
    else this.#woken = true;
  }

  #wait(timeout?: number): Promise<void> {
    if (this.#woken) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | null = null;
      this.#wake = () => {
        if (timer !== null) clearTimeout(timer);
        resolve();
      };
      if (timeout !== undefined) timer = setTimeout(() => this.#signal(), timeout);
    });
  }
}
