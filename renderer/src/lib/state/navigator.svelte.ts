/**
 * The navigator and the spectrum: which image the navigator shows, the
 * current pixel, its spectrum, the pixel under the pointer. Images are
 * Float64Arrays held raw and replaced whole; during a run they are fetched
 * again at a bounded rate, and answers that arrive late for an older request
 * are dropped. The spectrum's view state lives here too: its zoom window
 * (back to the whole axis for every new file), the log scale, a pinned
 * spectrum to compare with, and a region of the navigator whose sum or mean
 * shows instead of the current pixel.
 */
import type {
  DatasetApi,
  DatasetSummary,
  ImageRequest,
  ModelState,
  NavigatorImage,
  RegionRequest,
  SpectrumView,
} from '@samfire/core/api';
import { xExtent } from '../charts/spectrum-option.js';
import type { CellRect } from '../logic/selection.js';
import type { ColourMapName, RangeMode } from '../logic/colour-scale.js';
import { movePixel } from '../logic/selection.js';
import { Throttle } from '../logic/throttle.js';
import type { Feedback } from './store-deps.js';

/** What the navigator needs: the dataset service, and the model's side of picking a pixel. */
export interface NavigatorDeps extends Pick<Feedback, 'guard'> {
  dataset: Pick<DatasetApi, 'image' | 'spectrum' | 'regionSpectrum'>;
  /** The dataset open now (null: none). */
  current(): DatasetSummary | null;
  /** Makes a pixel the model's current one; resolves its stored values. */
  setPixel(pixel: number): Promise<ModelState>;
  /** The model's state for the current pixel arrived (the parameter table shows it). */
  onpixelstate(state: ModelState): void;
  /** During a run: the model's state of the current pixel is fetched again. */
  refreshModel(): Promise<void>;
}

/** Images that change while SAMFire runs (the sum and the electron images never do). */
export function changesDuringRun(request: ImageRequest): boolean {
  return request.kind !== 'sum' && request.kind !== 'image';
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
  /**
   * The spectrum's zoom window in percent of the axis. Not reactive (the chart
   * sets it as the user zooms); `zoomResets` counts the times it was put back.
   */
  zoom = { start: 0, end: 100 };
  zoomResets = $state(0);
  /** A logarithmic y axis for the spectrum. */
  logY = $state(false);
  /** A spectrum pinned for comparison (drawn over the current one). */
  pinned = $state.raw<SpectrumView | null>(null);
  /** When set, the spectrum shows this region's sum or mean instead of the current pixel. */
  region = $state.raw<RegionRequest | null>(null);
  /** Navigator: a drag draws a region (else a click picks a pixel). */
  regionMode = $state(false);
  regionReduce = $state<'sum' | 'mean'>('mean');
  readonly #deps: NavigatorDeps;
  #imageSeq = 0;
  #spectrumSeq = 0;
  readonly #live = new Throttle(() => this.#liveRefresh(), 500);

  constructor(deps: NavigatorDeps) {
    this.#deps = deps;
  }

  get shape(): [number, number] | null {
    return this.image?.shape ?? null;
  }

  /** A new file: every view of the old one goes (its zoom, pinned spectrum and region too). */
  reset(): void {
    this.request = { kind: 'sum' };
    this.image = null;
    this.spectrum = null;
    this.pixel = 0;
    this.hover = null;
    this.pinned = null;
    this.region = null;
    this.regionMode = false;
    this.resetZoom();
    this.#live.cancel();
  }

  /**
   * The same dataset with new data (a processing step): the pixel and the
   * region stay; the zoom, the pinned spectrum (of the old data) and a map of
   * the old model go.
   */
  restart(): void {
    if (this.request.kind !== 'sum' && this.request.kind !== 'image')
      this.request = { kind: 'sum' };
    this.image = null;
    this.pinned = null;
    this.resetZoom();
    this.#live.cancel();
  }

  resetZoom(): void {
    this.zoom = { start: 0, end: 100 };
    this.zoomResets++;
  }

  /** The part of the axis in view (axis values), or undefined before a spectrum shows. */
  visibleRange(): { start: number; end: number } | undefined {
    const x = this.spectrum?.x;
    if (!x || x.length === 0) return undefined;
    const { min, max } = xExtent(x);
    const { start, end } = this.zoom;
    return { start: min + ((max - min) * start) / 100, end: min + ((max - min) * end) / 100 };
  }

  /** Shows the sum or mean of a rectangle of the navigator (null: back to the current pixel). */
  async showRegion(rect: CellRect | null): Promise<void> {
    this.region =
      rect === null
        ? null
        : { rows: [rect.r0, rect.r1], cols: [rect.c0, rect.c1], reduce: this.regionReduce };
    await this.refreshSpectrum();
  }

  setRegionReduce(reduce: 'sum' | 'mean'): Promise<void> {
    this.regionReduce = reduce;
    if (!this.region) return Promise.resolve();
    this.region = { ...this.region, reduce };
    return this.refreshSpectrum();
  }

  /** Pins the spectrum showing now, to compare other pixels with it. */
  pin(): void {
    this.pinned = this.spectrum;
  }

  unpin(): void {
    this.pinned = null;
  }

  async refresh(): Promise<void> {
    await Promise.all([this.refreshImage(), this.refreshSpectrum()]);
  }

  async refreshImage(): Promise<void> {
    const s = this.#deps;
    if (!s.current()) return;
    const request = this.request;
    const seq = ++this.#imageSeq;
    const image = await s.guard('Could not draw the navigator', () => s.dataset.image(request));
    if (image && seq === this.#imageSeq) this.image = image;
  }

  async refreshSpectrum(): Promise<void> {
    const s = this.#deps;
    if (!s.current()) return;
    const pixel = this.pixel;
    const region = this.region;
    const pinned = this.pinned;
    const seq = ++this.#spectrumSeq;
    const [view, pin] = await Promise.all([
      s.guard(`Could not draw the ${region ? 'region' : 'spectrum'}`, () =>
        region ? s.dataset.regionSpectrum({ region }) : s.dataset.spectrum({ pixel }),
      ),
      // A pinned spectrum is drawn again too: a fit may have changed its model.
      pinned
        ? (pinned.region
            ? s.dataset.regionSpectrum({
                region: {
                  rows: pinned.region.rows,
                  cols: pinned.region.cols,
                  reduce: pinned.region.reduce,
                },
              })
            : s.dataset.spectrum({ pixel: pinned.pixel })
          ).catch(() => pinned)
        : Promise.resolve(null),
    ]);
    if (seq !== this.#spectrumSeq) return;
    if (view) this.spectrum = view;
    if (pin && this.pinned === pinned) this.pinned = pin;
  }

  /** Switches the navigator to another image. */
  show(request: ImageRequest): Promise<void> {
    if (sameRequest(request, this.request) && this.image) return Promise.resolve();
    this.request = request;
    return this.refreshImage();
  }

  /** Makes a pixel current: its spectrum shows and the parameter table edits its values. */
  async select(pixel: number): Promise<void> {
    const s = this.#deps;
    const dataset = s.current();
    if (!dataset || pixel < 0 || pixel >= dataset.pixels) return;
    // Picking a pixel leaves a region's view.
    if (pixel === this.pixel && !this.region) return;
    this.region = null;
    this.pixel = pixel;
    const spectrum = this.refreshSpectrum();
    // Also during a run: the table then shows the pixel's stored values (its result once
    // it has one), while the run's fits go on untouched.
    const state = await s.guard('Could not move to that pixel', () => s.setPixel(pixel));
    if (state && state.pixel === this.pixel) s.onpixelstate(state);
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
    const jobs = [this.refreshSpectrum(), this.#deps.refreshModel()];
    if (changesDuringRun(this.request)) jobs.push(this.refreshImage());
    await Promise.all(jobs);
  }
}
