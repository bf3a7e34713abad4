/**
 * Whether a parameter's value sits on one of its bounds, as lmfit's report
 * says "at boundary": a bounded fit that stops there has a std of 0 (or a
 * meaningless one), and the value is the bound rather than a measurement.
 * The tolerance is relative to the bound range when both bounds are set,
 * else to the magnitude of the bound (or of the value, for a bound at 0), so
 * it does not depend on the parameter's units.
 */

/** Which bound a value sits on. */
export type BoundSide = 'bmin' | 'bmax';

/** A value within this fraction of the bound range (or scale) of a bound sits on it. */
export const AT_BOUND_RTOL = 1e-6;

/** The bound `value` sits on (within `rtol`), or null; a non-finite value sits on none. */
export function boundHit(
  value: number,
  bmin: number | null,
  bmax: number | null,
  rtol = AT_BOUND_RTOL,
): BoundSide | null {
  if (!Number.isFinite(value)) return null;
  const span =
    bmin !== null && bmax !== null && Number.isFinite(bmin) && Number.isFinite(bmax)
      ? bmax - bmin
      : 0;
  const near = (bound: number | null): boolean => {
    if (bound === null || !Number.isFinite(bound)) return false;
    const scale = span > 0 ? span : Math.max(Math.abs(bound), Math.abs(value));
    return Math.abs(value - bound) <= rtol * scale;
  };
  if (near(bmin)) return 'bmin';
  if (near(bmax)) return 'bmax';
  return null;
}
