/**
 * The linear whole-map fit (linear-fit.ts) on worker threads: the pixels
 * are cut into chunks (whole blocks of four), handed to the threads one at
 * a time as each finishes (so a thread slowed by other work on the machine
 * takes fewer), and every thread reads the one cube and writes its
 * answers into output arrays over SharedArrayBuffers. The answers are those
 * of fitLinear in this thread, bit for bit: a pixel's solve depends on its
 * own spectrum only.
 *
 * The cube is shared by reference when it already lives in a
 * SharedArrayBuffer (readers do this with `sharedMemory: true`), else it is
 * copied there once per pool and array (the copy is kept for later fits of
 * the same array).
 */
import { Worker } from 'node:worker_threads';
import { toShared } from '../../io/shared-array.js';
import type { Model } from '../../model/model.js';
import type { NumericArray } from '../../model/dtype.js';
import { threadStart, workerScript } from '../../pool/node/worker-script.js';
import {
  fitLinear,
  planLinearFit,
  storeLinearFit,
  type LinearFitOptions,
  type LinearFitResult,
} from '../linear-fit.js';
import {
  linearKernelOutput,
  type LinearKernelOutput,
  type LinearKernelSpec,
} from '../linear-kernel.js';

export type LinearToWorker =
  | {
      type: 'solve';
      id: number;
      spec: LinearKernelSpec;
      pixels: Int32Array;
      from: number;
      to: number;
      out: LinearKernelOutput;
    }
  | { type: 'stop' };

export type LinearFromWorker =
  { type: 'done'; id: number } | { type: 'error'; id: number; message: string };

/** The worker entry next to this module (.ts from the sources, through tsx; .js compiled). */
function linearWorkerUrl(): URL {
  const extension = new URL(import.meta.url).pathname.endsWith('.ts') ? 'ts' : 'js';
  return new URL(`./linear-worker.${extension}`, import.meta.url);
}

/** Chunks per thread: enough to even out threads slowed by other work. */
const CHUNKS_PER_THREAD = 8;
/** Smallest chunk, pixels (a multiple of the kernel's block of four). */
const MIN_CHUNK = 256;

interface Pending {
  resolve(): void;
  reject(e: Error): void;
}

/**
 * Worker threads for linear fits, started once and reused by every fit
 * (a thread takes a while to start: keep the pool for a session's fits).
 */
export class LinearThreadPool {
  readonly threads: number;
  readonly #workers: Worker[] = [];
  readonly #shared = new WeakMap<NumericArray, NumericArray>();
  #pending = new Map<number, Pending>();
  #nextId = 0;
  #closed = false;
  #failure: Error | null = null;

  constructor(threads: number) {
    if (!Number.isInteger(threads) || threads < 1)
      throw new Error(`linear fit: threads must be a positive integer, got ${threads}`);
    this.threads = threads;
    const start = threadStart(workerScript(linearWorkerUrl()));
    for (let t = 0; t < threads; t++) {
      const worker = new Worker(start.filename, start.options);
      worker.on('message', (m: LinearFromWorker) => this.#answer(m));
      worker.on('error', (e) =>
        this.#fail(new Error(`linear fit: a worker thread failed: ${e.message}`)),
      );
      worker.on('exit', (code) => {
        if (!this.#closed)
          this.#fail(new Error(`linear fit: a worker thread exited with code ${code}`));
      });
      // Idle threads do not keep the process alive; a fit refs them while it runs.
      worker.unref();
      this.#workers.push(worker);
    }
  }

  #answer(m: LinearFromWorker): void {
    const p = this.#pending.get(m.id);
    if (!p) return;
    this.#pending.delete(m.id);
    if (m.type === 'done') p.resolve();
    else p.reject(new Error(m.message));
  }

  #fail(e: Error): void {
    this.#failure ??= e;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(e);
  }

  #shareOf<T extends NumericArray>(array: T): T {
    if (array.buffer instanceof SharedArrayBuffer) return array;
    let shared = this.#shared.get(array) as T | undefined;
    if (!shared) {
      shared = toShared(array);
      this.#shared.set(array, shared);
    }
    return shared;
  }

  #solve(
    worker: Worker,
    message: Omit<Extract<LinearToWorker, { type: 'solve' }>, 'id' | 'type'>,
  ): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise<void>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ ...message, type: 'solve', id });
    });
  }

  /** fitLinear on the pool's threads: the same answers, written to the model the same way. */
  async fit(model: Model, options: LinearFitOptions = {}): Promise<LinearFitResult> {
    if (this.#closed) throw new Error('linear fit: the thread pool is closed');
    const plan = planLinearFit(model, options);
    const n = plan.pixels.length;
    const k = plan.spec.k;
    const variance = plan.spec.variance;
    const spec: LinearKernelSpec = {
      ...plan.spec,
      data: this.#shareOf(plan.spec.data),
      variance:
        variance.kind === 'array'
          ? { kind: 'array', data: this.#shareOf(variance.data) }
          : variance,
    };
    const pixels = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, n)));
    pixels.set(plan.pixels);
    const out = linearKernelOutput(n, k, SharedArrayBuffer);
    const chunk = Math.max(MIN_CHUNK, Math.ceil(n / (this.threads * CHUNKS_PER_THREAD) / 4) * 4);
    let next = 0;
    // Chunks are handed out in pixel order and every chunk handed out is
    // awaited: the failing chunk that starts first holds the error fitLinear
    // would throw.
    const failure: { from: number; error: Error | null } = { from: n, error: null };
    const feed = async (worker: Worker): Promise<void> => {
      worker.ref();
      try {
        while (next < n && failure.error === null) {
          const from = next;
          const to = Math.min(n, from + chunk);
          next = to;
          try {
            await this.#solve(worker, { spec, pixels, from, to, out });
          } catch (e) {
            if (from < failure.from) {
              failure.from = from;
              failure.error = e as Error;
            }
          }
        }
      } finally {
        worker.unref();
      }
    };
    await Promise.all(this.#workers.map((w) => feed(w)));
    if (failure.error !== null) throw failure.error;
    return storeLinearFit(plan, out, this.threads);
  }

  /** Stops the threads. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#workers.map((w) => w.terminate()));
    this.#fail(new Error('linear fit: the thread pool is closed'));
  }
}

export interface LinearThreadsOptions extends LinearFitOptions {
  /** Worker threads (1: this thread, no workers). @default 2 */
  threads?: number;
  /** Threads already started, reused (their count wins over `threads`). */
  pool?: LinearThreadPool;
}

/**
 * fitLinear with the pixels split over worker threads (see the module's
 * notes); with one thread and no pool, fitLinear itself.
 */
export async function fitLinearThreads(
  model: Model,
  options: LinearThreadsOptions = {},
): Promise<LinearFitResult> {
  const { threads = 2, pool, ...fit } = options;
  if (pool) return pool.fit(model, fit);
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`linear fit: threads must be a positive integer, got ${threads}`);
  if (threads === 1) return fitLinear(model, fit);
  const own = new LinearThreadPool(threads);
  try {
    return await own.fit(model, fit);
  } finally {
    await own.close();
  }
}
