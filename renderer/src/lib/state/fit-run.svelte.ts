/**
 * A SAMFire run as the UI sees it: progress from `fit.onProgress`, the live
 * marker or histograms from `fit.onPlot`, and the run's events. Subscribes
 * once; plots replace the previous one whole.
 */
import type { SamfireApi } from '../api.js';
import type { FitProgress, RunEvent, RunPlot } from '../../../../core/src/api/types.js';
import { errorText } from './workbench.svelte.js';

export class FitRun {
  progress = $state.raw<FitProgress | null>(null);
  plot = $state.raw<RunPlot | null>(null);
  lastEvent = $state.raw<RunEvent | null>(null);
  error = $state<string | null>(null);
  readonly running = $derived(
    this.progress?.state === 'running' || this.progress?.state === 'stopping',
  );
  readonly fraction = $derived(
    this.progress && this.progress.pixels > 0 ? this.progress.pixelsDone / this.progress.pixels : 0,
  );
  readonly #api: SamfireApi;
  readonly #onEnd: () => void;

  /** `onEnd` runs when a run stops or finishes (the maps changed: redraw them). */
  constructor(api: SamfireApi, onEnd: () => void) {
    this.#api = api;
    this.#onEnd = onEnd;
    api.fit.onProgress((p) => {
      this.progress = p;
    });
    api.fit.onPlot((p) => {
      this.plot = p;
    });
    api.fit.onRunEvent((e) => {
      this.lastEvent = e;
      if (e.kind === 'failed') this.error = e.message;
      if (e.kind === 'finished' || e.kind === 'stopped' || e.kind === 'failed') this.#onEnd();
    });
  }

  async #do(action: () => Promise<FitProgress>): Promise<void> {
    this.error = null;
    try {
      this.progress = await action();
    } catch (e) {
      this.error = errorText(e);
    }
  }

  start(): Promise<void> {
    return this.#do(() => this.#api.fit.start());
  }

  stop(): Promise<void> {
    return this.#do(() => this.#api.fit.stop());
  }
}
