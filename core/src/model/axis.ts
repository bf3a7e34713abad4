/**
 * A calibrated axis. Uniform: value(i) = offset + i * scale. Non-uniform (a
 * wavelength converted to energy, HyperSpy's DataAxis): `values` holds the
 * value of every channel, strictly monotonic; `offset` and `scale` then hold
 * the first value and the mean step (kept in step by `checkAxis`), for code
 * and displays that only need an approximation.
 */
export interface AxisSpec {
  name: string;
  size: number;
  offset: number;
  scale: number;
  units: string;
  /** true for navigation axes, false for the signal axis. */
  navigate: boolean;
  /**
   * Whether the data along this axis are counts per bin (EDS, EELS). The
   * model's values are then multiplied by the bin width (`scale`, or on a
   * non-uniform axis the per-channel width `axisBinWidths`), as HyperSpy does
   * for binned signals, so that component areas keep their meaning.
   */
  isBinned?: boolean;
  /** The value of every channel for a non-uniform axis (length `size`, strictly monotonic). */
  values?: Float64Array;
}

/** Whether the axis is uniform (offset and scale describe it exactly). */
export function isUniformAxis(axis: AxisSpec): boolean {
  return axis.values === undefined;
}

export function axisValues(axis: AxisSpec): Float64Array {
  if (axis.values) return Float64Array.from(axis.values);
  const out = new Float64Array(axis.size);
  for (let i = 0; i < axis.size; i++) out[i] = axis.offset + i * axis.scale;
  return out;
}

/** The value of channel `i` (may be fractional on a uniform axis; rounded and clamped on a non-uniform one). */
export function indexToValue(axis: AxisSpec, i: number): number {
  if (axis.values) {
    const k = Math.min(axis.size - 1, Math.max(0, Math.round(i)));
    return axis.values[k]!;
  }
  return axis.offset + i * axis.scale;
}

/**
 * The width of every channel: `scale` on a uniform axis; on a non-uniform
 * axis the gradient of the values (central differences inside, one-sided at
 * the ends, as numpy.gradient and HyperSpy's binned non-uniform axes).
 * Signed as the axis runs.
 */
export function axisBinWidths(axis: AxisSpec): Float64Array {
  const n = axis.size;
  const out = new Float64Array(n);
  const v = axis.values;
  if (!v) return out.fill(axis.scale);
  if (n === 1) return out.fill(axis.scale);
  out[0] = v[1]! - v[0]!;
  out[n - 1] = v[n - 1]! - v[n - 2]!;
  for (let i = 1; i < n - 1; i++) out[i] = (v[i + 1]! - v[i - 1]!) / 2;
  return out;
}

/** The index of the channel whose value is nearest `value`, clamped to the axis. */
export function valueToIndex(axis: AxisSpec, value: number): number {
  const v = axis.values;
  if (!v) {
    const i = Math.round((value - axis.offset) / axis.scale);
    return Math.min(axis.size - 1, Math.max(0, i));
  }
  const n = v.length;
  if (n === 1) return 0;
  const up = v[n - 1]! > v[0]!;
  // First index whose value is past `value` in the axis's direction.
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (up ? v[mid]! < value : v[mid]! > value) lo = mid + 1;
    else hi = mid;
  }
  if (lo <= 0) return 0;
  if (lo >= n) return n - 1;
  return Math.abs(v[lo]! - value) < Math.abs(value - v[lo - 1]!) ? lo : lo - 1;
}

/**
 * A non-uniform axis from its values (offset and scale filled in from them).
 * Errors name the axis.
 */
export function nonUniformAxis(options: {
  name: string;
  units: string;
  values: ArrayLike<number>;
  navigate?: boolean;
  isBinned?: boolean;
}): AxisSpec {
  const values = Float64Array.from(options.values);
  return checkAxis(
    {
      name: options.name,
      size: values.length,
      offset: values[0] ?? 0,
      scale: 1,
      units: options.units,
      navigate: options.navigate ?? false,
      isBinned: options.isBinned ?? false,
      values,
    },
    options.name,
  );
}

/** Checks an axis and returns a copy with defaults filled in; errors name the axis. */
export function checkAxis(axis: AxisSpec, where: string): AxisSpec {
  const name = axis.name || where;
  if (!Number.isInteger(axis.size) || axis.size < 1) {
    throw new Error(`axis '${name}': size must be a positive integer, got ${axis.size}`);
  }
  if (axis.values !== undefined) {
    const v = axis.values;
    if (!(v instanceof Float64Array)) {
      throw new Error(`axis '${name}': values must be a Float64Array`);
    }
    if (v.length !== axis.size) {
      throw new Error(`axis '${name}': ${v.length} values for size ${axis.size}`);
    }
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i]!)) {
        throw new Error(`axis '${name}': value ${i} is ${v[i]}; values must be finite`);
      }
    }
    const up = v.length < 2 || v[1]! > v[0]!;
    for (let i = 1; i < v.length; i++) {
      if (up ? !(v[i]! > v[i - 1]!) : !(v[i]! < v[i - 1]!)) {
        throw new Error(
          `axis '${name}': values must be strictly monotonic, not at channel ${i} (${v[i - 1]} then ${v[i]})`,
        );
      }
    }
    const n = v.length;
    const scale =
      n > 1
        ? (v[n - 1]! - v[0]!) / (n - 1)
        : Number.isFinite(axis.scale) && axis.scale !== 0
          ? axis.scale
          : 1;
    return {
      name: axis.name ?? '',
      size: axis.size,
      offset: v[0]!,
      scale,
      units: axis.units ?? '',
      navigate: axis.navigate,
      isBinned: axis.isBinned ?? false,
      values: Float64Array.from(v),
    };
  }
  if (!Number.isFinite(axis.offset)) {
    throw new Error(`axis '${name}': offset must be finite, got ${axis.offset}`);
  }
  if (!Number.isFinite(axis.scale) || axis.scale === 0) {
    throw new Error(`axis '${name}': scale must be finite and non-zero, got ${axis.scale}`);
  }
  return {
    name: axis.name ?? '',
    size: axis.size,
    offset: axis.offset,
    scale: axis.scale,
    units: axis.units ?? '',
    navigate: axis.navigate,
    isBinned: axis.isBinned ?? false,
  };
}
