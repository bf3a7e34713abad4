/**
 * What the workbench shows: the open dataset, the navigator image, the
 * current pixel and its spectrum, the model, and the last error. Large arrays
 * live in $state.raw and are replaced whole (Svelte does not track writes
 * into typed arrays).
 */
import type { SamfireApi } from '../api.js';
import type {
  DatasetSummary,
  HostStatus,
  ImageRequest,
  ModelState,
  NavigatorImage,
  OpenResult,
  PixelFitOutcome,
  SpectrumView,
} from '../../../../core/src/api/types.js';

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class Workbench {
  dataset = $state.raw<DatasetSummary | null>(null);
  model = $state.raw<ModelState | null>(null);
  image = $state.raw<NavigatorImage | null>(null);
  spectrum = $state.raw<SpectrumView | null>(null);
  imageRequest = $state.raw<ImageRequest>({ kind: 'sum' });
  pixel = $state(0);
  lastFit = $state.raw<PixelFitOutcome | null>(null);
  error = $state<string | null>(null);
  notice = $state<string | null>(null);
  busy = $state(false);
  readonly api: SamfireApi;

  constructor(api: SamfireApi) {
    this.api = api;
    api.dataset.onChanged((d) => {
      this.dataset = d;
    });
    api.model.onChanged((m) => {
      this.model = m;
    });
    api.app.onHostStatus((s: HostStatus) => {
      this.notice = s.message;
      if (s.state === 'restarted') void this.reload();
    });
  }

  /** Runs an action, showing its error instead of throwing; the app keeps working. */
  async #guard<T>(action: () => Promise<T>): Promise<T | null> {
    this.busy = true;
    this.error = null;
    try {
      return await action();
    } catch (e) {
      this.error = errorText(e);
      return null;
    } finally {
      this.busy = false;
    }
  }

  async #opened(result: OpenResult | null): Promise<void> {
    if (!result || result.kind !== 'opened') {
      if (result?.kind === 'choose') {
        // The minimal UI takes the first signal; the workbench will ask.
        await this.#opened(
          await this.#guard(() => this.api.file.chooseSignal({ token: result.token, index: 0 })),
        );
      }
      return;
    }
    this.dataset = result.dataset;
    this.pixel = 0;
    this.imageRequest = { kind: 'sum' };
    await this.reload();
  }

  openExample(): Promise<void> {
    return this.#guard(() => this.api.file.openExample()).then((r) => this.#opened(r));
  }

  openFiles(files: File[]): Promise<void> {
    return this.#guard(async () => {
      const uploads = await Promise.all(
        files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })),
      );
      return this.api.file.openUpload({ files: uploads });
    }).then((r) => this.#opened(r));
  }

  openDialog(): Promise<void> {
    return this.#guard(() => this.api.file.openDialog()).then((r) => this.#opened(r));
  }

  /** Fetches the model, the navigator image and the spectrum again. */
  async reload(): Promise<void> {
    await this.#guard(async () => {
      this.dataset = await this.api.dataset.summary();
      if (!this.dataset) return;
      this.model = await this.api.model.state();
      await this.refreshImage();
      await this.refreshSpectrum();
    });
  }

  async refreshImage(): Promise<void> {
    if (!this.dataset) return;
    const request = this.imageRequest;
    const image = await this.api.dataset.image(request);
    if (request === this.imageRequest) this.image = image;
  }

  async refreshSpectrum(): Promise<void> {
    if (!this.dataset) return;
    const pixel = this.pixel;
    const view = await this.api.dataset.spectrum({ pixel });
    if (pixel === this.pixel) this.spectrum = view;
  }

  showImage(request: ImageRequest): Promise<void> {
    this.imageRequest = request;
    return this.#guard(() => this.refreshImage()).then(() => undefined);
  }

  selectPixel(pixel: number): Promise<void> {
    if (!this.dataset || pixel < 0 || pixel >= this.dataset.pixels) return Promise.resolve();
    this.pixel = pixel;
    return this.#guard(async () => {
      this.model = await this.api.model.setPixel({ pixel });
      await this.refreshSpectrum();
      await this.refreshImage();
    }).then(() => undefined);
  }

  /** Moves the current pixel by rows and columns on the navigator (arrow keys). */
  move(dRow: number, dCol: number): Promise<void> {
    if (!this.image) return Promise.resolve();
    const [rows, cols] = this.image.shape;
    const r = Math.min(rows - 1, Math.max(0, Math.floor(this.pixel / cols) + dRow));
    const c = Math.min(cols - 1, Math.max(0, (this.pixel % cols) + dCol));
    return this.selectPixel(r * cols + c);
  }

  fitPixel(): Promise<void> {
    return this.#guard(async () => {
      this.lastFit = await this.api.fit.fitPixel({ pixel: this.pixel, seed: true });
      await this.refreshSpectrum();
      await this.refreshImage();
    }).then(() => undefined);
  }
}
