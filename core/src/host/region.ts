/**
 * A region of the navigator: the sum or mean of its pixels' spectra, and a
 * fit of the model to that mean.
 *
 * What a region fit is for SAMFire: SAMFire's seeds are pixels whose own
 * data the model fits well, so the mean of a region is never a seed itself.
 * Its fit (far less noisy than one pixel's) gives starting values: they are
 * written at the region's pixels that hold no fit yet (as starting values:
 * their reduced chi-squared stays NaN, so no map shows them as results), and
 * the seed pixel (the current pixel when it lies in the region, else the
 * region's centre) is then fitted from them on its own data. It becomes a
 * seed only when that fit passes the goodness test, like any seed.
 *
 * The mean is fitted whether the user looks at the sum or the mean: the
 * values are then per pixel, as SAMFire needs them; the sum's model is the
 * mean's times the number of pixels. The mean's variance is the mean of the
 * pixels' variances divided by their number (none when the data have none).
 */
import type { RegionRequest, SpectrumView } from '../api/types.js';
import { axisValues } from '../model/axis.js';
import { Model } from '../model/model.js';
import { Signal } from '../model/signal.js';
import { navigatorShape } from './views.js';

/** A region's pixels, row by row; errors name the region and the map's size. */
export function regionPixels(signal: Signal, region: RegionRequest): number[] {
  const [rows, cols] = navigatorShape(signal);
  const [r0, r1] = region.rows;
  const [c0, c1] = region.cols;
  const where = `region rows ${r0}–${r1}, columns ${c0}–${c1}`;
  if (r0 > r1 || c0 > c1) throw new Error(`${where}: the first row and column come first`);
  if (r1 >= rows || c1 >= cols)
    throw new Error(`${where}: the map has ${rows} rows and ${cols} columns`);
  const out: number[] = [];
  for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) out.push(r * cols + c);
  return out;
}

/** The pixel a region fit seeds: the current one when it is in the region, else the centre. */
export function regionSeedPixel(signal: Signal, region: RegionRequest, current: number): number {
  const [, cols] = navigatorShape(signal);
  const r = Math.floor(current / cols);
  const c = current % cols;
  if (r >= region.rows[0] && r <= region.rows[1] && c >= region.cols[0] && c <= region.cols[1])
    return current;
  const rc = Math.floor((region.rows[0] + region.rows[1]) / 2);
  const cc = Math.floor((region.cols[0] + region.cols[1]) / 2);
  return rc * cols + cc;
}

/** The region's mean spectrum as a one-spectrum signal on the same axis, with its variance. */
export function meanSignal(signal: Signal, pixels: readonly number[]): Signal {
  const n = signal.channels;
  const mean = new Float64Array(n);
  const variance = new Float64Array(n);
  const spectrum = new Float64Array(n);
  const v = new Float64Array(n);
  let weighted = true;
  for (const p of pixels) {
    signal.readSpectrum(p, spectrum);
    for (let i = 0; i < n; i++) mean[i] = mean[i]! + spectrum[i]!;
    if (weighted && signal.readVariance(p, spectrum, v))
      for (let i = 0; i < n; i++) variance[i] = variance[i]! + v[i]!;
    else weighted = false;
  }
  const k = pixels.length;
  for (let i = 0; i < n; i++) {
    mean[i] = mean[i]! / k;
    // Var(mean) = (sum of the variances) / k².
    variance[i] = variance[i]! / (k * k);
  }
  return new Signal({
    data: mean,
    axes: [{ ...signal.signalAxis }],
    title: `${signal.title} (mean of ${k} pixels)`,
    signalType: signal.signalType,
    variance: weighted ? { kind: 'array', data: variance } : { kind: 'none' },
  });
}

/**
 * The model on the mean signal: the same components (kinds, options,
 * names), values, free flags, bounds and on/off state as `model` at its
 * current values, and the same signal range.
 */
export function regionModel(model: Model, mean: Signal): Model {
  const m = new Model(
    mean,
    model.components.map((c) => ({ kind: c.kind, name: c.name, options: { ...c.fn.options } })),
  );
  model.components.forEach((c, i) => {
    const target = m.components[i]!;
    target.active = c.active;
    c.parameters.forEach((p, j) => {
      target.parameters[j]!.set({
        bmin: p.bmin,
        bmax: p.bmax,
        free: p.free,
        value: Array.from(p.current),
      });
    });
  });
  m.setChannelSwitches(model.channelSwitches);
  return m;
}

/** A region fit the host keeps, to draw it: which region, and the fitted values per parameter. */
export interface RegionFit {
  key: string;
  values: Float64Array[][];
  redChisq: number;
}

export function regionKey(region: RegionRequest): string {
  return `${region.rows.join('-')}/${region.cols.join('-')}`;
}

/** Puts a region fit's values into the region model (component by component, parameter by parameter). */
export function loadRegionFit(m: Model, fit: RegionFit): void {
  m.components.forEach((c, i) =>
    c.parameters.forEach((p, j) => {
      const v = fit.values[i]?.[j];
      if (v && v.length === p.length) p.current.set(v);
    }),
  );
}

export function readRegionFit(m: Model, region: RegionRequest): RegionFit {
  return {
    key: regionKey(region),
    values: m.components.map((c) => c.parameters.map((p) => Float64Array.from(p.current))),
    redChisq: m.redChisq[0]!,
  };
}

/**
 * The region's sum or mean with the model: the region fit's values when the
 * region was fitted, else the current values (the table's, where a fit
 * would start from).
 */
export function regionSpectrumView(
  signal: Signal,
  model: Model,
  region: RegionRequest,
  seedPixel: number,
  fit: RegionFit | null,
): SpectrumView {
  const pixels = regionPixels(signal, region);
  const mean = meanSignal(signal, pixels);
  const k = region.reduce === 'sum' ? pixels.length : 1;
  const data = Float64Array.from(mean.readSpectrum(0), (v) => v * k);
  const axis = signal.signalAxis;
  const base = {
    pixel: seedPixel,
    position: signal.pixelPosition(seedPixel),
    x: axisValues(axis),
    data,
    xLabel: axis.name,
    xUnits: axis.units,
    region: { ...region, pixels: pixels.length },
  };
  if (model.components.length === 0) {
    return {
      ...base,
      model: null,
      components: [],
      residual: null,
      channelSwitches: Uint8Array.from(model.channelSwitches),
      redChisq: NaN,
    };
  }
  const m = regionModel(model, mean);
  const fitted = fit !== null && fit.key === regionKey(region);
  if (fitted) loadRegionFit(m, fit);
  const total = m.evaluate().map((v) => v * k);
  const components = m.components
    .map((c, i) =>
      c.active ? { name: c.name, values: m.evaluateComponent(i).map((v) => v * k) } : null,
    )
    .filter((c) => c !== null);
  return {
    ...base,
    model: total,
    components,
    residual: Float64Array.from(data, (v, i) => v - total[i]!),
    channelSwitches: Uint8Array.from(model.channelSwitches),
    redChisq: fitted ? fit.redChisq : NaN,
  };
}
