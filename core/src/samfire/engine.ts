/**
 * The SAMFire engine: fits one model to every pixel of a spectrum image,
 * choosing which pixel to fit next and where its fit starts from pixels
 * already fitted well (see docs/engine.md).
 *
 * This file is the HyperSpy-style facade (start, stop, plot,
 * refreshDatabase, backup, changeStrategy, append, extend, remove, update,
 * log, generateValues). Its pieces:
 * - scheduler.ts: picks pixels, feeds the worker pool through the typed
 *   protocol (pool/protocol.ts), applies results in pick or arrival order;
 * - candidate-front.ts: the index of the candidates a pick scans;
 * - fit-database.ts: which stored fits are good, by which test (retest);
 * - engine-backup.ts: the state as a backup and back.
 * It adds no minimiser of its own.
 */
import type { Model } from '../model/model.js';
import { InProcessPool } from '../pool/in-process-pool.js';
import type { WorkerPool } from '../pool/pool.js';
import type { PixelResult, PixelStart, WorkerFitOptions } from '../pool/protocol.js';
import type { BackupWriter, RunOrder, SamfireBackup } from './backup.js';
import { engineSnapshot, restoreEngine, restoreModel, type EngineParts } from './engine-backup.js';
import { resolveSamfireOptions, type AcceptedFits, type SamfireOptions } from './engine-options.js';
import { Emitter } from './events.js';
import { FitDatabase } from './fit-database.js';
import type { GoodnessTest } from '../goodness/goodness-test.js';
import { RedChisqTest } from '../goodness/red-chisq-test.js';
import { hasGoodnessTest } from '../goodness/registry.js';
import { countDone, countLeft, ignoreFitted } from './marker.js';
import { storeResult } from './pixel-store.js';
import { SamfireRandom } from './random.js';
import type { SamfireEvents } from './samfire-events.js';
import { Scheduler } from './scheduler.js';
import { HistogramStrategy } from './strategies/global/histogram-strategy.js';
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

/** The engine as its strategies see it: live values read through accessors. */
function strategyHost(
  model: Model,
  marker: Float64Array,
  scheduler: Scheduler,
  read: { goodnessTest(): GoodnessTest; count(): number; updateEvery(): number },
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
    isRunning: (pixel) => scheduler.running[pixel] === 1,
    running: scheduler.runningSet,
    raised: (pixel) => scheduler.front.raised(pixel),
  };
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
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
  readonly #scheduler: Scheduler;
  readonly #database: FitDatabase;
  readonly #counters: EngineParts['counters'] = { count: 0, fitOptions: {} };
  #optional: number[] = [];
  #pool: WorkerPool | null;
  #ownsPool = false;
  #run: Promise<void> | null = null;
  #log: unknown[][] | null;
  #lastProgress = -Infinity;
  #runStart = 0;
  #countAtStart = 0;
  #writes: Promise<void> = Promise.resolve();

  constructor(model: Model, options: SamfireOptions = {}) {
    const o = resolveSamfireOptions(options);
    this.#options = o;
    this.model = model;
    this.workers = o.workers;
    this.randomSeed = o.randomSeed;
    this.order = o.order;
    this.window = o.window;
    this.updateEvery = Math.max(10, 2 * o.workers);
    this.#pool = o.pool;
    this.#log = o.log ? [] : null;
    this.#events = new Emitter<SamfireEvents>((error, type) =>
      this.log('listener error', String(type), errorMessage(error)),
    );
    const nav = model.signal.navigationSize;
    this.metadata = { marker: new Float64Array(nav), goodnessTest: new RedChisqTest(1) };
    const scheduler = new Scheduler(
      this.metadata.marker,
      new SamfireRandom(o.randomSeed),
      {
        activeStrategy: () => this.activeStrategy,
        apply: (pixel, result, isGood) => this.update(pixel, result, isGood),
        strategyEnded: () => this.#strategyEnded(),
        log: (...args) => this.log(...args),
        error: (event) => this.#events.emit('error', event),
      },
      o,
    );
    this.#scheduler = scheduler;
    this.#database = new FitDatabase({
      model,
      marker: this.metadata.marker,
      goodnessTest: () => this.metadata.goodnessTest,
      activeStrategy: () => this.activeStrategy,
      markerChanged: () => scheduler.front.invalidate(),
      log: (...args) => this.log(...args),
      retested: (event) => this.#events.emit('retested', event),
    });
    this.strategies = new StrategyList(
      {
        host: strategyHost(model, this.metadata.marker, scheduler, {
          goodnessTest: () => this.metadata.goodnessTest,
          count: () => this.count,
          updateEvery: () => this.updateEvery,
        }),
        checkCanRemoveActive: (s) => {
          if (this.running) {
            throw new Error(
              `cannot remove the active strategy '${s.name}' while SAMFire runs; stop() it first`,
            );
          }
        },
        activeRemoved: (next) => {
          scheduler.discardPending();
          if (next) next.refresh(false);
          scheduler.front.invalidate();
        },
      },
      o.strategies ?? [new RedChisqStrategy(), new HistogramStrategy()],
    );
    if (o.setup && this.strategies.length > 0) this.#database.refresh();
    if (o.accepted) this.#database.adopt(o.accepted);
  }

  // --- state ----------------------------------------------------------------

  /** The worker pool of the current (or last) run; null before the first run. */
  get pool(): WorkerPool | null {
    return this.#pool;
  }

  /** Results received (good or not). */
  get count(): number {
    return this.#counters.count;
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
    return [...this.#scheduler.runningSet];
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
    return this.#scheduler.state !== 'idle';
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
    const scheduler = this.#scheduler;
    if (scheduler.state !== 'idle') {
      return Promise.reject(
        new Error('SAMFire is already running; await stop() before starting it again'),
      );
    }
    if (fitOptions) this.#counters.fitOptions = { ...fitOptions };
    scheduler.state = 'running';
    const run = this.#execute().finally(() => {
      scheduler.state = 'idle';
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
    if (this.#scheduler.state === 'idle') return;
    this.#scheduler.requestStop();
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
      this.#countAtStart = this.count;
      this.#lastProgress = -Infinity;
      const finished = await this.#scheduler.run(pool);
      this.#progress(true);
      const summary = { count: this.count, done: this.pixelsDone, left: this.pixelsLeft };
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
    const scheduler = this.#scheduler;
    const database = this.#database;
    // The marker may have been written from outside since the last run.
    scheduler.front.invalidate();
    if (database.testChanged()) {
      // Fits judged by another test are judged again by this one before
      // anything else (see FitDatabase.rejudge); jobs handed out were fitted for the old one.
      database.checkSomethingPasses();
      scheduler.discardPending();
      database.rejudge();
    } else if (this.count === 0 && scheduler.pending.size === 0) {
      // A run that has not begun takes the seeds as they are now (strategy
      // settings such as radii may have changed since the constructor's setup).
      database.refresh();
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
      fit: this.#counters.fitOptions,
    });
    await scheduler.init(pool, init);
    this.log('start', this.activeStrategy?.name ?? null, this.count);
    return pool;
  }

  /** The active strategy has no pixel left: true when the run is over, else the next one becomes active. */
  #strategyEnded(): boolean {
    const list = this.strategies;
    if (this.pixelsDone === this.metadata.marker.length || list.activeIndex >= list.length - 1)
      return true;
    this.#switchStrategy(list.activeIndex + 1);
    return false;
  }

  #progress(force: boolean): void {
    const now = this.#options.now();
    if (!force && now - this.#lastProgress < this.#options.progressInterval) return;
    if (this.#events.listenerCount('progress') === 0) return;
    this.#lastProgress = now;
    const seconds = Math.max(1e-9, (now - this.#runStart) / 1000);
    const rate = this.running ? (this.count - this.#countAtStart) / seconds : 0;
    const left = this.pixelsLeft;
    this.#events.emit('progress', {
      done: this.pixelsDone,
      left,
      count: this.count,
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
    this.#scheduler.front.invalidate();
    return this.#scheduler.pick(n).map(({ pixel, start }) => ({ pixel, start }));
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
    this.#scheduler.answered(p);
    let good: boolean;
    if (result) {
      if (result.pixel !== p)
        throw new Error(`update: a result for pixel ${result.pixel} given for pixel ${p}`);
      good = isGood ?? result.good;
      if (good) {
        storeResult(this.model, p, result);
        this.#database.accepted[p] = 1;
      }
    } else {
      good = isGood ?? this.metadata.goodnessTest.test(this.model, p);
    }
    const count = ++this.#counters.count;
    this.activeStrategy?.update(p, good);
    this.#events.emit('pixelDone', { pixel: p, good });
    this.#progress(false);
    this.plot(true);
    if (this.saveEvery > 0 && count % this.saveEvery === 0) {
      this.#scheduler.holdUntil(
        this.backup(this.backupFilename ?? undefined, true).catch((e: unknown) => {
          this.#events.emit('error', { message: `backup failed: ${errorMessage(e)}` });
        }),
      );
    }
  }

  /**
   * The active strategy's plot as plain data, emitted as a 'plot' event: the
   * marker for a local strategy, histograms for a global one. With `onCount`
   * only every `plotEvery` results.
   */
  plot(onCount = false): StrategyPlot | null {
    if (onCount && !(this.plotEvery > 0 && this.count % this.plotEvery === 0)) return null;
    const strategy = this.activeStrategy;
    if (!strategy) return null;
    const data = strategy.plotData();
    this.#events.emit('plot', data);
    return data;
  }

  /**
   * Pixels whose stored fit passes the goodness test seed the active
   * strategy; nothing else is kept. After the test changed, results of this
   * engine that fail it are cleared first (see FitDatabase.rejudge).
   */
  refreshDatabase(): void {
    this.#checkIdle('refresh the database');
    this.#scheduler.discardPending();
    this.#database.rejudge();
  }

  /** The pixels this engine stored as good and the test that judged them (to carry them over to a new engine). */
  get accepted(): AcceptedFits | null {
    return this.#database.fits;
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
    this.#scheduler.discardPending();
    this.#switchStrategy(index);
  }

  #switchStrategy(index: number): void {
    this.#scheduler.front.invalidate();
    const list = this.strategies;
    if (index === list.activeIndex && list.active) {
      this.#database.rejudge();
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
    if (this.running) throw new Error(`cannot ${action} while SAMFire runs; stop() it first`);
  }

  // --- backups -----------------------------------------------------------------

  /**
   * The whole state as JSON-able data (model maps and engine), written
   * through the injected writer and emitted as a 'backup' event. With
   * `onCount` only every `saveEvery` results. Resolves with what was saved.
   */
  async backup(filename?: string, onCount = false): Promise<SamfireBackup | null> {
    if (onCount && !(this.saveEvery > 0 && this.count % this.saveEvery === 0)) return null;
    const name = filename ?? `backup_${this.model.signal.title || 'samfire'}.json`;
    const data = this.snapshot();
    this.#events.emit('backup', { filename: name, backup: data });
    const writer: BackupWriter | null = this.#options.writer;
    if (!writer) return data;
    // One write at a time, in order, so an older state never lands last.
    const write = this.#writes.then(() => writer(name, data));
    this.#writes = write.catch(() => undefined);
    await write;
    this.log('backup', name, this.count);
    return data;
  }

  snapshot(): SamfireBackup {
    return engineSnapshot(this, this.#parts());
  }

  #parts(): EngineParts {
    return { scheduler: this.#scheduler, database: this.#database, counters: this.#counters };
  }

  /**
   * A Samfire from a backup, on a model of the same signal with the same
   * components (see modelFromState to build one). The run resumes where the
   * backup was taken. Options other than the pool, writer, clock and logging
   * come from the backup.
   */
  static restore(model: Model, backup: SamfireBackup, options: SamfireOptions = {}): Samfire {
    restoreModel(model, backup);
    const e = backup.engine;
    const samfire = new Samfire(model, {
      ...options,
      setup: false,
      randomSeed: e.random.seed,
      order: e.order,
      window: e.window,
      strategies: e.strategies.map((s) => strategyFromSnapshot(s)),
    });
    restoreEngine(samfire, samfire.#parts(), backup);
    return samfire;
  }
}
