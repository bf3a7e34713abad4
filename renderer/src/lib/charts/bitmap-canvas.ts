/**
 * Large maps as bitmaps (the DOM side): the RGBA texels of bitmap.ts put on a
 * canvas, then enlarged by a whole factor without smoothing onto the canvas
 * that ECharts draws in the grid, so each pixel stays a crisp square on
 * screen and in PNG exports. One painter per chart: its buffers and canvases
 * are reused, and an unchanged map (same values, scale and size) is not
 * repainted.
 */
import type { NavigatorImage } from '@samfire/core/api';
import { fillRgba, sameScale, upscaleFactor } from './bitmap.js';
import type { BitmapScale } from './bitmap.js';
import type { GridBox } from './heatmap-option.js';

/** The PNG export's pixel ratio (ResultsPanel): the image is made large enough for it too. */
const EXPORT_PIXEL_RATIO = 2;

export class MapBitmap {
  /** One texel per pixel. */
  #texels: HTMLCanvasElement | null = null;
  /** The texels enlarged `#factor` times: what ECharts draws. */
  #view: HTMLCanvasElement | null = null;
  #rgba = new Uint8ClampedArray(0);
  #data: ImageData | null = null;
  #values: Float64Array | null = null;
  #scale: BitmapScale | null = null;
  #factor = 0;

  /** Paints the image (if it, its scale or the size changed) and returns the canvas to draw. */
  readonly paint = (
    image: NavigatorImage,
    scale: BitmapScale,
    grid: GridBox,
  ): HTMLCanvasElement => {
    const [rows, cols] = image.shape;
    const ratio = Math.max(globalThis.devicePixelRatio || 1, EXPORT_PIXEL_RATIO);
    const factor = upscaleFactor(image.shape, grid.width, ratio);
    let texels = this.#texels;
    let view = this.#view;
    if (!texels || !view) {
      texels = this.#texels = document.createElement('canvas');
      view = this.#view = document.createElement('canvas');
    }
    let data = this.#data;
    let fresh = false;
    if (!data || data.width !== cols || data.height !== rows) {
      this.#rgba = new Uint8ClampedArray(rows * cols * 4);
      data = this.#data = new ImageData(this.#rgba, cols, rows);
      texels.width = cols;
      texels.height = rows;
      fresh = true;
    }
    const repaint =
      fresh || this.#values !== image.values || !this.#scale || !sameScale(this.#scale, scale);
    if (repaint) {
      fillRgba(image.values, scale, this.#rgba);
      texels.getContext('2d')!.putImageData(data, 0, 0);
      this.#values = image.values;
      this.#scale = scale;
    }
    if (repaint || factor !== this.#factor || view.width !== cols * factor) {
      if (view.width !== cols * factor) view.width = cols * factor;
      if (view.height !== rows * factor) view.height = rows * factor;
      const ctx = view.getContext('2d')!;
      ctx.imageSmoothingEnabled = false;
      ctx.clearRect(0, 0, view.width, view.height);
      ctx.drawImage(texels, 0, 0, view.width, view.height);
      this.#factor = factor;
    }
    return view;
  };
}
