/**
 * The fit service: SAMFire settings, single-pixel fits with the goodness
 * verdict, seeds, and runs of the SAMFire engine with their events. Runs
 * happen in this (host) process, with the fits in the pool's workers.
 */
import type { FitApi } from '../api/samfire-api.js';
import type {
  FitProgress,
  FitStatus,
  GoodnessSetting,
  GoodnessStatistics,
  PixelFitOutcome,
  RegionFitOutcome,
  RunEvent,
  RunPlot,
  RunState,
  SamfireCatalogue,
  SamfireSettings,
} from '../api/types.js';
import { goodnessCondition, goodnessVerdict } from '../api/goodness-text.js';
import type { FitOptions, FitResult, Model } from '../model/model.js';
import type { GoodnessTestSpec, WorkerFitOptions } from '../pool/protocol.js';
import { fitReport, fitSummary } from '../report/fit-report.js';
import type { SamfireBackup } from '../samfire/backup.js';
import { Samfire, type AcceptedFits } from '../samfire/engine.js';
import type { GoodnessTest } from '../samfire/goodness/goodness-test.js';
import { createGoodnessTest, goodnessTestKinds } from '../samfire/goodness/registry.js';
import { hasStoredFit, storedStatistics } from '../samfire/goodness/stored-statistics.js';
import type { RetestEvent } from '../samfire/samfire-events.js';
import { strategyFromSnapshot } from '../samfire/strategies/strategy-registry.js';
import type { StrategyPlot } from '../samfire/strategies/strategy.js';
import type { HostDeps } from './host-deps.js';
import { Listeners } from './listeners.js';
import { meanSignal, readRegionFit, regionModel, regionPixels, regionSeedPixel } from './region.js';
import { navigatorShape } from './views.js';
import { datasetSettings, type ProjectState } from './project-state.js';
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

const CRITERIA: Record<string, string> = { AIC: 'AIC', AICc: 'AICc', BIC: 'BIC' };

/** A goodness test as the user reads it: "|χ²ᵣ − 1| < 1", "AICc < 250" (the UI's wording too). */
export function describeGoodness(g: GoodnessTestSpec): string {
  return goodnessCondition(g);
}

/** The name of what a goodness test compares with its tolerance. */
function statisticName(g: GoodnessTestSpec): string {
  return g.kind === 'redChisq' ? 'χ²ᵣ' : (CRITERIA[g.kind] ?? g.kind);
}

/** At most `max` items, then "and N more". */
function listSome(items: string[], max = 5): string {
  return items.length <= max
    ? items.join(', ')
    : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

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
  const ic = model.atStoredValues(pixel, () => model.informationCriteria(pixel));
  return { redChisq: model.redChisq[pixel]!, aic: ic.aic, aicc: ic.aicc, bic: ic.bic };
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
      aic: summary.aic,
      aicc: summary.aicc,
      bic: summary.bic,
    },
    report: fitReport(summary),
  };
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

export function createFitService(ws: Workspace, deps: HostDeps): FitServiceHandle {
  const progress = new Listeners<FitProgress>();
  const plots = new Listeners<RunPlot>();
  const runEvents = new Listeners<RunEvent>();
  let settings = defaultSettings(deps.cores);
  /** saveEvery follows the open map's size until the user sets it. */
  let autoSave = true;
  // The dataset's settings come with it: a project's saved ones, else the defaults. Only the
  // machine's (workers, live-plot and backup pace) carry over from the file open before.
  ws.datasetChanged.on((summary) => {
    if (!summary) return;
    const saved = ws.dataset?.project?.settings;
    settings = {
      ...settings,
      ...(saved ? structuredClone(saved) : datasetSettings(defaultSettings(deps.cores))),
    };
  });
  /** The settings, with the automatic backup count of the open map. */
  const current = (): SamfireSettings => {
    const open = ws.dataset;
    if (autoSave && open)
      settings = { ...settings, saveEvery: autoSaveEvery(open.signal.navigationSize) };
    return settings;
  };
  let engine: Samfire | null = null;
  let state: RunState = 'idle';
  let message: string | null = null;
  let last: { done: number; left: number; count: number; rate: number; eta: number } = {
    done: 0,
    left: 0,
    count: 0,
    rate: 0,
    eta: NaN,
  };
  let startedAt = 0;
  /** The last re-test of the fits against a changed goodness test, reported when the next run ends. */
  let retest: RetestEvent | null = null;
  /** Results of an engine dropped for new settings, handed to the next one (see build). */
  let carried: AcceptedFits | null = null;
  /** Results received before the run began, to tell when a run fitted nothing. */
  let countAtStart = 0;

  const pixels = (): number => ws.dataset?.signal.navigationSize ?? 0;
  const activeIndex = (): number =>
    engine ? engine.strategies.activeIndex : settings.activeStrategy;

  const snapshot = (): FitProgress => ({
    state,
    pixels: pixels(),
    pixelsDone: engine ? engine.pixelsDone : last.done,
    pixelsLeft: engine ? engine.pixelsLeft : last.left,
    count: engine ? engine.count : last.count,
    rate: last.rate,
    etaSeconds: Number.isFinite(last.eta) ? last.eta : NaN,
    activeStrategy: activeIndex(),
    elapsedSeconds: state === 'running' ? (Date.now() - startedAt) / 1000 : 0,
  });

  /** Seeds whose stored fit fails the current test: a run does not start from them. */
  const failingSeeds = (): number[] => {
    const open = ws.dataset;
    if (!open || ws.seeds.size === 0) return [];
    const test = createGoodnessTest(settings.goodness);
    return [...ws.seeds].filter((p) => !test.test(open.model, p)).sort((a, b) => a - b);
  };

  const status = (): FitStatus => ({
    ...snapshot(),
    message,
    seeds: [...ws.seeds].sort((a, b) => a - b),
    failingSeeds: failingSeeds(),
    engine: 'samfire',
  });

  const setState = (s: RunState, text: string | null = message): void => {
    state = s;
    message = text;
    ws.running = s === 'running' || s === 'starting' || s === 'stopping';
    progress.emit(snapshot());
  };

  const checkIdle = (action: string): void => {
    if (state === 'running' || state === 'starting' || state === 'stopping') {
      throw new Error(`cannot ${action} while SAMFire runs; stop the run first`);
    }
  };

  const dropEngine = (): void => {
    const e = engine;
    engine = null;
    if (e) void e.close().catch(() => undefined);
    if (state !== 'running') state = 'idle';
    last = { done: 0, left: 0, count: 0, rate: 0, eta: NaN };
  };
  // Services check idleness before replacing the model; a run still going is stopped by close().
  ws.beforeModelReplaced.on(() => {
    dropEngine();
    carried = null;
    retest = null;
  });

  const pixelName = (p: number): string => `(${ws.require().signal.pixelPosition(p).join(', ')})`;

  /** "(0, 0) χ²ᵣ = 1.2" for each seed that fails `test`. */
  const failingSeedTexts = (test: GoodnessTest): string[] => {
    const { model } = ws.require();
    const name = statisticName(test.spec());
    return [...ws.seeds]
      .sort((a, b) => a - b)
      .filter((p) => !test.test(model, p))
      .map((p) =>
        hasStoredFit(model, p)
          ? `${pixelName(p)} ${name} = ${test.statistic(storedStatistics(model, p)).toPrecision(4)}`
          : `${pixelName(p)} (no fit stored)`,
      );
  };

  const retestMessage = (r: RetestEvent): string => {
    const seeds = r.failed.filter((p) => ws.seeds.has(p));
    const name = statisticName(r.test);
    const failedSeeds = seeds.map((p) => {
      const v = r.statistics[r.failed.indexOf(p)]!;
      return `${pixelName(p)} ${Number.isFinite(v) ? `${name} = ${v.toPrecision(4)}` : '(no fit stored)'}`;
    });
    return (
      `the goodness test changed to ${describeGoodness(r.test)} (was ${describeGoodness(r.previous)}): ` +
      `re-tested ${r.tested} fitted pixels, ${r.failed.length} fail it` +
      (r.failed.length > 0
        ? ` and are fitted again (${r.cleared} SAMFire results cleared to NaN until they pass)`
        : '') +
      (failedSeeds.length > 0
        ? `; seed ${listSome(failedSeeds)} fails it: the fit is kept but the run no longer starts from it`
        : '')
    );
  };

  const fitOptions = (): WorkerFitOptions & FitOptions => {
    const f = settings.fit;
    const out: WorkerFitOptions & FitOptions = { optimizer: f.optimizer, bounded: f.bounded };
    if (f.ftol !== undefined) out.ftol = f.ftol;
    if (f.xtol !== undefined) out.xtol = f.xtol;
    if (f.gtol !== undefined) out.gtol = f.gtol;
    if (f.maxEvaluations !== undefined) out.maxEvaluations = f.maxEvaluations;
    return out;
  };

  const plotData = (p: StrategyPlot): RunPlot => {
    if (p.kind === 'marker') {
      const shape = navigatorShape(ws.require().signal);
      return { kind: 'marker', strategy: p.strategy, shape, marker: Float64Array.from(p.marker) };
    }
    return {
      kind: 'histograms',
      strategy: p.strategy,
      histograms: p.histograms.map((h) => ({ ...h })),
    };
  };

  const wire = (e: Samfire): void => {
    e.on('progress', (p) => {
      last = p;
      progress.emit(snapshot());
    });
    e.on('plot', (p) => plots.emit(plotData(p)));
    e.on('strategyChanged', (s) =>
      runEvents.emit({
        kind: 'strategy-changed',
        message: `now running '${s.name}' (${s.flavour})`,
        activeStrategy: s.index,
      }),
    );
    e.on('backup', ({ backup }) => {
      void deps.backups
        ?.writeBackup(backup)
        .then(() =>
          runEvents.emit({
            kind: 'backup-written',
            message: `backup after ${backup.engine.count} results`,
            activeStrategy: activeIndex(),
          }),
        )
        .catch((err: unknown) =>
          runEvents.emit({
            kind: 'fault',
            message: `backup failed: ${String(err)}`,
            activeStrategy: activeIndex(),
          }),
        );
    });
    e.on('error', ({ message: m }) =>
      runEvents.emit({ kind: 'fault', message: m, activeStrategy: activeIndex() }),
    );
    e.on('retested', (r) => {
      retest = r;
      runEvents.emit({
        kind: 'retested',
        message: retestMessage(r),
        activeStrategy: activeIndex(),
      });
    });
  };

  const configure = (e: Samfire): void => {
    e.metadata.goodnessTest = createGoodnessTest(settings.goodness);
    e.updateEvery = settings.updateEvery;
    e.plotEvery = settings.plotEvery;
    e.saveEvery = current().saveEvery;
    e.optionalComponents = [...ws.optional];
  };

  const build = (): Samfire => {
    const { model } = ws.require();
    const pool = deps.createPool(settings.workers, settings.pool);
    const e = new Samfire(model, {
      workers: settings.workers,
      cores: deps.cores,
      ...(pool ? { pool } : {}),
      ...(settings.randomSeed === null ? {} : { randomSeed: settings.randomSeed }),
      strategies: settings.strategies.map((s) => strategyFromSnapshot(s)),
      setup: false,
      // The results of the engine this one replaces stay re-testable (see Samfire 'accepted').
      ...(carried ? { accepted: carried } : {}),
    });
    carried = null;
    configure(e);
    if (settings.activeStrategy !== 0) e.changeStrategy(settings.activeStrategy);
    wire(e);
    return e;
  };

  const hasSeed = (test: GoodnessTest): boolean => {
    const { model } = ws.require();
    for (let p = 0; p < model.redChisq.length; p++)
      if (Number.isFinite(model.chisq[p]) && test.test(model, p)) return true;
    return false;
  };

  /** The run's summary: what was fitted, what a re-test found, and why nothing was fitted when nothing was. */
  const endMessage = (e: Samfire, finished: boolean): string => {
    const missing = pixels() - e.pixelsDone;
    const marker = e.metadata.marker;
    let text = `${e.pixelsDone} of ${pixels()} pixels fitted`;
    const r = retest;
    if (r) {
      const pass = r.failed.filter((p) => marker[p]! <= -1).length;
      text +=
        `; re-tested ${r.tested} fits against ${describeGoodness(r.test)}: ${r.failed.length} failed` +
        (r.failed.length > 0 ? `, ${pass} of them pass after refitting` : '');
    }
    if (finished && e.count === countAtStart) {
      text +=
        missing === 0
          ? `; nothing was refitted: every pixel already passes ${describeGoodness(settings.goodness)}`
          : '; nothing was refitted: no strategy has a pixel left to try';
    }
    if (finished && missing > 0)
      text += `; ${missing} passed no goodness test: select them in Results (Refit: Unfitted) and refit them with SAMFire or by hand`;
    return text;
  };

  const run = (): FitStatus => {
    checkIdle('start another run');
    const test = createGoodnessTest(settings.goodness);
    if (!hasSeed(test)) {
      const seeds = failingSeedTexts(test);
      throw new Error(
        `no seed: no stored fit passes the goodness test ${describeGoodness(settings.goodness)}` +
          (seeds.length > 0 ? ` (seed ${listSome(seeds)})` : '') +
          '; fit at least one pixel by hand (Fit pixel) so that it passes, or loosen the test, then start (nothing was refitted)',
      );
    }
    if (!engine) engine = build();
    else configure(engine);
    const e = engine;
    countAtStart = e.count;
    startedAt = Date.now();
    setState('running', null);
    // A seed that fails the current test is not started from: say so (a
    // re-test after a change of the test reports its own seeds).
    const judged = e.accepted?.test;
    const willRetest =
      judged !== undefined && describeGoodness(judged) !== describeGoodness(test.spec());
    const seeds = willRetest ? [] : failingSeedTexts(test);
    if (seeds.length > 0) {
      runEvents.emit({
        kind: 'retested',
        message: `seed ${listSome(seeds)} fails the goodness test ${describeGoodness(settings.goodness)}: the run does not start from it`,
        activeStrategy: activeIndex(),
      });
    }
    e.start(fitOptions()).then(
      () => {
        if (engine !== e) return;
        const finished = e.pixelsLeft === 0;
        setState(finished ? 'finished' : 'stopped');
        runEvents.emit({
          kind: finished ? 'finished' : 'stopped',
          message: endMessage(e, finished),
          activeStrategy: activeIndex(),
        });
        ws.syncPixel();
        if (finished) retest = null;
        ws.changed();
      },
      (err: unknown) => {
        const text = err instanceof Error ? err.message : String(err);
        setState('failed', text);
        runEvents.emit({ kind: 'failed', message: text, activeStrategy: activeIndex() });
        ws.syncPixel();
        ws.changed();
      },
    );
    return status();
  };

  const catalogue = (): SamfireCatalogue => ({
    strategies: defaultSettings(deps.cores).strategies,
    goodnessTests: goodnessTestKinds(),
    optimizers: ['lm', 'mljs'],
    maxWorkers: Math.max(1, deps.cores),
  });

  const api: FitApi = {
    catalogue: async () => catalogue(),
    settings: async () => structuredClone(current()),
    updateSettings: async (patch) => {
      checkIdle('change the SAMFire settings');
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
      settings = next;
      if (patch.saveEvery !== undefined) autoSave = false;
      if (engine && (strategiesChanged || workersChanged)) {
        // The maps keep every fit: a new engine seeded from them carries on where this one stopped.
        carried = engine.accepted;
        dropEngine();
        state = 'stopped';
      } else if (
        engine &&
        patch.activeStrategy !== undefined &&
        patch.activeStrategy !== engine.strategies.activeIndex
      ) {
        engine.changeStrategy(patch.activeStrategy);
      }
      if (engine) configure(engine);
      progress.emit(snapshot());
      return structuredClone(current());
    },
    fitPixel: async ({ pixel, seed }): Promise<PixelFitOutcome> => {
      checkIdle('fit a pixel');
      const { model } = ws.require();
      // A refit of other pixels leaves the current pixel (and the table's values) where they were.
      const current = ws.pixel;
      ws.setPixel(pixel);
      const result = model.fit(pixel, fitOptions());
      const good = createGoodnessTest(settings.goodness).test(model, pixel);
      if (seed && good) ws.seeds.add(pixel);
      if (engine) engine.refreshDatabase();
      const outcome = pixelOutcome(model, pixel, result, good, settings.goodness);
      if (current !== pixel) ws.setPixel(current);
      ws.changed();
      return outcome;
    },
    fitRegion: async ({ region, seed }): Promise<RegionFitOutcome> => {
      checkIdle('fit a region');
      const { model, signal } = ws.require();
      const pixels = regionPixels(signal, region);
      const test = createGoodnessTest(settings.goodness);
      // The mean, fitted from the current values (the table's).
      const mean = regionModel(model, meanSignal(signal, pixels));
      const meanResult = mean.fit(0, fitOptions());
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
      const result = model.fit(seedPixel, fitOptions());
      const good = test.test(model, seedPixel);
      if (seed && good) ws.seeds.add(seedPixel);
      if (engine) engine.refreshDatabase();
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
    },
    setSeeds: async ({ pixels: list, seed }) => {
      checkIdle('change the seeds');
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
      if (engine) engine.refreshDatabase();
      ws.changed();
      return status();
    },
    status: async () => status(),
    start: async () => run(),
    resume: async () => run(),
    stop: async () => {
      if (engine && (state === 'running' || state === 'starting')) {
        setState('stopping');
        await engine.stop();
      }
      return status();
    },
    onProgress: progress.on,
    onPlot: plots.on,
    onRunEvent: runEvents.on,
  };

  return {
    api,
    projectState: () =>
      ws.dataset
        ? { settings: datasetSettings(settings), seeds: [...ws.seeds].sort((a, b) => a - b) }
        : null,
    marker: () => engine?.metadata.marker ?? null,
    checkIdle,
    restore: (backup) => {
      dropEngine();
      carried = null;
      retest = null;
      // The components the run fitted (a reopened file has none of the user's).
      const model = ws.adoptBackupModel(backup.model);
      const pool = deps.createPool(settings.workers, settings.pool);
      const e = Samfire.restore(model, backup, pool ? { pool } : {});
      engine = e;
      settings = {
        ...settings,
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
      autoSave = false;
      for (const i of backup.engine.optionalComponents)
        ws.setOptional(model.components[i]!.name, true);
      wire(e);
      last = { done: e.pixelsDone, left: e.pixelsLeft, count: e.count, rate: 0, eta: NaN };
      setState('stopped', 'restored from the last backup after a crash; press Resume to continue');
      ws.changed();
    },
    close: async () => {
      const e = engine;
      engine = null;
      if (e) await e.close();
    },
  };
}

export type { FitApi };
