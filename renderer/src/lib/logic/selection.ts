/** Picking pixels on a map: cells under the pointer, rectangles, thresholds. */

export interface CellRect {
  r0: number;
  c0: number;
  r1: number;
  c1: number;
}

/** The flat pixel index of the cell at axis coordinates [x, y] (column, row), or null outside. */
export function cellAt(
  point: readonly [number, number],
  shape: readonly [number, number],
): number | null {
  const [rows, cols] = shape;
  const c = Math.round(point[0]);
  const r = Math.round(point[1]);
  if (!Number.isFinite(c) || !Number.isFinite(r) || r < 0 || r >= rows || c < 0 || c >= cols)
    return null;
  return r * cols + c;
}

export function rowCol(pixel: number, cols: number): [number, number] {
  return [Math.floor(pixel / cols), pixel % cols];
}

/** The rectangle spanned by two cells, in order, clamped to the map. */
export function spanRect(a: number, b: number, shape: readonly [number, number]): CellRect {
  const cols = shape[1];
  const [ra, ca] = rowCol(a, cols);
  const [rb, cb] = rowCol(b, cols);
  return { r0: Math.min(ra, rb), c0: Math.min(ca, cb), r1: Math.max(ra, rb), c1: Math.max(ca, cb) };
}

/** Every pixel inside a rectangle (inclusive), row by row. */
export function rectPixels(rect: CellRect, shape: readonly [number, number]): number[] {
  const [rows, cols] = shape;
  const out: number[] = [];
  for (let r = Math.max(0, rect.r0); r <= Math.min(rows - 1, rect.r1); r++)
    for (let c = Math.max(0, rect.c0); c <= Math.min(cols - 1, rect.c1); c++)
      out.push(r * cols + c);
  return out;
}

/** Pixels whose value is above a threshold (NaN, never fitted, is left out). */
export function pixelsAbove(values: ArrayLike<number>, threshold: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i]! > threshold) out.push(i);
  return out;
}

/** Pixels without a stored fit (no reduced χ²): never fitted, or no fit passed the goodness test. */
export function pixelsUnfitted(values: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) out.push(i);
  return out;
}

/** Moves a pixel by rows and columns, clamped to the map (arrow keys). */
export function movePixel(
  pixel: number,
  dRow: number,
  dCol: number,
  shape: readonly [number, number],
): number {
  const [rows, cols] = shape;
  const [r, c] = rowCol(pixel, cols);
  const nr = Math.min(rows - 1, Math.max(0, r + dRow));
  const nc = Math.min(cols - 1, Math.max(0, c + dCol));
  return nr * cols + nc;
}
