/**
 * Plain-data views of the open dataset for the UI: the summary, navigator
 * images (sum, parameter and std maps, reduced chi-squared, marker, on/off
 * maps, seeds), a pixel's spectrum with the model and its parts, and maps as
 * CSV or .npy files.
 */
import type {
  DataValues,
  DatasetSource,
  DatasetSummary,
  ImageRequest,
  MapFormat,
  NavigatorImage,
  SpectrumView,
} from '../api/types.js';
import { toNanometres } from '../cl/energy-axis.js';
import { axisValues, isUniformAxis } from '../model/axis.js';
import type { AxisSpec } from '../model/axis.js';
import { DTYPE_SIZE, type NumericArray } from '../model/dtype.js';
import type { Model } from '../model/model.js';
import type { Signal } from '../model/signal.js';
import { mapToCsv, mapToNpy } from '../io/export.js';
import { fittedActiveMap, fittedParameterMap, fittedStatistic } from '../model/fitted.js';
import { acquisitionInfo, electronImageInfo, resampleImage } from './acquisition.js';

export function summarise(
  signal: Signal,
  id: number,
  source: DatasetSource,
  signalIndex: number,
  signalCount: number,
  settings: Pick<DatasetSummary, 'settingsFrom' | 'settingsProblem'> = {
    settingsFrom: 'defaults',
    settingsProblem: null,
  },
  /** The electron images that came with the map (navigator alternatives to the sum). */
  images: readonly Signal[] = [],
  /** The processing steps applied since the file was opened, oldest first. */
  steps: readonly string[] = [],
): DatasetSummary {
  return {
    ...settings,
    id,
    source,
    title: signal.title,
    signalType: signal.signalType,
    dtype: signal.dtype,
    shape: signal.shape,
    navigationShape: signal.navigationShape,
    pixels: signal.navigationSize,
    channels: signal.channels,
    bytes: signal.data.length * DTYPE_SIZE[signal.dtype],
    axes: signal.axes.map((a) => ({
      name: a.name,
      size: a.size,
      offset: a.offset,
      scale: a.scale,
      units: a.units,
      navigate: a.navigate,
      isBinned: a.isBinned ?? false,
      uniform: isUniformAxis(a),
    })),
    signalIndex,
    signalCount,
    images: electronImageInfo(images),
    acquisition: acquisitionInfo(signal),
    looksNormalised: looksNormalised(signal),
    values: dataValues(signal.data),
    steps: [...steps],
    energyProblem: energyAxisProblem(signal),
  };
}

/**
 * Why the signal axis cannot be converted to energy, or null: its units must
 * be a wavelength's (nm, µm, Å, m); an axis without units only when its name
 * says it is a wavelength (the converter would take it for nm).
 */
export function energyAxisProblem(signal: Signal): string | null {
  const axis = signal.signalAxis;
  const units = axis.units.trim();
  const what = `the signal axis '${axis.name || 'signal'}'`;
  if (units === '') {
    return /wave\s*length|λ/i.test(axis.name)
      ? null
      : `${what} has no units: only a wavelength axis (nm, µm, Å or m) can be converted to energy`;
  }
  try {
    toNanometres(units);
    return null;
  } catch {
    return units === 'eV' || units === 'keV'
      ? `${what} is already an energy (${units}): only a wavelength axis (nm, µm, Å or m) can be converted`
      : `${what} is in '${units}', not a wavelength: only nm, µm, Å or m can be converted to energy`;
  }
}

/** Values looked at by dataValues: a strided sample of at most this many. */
export const DATA_VALUES_SAMPLE = 200_000;

/**
 * What kind of numbers `data` holds (see DataValues), from a strided sample
 * of at most DATA_VALUES_SAMPLE values (every value of a smaller array).
 * Integer arrays hold whole numbers by type.
 */
export function dataValues(data: NumericArray): DataValues {
  const step = Math.max(1, Math.ceil(data.length / DATA_VALUES_SAMPLE));
  let positive = false;
  let negative = false;
  let finite = false;
  for (let i = 0; i < data.length; i += step) {
    const v = Number(data[i]);
    if (!Number.isFinite(v)) continue;
    finite = true;
    if (v !== Math.floor(v)) return 'non-integer';
    if (v > 0) positive = true;
    else if (v < 0) negative = true;
  }
  return finite && positive && !negative ? 'counts' : 'other';
}

/**
 * Counts are integers of a few or more; normalised data (all values within
 * about ±1.5) make the reduced chi-squared of a Poisson variance meaningless.
 */
export function looksNormalised(signal: Signal): boolean {
  const data = signal.data;
  const step = Math.max(1, Math.floor(data.length / 20_000));
  let max = 0;
  for (let i = 0; i < data.length; i += step) {
    const v = Math.abs(Number(data[i]));
    if (Number.isFinite(v) && v > max) max = v;
  }
  return max > 0 && max <= 1.5;
}

/** The navigator's 2D view of the navigation space: [rows, cols]. */
export function navigatorShape(signal: Signal): [number, number] {
  const s = signal.navigationShape;
  if (s.length === 0) return [1, 1];
  if (s.length === 1) return [1, s[0]!];
  const cols = s[s.length - 1]!;
  return [signal.navigationSize / cols, cols];
}

function range(values: Float64Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { min, max } : { min: NaN, max: NaN };
}

export interface ImageContext {
  signal: Signal;
  model: Model | null;
  marker: Float64Array | null;
  seeds: ReadonlySet<number>;
  /** The electron images of the map's file (ImageRequest kind 'image'). */
  images?: readonly Signal[];
}

export function navigatorImage(ctx: ImageContext, request: ImageRequest): NavigatorImage {
  const { signal, model } = ctx;
  const n = signal.navigationSize;
  const values = new Float64Array(n);
  let label: string;
  let units = '';
  switch (request.kind) {
    case 'sum': {
      const spectrum = new Float64Array(signal.channels);
      for (let p = 0; p < n; p++) {
        signal.readSpectrum(p, spectrum);
        let s = 0;
        for (const v of spectrum) s += v;
        values[p] = s;
      }
      label = 'Sum';
      units = 'counts';
      break;
    }
    case 'parameter': {
      // Results only where a fit is stored (model/fitted.ts): never a seed's or a default's value.
      if (!model) throw new Error('there is no model: open a dataset first');
      const par = model.parameter(request.parameter);
      const j = request.index ?? 0;
      const std = request.field === 'std';
      values.set(fittedParameterMap(model, par, std ? 'std' : 'values', j));
      label = `${par.fullName}${par.length > 1 ? `[${j}]` : ''}${std ? ' std' : ''}`;
      units = par.units;
      break;
    }
    case 'redChisq':
      if (!model) throw new Error('there is no model: open a dataset first');
      values.set(fittedStatistic(model, 'redChisq'));
      label = 'Reduced χ²';
      break;
    case 'marker':
      if (ctx.marker) values.set(ctx.marker);
      label = 'Marker';
      break;
    case 'active': {
      if (!model) throw new Error('there is no model: open a dataset first');
      const c = model.component(request.component);
      values.set(fittedActiveMap(model, c.name));
      label = `${c.name} on`;
      break;
    }
    case 'seeds':
      for (const p of ctx.seeds) if (p < n) values[p] = 1;
      label = 'Seeds';
      break;
    case 'image': {
      const image = ctx.images?.[request.index];
      if (!image)
        throw new Error(
          `there is no electron image ${request.index}: the file holds ${ctx.images?.length ?? 0}`,
        );
      const [rows, cols] = navigatorShape(signal);
      values.set(resampleImage(image, rows, cols));
      label = image.title || `image ${request.index + 1}`;
      break;
    }
  }
  return { request, label, units, shape: navigatorShape(signal), values, ...range(values) };
}

/**
 * A pixel's spectrum, with the model at that pixel's stored values (the
 * model's current values are put back afterwards, so viewing never edits).
 */
export function spectrumView(signal: Signal, model: Model | null, pixel: number): SpectrumView {
  const axis = signal.signalAxis;
  const data = signal.readSpectrum(pixel);
  const base = {
    pixel,
    position: signal.pixelPosition(pixel),
    x: axisValues(axis),
    data,
    xLabel: axis.name,
    xUnits: axis.units,
  };
  if (!model || model.components.length === 0) {
    return {
      ...base,
      model: null,
      components: [],
      residual: null,
      channelSwitches: new Uint8Array(signal.channels).fill(1),
      redChisq: NaN,
    };
  }
  return model.atStoredValues(pixel, () => {
    const total = model.evaluate();
    const components = model.components
      .map((c, i) => (c.active ? { name: c.name, values: model.evaluateComponent(i) } : null))
      .filter((c) => c !== null);
    const residual = Float64Array.from(data, (v, i) => v - total[i]!);
    return {
      ...base,
      model: total,
      components,
      residual,
      channelSwitches: Uint8Array.from(model.channelSwitches),
      redChisq: model.redChisq[pixel]!,
    };
  });
}

function fileStem(image: NavigatorImage): string {
  return (
    image.label
      .replace(/χ²/g, 'chisq')
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^_+|_+$/g, '') || 'map'
  );
}

/**
 * A navigator image as a file of the navigation shape (not the navigator's 2-D view of it): .npy
 * (float64, NaN where not fitted) or CSV (see mapToCsv: a 2-D map as rows x columns, a line scan
 * as index, position and value per pixel; `NaN` where not fitted).
 */
export function mapFile(
  image: NavigatorImage,
  format: MapFormat,
  title: string,
  /** The navigation axes in data order (without them: the image's [rows, cols]). */
  axes: readonly AxisSpec[] = [],
): { name: string; bytes: Uint8Array } {
  const stem = `${title ? `${title.replace(/[^A-Za-z0-9._-]+/g, '_')}_` : ''}${fileStem(image)}`;
  const fits = axes.length > 0 && axes.reduce((n, a) => n * a.size, 1) === image.values.length;
  const map = {
    name: image.label + (image.units ? ` (${image.units})` : ''),
    shape: fits ? axes.map((a) => a.size) : [...image.shape],
    values: image.values,
    axes: fits
      ? axes.map(({ name, offset, scale, units }) => ({ name, offset, scale, units }))
      : [],
  };
  if (format === 'npy') return { name: `${stem}.npy`, bytes: mapToNpy(map) };
  return { name: `${stem}.csv`, bytes: new TextEncoder().encode(mapToCsv(map)) };
}
