/**
 * The SAMFire engine: fits one model to every pixel of a spectrum image,
 * choosing which pixel to fit next and where its fit starts from pixels
 * already fitted well (see ../shared/docs/samfire-algorithm.md).
 *
 * The engine owns the marker and the strategy list, hands pixels to a
 * worker pool through the typed protocol (pool/protocol.ts), and applies
 * every result through `update`. It adds no minimiser of its own.
 */
import type { Model } from '../model/model.js';
import { InProcessPool } from '../pool/in-process-pool.js';
import type { PoolEvents, PoolJob, WorkerPool } from '../pool/pool.js';
import type {
  GoodnessTestSpec,
  PixelResult,
  PixelStart,
  WorkerFitOptions,
} from '../pool/protocol.js';
import {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  decodeStart,
  encodeStart,
  type BackupWriter,
  type RunOrder,
  type SamfireBackup,
} from './backup.js';
import { resolveSamfireOptions, type AcceptedFits, type SamfireOptions } from './engine-options.js';
import { Emitter } from './events.js';
import type { GoodnessTest } from './goodness/goodness-test.js';
import { RedChisqTest } from './goodness/red-chisq-test.js';
import { createGoodnessTest, hasGoodnessTest } from './goodness/registry.js';
import { storedStatistics } from './goodness/stored-statistics.js';
import { decodeBytes, decodeFloats, encodeBytes, encodeFloats } from './json.js';
import { collectMaxima, countDone, countLeft, ignoreFitted } from './marker.js';
import { applyModelState, modelState } from './model-state.js';
import { PendingJobs, type PendingJob } from './pending-jobs.js';
import { clearStoredFit, storeResult } from './pixel-store.js';
import { SamfireRandom } from './random.js';
import type { RetestEvent, SamfireEvents } from './samfire-events.js';
import { HistogramStrategy } from './strategies/global/histogram-strategy.js';
import { LocalStrategy } from './strategies/local/local-strategy.js';
import { RedChisqStrategy } from './strategies/local/red-chisq-strategy.js';
import type { Strategy, StrategyHost, StrategyPlot } from './strategies/strategy.js';
import { StrategyList } from './strategies/strategy-list.js';
import { strategyFromSnapshot } from './strategies/strategy-registry.js';
import { workerInit } from './worker-init.js';

export type { AcceptedFits } from './engine-options.js';

export interface SamfireMetadata {
  /** One value per pixel: the engine's memory of progress (see marker.ts). */
  readonly marker: Float64Array;
  /** Decides whether a fit is good enough to keep and to propagate. @default reduced chi-squared, tolerance 1 */
  goodnessTest: GoodnessTest;
}

/** A pixel handed out for fitting and its candidate starting values. */
export interface PixelPick {
  pixel: number;
  start: PixelStart;
}

type RunState = 'idle' | 'running' | 'stopping';

/** The engine as its strategies see it: live values read through accessors. */
function strategyHost(
  model: Model,
  marker: Float64Array,
  read: {
    goodnessTest(): GoodnessTest;
    count(): number;
    updateEvery(): number;
    isRunning(pixel: number): boolean;
    running: ReadonlySet<number>;
    raised(pixel: number): void;
  },
): StrategyHost {
  return {
    model,
    marker,
    get goodnessTest() {
      return read.goodnessTest();
    },
    get count() {
      return read.count();
    },
    get updateEvery() {
      return read.updateEvery();
    },
    isRunning: read.isRunning,
    running: read.running,
    raised: read.raised,
  };
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function sameTest(a: GoodnessTestSpec, b: GoodnessTestSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class Samfire {
  readonly model: Model;
  readonly metadata: SamfireMetadata;
  readonly strategies: StrategyList;
  /** Number of workers asked for (0: in the calling thread). */
  readonly workers: number;
  readonly randomSeed: number;
  /** How results are applied: in pick order (reproducible) or as they arrive. */
  readonly order: RunOrder;
  /** Jobs handed out at once in pick order. */
  readonly window: number;
  /** Global strategies rebuild their database every `updateEvery` results. @default max(10, 2 * workers) */
  updateEvery: number;
  /** Plot every `plotEvery` results while running; 0 is off. */
  plotEvery = 0;
  /**
   * Back up every `saveEvery` results while running; 0 is off. A run applies
   * no more results until each backup is written, so a crash loses at most
   * `saveEvery` results.
   */
  saveEvery = 0;
  /** Where the periodic backups go. @default `backup_<signal title>.json` */
  backupFilename: string | null = null;

  readonly #options: ReturnType<typeof resolveSamfireOptions>;
  readonly #events: Emitter<SamfireEvents>;
  readonly #host: StrategyHost;
  readonly #running: Uint8Array;
  readonly #runningSet = new Set<number>();
  readonly #candidates: Int32Array;
  /**
   * The pixels with marker > 0 (and perhaps some that dropped to <= 0 since,
   * pruned at the next pick), in increasing order: a local strategy's
   * candidates are a thin front, so a pick scans it instead of the whole
   * marker (O(front) instead of O(pixels) per pick: 65,536 pixels made the
   * scans 4e9 steps). Rebuilt after any bulk change of the marker; kept up
   * to date through StrategyHost.raised in between.
   */
  #front: number[] = [];
  readonly #inFront: Uint8Array;
  #frontDirty = true;
  readonly #pending = new PendingJobs();
  #random: SamfireRandom;
  #count = 0;
  #optional: number[] = [];
  #pool: WorkerPool | null;
  #ownsPool = false;
  #state: RunState = 'idle';
  #run: Promise<void> | null = null;
  #fitOptions: WorkerFitOptions = {};
  #log: unknown[][] | null;
  #nextJob = 1;
  #epoch = 0;
  #wake: (() => void) | null = null;
  #woken = false;
  #lastProgress = -Infinity;
  #runStart = 0;
  #countAtStart = 0;
  #writes: Promise<void> = Promise.resolve();
  /** 1 where this engine stored a good result (see #retest). */
  readonly #accepted: Uint8Array;
  /** The goodness test that last judged the marker: at the last refresh of the database or start. */
  #judgedBy: GoodnessTestSpec | null = null;
  /**
   * The periodic backup being written. A run applies no more results until
   * it has landed, so a crash loses at most `saveEvery` results.
   */
  #backupLanding: Promise<unknown> | null = null;

  constructor(model: Model, options: SamfireOptions = {}) {
    const o = resolveSamfireOptions(options);
    this.#options = o;
    this.model = model;
    this.workers = o.workers;
    this.randomSeed = o.randomSeed;
    this.order = o.order;
    this.window = o.window;
    this.updateEvery = Math.max(10, 2 * o.workers);
    this.#random = new SamfireRandom(o.randomSeed);
    this.#pool = o.pool;
    this.#log = o.log ? [] : null;
    this.#events = new Emitter<SamfireEvents>((error, type) =>
      this.log('listener error', String(type), errorMessage(error)),
    );
    const nav = model.signal.navigationSize;
    this.metadata = { marker: new Float64Array(nav), goodnessTest: new RedChisqTest(1) };
    this.#running = new Uint8Array(nav);
    this.#candidates = new Int32Array(nav);
    this.#inFront = new Uint8Array(nav);
    this.#accepted = new Uint8Array(nav);
    this.#host = strategyHost(model, this.metadata.marker, {
      goodnessTest: () => this.metadata.goodnessTest,
      count: () => this.#count,
      updateEvery: () => this.updateEvery,
      isRunning: (pixel) => this.#running[pixel] === 1,
      running: this.#runningSet,
      raised: (pixel) => this.#raised(pixel),
    });
    this.strategies = new StrategyList(
      {
        host: this.#host,
        checkCanRemoveActive: (s) => {
          if (this.#state !== 'idle') {
            throw new Error(
              `cannot remove the active strategy '${s.name}' while SAMFire runs; stop() it first`,
            );
          }
        },
        activeRemoved: (next) => {
          this.#discardPending();
          if (next) next.refresh(false);
          this.#frontDirty = true;
        },
      },
      o.strategies ?? [new RedChisqStrategy(), new HistogramStrategy()],
    );
    if (o.setup && this.strategies.length > 0) this.#refreshDatabase();
    if (o.accepted) this.#adopt(o.accepted);
  }

  // --- state ----------------------------------------------------------------

  /** The worker pool of the current (or last) run; null before the first run. */
  get pool(): WorkerPool | null {
    return this.#pool;
  }

  /** Results received (good or not). */
  get count(): number {
    return this.#count;
  }

  /** Components switched on or off per pixel by AICc, as indices into the model. */
  get optionalComponents(): number[] {
    return [...this.#optional];
  }

  /** By index or by name; stored as indices. */
  set optionalComponents(refs: readonly (number | string)[]) {
    // The workers of a run were built with the list as it was at start().
    this.#checkIdle('change the optional components');
    const indices = refs.map((r) => this.model.indexOf(r));
    this.#optional = [...new Set(indices)].sort((a, b) => a - b);
  }

  get activeStrategy(): Strategy | null {
    return this.strategies.active;
  }

  /** Pixels handed out and not yet applied. */
  get runningPixels(): number[] {
    return [...this.#runningSet];
  }

  /** Pixels fitted and good (marker <= -1). */
  get pixelsDone(): number {
    return countDone(this.metadata.marker);
  }

  /** Candidates known now (marker > 0); grows as the engine learns. */
  get pixelsLeft(): number {
    return countLeft(this.metadata.marker);
  }

  get running(): boolean {
    return this.#state !== 'idle';
  }

  on<K extends keyof SamfireEvents>(
    type: K,
    listener: (event: SamfireEvents[K]) => void,
  ): () => void {
    return this.#events.on(type, listener);
  }

  off<K extends keyof SamfireEvents>(type: K, listener: (event: SamfireEvents[K]) => void): void {
    this.#events.off(type, listener);
  }

  // --- running ----------------------------------------------------------------

  /**
   * Runs the strategies from the active one until every pixel is done or the
   * last strategy has no pixel left; resolves then, or when stopped. Fit
   * options default to the last run's.
   */
  start(fitOptions?: WorkerFitOptions): Promise<void> {
    if (this.#state !== 'idle') {
      return Promise.reject(
        new Error('SAMFire is already running; await stop() before starting it again'),
      );
    }
    if (fitOptions) this.#fitOptions = { ...fitOptions };
    this.#state = 'running';
    const run = this.#execute().finally(() => {
      this.#state = 'idle';
      this.#run = null;
    });
    this.#run = run;
    return run;
  }

  /**
   * Stops promptly: pixels being fitted are collected (waiting at most
   * `stopTimeout` ms), queued ones are kept and handed out again by the next
   * start(), which resumes from the same marker.
   */
  async stop(): Promise<void> {
    if (this.#state === 'idle') return;
    this.#state = 'stopping';
    this.#signal();
    try {
      await this.#run;
    } catch {
      // start() reports its own failure.
    }
  }

  /**
   * Closes the pool (an injected one too) and waits for backups being
   * written. The engine can start again afterwards.
   */
  async close(): Promise<void> {
    await this.stop();
    const pool = this.#pool;
    if (pool) await pool.close();
    if (this.#ownsPool) this.#pool = null;
    await this.#writes;
  }

  async #execute(): Promise<void> {
    try {
      const pool = await this.#setup();
      this.#runStart = this.#options.now();
      this.#countAtStart = this.#count;
      this.#lastProgress = -Infinity;
      const finished = await this.#loop(pool);
      this.#progress(true);
      const summary = { count: this.#count, done: this.pixelsDone, left: this.pixelsLeft };
      this.log(finished ? 'finished' : 'stopped', summary.count, summary.done, summary.left);
      this.#events.emit(finished ? 'finished' : 'stopped', summary);
    } catch (e) {
      this.log('error', errorMessage(e));
      this.#events.emit('error', { message: errorMessage(e) });
      throw e;
    } finally {
      if (this.#ownsPool && this.#pool) {
        await this.#pool.close();
        this.#pool = null;
        this.#ownsPool = false;
      }
    }
  }

  async #setup(): Promise<WorkerPool> {
    if (this.strategies.length === 0) throw new Error('SAMFire has no strategy to run; append one');
    const goodness = this.metadata.goodnessTest.spec();
    if (!hasGoodnessTest(goodness.kind)) {
      throw new Error(
        `goodness test '${goodness.kind}' is not registered; registerGoodnessTest('${goodness.kind}', ...) so workers can build it`,
      );
    }
    for (const i of this.#optional) this.model.components[i]!.activeIsMultidimensional = true;
    // The marker may have been written from outside since the last run.
    this.#frontDirty = true;
    if (this.#testChanged()) {
      // Fits judged by another test are judged again by this one before
      // anything else (see #retest); jobs handed out were fitted for the old one.
      this.#checkSomethingPasses();
      this.#discardPending();
      this.#rejudge();
    } else if (this.#count === 0 && this.#pending.size === 0) {
      // A run that has not begun takes the seeds as they are now (strategy
      // settings such as radii may have changed since the constructor's setup).
      this.#refreshDatabase();
    }
    let pool = this.#pool;
    if (!pool) {
      if (this.workers > 0) this.log('no worker pool given: fitting in the calling thread');
      pool = new InProcessPool();
      this.#pool = pool;
      this.#ownsPool = true;
    }
    const init = workerInit(this.model, {
      optional: this.#optional,
      goodness,
      fit: this.#fitOptions,
    });
    const epoch = ++this.#epoch;
    this.#pending.forgetJobs();
    await pool.init(init, this.#poolEvents(epoch));
    this.log('start', this.activeStrategy?.name ?? null, this.#count);
    return pool;
  }

  #poolEvents(epoch: number): PoolEvents {
    return {
      onResult: (job, result) => {
        if (epoch === this.#epoch && this.#pending.settle(job, result, null)) this.#signal();
      },
      onJobError: (job, pixel, message) => {
        if (epoch === this.#epoch && this.#pending.settle(job, null, message)) {
          this.#signal();
          return;
        }
        this.log('worker error', pixel, message);
        this.#events.emit('error', { message });
      },
      onFault: (message) => {
        this.log('pool fault', message);
        this.#events.emit('error', { message });
      },
    };
  }

  /** Returns true when the run ended (nothing left), false when it was stopped. */
  async #loop(pool: WorkerPool): Promise<boolean> {
    if (this.#state === 'running') this.#submit(pool, this.#pending.unsubmitted());
    let rescanned = false;
    for (;;) {
      if (this.#state !== 'running') break;
      this.#refill(pool);
      this.#applySettled(pool);
      if (this.#backupLanding) {
        // The workers go on fitting; their results wait until the backup is on disk.
        const landing = this.#backupLanding;
        this.#backupLanding = null;
        await landing;
        continue;
      }
      if (this.#state !== 'running') break;
      if (this.#pending.size > 0) {
        rescanned = false;
        await this.#wait();
        continue;
      }
      if (!rescanned) {
        // Before a strategy ends, one scan of the whole marker: candidates
        // written into metadata.marker during the run (by a listener) count.
        rescanned = true;
        this.#frontDirty = true;
        continue;
      }
      const list = this.strategies;
      if (this.pixelsDone === this.metadata.marker.length || list.activeIndex >= list.length - 1)
        return true;
      // Switching rebuilds the front: no second scan needed.
      this.#switchStrategy(list.activeIndex + 1);
    }
    await this.#collect(pool);
    return false;
  }

  /** Applies settled jobs (in pick or arrival order), handing out a new pixel after each. */
  #applySettled(pool: WorkerPool): void {
    for (;;) {
      const entry =
        this.order === 'pick' ? this.#pending.shiftSettledHead() : this.#pending.shiftArrived();
      if (!entry) return;
      this.#apply(entry);
      // Stopping between applying and refilling is safe: start() refills first.
      if (this.#state !== 'running') return;
      this.#refill(pool);
      if (this.#backupLanding) return;
    }
  }

  #apply(entry: PendingJob): void {
    if (entry.error !== null) {
      this.log('pixel error', entry.pixel, entry.error);
      this.#events.emit('error', { message: entry.error, pixel: entry.pixel });
      this.update(entry.pixel, null, false);
    } else {
      this.update(entry.pixel, entry.result);
    }
  }

  #refill(pool: WorkerPool): void {
    if (this.#state !== 'running') return;
    const target = this.order === 'pick' ? this.window : Math.max(1, pool.capacity);
    const want = target - this.#pending.size;
    if (want <= 0) return;
    this.#submit(pool, this.#pick(want));
  }

  #submit(pool: WorkerPool, entries: readonly PendingJob[]): void {
    if (entries.length === 0) return;
    const jobs: PoolJob[] = entries.map((e) => {
      const job = this.#nextJob++;
      this.#pending.submitted(e, job);
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
    this.#pending.forgetJobs();
    if (this.order === 'arrival') {
      for (let e = this.#pending.shiftArrived(); e; e = this.#pending.shiftArrived())
        this.#apply(e);
      this.#discardPending();
    }
  }

  /** Gives back every pending pixel: it is no longer running and gets its priority back. */
  #discardPending(): void {
    this.#frontDirty = true;
    const marker = this.metadata.marker;
    for (const e of this.#pending.clear()) {
      this.#release(e.pixel);
      if (marker[e.pixel] === 0) marker[e.pixel] = e.priority;
    }
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

  #release(pixel: number): void {
    this.#running[pixel] = 0;
    this.#runningSet.delete(pixel);
  }

  #progress(force: boolean): void {
    const now = this.#options.now();
    if (!force && now - this.#lastProgress < this.#options.progressInterval) return;
    if (this.#events.listenerCount('progress') === 0) return;
    this.#lastProgress = now;
    const seconds = Math.max(1e-9, (now - this.#runStart) / 1000);
    const rate = this.#state === 'idle' ? 0 : (this.#count - this.#countAtStart) / seconds;
    const left = this.pixelsLeft;
    this.#events.emit('progress', {
      done: this.pixelsDone,
      left,
      count: this.#count,
      rate,
      eta: rate > 0 ? left / rate : left === 0 ? 0 : Infinity,
    });
  }

  // --- the seed API ------------------------------------------------------------

  /**
   * Up to `n` pixels to fit next with their candidate starting values: the
   * pixels with the largest positive marker, ties broken by the seeded random
   * generator. Each is marked running (marker 0) until its result is applied
   * through `update`; until then it is part of a backup, and a start() fits
   * it.
   */
  generateValues(n: number): PixelPick[] {
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`generateValues: n must be a whole number >= 0, got ${n}`);
    // metadata.marker is public: values written into it since the last pick
    // count. One scan per call (a run's own picks keep the front up to date).
    this.#frontDirty = true;
    return this.#pick(n).map(({ pixel, start }) => ({ pixel, start }));
  }

  /** Picks up to `n` pixels and adds them to the pending jobs (not yet submitted). */
  #pick(n: number): PendingJob[] {
    const strategy = this.activeStrategy;
    if (!strategy) return [];
    const marker = this.metadata.marker;
    const out: PendingJob[] = [];
    // Only local strategies report the pixels they raise (StrategyHost.raised).
    const useFront = strategy instanceof LocalStrategy;
    for (let i = 0; i < n; i++) {
      const k = useFront
        ? this.#frontMaxima()
        : collectMaxima(marker, this.#running, this.#candidates);
      if (k === 0) break;
      const pixel = this.#candidates[k === 1 ? 0 : this.#random.integer(k)]!;
      const priority = marker[pixel]!;
      marker[pixel] = 0;
      this.#running[pixel] = 1;
      this.#runningSet.add(pixel);
      const job: PendingJob = {
        pixel,
        start: strategy.values(pixel),
        priority,
        job: null,
        result: null,
        error: null,
      };
      this.#pending.add(job);
      out.push(job);
    }
    return out;
  }

  #raised(pixel: number): void {
    if (this.#frontDirty || this.#inFront[pixel]) return;
    this.#inFront[pixel] = 1;
    const front = this.#front;
    // Keep increasing order (ties are broken by position in pixel order).
    let lo = 0;
    let hi = front.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (front[mid]! < pixel) lo = mid + 1;
      else hi = mid;
    }
    if (lo === front.length) front.push(pixel);
    else front.splice(lo, 0, pixel);
  }

  /**
   * collectMaxima over the front: the same pixels in the same order as a
   * scan of the whole marker gives. Drops the pixels no longer > 0.
   */
  #frontMaxima(): number {
    const marker = this.metadata.marker;
    const running = this.#running;
    const inFront = this.#inFront;
    if (this.#frontDirty) {
      inFront.fill(0);
      const front: number[] = [];
      for (let p = 0; p < marker.length; p++) {
        if (marker[p]! > 0) {
          front.push(p);
          inFront[p] = 1;
        }
      }
      this.#front = front;
      this.#frontDirty = false;
    }
    const front = this.#front;
    const out = this.#candidates;
    let max = 0;
    let n = 0;
    let kept = 0;
    for (let j = 0; j < front.length; j++) {
      const p = front[j]!;
      const v = marker[p]!;
      if (!(v > 0)) {
        inFront[p] = 0;
        continue;
      }
      front[kept++] = p;
      if (running[p]) continue;
      if (v > max) {
        max = v;
        n = 0;
      }
      if (v === max) out[n++] = p;
    }
    front.length = kept;
    return n;
  }

  /**
   * Applies one pixel's result: a good result is stored in the model's maps;
   * without a result the fit already stored at the pixel is tested (unless
   * `isGood` says). Then the count advances, the active strategy updates the
   * marker, and progress, plots and backups follow.
   */
  update(
    pixel: number | readonly number[],
    result: PixelResult | null = null,
    isGood?: boolean,
  ): void {
    const p = typeof pixel === 'number' ? pixel : this.model.signal.pixelIndex(pixel);
    this.model.signal.checkPixel(p);
    // A pixel handed out by generateValues may be answered here directly.
    this.#pending.removePixel(p);
    this.#release(p);
    let good: boolean;
    if (result) {
      if (result.pixel !== p)
        throw new Error(`update: a result for pixel ${result.pixel} given for pixel ${p}`);
      good = isGood ?? result.good;
      if (good) {
        storeResult(this.model, p, result);
        this.#accepted[p] = 1;
      }
    } else {
      good = isGood ?? this.metadata.goodnessTest.test(this.model, p);
    }
    this.#count++;
    this.activeStrategy?.update(p, good);
    this.#events.emit('pixelDone', { pixel: p, good });
    this.#progress(false);
    this.plot(true);
    if (this.saveEvery > 0 && this.#count % this.saveEvery === 0) {
      this.#backupLanding = this.backup(this.backupFilename ?? undefined, true).catch(
        (e: unknown) => {
          this.#events.emit('error', { message: `backup failed: ${errorMessage(e)}` });
        },
      );
    }
  }

  /**
   * The active strategy's plot as plain data, emitted as a 'plot' event: the
   * marker for a local strategy, histograms for a global one. With `onCount`
   * only every `plotEvery` results.
   */
  plot(onCount = false): StrategyPlot | null {
    if (onCount && !(this.plotEvery > 0 && this.#count % this.plotEvery === 0)) return null;
    const strategy = this.activeStrategy;
    if (!strategy) return null;
    const data = strategy.plotData();
    this.#events.emit('plot', data);
    return data;
  }

  /**
   * Pixels whose stored fit passes the goodness test seed the active
   * strategy; nothing else is kept. After the test changed, results of this
   * engine that fail it are cleared first (see #retest).
   */
  refreshDatabase(): void {
    this.#checkIdle('refresh the database');
    this.#discardPending();
    this.#rejudge();
  }

  /** The pixels this engine stored as good and the test that judged them (to carry them over to a new engine). */
  get accepted(): AcceptedFits | null {
    const test = this.#judgedBy;
    return test ? { pixels: Uint8Array.from(this.#accepted), test: { ...test } } : null;
  }

  #adopt(accepted: AcceptedFits): void {
    if (accepted.pixels.length !== this.#accepted.length) {
      throw new Error(
        `SAMFire option 'accepted': ${accepted.pixels.length} pixels for a navigation space of ${this.#accepted.length}`,
      );
    }
    this.#accepted.set(accepted.pixels);
    this.#judgedBy = { ...accepted.test };
  }

  #refreshDatabase(): void {
    this.#frontDirty = true;
    this.#judgedBy = this.metadata.goodnessTest.spec();
    const strategy = this.activeStrategy;
    if (!strategy) return;
    const good = this.metadata.goodnessTest.map(this.model, this.#storedMask());
    strategy.clean();
    strategy.refresh(true, good);
  }

  #storedMask(): Uint8Array {
    return Uint8Array.from(this.model.chisq, (v) => (Number.isFinite(v) ? 1 : 0));
  }

  #testChanged(): boolean {
    const judged = this.#judgedBy;
    return judged !== null && !sameTest(judged, this.metadata.goodnessTest.spec());
  }

  /** A refresh of the database, after a re-test when the goodness test changed. */
  #rejudge(): void {
    if (this.#testChanged()) this.#retest();
    this.#refreshDatabase();
  }

  /**
   * start() after the goodness test changed: if no stored fit passes the
   * current one there is nothing to start from; say so before changing anything.
   */
  #checkSomethingPasses(): void {
    const test = this.metadata.goodnessTest;
    const stored = this.#storedMask();
    const n = this.model.signal.navigationSize;
    for (let p = 0; p < n; p++) if (stored[p] && test.test(this.model, p)) return;
    const judged = this.#judgedBy!;
    throw new Error(
      `the goodness test changed (${judged.kind}, tolerance ${judged.tolerance} -> ${test.kind}, tolerance ${test.tolerance}) and no stored fit passes it: there is nothing to start from; fit a seed that passes it or loosen the test (nothing was changed)`,
    );
  }

  /**
   * The pixels marked done (marker <= -1) and the results this engine
   * stored were judged by another goodness test: each is tested again with
   * the current one. Those that fail are no longer done (marker 0), so the
   * run fits them again. A result this engine stored that fails is cleared
   * as well (NaN statistics, parameters unset): under the current test it is
   * a failed fit, and a failed fit is never kept, so the maps show only
   * results that pass the test the user chose. A fit stored by hand or
   * loaded from a file is kept (as HyperSpy keeps stored fits) but no longer
   * seeds the run. Emits 'retested'.
   */
  #retest(): void {
    const previous = this.#judgedBy!;
    const test = this.metadata.goodnessTest;
    const marker = this.metadata.marker;
    const failed: number[] = [];
    const statistics: number[] = [];
    let tested = 0;
    let cleared = 0;
    const accepted = this.#accepted;
    for (let p = 0; p < marker.length; p++) {
      // Done, or a result this engine (or the one it carries on) stored.
      if (!(marker[p]! <= -1) && !accepted[p]) continue;
      tested++;
      if (test.test(this.model, p)) continue;
      failed.push(p);
      statistics.push(
        Number.isFinite(this.model.chisq[p]!)
          ? test.statistic(storedStatistics(this.model, p))
          : NaN,
      );
      if (marker[p]! < 0) marker[p] = 0;
      if (accepted[p]) {
        clearStoredFit(this.model, p);
        accepted[p] = 0;
        cleared++;
      }
    }
    this.#judgedBy = test.spec();
    const event: RetestEvent = {
      test: test.spec(),
      previous: { ...previous },
      tested,
      failed,
      statistics,
      cleared,
    };
    this.log('retested', tested, failed.length, cleared);
    this.#events.emit('retested', event);
  }

  /**
   * Makes another strategy active (by index or itself):
   * - local to local: the new one refreshes with overwrite (ignored pixels propagate again);
   * - local to global: every -1 becomes -2 (ignored by a later local strategy),
   *   then the global one refreshes without overwrite;
   * - from global: the new one refreshes without overwrite;
   * - to the active one: its database is refreshed.
   */
  changeStrategy(target: number | Strategy): void {
    const index = this.strategies.resolve(target);
    this.#checkIdle('change strategy');
    this.#discardPending();
    this.#switchStrategy(index);
  }

  #switchStrategy(index: number): void {
    this.#frontDirty = true;
    const list = this.strategies;
    if (index === list.activeIndex && list.active) {
      this.#rejudge();
      return;
    }
    const from = list.active;
    const to = list.at(index);
    list.setActive(index);
    from?.clean();
    if (from?.flavour === 'local' && to.flavour === 'local') {
      to.refresh(true);
    } else {
      if (from?.flavour === 'local' && to.flavour === 'global') ignoreFitted(this.metadata.marker);
      to.refresh(false);
    }
    this.log('strategy changed', index, to.name);
    this.#events.emit('strategyChanged', { index, name: to.name, flavour: to.flavour });
  }

  append(strategy: Strategy): void {
    this.strategies.append(strategy);
  }

  extend(strategies: Iterable<Strategy>): void {
    this.strategies.extend(strategies);
  }

  remove(ref: number | Strategy): Strategy {
    return this.strategies.remove(ref);
  }

  /** Appends the arguments to the log when logging is on (option `log`). */
  log(...args: unknown[]): void {
    this.#log?.push(args);
  }

  /** The log's entries (empty when logging is off). */
  get logEntries(): readonly (readonly unknown[])[] {
    return this.#log ?? [];
  }

  #checkIdle(action: string): void {
    if (this.#state !== 'idle')
      throw new Error(`cannot ${action} while SAMFire runs; stop() it first`);
  }

  // --- backups -----------------------------------------------------------------

  /**
   * The whole state as JSON-able data (model maps and engine), written
   * through the injected writer and emitted as a 'backup' event. With
   * `onCount` only every `saveEvery` results. Resolves with what was saved.
   */
  async backup(filename?: string, onCount = false): Promise<SamfireBackup | null> {
    if (onCount && !(this.saveEvery > 0 && this.#count % this.saveEvery === 0)) return null;
    const name = filename ?? `backup_${this.model.signal.title || 'samfire'}.json`;
    const data = this.snapshot();
    this.#events.emit('backup', { filename: name, backup: data });
    const writer: BackupWriter | null = this.#options.writer;
    if (!writer) return data;
    // One write at a time, in order, so an older state never lands last.
    const write = this.#writes.then(() => writer(name, data));
    this.#writes = write.catch(() => undefined);
    await write;
    this.log('backup', name, this.#count);
    return data;
  }

  snapshot(): SamfireBackup {
    const signal = this.model.signal;
    return {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      signal: {
        title: signal.title,
        navigationShape: signal.navigationShape,
        channels: signal.channels,
      },
      model: modelState(this.model),
      engine: {
        marker: encodeFloats(this.metadata.marker),
        count: this.#count,
        optionalComponents: [...this.#optional],
        goodnessTest: this.metadata.goodnessTest.spec(),
        strategies: [...this.strategies].map((s) => s.snapshot()),
        activeStrategy: this.strategies.activeIndex,
        updateEvery: this.updateEvery,
        plotEvery: this.plotEvery,
        saveEvery: this.saveEvery,
        random: this.#random.state(),
        order: this.order,
        window: this.window,
        fitOptions: { ...this.#fitOptions },
        accepted: encodeBytes(this.#accepted),
        ...(this.#judgedBy ? { judgedBy: { ...this.#judgedBy } } : {}),
        pending: this.#pending.entries().map((e) => ({
          pixel: e.pixel,
          priority: e.priority,
          start: encodeStart(e.start),
        })),
      },
    };
  }

  /**
   * A Samfire from a backup, on a model of the same signal with the same
   * components (see modelFromState to build one). The run resumes where the
   * backup was taken. Options other than the pool, writer, clock and logging
   * come from the backup.
   */
  static restore(model: Model, backup: SamfireBackup, options: SamfireOptions = {}): Samfire {
    const signal = model.signal;
    const shape = signal.navigationShape;
    const saved = backup.signal;
    if (saved.channels !== signal.channels || saved.navigationShape.join('x') !== shape.join('x')) {
      throw new Error(
        `backup of a ${saved.navigationShape.join('x')} map of ${saved.channels} channels cannot be restored onto a ${shape.join('x')} map of ${signal.channels}`,
      );
    }
    const e = backup.engine;
    applyModelState(model, backup.model);
    const samfire = new Samfire(model, {
      ...options,
      setup: false,
      randomSeed: e.random.seed,
      order: e.order,
      window: e.window,
      strategies: e.strategies.map((s) => strategyFromSnapshot(s)),
    });
    samfire.#restoreEngine(backup);
    return samfire;
  }

  #restoreEngine(backup: SamfireBackup): void {
    this.#frontDirty = true;
    const e = backup.engine;
    const nav = this.model.signal.navigationSize;
    this.metadata.marker.set(decodeFloats(e.marker, 'backup marker', nav));
    this.#count = e.count;
    this.optionalComponents = e.optionalComponents;
    this.metadata.goodnessTest = createGoodnessTest(e.goodnessTest);
    if (this.strategies.length > 0) this.strategies.setActive(e.activeStrategy);
    this.updateEvery = e.updateEvery;
    this.plotEvery = e.plotEvery;
    this.saveEvery = e.saveEvery;
    this.#random = new SamfireRandom(e.random.seed, e.random.draws);
    this.#fitOptions = { ...e.fitOptions };
    if (e.accepted) this.#accepted.set(decodeBytes(e.accepted, 'backup accepted pixels', nav));
    // Backups before the re-test (issue 16) were judged by the test they hold.
    this.#judgedBy = e.judgedBy ? { ...e.judgedBy } : { ...e.goodnessTest };
    for (const job of e.pending) {
      this.model.signal.checkPixel(job.pixel);
      this.#pending.add({
        pixel: job.pixel,
        priority: job.priority,
        start: decodeStart(job.start, `backup job for pixel ${job.pixel}`),
        job: null,
        result: null,
        error: null,
      });
      this.#running[job.pixel] = 1;
      this.#runningSet.add(job.pixel);
    }
  }
}
