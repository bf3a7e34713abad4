/**
 * Axis units made readable, as HyperSpy 1.7.3 shows Velox axes: a pixel of
 * 5.3e-9 m on a 512-pixel image becomes 0.0053 µm, on a 16-pixel map
 * 5.3 nm. The rule (found by loading files with HyperSpy, as a black box):
 * the SI prefix is the one that pint's `to_compact` picks for `factor *
 * size * scale` in base units, the power of ten rounded down to a multiple
 * of three (up, for inverse units such as 1/m), with factor 0.5 for the
 * spatial axes and 1 for the frame (time) axis. Units other than a prefixed
 * metre or second, or their inverse, are left as they are.
 */

/** SI prefixes with an integer power of ten, as pint lists them (micro as U+00B5). */
const PREFIXES: readonly (readonly [number, string])[] = [
  [-24, 'y'],
  [-21, 'z'],
  [-18, 'a'],
  [-15, 'f'],
  [-12, 'p'],
  [-9, 'n'],
  [-6, 'µ'],
  [-3, 'm'],
  [-2, 'c'],
  [-1, 'd'],
  [0, ''],
  [1, 'da'],
  [2, 'h'],
  [3, 'k'],
  [6, 'M'],
  [9, 'G'],
  [12, 'T'],
  [15, 'P'],
  [18, 'E'],
  [21, 'Z'],
  [24, 'Y'],
];

const POWER_OF: ReadonlyMap<string, number> = new Map([
  ...PREFIXES.map(([p, s]) => [s, p] as const),
  ['u', -6],
  ['μ', -6], // U+03BC, the Greek letter
]);

const BASES = ['m', 's'];

interface ParsedUnit {
  base: string;
  /** Power of ten of the prefix. */
  prefix: number;
  /** 1 for the unit, -1 for its inverse. */
  power: 1 | -1;
}

/** 'nm' -> nanometre, '1/m' or '1 / µm' -> inverse metre; null for anything else. */
export function parseUnit(units: string): ParsedUnit | null {
  let u = units.trim();
  let power: 1 | -1 = 1;
  const inverse = /^1\s*\/\s*(.+)$/.exec(u);
  if (inverse) {
    u = inverse[1]!.trim();
    power = -1;
  }
  for (const base of BASES) {
    if (!u.endsWith(base)) continue;
    const prefix = POWER_OF.get(u.slice(0, u.length - base.length));
    if (prefix !== undefined) return { base, prefix, power };
  }
  return null;
}

/** The power of ten pint's to_compact gives `magnitude` (in base units to `power`). */
function compactPower(magnitude: number, power: 1 | -1): number {
  const log = Math.log10(Math.abs(magnitude)) / power / 3;
  const p = (power > 0 ? Math.floor(log) : Math.ceil(log)) * 3;
  // bisect_left over the prefix powers, clamped to the list like pint.
  const found = PREFIXES.find(([q]) => q >= p);
  return found === undefined ? PREFIXES[PREFIXES.length - 1]![0] : found[0];
}

export interface ScaledAxis {
  scale: number;
  offset: number;
  units: string;
}

/**
 * `scale` and `offset` (in `units`) re-expressed in the readable prefix for
 * an axis of `size` points; `factor` is 0.5 for space, 1 for time (see above).
 */
export function compactUnits(
  scale: number,
  offset: number,
  size: number,
  units: string,
  factor: number,
): ScaledAxis {
  const parsed = parseUnit(units);
  const magnitude = scale * size * factor;
  if (parsed === null || !Number.isFinite(magnitude) || magnitude === 0) {
    return { scale, offset, units };
  }
  const { base, prefix, power } = parsed;
  // Value in base units: v * 10^(prefix * power); in the new prefix q: divided by 10^(q * power).
  const toBase = 10 ** (prefix * power);
  const q = compactPower(magnitude * toBase, power);
  const symbol = PREFIXES.find(([p]) => p === q)![1];
  const exponent = (prefix - q) * power;
  // A positive power of ten is exact in floating point, its reciprocal is not: divide by it.
  const ten = 10 ** Math.abs(exponent);
  const apply = (v: number): number => (exponent >= 0 ? v * ten : v / ten);
  return {
    scale: apply(scale),
    offset: apply(offset),
    units: power === 1 ? `${symbol}${base}` : `1 / ${symbol}${base}`,
  };
}
