/**
 * The pool for `workers: 0`: the kernel runs in the calling thread. Jobs run
 * in slices of a few milliseconds, each scheduled as its own task, so the
 * engine applies results, refills the queue and notices stop() between
 * slices instead of after the whole map.
 */
import { createKernel, type PixelKernel } from '../kernel/kernel.js';
import type { PoolEvents, PoolJob, WorkerPool } from './pool.js';
import type { PixelResult, WorkerInit } from './protocol.js';

export interface InProcessPoolOptions {
  /** Jobs the engine keeps queued when it applies results as they arrive. @default 1 */
  capacity?: number;
  /** How long one slice of fits may run before yielding, in ms. @default 10 */
  sliceMs?: number;
  /** Runs the next slice later. @default setImmediate where there is one, else setTimeout(run, 0) */
  schedule?: (run: () => void) => void;
  /** Milliseconds clock. @default Date.now */
  now?: () => number;
  /** Builds the kernel from the init message. @default the SAMFire kernel */
  createKernel?: (init: WorkerInit) => PixelKernel;
}

// Node's and Electron's setImmediate (browsers have none), read off globalThis
// as `navigator` is, so that core compiles without Node's types.
function defaultSchedule(run: () => void): void {
  const { setImmediate } = globalThis as { setImmediate?: (run: () => void) => unknown };
  if (typeof setImmediate === 'function') setImmediate(run);
  else setTimeout(run, 0);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class InProcessPool implements WorkerPool {
  readonly size = 0;
  readonly capacity: number;
  readonly #sliceMs: number;
  readonly #schedule: (run: () => void) => void;
  readonly #now: () => number;
  readonly #createKernel: (init: WorkerInit) => PixelKernel;
  #kernel: PixelKernel | null = null;
  #events: PoolEvents | null = null;
  #queue: PoolJob[] = [];
  #head = 0;
  #busy = false;
  #scheduled = false;

  constructor(options: InProcessPoolOptions = {}) {
    const capacity = options.capacity ?? 1;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new Error(`in-process pool: capacity must be a whole number >= 1, got ${capacity}`);
    }
    this.capacity = capacity;
    this.#sliceMs = options.sliceMs ?? 10;
    this.#schedule = options.schedule ?? defaultSchedule;
    this.#now = options.now ?? Date.now;
    this.#createKernel = options.createKernel ?? createKernel;
  }

  get inFlight(): number {
    return this.#queue.length - this.#head + (this.#busy ? 1 : 0);
  }

  async init(init: WorkerInit, events: PoolEvents): Promise<void> {
    // A second init replaces the kernel (a new run); queued jobs belonged to the old one.
    this.#queue = [];
    this.#head = 0;
    this.#kernel = this.#createKernel(init);
    this.#events = events;
  }

  submit(jobs: readonly PoolJob[]): void {
    if (!this.#kernel)
      throw new Error('in-process pool: jobs submitted before init (or after close)');
    for (const job of jobs) this.#queue.push(job);
    this.#wake();
  }

  drain(): PoolJob[] {
    const left = this.#queue.slice(this.#head);
    this.#queue = [];
    this.#head = 0;
    return left;
  }

  async close(): Promise<void> {
    this.#queue = [];
    this.#head = 0;
    this.#kernel = null;
    this.#events = null;
  }

  #wake(): void {
    if (this.#scheduled || this.#head >= this.#queue.length) return;
    this.#scheduled = true;
    this.#schedule(() => this.#slice());
  }

  #slice(): void {
    this.#scheduled = false;
    const t0 = this.#now();
    while (this.#head < this.#queue.length) {
      const kernel = this.#kernel;
      const events = this.#events;
      if (!kernel || !events) return;
      const job = this.#queue[this.#head++]!;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      this.#busy = true;
      let result: PixelResult | null = null;
      let error = '';
      try {
        result = kernel.fit(job.pixel, job.start);
      } catch (e) {
        error = message(e);
      }
      this.#busy = false;
      if (result) events.onResult(job.job, result);
      else events.onJobError(job.job, job.pixel, error);
      if (this.#now() - t0 >= this.#sliceMs) break;
    }
    this.#wake();
  }
}
