/**
 * A worker pool started (and given the model and data) before SAMFire's
 * start(), so the benchmark times the fitting as HyperSpy's scripts time
 * theirs: HyperSpy's create_samfire() starts its worker pool and sends it the
 * model before start() is called. The engine's init() is then answered by
 * the workers already prepared, provided it asks for exactly what they were
 * prepared with; otherwise the workers are re-initialised (correct, only not
 * excluded from the timing). The start-up time is measured and reported.
 *
 * Imports core by path, not through `@samfire/core`: tsc compiles it with
 * core's sources into bench-results/build, to run as plain JavaScript
 * (samfire-bench.ts), where a package import would reach core/dist instead.
 */
import type { PoolEvents, PoolJob, WorkerPool } from '../../core/src/pool/pool.js';
import type { WorkerInit } from '../../core/src/pool/protocol.js';

function sameValues(x: ArrayLike<number>, y: ArrayLike<number>): boolean {
  if (x === y) return true;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  return true;
}

function sameInit(a: WorkerInit, b: WorkerInit): boolean {
  if (a.pixels !== b.pixels || a.maps.length !== b.maps.length) return false;
  if (!sameValues(a.data as ArrayLike<number>, b.data as ArrayLike<number>)) return false;
  if (a.variance.kind === 'array' || b.variance.kind === 'array') {
    if (a.variance.kind !== 'array' || b.variance.kind !== 'array') return false;
    if (!sameValues(a.variance.data as ArrayLike<number>, b.variance.data as ArrayLike<number>))
      return false;
  }
  for (let c = 0; c < a.maps.length; c++) {
    const x = a.maps[c]!;
    const y = b.maps[c]!;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  }
  const rest = (i: WorkerInit): string =>
    JSON.stringify({
      model: { ...i.model, channelSwitches: Array.from(i.model.channelSwitches) },
      variance: i.variance.kind === 'array' ? 'array' : i.variance,
      optional: i.optional,
      goodness: i.goodness,
      fit: i.fit,
    });
  return rest(a) === rest(b);
}

export class PreparedPool implements WorkerPool {
  readonly #inner: WorkerPool;
  #events: PoolEvents | null = null;
  #prepared: WorkerInit | null = null;
  /** Seconds prepare() took (workers started, model and data received). */
  prepareSeconds = 0;
  /** Whether the engine's init matched the prepared one. */
  reused = false;

  constructor(inner: WorkerPool) {
    this.#inner = inner;
  }

  get size(): number {
    return this.#inner.size;
  }

  get capacity(): number {
    return this.#inner.capacity;
  }

  get inFlight(): number {
    return this.#inner.inFlight;
  }

  #forward(): PoolEvents {
    return {
      onResult: (job, result) => this.#events?.onResult(job, result),
      onJobError: (job, pixel, message) => this.#events?.onJobError(job, pixel, message),
      onFault: (message) => this.#events?.onFault(message),
    };
  }

  async prepare(init: WorkerInit): Promise<void> {
    const t0 = performance.now();
    await this.#inner.init(init, this.#forward());
    this.prepareSeconds = (performance.now() - t0) / 1000;
    this.#prepared = init;
  }

  async init(init: WorkerInit, events: PoolEvents): Promise<void> {
    this.#events = events;
    const prepared = this.#prepared;
    this.#prepared = null;
    if (prepared && sameInit(prepared, init)) {
      this.reused = true;
      return;
    }
    await this.#inner.init(init, this.#forward());
  }

  submit(jobs: readonly PoolJob[]): void {
    this.#inner.submit(jobs);
  }

  drain(): PoolJob[] {
    return this.#inner.drain();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
