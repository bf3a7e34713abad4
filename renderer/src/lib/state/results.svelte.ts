/**
 * The results view: a map (parameter, std, reduced χ², on/off) with its
 * colour scale, exports (PNG from the chart, CSV and .npy from the host),
 * and refitting a selection of pixels (a rectangle, or every pixel whose
 * reduced χ² is above a threshold) by hand or by a new SAMFire run.
 */
import type {
  DatasetApi,
  DatasetSummary,
  FitApi,
  ImageRequest,
  MapFormat,
  NavigatorImage,
} from '@samfire/core/api';
import type { ColourMapName, RangeMode } from '../logic/colour-scale.js';
import { parseNumber } from '../logic/parse.js';
import { pixelsAbove, pixelsUnfitted, rectPixels } from '../logic/selection.js';
import { FailureTally } from '../logic/failure-summary.js';
import { flavourOf } from '../logic/strategy-list.js';
import type { CellRect } from '../logic/selection.js';
import { Throttle } from '../logic/throttle.js';
import { dataUrlBytes } from '../logic/data-url.js';
import type { FitRun } from './fit-run.svelte.js';
import type { Feedback } from './store-deps.js';

/** What the results view needs: its services, the run it may start, and where files go. */
export interface ResultsDeps extends Feedback {
  dataset: Pick<DatasetApi, 'image' | 'mapFile'>;
  fit: Pick<FitApi, 'fitPixel'>;
  /** The dataset open now (null: none). */
  current(): DatasetSummary | null;
  /** Whether the results tab shows (maps are fetched only then). */
  visible(): boolean;
  /** The run: refitting with SAMFire sets seeds and starts it. */
  run: Pick<FitRun, 'running' | 'settings' | 'setSeeds' | 'updateSettings' | 'start'>;
  /** Saves bytes the UI made; resolves where they went (null: cancelled or failed). */
  saveBytes(name: string, bytes: Uint8Array): Promise<string | null>;
  /** Pixels were refitted by hand: the results are unsaved and every view shows them. */
  onrefitted(): Promise<void>;
}

export class Results {
  request = $state.raw<ImageRequest>({ kind: 'redChisq' });
  image = $state.raw<NavigatorImage | null>(null);
  /** A line scan's parameter map: its std, for error bars (null otherwise). */
  std = $state.raw<Float64Array | null>(null);
  /** The reduced χ² map, for its histogram. */
  chisq = $state.raw<NavigatorImage | null>(null);
  hover = $state<number | null>(null);
  colourMap = $state<ColourMapName>('viridis');
  rangeMode = $state<RangeMode>('full');
  /** The selection to refit: a rectangle, or the pixels above a reduced χ² threshold. */
  rect = $state.raw<CellRect | null>(null);
  selection = $state.raw<number[]>([]);
  threshold = $state('2');
  /** Refit by hand: how far it got. */
  refitting = $state<{ done: number; total: number } | null>(null);
  #cancelRefit = false;
  /** Renders the map as a PNG data URL for export (set by the map view while it shows). */
  pngSource: (() => string) | null = null;
  readonly #deps: ResultsDeps;
  #seq = 0;
  readonly #live = new Throttle(() => this.refresh(), 700);

  constructor(deps: ResultsDeps) {
    this.#deps = deps;
  }

  reset(): void {
    this.request = { kind: 'redChisq' };
    this.image = null;
    this.std = null;
    this.chisq = null;
    this.rect = null;
    this.selection = [];
    this.#live.cancel();
  }

  async refresh(): Promise<void> {
    const s = this.#deps;
    const dataset = s.current();
    if (!dataset || !s.visible()) return;
    const request = this.request;
    const seq = ++this.#seq;
    // A line scan's parameter values come with their std (error bars); the reduced χ² map feeds
    // the histogram under the map.
    const withStd =
      dataset.navigationShape.length === 1 &&
      request.kind === 'parameter' &&
      (request.field ?? 'values') === 'values';
    // The std and the histogram's map are extras: without them the map still shows.
    const extra = (r: ImageRequest | null): Promise<NavigatorImage | null> =>
      r ? s.dataset.image(r).catch(() => null) : Promise.resolve(null);
    const images = await s.guard('Could not draw the results map', () =>
      Promise.all([
        s.dataset.image(request),
        extra(withStd ? { ...request, field: 'std' } : null),
        extra(request.kind === 'redChisq' ? null : { kind: 'redChisq' }),
      ]),
    );
    if (!images || seq !== this.#seq) return;
    const [image, std, chisq] = images;
    this.image = image;
    this.std = std?.values ?? null;
    this.chisq = request.kind === 'redChisq' ? image : chisq;
  }

  live(): void {
    if (this.#deps.visible()) this.#live.request();
  }

  show(request: ImageRequest): Promise<void> {
    this.request = request;
    return this.refresh();
  }

  selectRect(rect: CellRect | null): void {
    this.rect = rect;
    const shape = this.image?.shape;
    this.selection = rect && shape ? rectPixels(rect, shape) : [];
  }

  /** Selects every pixel whose reduced χ² is above the threshold typed. */
  async selectAboveThreshold(): Promise<void> {
    const s = this.#deps;
    const t = parseNumber(this.threshold);
    if (!t.ok) {
      s.notify('error', 'Reduced χ² threshold', `${t.message}; for example 2`);
      return;
    }
    const image = await s.guard('Could not read the reduced χ² map', () =>
      s.dataset.image({ kind: 'redChisq' }),
    );
    if (!image) return;
    this.rect = null;
    this.selection = pixelsAbove(image.values, t.value);
    if (this.selection.length === 0)
      s.notify('info', 'Nothing to refit', `No pixel has a reduced χ² above ${t.value}.`);
  }

  /** Selects every pixel without a good fit (a run's failures, pixels no run reached). */
  async selectUnfitted(): Promise<void> {
    const s = this.#deps;
    const image = await s.guard('Could not read the reduced χ² map', () =>
      s.dataset.image({ kind: 'redChisq' }),
    );
    if (!image) return;
    this.rect = null;
    this.selection = pixelsUnfitted(image.values);
    if (this.selection.length === 0)
      s.notify('info', 'Nothing to refit', 'Every pixel holds a good fit.');
  }

  /** Fits each selected pixel by hand, from its current values. Cancellable. */
  async refitByHand(): Promise<void> {
    const s = this.#deps;
    const pixels = this.selection;
    if (pixels.length === 0 || s.run.running || this.refitting) return;
    this.#cancelRefit = false;
    this.refitting = { done: 0, total: pixels.length };
    let good = 0;
    const failing = new FailureTally();
    try {
      for (const pixel of pixels) {
        if (this.#cancelRefit) break;
        const r = await s.guard(`Could not refit pixel ${pixel}`, () =>
          s.fit.fitPixel({ pixel, seed: false }),
        );
        if (!r) break;
        if (r.good) good++;
        else failing.add(r.diagnosis);
        this.refitting = { done: this.refitting.done + 1, total: pixels.length };
        if (this.refitting.done % 10 === 0) void this.refresh();
      }
    } finally {
      const done = this.refitting?.done ?? 0;
      this.refitting = null;
      const why = failing.text(s.current()?.axes.find((a) => !a.navigate)?.units ?? '');
      s.notify(
        'success',
        'Refit done',
        `${done} pixels refitted, ${good} pass the goodness test.${why ? ` ${why}` : ''}`,
      );
      await s.onrefitted();
    }
  }

  cancelRefit(): void {
    this.#cancelRefit = true;
  }

  /** Forgets the selected pixels' fits and starts SAMFire: they are refitted from their good neighbours. */
  async refitWithSamfire(): Promise<void> {
    const s = this.#deps;
    const pixels = this.selection;
    if (pixels.length === 0 || s.run.running) return;
    if (!(await s.run.setSeeds(pixels, false))) return;
    // From their good neighbours: the first local strategy of the list, when one is not active.
    const settings = s.run.settings;
    if (settings) {
      const active = settings.strategies[settings.activeStrategy];
      const local = settings.strategies.findIndex((x) => flavourOf(x) === 'local');
      if (local >= 0 && (!active || flavourOf(active) !== 'local'))
        await s.run.updateSettings({ activeStrategy: local }, 'switch to the local strategy');
    }
    this.selection = [];
    this.rect = null;
    await s.run.start();
  }

  async exportMap(format: MapFormat): Promise<void> {
    const s = this.#deps;
    const image = this.request;
    const file = await s.guard(`Could not export the map as ${format.toUpperCase()}`, () =>
      s.dataset.mapFile({ image, format }),
    );
    if (file) await s.saveBytes(file.name, file.bytes);
  }

  async exportPng(): Promise<void> {
    const s = this.#deps;
    if (!this.pngSource || !this.image) {
      s.notify('info', 'No map to export', 'Show a map in the Results tab first.');
      return;
    }
    const name = `${(s.current()?.title || 'map').replace(/[^A-Za-z0-9._-]+/g, '_')}_${this.image.label.replace(/χ²/g, 'chisq').replace(/[^A-Za-z0-9._-]+/g, '_')}.png`;
    await s.saveBytes(name, dataUrlBytes(this.pngSource()));
  }
}
