/**
 * The one way numbers are written for people, in the UI's fields and in fit
 * reports: `digits` significant digits, trailing zeros dropped, scientific
 * notation when |x| >= 1e5 or |x| < 1e-3 ("5.79473e+9", "2.5e-4"), so a
 * value never needs more than about a dozen characters and what is shown
 * parses back (the UI's number fields read it). Not a number shows as '',
 * infinities as '∞' and '-∞'.
 */

export const EXPONENT_ABOVE = 1e5;
export const EXPONENT_BELOW = 1e-3;

export function formatNumber(v: number | null | undefined, digits = 6): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  // Rounding can carry a value to the threshold (99999.97 at 6 digits is 1e5): decide after it.
  const rounded = Number(v.toPrecision(digits));
  const ra = Math.abs(rounded);
  if (ra >= EXPONENT_ABOVE || a < EXPONENT_BELOW)
    return v.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  return String(rounded);
}
