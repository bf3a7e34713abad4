/**
 * The navigator and the spectrum: which image the navigator shows, the
 * current pixel, its spectrum, the pixel under the pointer. Images are
 * Float64Arrays held raw and replaced whole; during a run they are fetched
 * again at a bounded rate, and answers that arrive late for an older request
 * are dropped.
 */
import type { ImageRequest, NavigatorImage, SpectrumView } from '../../../../core/src/api/types.js';
import type { ColourMapName, RangeMode } from '../logic/colour-scale.js';
import { movePixel } from '../logic/selection.js';
import { Throttle } from '../logic/throttle.js';
import type { Studio } from './studio.svelte.js';

/** Images that change while SAMFire runs (the sum never does). */
export function changesDuringRun(request: ImageRequest): boolean {
  return request.kind !== 'sum';
}

export function sameRequest(a: ImageRequest, b: ImageRequest): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class NavigatorView {
  request = $state.raw<ImageRequest>({ kind: 'sum' });
  image = $state.raw<NavigatorImage | null>(null);
  pixel = $state(0);
  spectrum = $state.raw<SpectrumView | null>(null);
  /** The pixel under the pointer (for the read-out), or null. */
  hover = $state<number | null>(null);
  colourMap = $state<ColourMapName>('viridis');
  rangeMode = $state<RangeMode>('full');
  readonly #studio: Studio;
  #imageSeq = 0;
  #spectrumSeq = 0;
  readonly #live = new Throttle(() => this.#liveRefresh(), 500);

  constructor(studio: Studio) {
    this.#studio = studio;
  }

  get shape(): [number, number] | null {
    return this.image?.shape ?? null;
  }

  reset(): void {
    this.request = { kind: 'sum' };
    this.image = null;
    this.spectrum = null;
    this.pixel = 0;
    this.hover = null;
    this.#live.cancel();
  }

  async refresh(): Promise<void> {
    await Promise.all([this.refreshImage(), this.refreshSpectrum()]);
  }

  async refreshImage(): Promise<void> {
    const s = this.#studio;
    if (!s.dataset) return;
    const request = this.request;
    const seq = ++this.#imageSeq;
    const image = await s.guard('Could not draw the navigator', () => s.api.dataset.image(request));
    if (image && seq === this.#imageSeq) this.image = image;
  }

  async refreshSpectrum(): Promise<void> {
    const s = this.#studio;
    if (!s.dataset) return;
    const pixel = this.pixel;
    const seq = ++this.#spectrumSeq;
    const view = await s.guard('Could not draw the spectrum', () =>
      s.api.dataset.spectrum({ pixel }),
    );
    if (view && seq === this.#spectrumSeq) this.spectrum = view;
  }

  /** Switches the navigator to another image. */
  show(request: ImageRequest): Promise<void> {
    if (sameRequest(request, this.request) && this.image) return Promise.resolve();
    this.request = request;
    return this.refreshImage();
  }

  /** Makes a pixel current: its spectrum shows and the parameter table edits its values. */
  async select(pixel: number): Promise<void> {
    const s = this.#studio;
    if (!s.dataset || pixel < 0 || pixel >= s.dataset.pixels || pixel === this.pixel) return;
    this.pixel = pixel;
    const spectrum = this.refreshSpectrum();
    // Also during a run: the table then shows the pixel's stored values (its result once
    // it has one), while the run's fits go on untouched.
    const state = await s.guard('Could not move to that pixel', () =>
      s.api.model.setPixel({ pixel }),
    );
    if (state && state.pixel === this.pixel) s.model.state = state;
    await spectrum;
  }

  /** Moves the current pixel by rows and columns (arrow keys). */
  move(dRow: number, dCol: number): Promise<void> {
    const shape = this.shape;
    if (!shape) return Promise.resolve();
    return this.select(movePixel(this.pixel, dRow, dCol, shape));
  }

  /** While a run goes: redraw the live image and spectrum, at most twice a second. */
  live(): void {
    this.#live.request();
  }

  async #liveRefresh(): Promise<void> {
    // The table follows the current pixel's result as it arrives, like the spectrum.
    const jobs = [this.refreshSpectrum(), this.#studio.model.refreshState()];
    if (changesDuringRun(this.request)) jobs.push(this.refreshImage());
    await Promise.all(jobs);
  }
}
