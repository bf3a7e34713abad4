/**
 * A test pool standing in for several workers: each "worker" has its own
 * kernel and answers after a random delay, so results arrive out of pick
 * order (as they do from real workers of uneven speed).
 */
import { createKernel } from '@samfire/core';
import type { PoolEvents, PoolJob, WorkerPool, WorkerInit, PixelKernel } from '@samfire/core';
import { mulberry32 } from '../../helpers/random.js';

export class ScrambledPool implements WorkerPool {
  readonly size: number;
  readonly capacity: number;
  #kernels: PixelKernel[] = [];
  #busy: boolean[] = [];
  #queue: PoolJob[] = [];
  #events: PoolEvents | null = null;
  #inFlight = 0;
  readonly #rand: () => number;

  constructor(size: number, seed = 1) {
    this.size = size;
    this.capacity = 2 * size;
    this.#rand = mulberry32(seed);
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  async init(init: WorkerInit, events: PoolEvents): Promise<void> {
    this.#kernels = Array.from({ length: this.size }, () => createKernel(init));
    this.#busy = this.#kernels.map(() => false);
    this.#queue = [];
    this.#events = events;
  }

  submit(jobs: readonly PoolJob[]): void {
    this.#queue.push(...jobs);
    this.#inFlight += jobs.length;
    this.#dispatch();
  }

  drain(): PoolJob[] {
    const left = this.#queue;
    this.#queue = [];
    this.#inFlight -= left.length;
    return left;
  }

  async close(): Promise<void> {
    this.#queue = [];
    this.#events = null;
  }

  #dispatch(): void {
    this.#busy.forEach((busy, w) => {
      if (busy || this.#queue.length === 0) return;
      const job = this.#queue.shift()!;
      this.#busy[w] = true;
      setTimeout(
        () => {
          const result = this.#kernels[w]!.fit(job.pixel, job.start);
          this.#busy[w] = false;
          this.#inFlight--;
          this.#events?.onResult(job.job, result);
          this.#dispatch();
        },
        Math.floor(this.#rand() * 4),
      );
    });
  }
}
