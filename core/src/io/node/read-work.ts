/**
 * Progress and cancellation of one read, for readers that work in blocks:
 * `advance` counts what was read and reports it (at most once per percent,
 * and at the end), `checkpoint` yields to the event loop now and then so
 * that a cancel (an aborted signal) can arrive, and honours it.
 */
import { throwIfAborted, type ReadOptions } from '../source.js';

/** Yield to the event loop (so a cancel can arrive) at least this often, in ms. */
const YIELD_MS = 20;

export class ReadWork {
  readonly #options: Pick<ReadOptions, 'onProgress' | 'signal'>;
  readonly total: number;
  #done = 0;
  #reported = 0;
  #lastYield = performance.now();

  constructor(options: Pick<ReadOptions, 'onProgress' | 'signal'>, total: number) {
    this.#options = options;
    this.total = Math.max(1, total);
  }

  get done(): number {
    return this.#done;
  }

  /** Lets a cancel arrive (yielding to the event loop now and then) and honours it. */
  async checkpoint(): Promise<void> {
    if (performance.now() - this.#lastYield >= YIELD_MS) {
      await new Promise<void>((r) => setImmediate(r));
      this.#lastYield = performance.now();
    }
    throwIfAborted(this.#options.signal);
  }

  advance(units: number, stage: string): void {
    this.#done = Math.min(this.total, this.#done + units);
    const report = this.#options.onProgress;
    if (report === undefined) return;
    if (this.#done - this.#reported >= this.total / 100 || this.#done === this.total) {
      this.#reported = this.#done;
      report({ done: this.#done, total: this.total, stage });
    }
  }
}
