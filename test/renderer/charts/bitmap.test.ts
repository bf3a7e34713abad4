/** Large maps as bitmaps: the colour look-up tables and the RGBA filling, in Node. */
import { describe, expect, it } from 'vitest';
import {
  BITMAP_THRESHOLD,
  LUT_SIZE,
  bitmapScale,
  colourLut,
  drawsAsBitmap,
  fillRgba,
  sameScale,
  upscaleFactor,
} from '../../../renderer/src/lib/charts/bitmap.js';
import {
  COLOUR_MAPS,
  COLOUR_MAP_NAMES,
  MARKER_COLOURS,
  ON_OFF_COLOURS,
  colourAt,
  hexToRgb,
} from '../../../renderer/src/lib/logic/colour-scale.js';

/** The RGBA of pixel i. */
const px = (out: Uint8ClampedArray, i: number): number[] => [...out.subarray(i * 4, i * 4 + 4)];
const opaque = (hex: string): number[] => [...hexToRgb(hex), 255];
const CLEAR = [0, 0, 0, 0];

function fill(values: number[], scale: ReturnType<typeof bitmapScale>): Uint8ClampedArray {
  const out = new Uint8ClampedArray(values.length * 4);
  fillRgba(Float64Array.from(values), scale, out);
  return out;
}

describe('colour look-up tables', () => {
  it("starts and ends at every colour map's end colours", () => {
    for (const name of COLOUR_MAP_NAMES) {
      const lut = colourLut(name);
      const stops = COLOUR_MAPS[name];
      expect(lut).toHaveLength(LUT_SIZE * 4);
      expect(px(lut, 0)).toEqual(opaque(stops[0]));
      expect(px(lut, LUT_SIZE - 1)).toEqual(opaque(stops[stops.length - 1]!));
    }
  });

  it('follows the colour map between its stops, as the heatmap colours a cell', () => {
    for (const name of COLOUR_MAP_NAMES) {
      const lut = colourLut(name);
      for (let i = 0; i < LUT_SIZE; i++)
        expect(px(lut, i), `${name}[${i}]`).toEqual(opaque(colourAt(name, i / (LUT_SIZE - 1))));
    }
    // grey: entry i is grey level i.
    expect(px(colourLut('grey'), 128)).toEqual([128, 128, 128, 255]);
  });

  it('is built once per colour map', () => {
    expect(colourLut('magma')).toBe(colourLut('magma'));
    expect(colourLut('magma')).not.toBe(colourLut('plasma'));
  });
});

describe('filling RGBA from a map', () => {
  const range = { min: 10, max: 20 };
  const grey = bitmapScale({ kind: 'sum' }, range, 'grey');

  it('gives the range ends the colour map end colours, in between the LUT entry', () => {
    const viridis = bitmapScale({ kind: 'sum' }, range, 'viridis');
    const out = fill([10, 20, 15], viridis);
    expect(px(out, 0)).toEqual(opaque(COLOUR_MAPS.viridis[0]));
    expect(px(out, 1)).toEqual(opaque(COLOUR_MAPS.viridis[5]));
    expect(px(out, 2)).toEqual(px(colourLut('viridis'), 128));
    // grey: the value's place on the range as a grey level.
    expect(px(fill([12.5], grey), 0)).toEqual([64, 64, 64, 255]);
  });

  it('leaves NaN and infinities transparent', () => {
    const out = fill([NaN, Infinity, -Infinity, 15], grey);
    expect(px(out, 0)).toEqual(CLEAR);
    expect(px(out, 1)).toEqual(CLEAR);
    expect(px(out, 2)).toEqual(CLEAR);
    expect(px(out, 3)[3]).toBe(255);
  });

  it('clamps values outside the range to its ends (a robust range)', () => {
    const out = fill([-1e300, 9.999, 20.001, 1e300], bitmapScale({ kind: 'sum' }, range, 'plasma'));
    const [first, last] = [COLOUR_MAPS.plasma[0], COLOUR_MAPS.plasma[4]];
    expect([px(out, 0), px(out, 1), px(out, 2), px(out, 3)]).toEqual([
      opaque(first),
      opaque(first),
      opaque(last),
      opaque(last),
    ]);
  });

  it('puts row 0 first (the top of the image), in the values’ row-major order', () => {
    // 2 rows × 3 columns: row 0 dark to mid grey, row 1 light.
    const out = fill([10, 11, 12, 18, 19, 20], grey);
    const cols = 3;
    const at = (r: number, c: number): number => px(out, r * cols + c)[0]!;
    expect(at(0, 0)).toBe(0);
    expect(at(0, 2)).toBe(51);
    expect(at(1, 2)).toBe(255);
    expect(at(0, 1)).toBeLessThan(at(1, 1));
  });

  it('colours on/off maps and seeds: 0 off, 1 on, anything else transparent', () => {
    for (const request of [{ kind: 'active', component: 'l2' }, { kind: 'seeds' }] as const) {
      const scale = bitmapScale(request, { min: 0, max: 1 }, 'viridis');
      const out = fill([0, 1, NaN, 0.5, 2], scale);
      expect(px(out, 0)).toEqual(opaque(ON_OFF_COLOURS[0]));
      expect(px(out, 1)).toEqual(opaque(ON_OFF_COLOURS[1]));
      for (const i of [2, 3, 4]) expect(px(out, i)).toEqual(CLEAR);
    }
  });

  it("colours the marker by the heatmap's pieces (kept, done, none, candidate, next)", () => {
    // Priorities up to 8: candidates below 4, the next pixels from 4.
    const scale = bitmapScale({ kind: 'marker' }, { min: -2, max: 8 }, 'viridis');
    expect(scale).toMatchObject({ kind: 'marker', top: 8 });
    const values = [-3, -2, -1.5, -1, -0.5, 0, 0.1, 3.99, 4, 8, NaN, Infinity];
    const out = fill(values, scale);
    const m = MARKER_COLOURS;
    const pieces: string[] = [m.kept, m.kept, m.done, m.done, m.none, m.none];
    const want = pieces.concat([m.candidate, m.candidate, m.next, m.next]).map(opaque);
    expect(values.slice(0, 10).map((_, i) => px(out, i))).toEqual(want);
    expect(px(out, 10)).toEqual(CLEAR);
    expect(px(out, 11)).toEqual(CLEAR);
    // Priorities below 1: the "next" piece starts at 0.5.
    const low = bitmapScale({ kind: 'marker' }, { min: -1, max: 0.2 }, 'viridis');
    expect(px(fill([0.2, 0.5], low), 0)).toEqual(opaque(m.candidate));
    expect(px(fill([0.2, 0.5], low), 1)).toEqual(opaque(m.next));
  });

  it('overwrites a reused buffer completely, and refuses one too small', () => {
    const out = new Uint8ClampedArray(8);
    fillRgba(Float64Array.of(15, 20), grey, out);
    fillRgba(Float64Array.of(NaN, 10), grey, out);
    expect([...out]).toEqual([0, 0, 0, 0, 0, 0, 0, 255]);
    expect(() => fillRgba(Float64Array.of(1, 2, 3), grey, out)).toThrow(RangeError);
  });

  it('tells scales that colour alike from ones that do not', () => {
    const a = bitmapScale({ kind: 'sum' }, range, 'viridis');
    expect(sameScale(a, bitmapScale({ kind: 'redChisq' }, { ...range }, 'viridis'))).toBe(true);
    expect(sameScale(a, bitmapScale({ kind: 'sum' }, { min: 10, max: 21 }, 'viridis'))).toBe(false);
    expect(sameScale(a, bitmapScale({ kind: 'sum' }, range, 'magma'))).toBe(false);
    expect(sameScale(a, bitmapScale({ kind: 'seeds' }, range, 'viridis'))).toBe(false);
    const m = (max: number) => bitmapScale({ kind: 'marker' }, { min: 0, max }, 'viridis');
    expect(sameScale(m(4), m(4))).toBe(true);
    expect(sameScale(m(4), m(6))).toBe(false);
  });
});

describe('when a map is a bitmap', () => {
  it('draws maps above the threshold (128×128 and less stay heatmaps)', () => {
    expect(BITMAP_THRESHOLD).toBe(128 * 128);
    expect(drawsAsBitmap([128, 128])).toBe(false);
    expect(drawsAsBitmap([128, 129])).toBe(true);
    expect(drawsAsBitmap([256, 256])).toBe(true);
    expect(drawsAsBitmap([1, 20_000])).toBe(true);
  });

  it('enlarges texels enough that the image is never magnified, within a budget', () => {
    // 256 columns in a 380 px grid at twice the screen's resolution: 3 px a texel.
    expect(upscaleFactor([256, 256], 380, 2)).toBe(3);
    expect(upscaleFactor([256, 256], 400, 2) * 256).toBeGreaterThanOrEqual(800);
    // A huge map is never made larger than 4 Mi texels; at least one.
    expect(upscaleFactor([1024, 1024], 2000, 2)).toBe(2);
    expect(upscaleFactor([4096, 4096], 500, 2)).toBe(1);
  });
});
