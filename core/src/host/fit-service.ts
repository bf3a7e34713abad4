/**
 * The fit service: SAMFire settings, single-pixel fits with the goodness
 * verdict, seeds, and runs of the SAMFire engine with their events. Runs
 * happen in this (host) process, with the fits in the pool's workers.
 *
 * The run's state moves only as run-state.ts allows; the engine's events
 * become the app's run events through the pure mapping of run-events.ts.
 */
import type { FitApi } from '../api/samfire-api.js';
import type {
  ClusterStatus,
  FitProgress,
  FitStatus,
  GoodnessSetting,
  GoodnessStatistics,
  FitDiagnosisInfo,
  PixelFitOutcome,
  RegionFitOutcome,
  RunEvent,
  RunPlot,
  RunState,
  SamfireCatalogue,
  SamfireSettings,
} from '../api/types.js';
import { goodnessVerdict } from '../api/goodness-text.js';
import type { FitOptions, FitResult, Model } from '../model/model.js';
import type { WorkerFitOptions } from '../pool/protocol.js';
import type { WorkerPool } from '../pool/pool.js';
import { diagnoseFit } from '../report/diagnosis.js';
import { fitReport, fitSummary } from '../report/fit-report.js';
import type { SamfireBackup } from '../samfire/backup.js';
import { Samfire, type AcceptedFits } from '../samfire/engine.js';
import type { GoodnessTest } from '../goodness/goodness-test.js';
import { createGoodnessTest, goodnessTestKinds } from '../goodness/registry.js';
import { hasStoredFit, storedStatistics } from '../goodness/stored-statistics.js';
import type { RetestEvent } from '../samfire/samfire-events.js';
import { strategyFromSnapshot } from '../samfire/strategies/strategy-registry.js';
import type { StrategyPlot } from '../samfire/strategies/strategy.js';
import type { HostDeps } from './host-deps.js';
import { Listeners } from './listeners.js';
import { meanSignal, readRegionFit, regionModel, regionPixels, regionSeedPixel } from './region.js';
import { navigatorShape } from './views.js';
import { datasetSettings, type ProjectState } from './project-state.js';
import {
  describeGoodness,
  listSome,
  statisticName,
  toRunEvent,
  type EngineRunEvent,
} from './run-events.js';
import { RunStateMachine } from './run-state.js';
import type { Workspace } from './workspace.js';

const AUTO_SAVE_MIN = 25;
const AUTO_SAVE_MAX = 5000;

/**
 * Results between crash backups when the user has not chosen: about twenty
 * backups per run, so a crash loses at most ~5% of it, but never more often
 * than every 25 results (small maps) nor less often than every 5000 (a
 * backup holds every map, so on large maps each one costs a moment).
 */
export function autoSaveEvery(pixels: number): number {
  return Math.min(AUTO_SAVE_MAX, Math.max(AUTO_SAVE_MIN, Math.ceil(pixels / 20)));
}

export function defaultSettings(cores: number): SamfireSettings {
  return {
    strategies: [
      { kind: 'redChisq', name: 'Reduced chi squared strategy', settings: { radii: 3 } },
      {
        kind: 'histogram',
        name: 'Histogram global strategy',
        settings: { bins: 'fd', maxModes: null },
      },
    ],
    activeStrategy: 0,
    goodness: { kind: 'redChisq', tolerance: 1 },
    workers: Math.max(1, Math.min(8, cores - 1)),
    updateEvery: 10,
    plotEvery: 10,
    // Crash backups are on unless the user turns them off: the fit service
    // picks a count for the open map (autoSaveEvery) until saveEvery is set.
    saveEvery: AUTO_SAVE_MIN,
    randomSeed: null,
    fit: { optimizer: 'lm', bounded: true },
  };
}

export { describeGoodness };

export interface FitServiceHandle {
  api: FitApi;
  /** What a project saves of the open dataset's SAMFire work: its settings and seeds (null: nothing open). */
  projectState(): ProjectState | null;
  /** The engine's marker (null before a run). */
  marker(): Float64Array | null;
  /** Throws when a run is going (edits and opening wait for a stop). */
  checkIdle(action: string): void;
  /** Restores a run from a backup onto the open dataset (after a crash). */
  restore(backup: SamfireBackup): void;
  close(): Promise<void>;
}

/** The goodness statistics of the fit stored at `pixel` (its values are put back after). */
export function storedGoodnessStatistics(model: Model, pixel: number): GoodnessStatistics {
  const [ic, d] = model.atStoredValues(
    pixel,
    () => [model.informationCriteria(pixel), model.deviance(pixel)] as const,
  );
  const deviancePerDof = d / model.dof[pixel]!;
  return {
    redChisq: model.redChisq[pixel]!,
    deviancePerDof,
    aic: ic.aic,
    aicc: ic.aicc,
    bic: ic.bic,
  };
}

/** What the app shows of one pixel's fit: statistics, verdict, at-bound parameters and the report. */
function pixelOutcome(
  model: Model,
  pixel: number,
  result: FitResult,
  good: boolean,
  goodness: GoodnessSetting,
): PixelFitOutcome {
  const summary = fitSummary(model, result);
  return {
    pixel,
    position: result.position,
    redChisq: result.redChisq,
    chisq: result.chisq,
    dof: result.dof,
    good,
    goodness: { ...goodness },
    converged: result.converged,
    status: result.status,
    message: result.message,
    atBound: summary.parameters.filter((p) => p.atBound !== null).map((p) => p.name),
    statistics: {
      redChisq: result.redChisq,
      deviancePerDof: result.deviance / result.dof,
      aic: summary.aic,
      aicc: summary.aicc,
      bic: summary.bic,
    },
    report: fitReport(summary),
    diagnosis: diagnosisOf(model, pixel),
  };
}

/** What the residual says of the fit stored at `pixel`: noise-like or structured, and where. */
function diagnosisOf(model: Model, pixel: number): FitDiagnosisInfo {
  const d = model.atStoredValues(pixel, () => diagnoseFit(model, pixel));
  return { kind: d.kind, meanSquare: d.meanSquare, lag1: d.lag1, region: d.region, text: d.text };
}

/**
 * Why `pixel` cannot be a seed: never fitted, or its fit fails the test (with
 * the number the test compared). A seed must pass the test: SAMFire grows
 * only from good fits, so marking a failed one would start nothing.
 */
export function notASeed(model: Model, pixel: number, goodness: GoodnessSetting): string {
  const where = `pixel (${model.signal.pixelPosition(pixel).join(', ')})`;
  if (!Number.isFinite(model.chisq[pixel]))
    return `${where} has not been fitted: fit it first (Fit pixel), then mark it as a seed`;
  const verdict = goodnessVerdict(goodness, storedGoodnessStatistics(model, pixel));
  return `${where} fails the goodness test: ${verdict.text}. A seed must pass it: adjust the starting values or the signal range and fit it again, or change the test in the SAMFire settings`;
}

interface LastProgress {
  done: number;
  left: number;
  count: number;
  rate: number;
  eta: number;
}

const NO_PROGRESS: LastProgress = { done: 0, left: 0, count: 0, rate: 0, eta: NaN };

export class FitService implements FitServiceHandle {
  readonly api: FitApi;
  readonly #ws: Workspace;
  readonly #deps: HostDeps;
  readonly #progress = new Listeners<FitProgress>();
  readonly #plots = new Listeners<RunPlot>();
  readonly #runEvents = new Listeners<RunEvent>();
  readonly #run = new RunStateMachine();
  #settings: SamfireSettings;
  /** saveEvery follows the open map's size until the user sets it. */
  #autoSave = true;
  #engine: Samfire | null = null;
  /** The pool of the current run, and the cluster's status when the last cluster run ended. */
  #pool: WorkerPool | null = null;
  #clusterAtEnd: ClusterStatus | null = null;
  #message: string | null = null;
  #last: LastProgress = NO_PROGRESS;
  #startedAt = 0;
  /** The last re-test of the fits against a changed goodness test, reported when the next run ends. */
  #retest: RetestEvent | null = null;
  /** Results of an engine dropped for new settings, handed to the next one (see #build). */
  #carried: AcceptedFits | null = null;
  /** Results received before the run began, to tell when a run fitted nothing. */
  #countAtStart = 0;

  constructor(ws: Workspace, deps: HostDeps) {
    this.#ws = ws;
    this.#deps = deps;
    this.#settings = defaultSettings(deps.cores);
    // The dataset's settings come with it: a project's saved ones, else the defaults. Only the
    // machine's (workers, live-plot and backup pace) carry over from the file open before.
    ws.datasetChanged.on((summary) => {
      // A processing step (convert to energy, remove spikes) is the same work: settings stay.
      if (!summary || ws.processing) return;
      const saved = ws.dataset?.project?.settings;
      this.#settings = {
        ...this.#settings,
        ...(saved ? structuredClone(saved) : datasetSettings(defaultSettings(deps.cores))),
      };
    });
    // Services check idleness before replacing the model; a run still going is stopped by close().
    ws.beforeModelReplaced.on(() => {
      this.#dropEngine();
      this.#carried = null;
      this.#retest = null;
    });
    this.api = {
      catalogue: async () => this.#catalogue(),
      settings: async () => structuredClone(this.#current()),
      updateSettings: async (patch) => this.#updateSettings(patch),
      fitPixel: async (request) => this.#fitPixel(request),
      fitRegion: async (request) => this.#fitRegion(request),
      setSeeds: async (request) => this.#setSeeds(request),
      status: async () => this.#status(),
      cluster: async () => this.#pool?.cluster ?? this.#clusterAtEnd,
      start: async () => this.#start(),
      resume: async () => this.#start(),
      stop: async () => this.#stop(),
      onProgress: this.#progress.on,
      onPlot: this.#plots.on,
      onRunEvent: this.#runEvents.on,
    };
  }

  // --- the handle ---------------------------------------------------------------

  projectState(): ProjectState | null {
    const ws = this.#ws;
    return ws.dataset
      ? { settings: datasetSettings(this.#settings), seeds: [...ws.seeds].sort((a, b) => a - b) }
      : null;
  }

  marker(): Float64Array | null {
    return this.#engine?.metadata.marker ?? null;
  }

  checkIdle(action: string): void {
    if (this.#run.busy) throw new Error(`cannot ${action} while SAMFire runs; stop the run first`);
  }

  restore(backup: SamfireBackup): void {
    const ws = this.#ws;
    this.#dropEngine();
    this.#carried = null;
    this.#retest = null;
    // The components the run fitted (a reopened file has none of the user's).
    const model = ws.adoptBackupModel(backup.model);
    const pool = this.#deps.createPool(this.#settings.workers, this.#settings.pool);
    const e = Samfire.restore(model, backup, pool ? { pool } : {});
    this.#engine = e;
    this.#settings = {
      ...this.#settings,
      strategies: backup.engine.strategies.map((s) => ({
        kind: s.kind,
        name: s.name,
        settings: s.settings,
      })),
      activeStrategy: backup.engine.activeStrategy,
      goodness: { ...backup.engine.goodnessTest },
      updateEvery: backup.engine.updateEvery,
      plotEvery: backup.engine.plotEvery,
      saveEvery: backup.engine.saveEvery,
    };
    this.#autoSave = false;
    for (const i of backup.engine.optionalComponents)
      ws.setOptional(model.components[i]!.name, true);
    this.#wire(e);
    this.#last = { done: e.pixelsDone, left: e.pixelsLeft, count: e.count, rate: 0, eta: NaN };
    this.#setState(
      'stopped',
      'restored from the last backup after a crash; press Resume to continue',
    );
    ws.changed();
  }

  async close(): Promise<void> {
    const e = this.#engine;
    this.#engine = null;
    if (e) await e.close();
  }

  // --- state and progress ---------------------------------------------------------

  /** The settings, with the automatic backup count of the open map. */
  #current(): SamfireSettings {
    const open = this.#ws.dataset;
    if (this.#autoSave && open)
      this.#settings = { ...this.#settings, saveEvery: autoSaveEvery(open.signal.navigationSize) };
    return this.#settings;
  }

  #pixels(): number {
    return this.#ws.dataset?.signal.navigationSize ?? 0;
  }

  #activeIndex(): number {
    return this.#engine ? this.#engine.strategies.activeIndex : this.#settings.activeStrategy;
  }

  #snapshot(): FitProgress {
    const engine = this.#engine;
    const last = this.#last;
    const state = this.#run.state;
    return {
      state,
      pixels: this.#pixels(),
      pixelsDone: engine ? engine.pixelsDone : last.done,
      pixelsLeft: engine ? engine.pixelsLeft : last.left,
      count: engine ? engine.count : last.count,
      rate: last.rate,
      etaSeconds: Number.isFinite(last.eta) ? last.eta : NaN,
      activeStrategy: this.#activeIndex(),
      elapsedSeconds: state === 'running' ? (Date.now() - this.#startedAt) / 1000 : 0,
    };
  }

  /** Seeds whose stored fit fails the current test: a run does not start from them. */
  #failingSeeds(): number[] {
    const ws = this.#ws;
    const open = ws.dataset;
    if (!open || ws.seeds.size === 0) return [];
    const test = createGoodnessTest(this.#settings.goodness);
    return [...ws.seeds].filter((p) => !test.test(open.model, p)).sort((a, b) => a - b);
  }

  #status(): FitStatus {
    return {
      ...this.#snapshot(),
      message: this.#message,
      seeds: [...this.#ws.seeds].sort((a, b) => a - b),
      failingSeeds: this.#failingSeeds(),
      engine: 'samfire',
    };
  }

  /** Moves the run's state (as run-state.ts allows) and tells the app. */
  #setState(s: RunState, text: string | null = this.#message): void {
    this.#run.move(s);
    this.#message = text;
    this.#ws.running = this.#run.busy;
    this.#progress.emit(this.#snapshot());
  }

  #dropEngine(): void {
    const e = this.#engine;
    this.#engine = null;
    this.#keepClusterStatus();
    if (e) void e.close().catch(() => undefined);
    if (this.#run.state !== 'running') this.#run.move('idle');
    this.#last = NO_PROGRESS;
  }

  #emit(event: EngineRunEvent): void {
    const ws = this.#ws;
    this.#runEvents.emit(
      toRunEvent(event, {
        activeStrategy: this.#activeIndex(),
        seeds: ws.seeds,
        pixelName: (p) => this.#pixelName(p),
      }),
    );
  }

  #pixelName(p: number): string {
    return `(${this.#ws.require().signal.pixelPosition(p).join(', ')})`;
  }

  /** "(0, 0) χ²ᵣ = 1.2" for each seed that fails `test`. */
  #failingSeedTexts(test: GoodnessTest): string[] {
    const ws = this.#ws;
    const { model } = ws.require();
    const name = statisticName(test.spec());
    return [...ws.seeds]
      .sort((a, b) => a - b)
      .filter((p) => !test.test(model, p))
      .map((p) =>
        hasStoredFit(model, p)
          ? `${this.#pixelName(p)} ${name} = ${test.statistic(storedStatistics(model, p)).toPrecision(4)}`
          : `${this.#pixelName(p)} (no fit stored)`,
      );
  }

  #fitOptions(): WorkerFitOptions & FitOptions {
    const f = this.#settings.fit;
    const out: WorkerFitOptions & FitOptions = { optimizer: f.optimizer, bounded: f.bounded };
    if (f.lossFunction !== undefined) out.lossFunction = f.lossFunction;
    if (f.ftol !== undefined) out.ftol = f.ftol;
    if (f.xtol !== undefined) out.xtol = f.xtol;
    if (f.gtol !== undefined) out.gtol = f.gtol;
    if (f.maxEvaluations !== undefined) out.maxEvaluations = f.maxEvaluations;
    return out;
  }

  #plotData(p: StrategyPlot): RunPlot {
    if (p.kind === 'marker') {
      const shape = navigatorShape(this.#ws.require().signal);
      return { kind: 'marker', strategy: p.strategy, shape, marker: Float64Array.from(p.marker) };
    }
    return {
      kind: 'histograms',
      strategy: p.strategy,
      histograms: p.histograms.map((h) => ({ ...h })),
    };
  }

  // --- the engine -----------------------------------------------------------------

  #wire(e: Samfire): void {
    e.on('progress', (p) => {
      this.#last = p;
      this.#progress.emit(this.#snapshot());
    });
    e.on('plot', (p) => this.#plots.emit(this.#plotData(p)));
    e.on('strategyChanged', (s) => this.#emit({ type: 'strategyChanged', ...s }));
    e.on('backup', ({ backup }) => {
      void this.#deps.backups
        ?.writeBackup(backup)
        .then(() => this.#emit({ type: 'backupWritten', count: backup.engine.count }))
        .catch((error: unknown) => this.#emit({ type: 'backupFailed', error }));
    });
    e.on('error', ({ message }) => this.#emit({ type: 'error', message }));
    e.on('retested', (r) => {
      this.#retest = r;
      this.#emit({ type: 'retested', retest: r });
    });
  }

  #configure(e: Samfire): void {
    const settings = this.#settings;
    e.metadata.goodnessTest = createGoodnessTest(settings.goodness);
    e.updateEvery = settings.updateEvery;
    e.plotEvery = settings.plotEvery;
    e.saveEvery = this.#current().saveEvery;
    e.optionalComponents = [...this.#ws.optional];
  }

  #build(): Samfire {
    const settings = this.#settings;
    const { model } = this.#ws.require();
    const pool = this.#deps.createPool(settings.workers, settings.pool);
    this.#pool = pool ?? null;
    this.#clusterAtEnd = null;
    const carried = this.#carried;
    const e = new Samfire(model, {
      workers: settings.workers,
      cores: this.#deps.cores,
      ...(pool ? { pool } : {}),
      ...(settings.randomSeed === null ? {} : { randomSeed: settings.randomSeed }),
      strategies: settings.strategies.map((s) => strategyFromSnapshot(s)),
      setup: false,
      // The results of the engine this one replaces stay re-testable (see Samfire 'accepted').
      ...(carried ? { accepted: carried } : {}),
    });
    this.#carried = null;
    this.#configure(e);
    if (settings.activeStrategy !== 0) e.changeStrategy(settings.activeStrategy);
    this.#wire(e);
    return e;
  }

  #hasSeed(test: GoodnessTest): boolean {
    const { model } = this.#ws.require();
    for (let p = 0; p < model.redChisq.length; p++)
      if (Number.isFinite(model.chisq[p]) && test.test(model, p)) return true;
    return false;
  }

  // --- runs -----------------------------------------------------------------------

  #start(): FitStatus {
    this.checkIdle('start another run');
    const settings = this.#settings;
    const test = createGoodnessTest(settings.goodness);
    if (!this.#hasSeed(test)) {
      const seeds = this.#failingSeedTexts(test);
      throw new Error(
        `no seed: no stored fit passes the goodness test ${describeGoodness(settings.goodness)}` +
          (seeds.length > 0 ? ` (seed ${listSome(seeds)})` : '') +
          '; fit at least one pixel by hand (Fit pixel) so that it passes, or loosen the test, then start (nothing was refitted)',
      );
    }
    if (!this.#engine) this.#engine = this.#build();
    else this.#configure(this.#engine);
    const e = this.#engine;
    this.#countAtStart = e.count;
    this.#startedAt = Date.now();
    this.#setState('running', null);
    // A seed that fails the current test is not started from: say so (a
    // re-test after a change of the test reports its own seeds).
    const judged = e.accepted?.test;
    const willRetest =
      judged !== undefined && describeGoodness(judged) !== describeGoodness(test.spec());
    const seeds = willRetest ? [] : this.#failingSeedTexts(test);
    if (seeds.length > 0) this.#emit({ type: 'failingSeeds', seeds, goodness: settings.goodness });
    e.start(this.#fitOptions()).then(
      () => this.#ended(e),
      (error: unknown) => this.#failed(error),
    );
    return this.#status();
  }

  /** The cluster's last status stays readable when its pool goes (a finished or dropped run). */
  #keepClusterStatus(): void {
    if (this.#pool?.cluster) this.#clusterAtEnd = this.#pool.cluster;
    this.#pool = null;
  }

  #ended(e: Samfire): void {
    if (this.#engine !== e) return;
    if (this.#pool?.cluster) this.#clusterAtEnd = this.#pool.cluster;
    const ws = this.#ws;
    const finished = e.pixelsLeft === 0;
    this.#setState(finished ? 'finished' : 'stopped');
    this.#emit({
      type: 'ended',
      summary: {
        finished,
        pixels: this.#pixels(),
        pixelsDone: e.pixelsDone,
        count: e.count,
        countAtStart: this.#countAtStart,
        marker: e.metadata.marker,
        retest: this.#retest,
        goodness: this.#settings.goodness,
      },
    });
    ws.syncPixel();
    if (finished) this.#retest = null;
    ws.changed();
  }

  #failed(error: unknown): void {
    const ws = this.#ws;
    this.#setState('failed', error instanceof Error ? error.message : String(error));
    this.#emit({ type: 'failed', error });
    ws.syncPixel();
    ws.changed();
  }

  async #stop(): Promise<FitStatus> {
    const engine = this.#engine;
    const state = this.#run.state;
    if (engine && (state === 'running' || state === 'starting')) {
      this.#setState('stopping');
      await engine.stop();
    }
    return this.#status();
  }

  // --- settings, fits and seeds -----------------------------------------------------

  #catalogue(): SamfireCatalogue {
    const cores = this.#deps.cores;
    return {
      strategies: defaultSettings(cores).strategies,
      goodnessTests: goodnessTestKinds(),
      optimizers: ['lm', 'mljs'],
      maxWorkers: Math.max(1, cores),
    };
  }

  #updateSettings(patch: Partial<SamfireSettings>): SamfireSettings {
    this.checkIdle('change the SAMFire settings');
    const settings = this.#settings;
    const next: SamfireSettings = { ...settings, ...patch };
    if (next.activeStrategy >= next.strategies.length) {
      throw new Error(
        `active strategy ${next.activeStrategy} is past the ${next.strategies.length} strategies`,
      );
    }
    // Check every new setting before keeping any: unknown kinds and bad radii fail here.
    next.strategies.forEach((s) => strategyFromSnapshot(s));
    createGoodnessTest(next.goodness);
    const strategiesChanged =
      JSON.stringify(next.strategies) !== JSON.stringify(settings.strategies);
    const workersChanged =
      next.workers !== settings.workers ||
      next.randomSeed !== settings.randomSeed ||
      JSON.stringify(next.pool) !== JSON.stringify(settings.pool);
    this.#settings = next;
    if (patch.saveEvery !== undefined) this.#autoSave = false;
    const engine = this.#engine;
    if (engine && (strategiesChanged || workersChanged)) {
      // The maps keep every fit: a new engine seeded from them carries on where this one stopped.
      this.#carried = engine.accepted;
      this.#dropEngine();
      this.#run.move('stopped');
    } else if (
      engine &&
      patch.activeStrategy !== undefined &&
      patch.activeStrategy !== engine.strategies.activeIndex
    ) {
      engine.changeStrategy(patch.activeStrategy);
    }
    if (this.#engine) this.#configure(this.#engine);
    this.#progress.emit(this.#snapshot());
    return structuredClone(this.#current());
  }

  #fitPixel({ pixel, seed }: { pixel: number; seed?: boolean }): PixelFitOutcome {
    this.checkIdle('fit a pixel');
    const ws = this.#ws;
    const settings = this.#settings;
    const { model } = ws.require();
    // A refit of other pixels leaves the current pixel (and the table's values) where they were.
    const current = ws.pixel;
    ws.setPixel(pixel);
    const result = model.fit(pixel, this.#fitOptions());
    const good = createGoodnessTest(settings.goodness).test(model, pixel);
    if (seed && good) ws.seeds.add(pixel);
    if (this.#engine) this.#engine.refreshDatabase();
    const outcome = pixelOutcome(model, pixel, result, good, settings.goodness);
    if (current !== pixel) ws.setPixel(current);
    ws.changed();
    return outcome;
  }

  #fitRegion({ region, seed }: Parameters<FitApi['fitRegion']>[0]): RegionFitOutcome {
    this.checkIdle('fit a region');
    const ws = this.#ws;
    const settings = this.#settings;
    const { model, signal } = ws.require();
    const pixels = regionPixels(signal, region);
    const test = createGoodnessTest(settings.goodness);
    // The mean, fitted from the current values (the table's).
    const mean = regionModel(model, meanSignal(signal, pixels));
    const meanResult = mean.fit(0, this.#fitOptions());
    const meanGood = test.test(mean, 0);
    ws.regionFit = readRegionFit(mean, region);
    // Its values start every pixel of the region that holds no fit yet.
    const load = (): void =>
      model.components.forEach((c, i) =>
        c.parameters.forEach((p, j) => {
          p.current.set(mean.components[i]!.parameters[j]!.current);
          p.currentStd.fill(NaN);
        }),
      );
    let started = 0;
    for (const px of pixels) {
      if (Number.isFinite(model.redChisq[px]!)) continue;
      load();
      model.storeCurrentValues(px);
      started++;
    }
    // The seed pixel, on its own data, from the mean's values.
    const seedPixel = regionSeedPixel(signal, region, ws.pixel);
    ws.setPixel(seedPixel);
    load();
    const keep = ws.regionFit;
    const result = model.fit(seedPixel, this.#fitOptions());
    const good = test.test(model, seedPixel);
    if (seed && good) ws.seeds.add(seedPixel);
    if (this.#engine) this.#engine.refreshDatabase();
    ws.regionFit = keep;
    ws.changed();
    return {
      region: {
        pixels: pixels.length,
        redChisq: meanResult.redChisq,
        good: meanGood,
        started,
        report: fitReport(fitSummary(mean, meanResult)),
      },
      seed: pixelOutcome(model, seedPixel, result, good, settings.goodness),
    };
  }

  #setSeeds({ pixels: list, seed }: Parameters<FitApi['setSeeds']>[0]): FitStatus {
    this.checkIdle('change the seeds');
    const ws = this.#ws;
    const settings = this.#settings;
    const { model, signal } = ws.require();
    const test = createGoodnessTest(settings.goodness);
    for (const p of list) {
      signal.checkPixel(p);
      if (seed) {
        if (!test.test(model, p)) throw new Error(notASeed(model, p, settings.goodness));
        ws.seeds.add(p);
      } else {
        // Forget the fit's statistics, so the engine no longer starts from this pixel.
        ws.seeds.delete(p);
        model.chisq[p] = NaN;
        model.dof[p] = NaN;
        model.redChisq[p] = NaN;
      }
    }
    if (this.#engine) this.#engine.refreshDatabase();
    ws.changed();
    return this.#status();
  }
}

/** The fit service as a handle of plain functions (other services take them apart). */
export function createFitService(ws: Workspace, deps: HostDeps): FitServiceHandle {
  const service = new FitService(ws, deps);
  return {
    api: service.api,
    projectState: () => service.projectState(),
    marker: () => service.marker(),
    checkIdle: (action) => service.checkIdle(action),
    restore: (backup) => service.restore(backup),
    close: () => service.close(),
  };
}

export type { FitApi };
