/**
 * Export of result maps (parameter values or std, reduced chi-squared, a
 * component's on/off map) as .npy or CSV. A map is one value per pixel in C
 * order over the navigation shape. Unfitted pixels are NaN in every map
 * (values, std, statistics and on/off alike): a pixel is fitted when a fit
 * result is stored there (see model/fitted.ts), not merely when its
 * parameter map holds a value (HyperSpy's assign_current_values_to_all()
 * fills every pixel with the seed's values). In CSV they are written `NaN`,
 * which numpy.loadtxt, pandas and spreadsheets read as a missing number.
 * PNG export is the renderer's (an ECharts rendering).
 */
import type { Model } from '../model/model.js';
import { fittedActiveMap, fittedParameterMap, fittedStatistic } from '../model/fitted.js';
import { writeNpy } from './npy.js';

/** A navigation axis's calibration, for the position columns of a line scan's CSV. */
export interface MapAxis {
  name: string;
  offset: number;
  scale: number;
  units: string;
}

export interface ResultMap {
  /** What the map holds, e.g. "g.A", "g.A.std", "redChisq", "active:l2". */
  name: string;
  /** Navigation shape in data order ([] for a single spectrum). */
  shape: number[];
  values: Float64Array;
  /** The navigation axes in data order (CSV of maps other than 2-D adds their positions). */
  axes?: MapAxis[];
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

/** One of `resultMapNames(model)` as a map; NaN at every pixel without a fit (see model/fitted.ts). */
export function resultMap(model: Model, name: string): ResultMap {
  const shape = model.signal.navigationShape;
  const axes = model.signal.axes
    .filter((a) => a.navigate)
    .map((a) => ({ name: a.name, offset: a.offset, scale: a.scale, units: a.units }));
  const out = (values: Float64Array): ResultMap => ({ name, shape, values, axes });
  if (name === 'redChisq' || name === 'chisq' || name === 'dof')
    return out(fittedStatistic(model, name));
  if (name.startsWith('active:')) return out(fittedActiveMap(model, name.slice('active:'.length)));
  const std = name.endsWith('.std');
  const base = std ? name.slice(0, -4) : name;
  const element = /\[(\d+)\]$/.exec(base);
  const parameter = model.parameter(element ? base.slice(0, element.index) : base);
  const j = element ? Number(element[1]) : 0;
  if (j >= parameter.length)
    throw new Error(
      `no map named '${name}' (try one of: ${resultMapNames(model).slice(0, 8).join(', ')}, ...)`,
    );
  return out(fittedParameterMap(model, parameter, std ? 'std' : 'values', j));
}

/** A map as .npy bytes (float64, the navigation shape). */
export function mapToNpy(map: ResultMap): Uint8Array {
  return writeNpy(map.values, map.shape.length === 0 ? [1] : map.shape, 'float64');
}

/**
 * A map as CSV: a 2-D map as rows x columns (no header); a line scan, a
 * single spectrum and maps of 3 navigation dimensions as one row per pixel:
 * its indices, its calibrated position on each navigation axis (when the map
 * has its axes) and the value, under a header. Numbers in full precision,
 * `NaN` for unfitted pixels.
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
  const axes = map.axes?.length === shape.length ? map.axes : [];
  const cell = (text: string): string => text.replace(/[,"\r\n]+/g, ' ').trim();
  const header = [
    ...shape.map((_, d) => `index${d}`),
    ...axes.map((a, d) => cell(`${a.name || `axis${d}`}${a.units ? ` (${a.units})` : ''}`)),
    cell(map.name),
  ].join(',');
  const lines = [header];
  const idx = new Array<number>(shape.length);
  for (let i = 0; i < values.length; i++) {
    let rest = i;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = rest % shape[d]!;
      rest = Math.floor(rest / shape[d]!);
    }
    const at = axes.map((a, d) => String(Number((a.offset + idx[d]! * a.scale).toPrecision(12))));
    lines.push([...idx, ...at, num(values[i]!)].join(','));
  }
  return `${lines.join('\n')}\n`;
}
