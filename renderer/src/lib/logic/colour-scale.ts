/**
 * Colour scales for maps: named colour maps, the value range (the full
 * finite range, or a robust one that ignores the worst 2% at each end), the
 * kind of scale each image wants (continuous, on/off, the marker's signed
 * priorities), and value read-outs.
 */
import type { ImageRequest } from '@samfire/core/api';

export const COLOUR_MAPS = {
  viridis: ['#440154', '#414487', '#2a788e', '#22a884', '#7ad151', '#fde725'],
  plasma: ['#0d0887', '#7e03a8', '#cc4778', '#f89540', '#f0f921'],
  magma: ['#000004', '#51127c', '#b73779', '#fc8961', '#fcfdbf'],
  grey: ['#000000', '#ffffff'],
  coolwarm: ['#3b4cc0', '#8db0fe', '#dddddd', '#f49a7b', '#b40426'],
} as const;

export type ColourMapName = keyof typeof COLOUR_MAPS;
export const COLOUR_MAP_NAMES = Object.keys(COLOUR_MAPS) as ColourMapName[];

/**
 * Pixels without a value (unfitted): a light grey, unlike the colour maps' colours and the dark
 * grey of "off"; the grey map gets a muted red instead, and coolwarm (light grey in its middle) a
 * dark grey.
 */
export const NAN_COLOURS: Record<ColourMapName, string> = {
  viridis: '#b4b8bf',
  plasma: '#b4b8bf',
  magma: '#b4b8bf',
  grey: '#c0706a',
  coolwarm: '#4a4d55',
};

/** On/off maps and seeds: [off, on]. */
export const ON_OFF_COLOURS = ['#5c6370', '#f5b700'] as const;

/** The live marker's classes: done (kept from a previous strategy, or now), none, candidates. */
export const MARKER_COLOURS = {
  kept: '#1c7c54',
  done: '#37b24d',
  none: '#5c6370',
  candidate: '#f08c00',
  next: '#e03131',
} as const;

export type RangeMode = 'full' | 'robust';

export interface ScaleRange {
  min: number;
  max: number;
}

/** The q-quantile (0..1) of sorted values, linearly interpolated. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = Math.min(1, Math.max(0, q)) * (n - 1);
  const i = Math.floor(pos);
  const f = pos - i;
  const a = sorted[i]!;
  return i + 1 < n ? a + f * (sorted[i + 1]! - a) : a;
}

/** The colour range of a map: never empty (a constant map gets [v, v + 1]; no finite value [0, 1]). */
export function scaleRange(values: ArrayLike<number>, mode: RangeMode = 'full'): ScaleRange {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) finite.push(v);
  }
  if (finite.length === 0) return { min: 0, max: 1 };
  let min: number;
  let max: number;
  if (mode === 'robust' && finite.length >= 10) {
    const sorted = Float64Array.from(finite).sort();
    min = quantile(sorted, 0.02);
    max = quantile(sorted, 0.98);
  } else {
    min = Infinity;
    max = -Infinity;
    for (const v of finite) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (!(max > min)) max = min + 1;
  return { min, max };
}

export type ScaleKind = 'continuous' | 'binary' | 'marker';

/** On/off maps and seeds are two-valued; the marker is signed (done < 0 < candidates). */
export function scaleKind(request: ImageRequest): ScaleKind {
  if (request.kind === 'active' || request.kind === 'seeds') return 'binary';
  if (request.kind === 'marker') return 'marker';
  return 'continuous';
}

/** "#rrggbb" as [r, g, b] (0..255). */
export function hexToRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** The colour at t in [0, 1] along a colour map (clamped; NaN is transparent). */
export function colourAt(name: ColourMapName, t: number): string {
  if (Number.isNaN(t)) return 'transparent';
  const stops = COLOUR_MAPS[name];
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = hexToRgb(stops[i]!);
  const b = hexToRgb(stops[i + 1]!);
  const c = a.map((v, k) => Math.round(v + f * (b[k]! - v)));
  return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** Where a value falls on a range (0..1, clamped; NaN stays NaN). */
export function normalise(v: number, range: ScaleRange): number {
  if (!Number.isFinite(v)) return NaN;
  return Math.min(1, Math.max(0, (v - range.min) / (range.max - range.min)));
}

/** A map value for the read-out: "1234.5 counts", "on", "not fitted". */
export function valueText(v: number | undefined, request: ImageRequest, units = ''): string {
  if (v === undefined) return '';
  // An on/off map is a result too: NaN where no fit is stored (not "off").
  if (request.kind === 'active') return Number.isNaN(v) ? 'not fitted' : v ? 'on' : 'off';
  if (request.kind === 'seeds') return v ? 'seed' : '—';
  if (request.kind === 'marker') {
    if (v <= -2) return 'done (kept from the previous strategy)';
    if (v <= -1) return 'done';
    if (v > 0) return `candidate (priority ${Number(v.toPrecision(3))})`;
    return 'no information';
  }
  if (!Number.isFinite(v)) return 'not fitted';
  const s =
    Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0)
      ? v.toExponential(4)
      : String(Number(v.toPrecision(6)));
  return units ? `${s} ${units}` : s;
}
