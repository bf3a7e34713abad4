/** A uniform, calibrated axis: value(i) = offset + i * scale. */
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
   * model's values are then multiplied by `scale`, as HyperSpy does for
   * binned signals, so that component areas keep their meaning.
   */
  isBinned?: boolean;
}

export function axisValues(axis: AxisSpec): Float64Array {
  const out = new Float64Array(axis.size);
  for (let i = 0; i < axis.size; i++) out[i] = axis.offset + i * axis.scale;
  return out;
}

/** The index of the channel whose value is nearest `value`, clamped to the axis. */
export function valueToIndex(axis: AxisSpec, value: number): number {
  const i = Math.round((value - axis.offset) / axis.scale);
  return Math.min(axis.size - 1, Math.max(0, i));
}

/** Checks an axis and returns a copy with defaults filled in; errors name the axis. */
export function checkAxis(axis: AxisSpec, where: string): AxisSpec {
  const name = axis.name || where;
  if (!Number.isInteger(axis.size) || axis.size < 1) {
    throw new Error(`axis '${name}': size must be a positive integer, got ${axis.size}`);
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
