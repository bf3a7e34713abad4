/**
 * Processing the open signal (CL and other CCD spectra): converting a
 * wavelength axis to energy, and spike removal with review: the host finds
 * the spikes with the threshold and window typed here, the user looks at
 * them (the list, and marks on the spectrum of the pixel shown) and applies
 * or cancels; every step can be reverted. The host converts, finds and
 * removes; this only asks, and keeps the review.
 */
import type { DatasetApi, DatasetSummary, SpikeFound, SpikeReport } from '@samfire/core/api';
import { parseNumber } from '../logic/parse.js';
import type { Feedback } from './store-deps.js';

/** What the processing store needs: the dataset service's steps, and the app around. */
export interface ProcessingDeps extends Feedback {
  dataset: Pick<DatasetApi, 'convertToEnergy' | 'findSpikes' | 'removeSpikes' | 'revert'>;
  /** The dataset open now (null: none). */
  current(): DatasetSummary | null;
  /** Whether a SAMFire run is going (the signal is not processed then). */
  running(): boolean;
  /** Shows a pixel (the navigator and the spectrum go to it). */
  showPixel(pixel: number): Promise<void>;
  /** The signal was processed or reverted: every view starts again from the new summary. */
  onprocessed(dataset: DatasetSummary): Promise<void>;
}

export class ProcessingStore {
  threshold = $state('10');
  window = $state('5');
  /** The spikes found and under review (null: no review going). */
  report = $state.raw<SpikeReport | null>(null);
  /** The spike of the list the user looked at last (its row is highlighted). */
  selected = $state<number | null>(null);
  /** Why the form cannot be used as typed, or null. */
  problem = $state<string | null>(null);
  /** A call in flight: 'convert', 'find', 'apply', 'revert', or null. */
  busy = $state<'convert' | 'find' | 'apply' | 'revert' | null>(null);
  readonly #deps: ProcessingDeps;

  constructor(deps: ProcessingDeps) {
    this.#deps = deps;
  }

  /** A new dataset: no review, the detector's defaults kept as typed. */
  reset(): void {
    this.report = null;
    this.selected = null;
    this.problem = null;
  }

  /** The processing steps applied since the open, oldest first. */
  get steps(): readonly string[] {
    return this.#deps.current()?.steps ?? [];
  }

  /** Why the axis cannot go to energy (null: it can). */
  get energyProblem(): string | null {
    const d = this.#deps.current();
    return d ? d.energyProblem : 'no dataset is open';
  }

  /** Whether the threshold or window typed differ from the review's (Apply uses the review's). */
  get stale(): boolean {
    const r = this.report;
    if (!r) return false;
    const t = parseNumber(this.threshold);
    const w = parseNumber(this.window);
    return !t.ok || !w.ok || t.value !== r.threshold || w.value !== r.window;
  }

  /** The spikes of the review at `pixel`, for marks on its spectrum. */
  spikesAt(pixel: number): SpikeFound[] {
    return this.report?.spikes.filter((s) => s.pixel === pixel) ?? [];
  }

  async convertToEnergy(): Promise<boolean> {
    const problem = this.energyProblem;
    if (problem) {
      this.#deps.notify('error', 'Cannot convert to energy', problem);
      return false;
    }
    return this.#step('convert', 'Could not convert to energy', () =>
      this.#deps.dataset.convertToEnergy(),
    );
  }

  /** The detector's parameters as typed, or null (the problem says why). */
  #parameters(): { threshold: number; window: number } | null {
    const t = parseNumber(this.threshold);
    if (!t.ok || !(t.value > 0))
      return ((this.problem = `threshold: ${t.ok ? 'must be positive' : t.message}`), null);
    const w = parseNumber(this.window);
    if (!w.ok || !Number.isInteger(w.value) || w.value < 3 || w.value > 101 || w.value % 2 === 0)
      return ((this.problem = 'window: an odd number of channels, 3 to 101'), null);
    this.problem = null;
    return { threshold: t.value, window: w.value };
  }

  /** Finds the spikes with the parameters typed, for review (the data do not change). */
  async findSpikes(): Promise<SpikeReport | null> {
    const p = this.#parameters();
    if (!p) return null;
    const s = this.#deps;
    this.busy = 'find';
    try {
      const report = await s.guard('Could not look for spikes', () => s.dataset.findSpikes(p));
      if (report) {
        this.report = report;
        this.selected = null;
        if (report.count === 0)
          s.notify(
            'info',
            'No spike found',
            `No channel scores above ${report.threshold} robust standard deviations: lower the threshold to find smaller ones.`,
            6000,
          );
      }
      return report;
    } finally {
      this.busy = null;
    }
  }

  /** Goes to the pixel of the review's spike `index` (its spectrum shows the marks). */
  async show(index: number): Promise<void> {
    const spike = this.report?.spikes[index];
    if (!spike) return;
    this.selected = index;
    await this.#deps.showPixel(spike.pixel);
  }

  /** Removes the spikes under review (the host finds them again with the review's parameters). */
  async apply(): Promise<boolean> {
    const r = this.report;
    if (!r || r.count === 0) return false;
    const ok = await this.#step('apply', 'Could not remove the spikes', () =>
      this.#deps.dataset.removeSpikes({ threshold: r.threshold, window: r.window }),
    );
    if (ok) this.reset();
    return ok;
  }

  /** Ends the review without changing the data. */
  cancel(): void {
    this.reset();
  }

  /** Goes back one processing step. */
  async revert(): Promise<boolean> {
    const last = this.steps.at(-1);
    if (!last) return false;
    const ok = await this.#step('revert', `Could not revert: ${last}`, () =>
      this.#deps.dataset.revert(),
    );
    if (ok) this.#deps.notify('success', `Reverted: ${last}`, '', 4000);
    return ok;
  }

  async #step(
    kind: 'convert' | 'apply' | 'revert',
    title: string,
    call: () => Promise<DatasetSummary>,
  ): Promise<boolean> {
    const s = this.#deps;
    if (s.running()) {
      s.notify('error', title, 'SAMFire is running: stop the run first.');
      return false;
    }
    this.busy = kind;
    try {
      const dataset = await s.guard(title, call);
      if (!dataset) return false;
      this.report = null;
      this.selected = null;
      await s.onprocessed(dataset);
      const done = dataset.steps.at(-1);
      if (kind !== 'revert' && done) s.notify('success', done, 'Revert goes back a step.', 5000);
      return true;
    } finally {
      this.busy = null;
    }
  }
}
