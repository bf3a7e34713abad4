/**
 * How the app writes a pixel: one way everywhere (status bar, map read-outs,
 * seeds list, fit report, exports). Indices are in data order, the order of
 * the navigation axes in the data array, as docs/samfire-algorithm.md and NumPy do:
 * (row, column) for a map, i.e. (y, x); one index for a line scan. HyperSpy's
 * `s.inav[...]` takes the same indices reversed (x first), so the tooltips
 * give that form too.
 */
import type { AxisInfo } from '@samfire/core/api';

/** A flat pixel index as indices in data order over the navigation shape. */
export function pixelPosition(pixel: number, navigationShape: readonly number[]): number[] {
  const out = new Array<number>(navigationShape.length);
  let rest = pixel;
  for (let d = navigationShape.length - 1; d >= 0; d--) {
    const n = navigationShape[d]!;
    out[d] = rest % n;
    rest = Math.floor(rest / n);
  }
  return out;
}

/** "(3, 7)"; a single spectrum (no navigation axis) is "(single spectrum)". */
export function pixelText(position: readonly number[]): string {
  return position.length === 0 ? '(single spectrum)' : `(${position.join(', ')})`;
}

/**
 * The navigation axes' names in data order: "(y, x)"; unnamed axes as what they are: "(row,
 * column)" for a map, "(index)" for a line scan, "axis 0", ... otherwise.
 */
export function pixelOrder(axes: readonly Pick<AxisInfo, 'name'>[]): string {
  const unnamed = axes.length === 2 ? ['row', 'column'] : axes.length === 1 ? ['index'] : [];
  return `(${axes.map((a, i) => a.name.trim() || unnamed[i] || `axis ${i}`).join(', ')})`;
}

/** The same pixel as HyperSpy indexes it: "s.inav[7, 3]" (indices reversed). */
export function inavText(position: readonly number[]): string {
  return `s.inav[${[...position].reverse().join(', ')}]`;
}

/** A tooltip that says how a pixel is written: data order, and HyperSpy's inav for the same pixel. */
export function pixelTip(
  position: readonly number[] | null,
  axes: readonly Pick<AxisInfo, 'name'>[],
): string {
  const order =
    axes.length === 2 ? `row, column = ${pixelOrder(axes)}` : `index = ${pixelOrder(axes)}`;
  const base = `Pixel indices in data order (${order}), counted from 0; HyperSpy's s.inav takes them reversed`;
  return position && position.length > 0 ? `${base}: ${inavText(position)}` : base;
}
