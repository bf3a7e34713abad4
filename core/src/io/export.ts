/**
 * Export of result maps (parameter values or std, reduced chi-squared, a
 * component's on/off map) as .npy or CSV. A map is one value per pixel in C
 * order over the navigation shape; unfitted pixels are NaN. PNG export is
 * the renderer's (an ECharts rendering).
 */
import type { Model } from '../model/model.js';
import { writeNpy } from './npy.js';

export interface ResultMap {
  /** What the map holds, e.g. "g.A", "g.A.std", "redChisq", "active:l2". */
  name: string;
  /** Navigation shape in data order ([] for a single spectrum). */
  shape: number[];
  values: Float64Array;
}

/** Names of every map a model can export. */
export function resultMapNames(model: Model): string[] {
  const names = ['redChisq', 'chisq', 'dof'];
  for (const c of model.components) {
    for (const p of c.parameters) {
      const suffix = (j: number): string => (p.length > 1 ? `[${j}]` : '');
      for (let j = 0; j < p.length; j++)
        names.push(`${p.fullName}${suffix(j)}`, `${p.fullName}${suffix(j)}.std`);
    }
    if (c.activeIsMultidimensional) names.push(`active:${c.name}`);
  }
  return names;
}

/** One of `resultMapNames(model)` as a map; NaN where a parameter was never set. */
export function resultMap(model: Model, name: string): ResultMap {
  const shape = model.signal.navigationShape;
  const n = model.signal.navigationSize;
  const out = (values: Float64Array): ResultMap => ({ name, shape, values });
  if (name === 'redChisq') return out(Float64Array.from(model.redChisq));
  if (name === 'chisq') return out(Float64Array.from(model.chisq));
  if (name === 'dof') return out(Float64Array.from(model.dof));
  if (name.startsWith('active:')) {
    const c = model.component(name.slice('active:'.length));
    return out(Float64Array.from({ length: n }, (_, i) => (c.isActiveAt(i) ? 1 : 0)));
  }
  const std = name.endsWith('.std');
  const base = std ? name.slice(0, -4) : name;
  const element = /\[(\d+)\]$/.exec(base);
  const parameter = model.parameter(element ? base.slice(0, element.index) : base);
  const j = element ? Number(element[1]) : 0;
  if (j >= parameter.length)
    throw new Error(
      `no map named '${name}' (try one of: ${resultMapNames(model).slice(0, 8).join(', ')}, ...)`,
    );
  const source = std ? parameter.map.std : parameter.map.values;
  return out(
    Float64Array.from({ length: n }, (_, i) =>
      parameter.map.isSet[i] ? source[i * parameter.length + j]! : Number.NaN,
    ),
  );
}

/** A map as .npy bytes (float64, the navigation shape). */
export function mapToNpy(map: ResultMap): Uint8Array {
  return writeNpy(map.values, map.shape.length === 0 ? [1] : map.shape, 'float64');
}

/**
 * A map as CSV: a 2-D map as rows x columns; a line scan as one column per
 * pixel index and value; higher dimensions as one row per pixel with its
 * indices. Numbers in full precision, NaN for unfitted pixels.
 */
export function mapToCsv(map: ResultMap): string {
  const { shape, values } = map;
  const num = (v: number): string => (Number.isNaN(v) ? 'NaN' : String(v));
  if (shape.length === 2) {
    const [rows, cols] = shape as [number, number];
    const lines: string[] = [];
    for (let r = 0; r < rows; r++) {
      const row: string[] = [];
      for (let c = 0; c < cols; c++) row.push(num(values[r * cols + c]!));
      lines.push(row.join(','));
    }
    return `${lines.join('\n')}\n`;
  }
  const header = [...shape.map((_, d) => `index${d}`), map.name].join(',');
  const lines = [header];
  for (let i = 0; i < values.length; i++) {
    const idx: number[] = [];
    let rest = i;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = rest % shape[d]!;
      rest = Math.floor(rest / shape[d]!);
    }
    lines.push([...idx, num(values[i]!)].join(','));
  }
  return `${lines.join('\n')}\n`;
}
