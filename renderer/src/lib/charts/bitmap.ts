/**
 * Large maps as bitmaps (the DOM-free part): one RGBA texel per pixel, row 0
 * at the top, coloured as the heatmap's visual map would colour the cell (the
 * same colour maps, to within a 256-step look-up table; the same range, on/off
 * and marker pieces; NaN and infinities transparent, values outside the range
 * clamped to its ends).
 * Above BITMAP_THRESHOLD pixels a map is drawn this way: one image instead of
 * one ECharts rectangle per pixel. Turning the buffer into an image is the
 * DOM side's job (bitmap-canvas.ts).
 */
import type { ImageRequest } from '@samfire/core/api';
import {
  COLOUR_MAPS,
  MARKER_COLOURS,
  ON_OFF_COLOURS,
  hexToRgb,
  scaleKind,
} from '../logic/colour-scale.js';
import type { ColourMapName, ScaleRange } from '../logic/colour-scale.js';

/** Maps with more pixels than this are drawn as a bitmap (128×128 and smaller stay heatmaps). */
export const BITMAP_THRESHOLD = 16_384;

/** Whether a map of this shape is drawn as a bitmap. */
export function drawsAsBitmap(shape: readonly [number, number]): boolean {
  return shape[0] * shape[1] > BITMAP_THRESHOLD;
}

/** Entries of a colour look-up table. */
export const LUT_SIZE = 256;

const luts = new Map<ColourMapName, Uint8ClampedArray>();

/**
 * A colour map as LUT_SIZE RGBA entries (entry i: the colour at i / (LUT_SIZE - 1)), linearly
 * interpolated between the map's stops and rounded as ECharts' visual map does. Built once per map.
 */
export function colourLut(name: ColourMapName): Uint8ClampedArray {
  const cached = luts.get(name);
  if (cached) return cached;
  const stops = COLOUR_MAPS[name].map(hexToRgb);
  const lut = new Uint8ClampedArray(LUT_SIZE * 4);
  for (let i = 0; i < LUT_SIZE; i++) {
    const x = (i / (LUT_SIZE - 1)) * (stops.length - 1);
    const s = Math.min(stops.length - 2, Math.floor(x));
    const f = x - s;
    const a = stops[s]!;
    const b = stops[s + 1]!;
    for (let k = 0; k < 3; k++) lut[i * 4 + k] = Math.round(a[k]! + f * (b[k]! - a[k]!));
    lut[i * 4 + 3] = 255;
  }
  luts.set(name, lut);
  return lut;
}

/** An opaque RGBA colour from "#rrggbb". */
export function rgba(hex: string): Uint8ClampedArray {
  const [r, g, b] = hexToRgb(hex);
  return Uint8ClampedArray.of(r, g, b, 255);
}

/** How values become colours: what the heatmap's visual map does, in a form for a tight loop. */
export type BitmapScale =
  | {
      kind: 'continuous';
      min: number;
      max: number;
      colourMap: ColourMapName;
      /** colourLut(colourMap). */
      lut: Uint8ClampedArray;
    }
  /** Exactly 0 is off, exactly 1 on; anything else is left transparent (out of ECharts' pieces). */
  | { kind: 'binary'; off: Uint8ClampedArray; on: Uint8ClampedArray }
  /**
   * The marker's pieces: kept (≤ -2), done (≤ -1), none (≤ 0), candidate (< top / 2), next; `colours`
   * holds their RGBA in that order.
   */
  | { kind: 'marker'; top: number; colours: Uint8ClampedArray };

const ON_OFF = { off: rgba(ON_OFF_COLOURS[0]), on: rgba(ON_OFF_COLOURS[1]) };
const MARKER = Uint8ClampedArray.from(
  (['kept', 'done', 'none', 'candidate', 'next'] as const).flatMap((k) => [
    ...rgba(MARKER_COLOURS[k]),
  ]),
);

/** The scale for an image of this kind over this range (as colourScale() in heatmap-option.ts). */
export function bitmapScale(
  request: ImageRequest,
  range: ScaleRange,
  colourMap: ColourMapName,
): BitmapScale {
  const kind = scaleKind(request);
  if (kind === 'binary') return { kind, ...ON_OFF };
  if (kind === 'marker') return { kind, top: Math.max(1, range.max), colours: MARKER };
  return { kind, min: range.min, max: range.max, colourMap, lut: colourLut(colourMap) };
}

/** Whether two scales colour every value alike (to skip repainting an unchanged map). */
export function sameScale(a: BitmapScale, b: BitmapScale): boolean {
  if (a.kind === 'continuous')
    return (
      b.kind === 'continuous' && a.min === b.min && a.max === b.max && a.colourMap === b.colourMap
    );
  if (a.kind === 'marker') return b.kind === 'marker' && a.top === b.top;
  return b.kind === 'binary';
}

/**
 * Writes the colour of every value into `out` (RGBA, 4 bytes a pixel, in the values' order: row 0
 * first, so at the top of an image). `out` must hold at least 4 × values.length bytes; nothing is
 * allocated, so a buffer can be reused for every redraw.
 */
export function fillRgba(values: Float64Array, scale: BitmapScale, out: Uint8ClampedArray): void {
  const n = values.length;
  if (out.length < n * 4) throw new RangeError(`fillRgba: ${out.length} bytes for ${n} pixels`);
  if (scale.kind === 'continuous') {
    const lut = scale.lut;
    const min = scale.min;
    const top = LUT_SIZE - 1;
    const k = top / (scale.max - scale.min);
    for (let i = 0, o = 0; i < n; i++, o += 4) {
      const v = values[i]!;
      // v - v is 0 only for a finite v (NaN and ±Infinity give NaN).
      if (v - v === 0) {
        let x = (v - min) * k;
        x = x > 0 ? (x < top ? x : top) : 0;
        const j = ((x + 0.5) | 0) << 2;
        out[o] = lut[j]!;
        out[o + 1] = lut[j + 1]!;
        out[o + 2] = lut[j + 2]!;
        out[o + 3] = 255;
      } else {
        out[o] = out[o + 1] = out[o + 2] = out[o + 3] = 0;
      }
    }
  } else if (scale.kind === 'binary') {
    const { off, on } = scale;
    for (let i = 0, o = 0; i < n; i++, o += 4) {
      const v = values[i]!;
      const c = v === 0 ? off : v === 1 ? on : null;
      if (c) {
        out[o] = c[0]!;
        out[o + 1] = c[1]!;
        out[o + 2] = c[2]!;
        out[o + 3] = 255;
      } else {
        out[o] = out[o + 1] = out[o + 2] = out[o + 3] = 0;
      }
    }
  } else {
    const colours = scale.colours;
    const half = scale.top / 2;
    for (let i = 0, o = 0; i < n; i++, o += 4) {
      const v = values[i]!;
      if (v - v !== 0) {
        out[o] = out[o + 1] = out[o + 2] = out[o + 3] = 0;
        continue;
      }
      const j = (v <= -2 ? 0 : v <= -1 ? 1 : v <= 0 ? 2 : v < half ? 3 : 4) << 2;
      out[o] = colours[j]!;
      out[o + 1] = colours[j + 1]!;
      out[o + 2] = colours[j + 2]!;
      out[o + 3] = 255;
    }
  }
}

/**
 * How many screen pixels a side each texel gets in the image ECharts draws: enough that the image
 * is at least as large as the grid at `pixelRatio` (the larger of the screen's and the PNG export's),
 * so drawing it never magnifies (no blur: crisp cells), within a budget of `maxTexels` texels.
 */
export function upscaleFactor(
  shape: readonly [number, number],
  gridWidth: number,
  pixelRatio: number,
  maxTexels = 4_194_304,
): number {
  const [rows, cols] = shape;
  const want = Math.ceil((gridWidth * pixelRatio) / Math.max(1, cols));
  const budget = Math.floor(Math.sqrt(maxTexels / Math.max(1, rows * cols)));
  return Math.max(1, Math.min(want, budget, 16));
}
