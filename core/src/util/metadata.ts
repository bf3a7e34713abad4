/**
 * Reading HyperSpy-style metadata trees (`Acquisition_instrument.TEM.beam_energy`):
 * a value at a dotted path, and a positive number at the first of several paths.
 */

/** The value at a dotted path of a metadata tree, or undefined where a step is missing. */
export function metaAt(meta: Record<string, unknown>, path: string): unknown {
  let at: unknown = meta;
  for (const key of path.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/**
 * The first finite, positive number (or numeric string, as some readers
 * store them) found at one of `paths`, or undefined.
 */
export function metaNumber(
  meta: Record<string, unknown>,
  ...paths: readonly string[]
): number | undefined {
  for (const path of paths) {
    const v = metaAt(meta, path);
    const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
    if (Number.isFinite(n) && n > 0) return n;
  }
  return undefined;
}
