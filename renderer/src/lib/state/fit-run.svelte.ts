/**
 * SAMFire as the UI sees it: settings and what the host accepts, the seeds,
 * single-pixel fits with their verdict, and runs (start, stop, resume) with
 * their progress, live plots and events. Subscribes once; plots replace the
 * previous one whole.
 */
import type {
  ClusterStatus,
  DatasetApi,
  DatasetSummary,
  FitApi,
  FitProgress,
  FitStatus,
  PixelFitOutcome,
  RegionRequest,
  RunEvent,
  RunPlot,
  SamfireCatalogue,
  SamfireSettings,
} from '@samfire/core/api';
import { judgeFit } from '../logic/verdict.js';
import { formatNumber } from '../logic/parse.js';
import type { Feedback } from './store-deps.js';

/** What the run store needs: the fit service, and the views and model it drives. */
export interface FitRunDeps extends Feedback {
  fit: FitApi;
  dataset: Pick<DatasetApi, 'image'>;
  /** The dataset open now (null: none). */
  current(): DatasetSummary | null;
  /** The current pixel, and where it is (for messages), if its spectrum shows. */
  pixel(): number;
  position(): readonly number[] | undefined;
  /** The region shown on the navigator, or null. */
  region(): RegionRequest | null;
  /** Makes a pixel current (a region fit moves to its seed pixel). */
  setPixel(pixel: number): void;
  /** Applies the values typed in the parameter table; resolves what was refused. */
  commitDrafts(): Promise<string[]>;
  /** Shows the model tab (a typed value needs correcting there). */
  showModel(): void;
  /** New results exist that are not saved in a project. */
  onresults(): void;
  /** While a run goes: the live views redraw (at their own bounded rate). */
  onlive(): void;
  /** Every view shows the model and maps again. */
  refreshViews(): Promise<void>;
  /** The model store reads the model again (a fit changed it). */
  reloadModel(): Promise<void>;
}

export class FitRun {
  progress = $state.raw<FitProgress | null>(null);
  status = $state.raw<FitStatus | null>(null);
  settings = $state.raw<SamfireSettings | null>(null);
  catalogue = $state.raw<SamfireCatalogue | null>(null);
  plot = $state.raw<RunPlot | null>(null);
  /** Live plots received in this session (the marker view shows it is alive). */
  plotCount = $state(0);
  events = $state.raw<RunEvent[]>([]);
  lastFit = $state.raw<PixelFitOutcome | null>(null);
  /** The cluster's workers, hosts and rates while (and after) a run on the cluster. */
  cluster = $state.raw<ClusterStatus | null>(null);
  #clusterTimer: ReturnType<typeof setInterval> | null = null;
  /** Runs that ended (finished, stopped or failed) in this session. */
  ended = $state(0);
  /** A single-pixel fit in flight. */
  fitting = $state(false);
  readonly running = $derived(
    this.progress?.state === 'running' ||
      this.progress?.state === 'starting' ||
      this.progress?.state === 'stopping',
  );
  readonly canResume = $derived(this.progress?.state === 'stopped');
  readonly fraction = $derived(
    this.progress && this.progress.pixels > 0 ? this.progress.pixelsDone / this.progress.pixels : 0,
  );
  readonly seeds = $derived(this.status?.seeds ?? []);
  readonly failingSeeds = $derived(this.status?.failingSeeds ?? []);
  /** The last fit's verdict under the current test (recomputed when the test changes). */
  readonly verdict = $derived(
    this.lastFit ? judgeFit(this.lastFit, this.settings?.goodness ?? null) : null,
  );
  readonly #deps: FitRunDeps;

  constructor(deps: FitRunDeps) {
    this.#deps = deps;
    const fit = deps.fit;
    fit.onProgress((p) => {
      const wasRunning = this.running;
      this.progress = p;
      if (p.state === 'running' && p.count > 0) deps.onresults();
      if (this.running) deps.onlive();
      else if (wasRunning) void this.#ended();
      this.#followCluster();
    });
    fit.onPlot((p) => {
      this.plot = p;
      this.plotCount++;
    });
    fit.onRunEvent((e) => {
      this.events = [e, ...this.events].slice(0, 20);
      if (e.kind === 'finished' || e.kind === 'stopped' || e.kind === 'failed') this.ended++;
      if (e.kind === 'failed') deps.notify('error', 'SAMFire failed', e.message);
      else if (e.kind === 'fault') deps.notify('warning', 'SAMFire worker fault', e.message, 8000);
      else if (e.kind === 'strategy-changed') deps.notify('info', 'SAMFire', e.message, 4000);
      else if (e.kind === 'finished') deps.notify('success', 'SAMFire finished', e.message, 6000);
      else if (e.kind === 'retested') deps.notify('info', 'SAMFire re-test', e.message, 8000);
      if (e.kind === 'strategy-changed' && this.settings)
        this.settings = { ...this.settings, activeStrategy: e.activeStrategy };
    });
  }

  async load(): Promise<void> {
    const fit = this.#deps.fit;
    this.plot = null;
    this.lastFit = null;
    this.events = [];
    this.cluster = null;
    const [settings, catalogue, status] = await Promise.all([
      fit.settings().catch(() => null),
      this.catalogue ? Promise.resolve(this.catalogue) : fit.catalogue().catch(() => null),
      fit.status().catch(() => null),
    ]);
    this.settings = settings;
    this.catalogue = catalogue;
    if (status) this.#setStatus(status);
  }

  /** Whether runs go to the cluster (settings.pool of kind 'nats'). */
  get onCluster(): boolean {
    return this.settings?.pool?.kind === 'nats';
  }

  /** Asks for the cluster's status every second while a cluster run goes, and once as it ends. */
  #followCluster(): void {
    const follow = this.running && this.onCluster;
    if (follow && this.#clusterTimer === null) {
      void this.refreshCluster();
      this.#clusterTimer = setInterval(() => void this.refreshCluster(), 1000);
    } else if (!follow && this.#clusterTimer !== null) {
      clearInterval(this.#clusterTimer);
      this.#clusterTimer = null;
      void this.refreshCluster();
    }
  }

  async refreshCluster(): Promise<void> {
    this.cluster = await this.#deps.fit.cluster().catch(() => this.cluster);
  }

  #setStatus(status: FitStatus): void {
    this.status = status;
    this.progress = status;
  }

  async #ended(): Promise<void> {
    const s = this.#deps;
    const status = await s.fit.status().catch(() => null);
    if (status) this.#setStatus(status);
    this.settings = await s.fit.settings().catch(() => this.settings);
    // The last live plot may predate the last results: show the final marker.
    const plot = this.plot;
    if (plot?.kind === 'marker') {
      const marker = await s.dataset.image({ kind: 'marker' }).catch(() => null);
      if (marker && this.plot === plot) this.plot = { ...plot, marker: marker.values };
    }
    await s.refreshViews();
  }

  async updateSettings(
    patch: Partial<SamfireSettings>,
    what = 'change the SAMFire settings',
  ): Promise<boolean> {
    const s = this.#deps;
    const settings = await s.guard(`Could not ${what}`, () => s.fit.updateSettings(patch));
    if (settings) this.settings = settings;
    const status = await s.fit.status().catch(() => null);
    if (status) this.#setStatus(status);
    return settings !== null;
  }

  async #control(what: string, action: () => Promise<FitStatus>): Promise<void> {
    const s = this.#deps;
    if (!s.current()) {
      s.notify('info', `Nothing to ${what}`, 'Open a file or the example first.');
      return;
    }
    const status = await s.guard(`Could not ${what} SAMFire`, action);
    if (status) this.#setStatus(status);
  }

  /**
   * Applies what was typed in the parameter table before fitting; a value
   * that is refused blocks the fit (its field shows why), never dropped silently.
   */
  async #draftsApplied(what: string): Promise<boolean> {
    const s = this.#deps;
    const problems = await s.commitDrafts();
    if (problems.length === 0) return true;
    s.showModel();
    s.notify(
      'warning',
      `Not ${what}: a typed value is not valid`,
      `${problems.join('; ')}. Correct it (or press Escape in the field to go back) and try again.`,
    );
    return false;
  }

  async start(): Promise<void> {
    if (!(await this.#draftsApplied('started'))) return;
    return this.#control('start', () => this.#deps.fit.start());
  }

  async resume(): Promise<void> {
    if (!(await this.#draftsApplied('resumed'))) return;
    return this.#control('resume', () => this.#deps.fit.resume());
  }

  startOrResume(): Promise<void> {
    if (this.running) return Promise.resolve();
    return this.canResume ? this.resume() : this.start();
  }

  stop(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return this.#control('stop', () => this.#deps.fit.stop());
  }

  /** Fits the current pixel (as a seed when `seed` and the fit is good). */
  async fitPixel(seed = true): Promise<void> {
    const s = this.#deps;
    if (!s.current() || this.fitting) return;
    if (this.running) {
      s.notify('warning', 'SAMFire is running', 'Stop the run to fit a pixel by hand.');
      return;
    }
    const pixel = s.pixel();
    this.fitting = true;
    try {
      if (!(await this.#draftsApplied('fitted'))) return;
      const outcome = await s.guard(
        `Could not fit pixel (${s.position()?.join(', ') ?? pixel})`,
        () => s.fit.fitPixel({ pixel, seed }),
      );
      if (!outcome) return;
      this.lastFit = outcome;
      s.onresults();
      const where = `Pixel (${outcome.position.join(', ')}): reduced χ² ${formatNumber(outcome.redChisq, 4)}`;
      const verdict = judgeFit(outcome, null);
      if (outcome.good)
        s.notify(
          'success',
          where,
          `Passes the goodness test: ${verdict.text}${seed ? '; kept as a seed.' : '.'}`,
        );
      else
        s.notify(
          'warning',
          where,
          `Fails the goodness test: ${verdict.text}. Why: ${outcome.diagnosis.text}.`,
        );
      const status = await s.fit.status().catch(() => null);
      if (status) this.#setStatus(status);
      await Promise.all([s.refreshViews(), s.reloadModel()]);
    } finally {
      this.fitting = false;
    }
  }

  /**
   * Fits the model to the region shown (its mean), starts the region's
   * unfitted pixels from it and fits the seed pixel from those values; a
   * good seed-pixel fit is kept as a seed.
   */
  async fitRegion(): Promise<void> {
    const s = this.#deps;
    const region = s.region();
    if (!s.current() || !region || this.fitting) return;
    if (this.running) {
      s.notify('warning', 'SAMFire is running', 'Stop the run to fit a region by hand.');
      return;
    }
    this.fitting = true;
    try {
      const outcome = await s.guard('Could not fit the region', () =>
        s.fit.fitRegion({ region, seed: true }),
      );
      if (!outcome) return;
      this.lastFit = outcome.seed;
      s.onresults();
      const r = outcome.region;
      const seed = outcome.seed;
      const where = `Pixel (${seed.position.join(', ')}): reduced χ² ${seed.redChisq.toPrecision(4)}`;
      const mean = `The mean of ${r.pixels} pixels fitted with reduced χ² ${r.redChisq.toPrecision(4)}; its values start ${r.started} unfitted pixel${r.started === 1 ? '' : 's'} of the region.`;
      if (seed.good)
        s.notify('success', where, `${mean} The seed pixel's own fit is good: kept as a seed.`);
      else
        s.notify(
          'warning',
          where,
          `${mean} The seed pixel's own fit is not good enough for ${seed.goodness.kind} (tolerance ${seed.goodness.tolerance}): not a seed.`,
        );
      s.setPixel(seed.pixel);
      const status = await s.fit.status().catch(() => null);
      if (status) this.#setStatus(status);
      await Promise.all([s.refreshViews(), s.reloadModel()]);
    } finally {
      this.fitting = false;
    }
  }

  async setSeeds(pixels: number[], seed: boolean): Promise<boolean> {
    const s = this.#deps;
    const what = seed ? 'mark the seed' : 'unmark the seed';
    const status = await s.guard(`Could not ${what}`, () => s.fit.setSeeds({ pixels, seed }));
    if (!status) return false;
    this.#setStatus(status);
    await s.refreshViews();
    return true;
  }

  /** Marks the current pixel as a seed, or unmarks it. */
  toggleSeed(): Promise<void> {
    const pixel = this.#deps.pixel();
    return this.setSeeds([pixel], !this.seeds.includes(pixel)).then(() => undefined);
  }
}
