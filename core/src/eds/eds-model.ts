/**
 * EDS models from a list of elements, and their calibration on the sum
 * spectrum.
 *
 * `buildEdsModel(signal, { elements, ... })` makes an ordinary Model:
 *
 *   calibration   EdsCalibration: offset, scale (axis units), fwhm_MnKa (eV);
 *                 fixed unless asked otherwise
 *   background    Polynomial (order 2 by default) or Bremsstrahlung
 *   Fe_K, Ag_L …  one XrayFamily per element family with a line in range;
 *                 offset, scale and fwhm_MnKa tied to the calibration ('x')
 *
 * so with the calibration fixed only amplitudes and polynomial coefficients
 * are free: the per-pixel problem is linear and the fitting kernel solves it
 * in one step. Every component is an ordinary, editable one.
 *
 * Defaults come from the signal's metadata under HyperSpy's names, then
 * from fixed values:
 *   elements     Sample.elements
 *   beamEnergy   Acquisition_instrument.SEM|TEM.beam_energy (keV), else 20 keV
 *                (or the axis's end, if higher: a spectrum ends at the beam energy)
 *   resolution   Acquisition_instrument.SEM|TEM.Detector.EDS.energy_resolution_MnKa
 *                (eV), else 130 eV
 *   range        from max(axis start, 0.1 keV) to min(axis end, beam energy)
 *
 * Lines: the database's families at the beam energy (overvoltage cut, weak
 * lines below 1% dropped, xray-lines.ts); a line more than one FWHM outside
 * the range is left out (a line just outside still reaches in with its tail),
 * without rescaling the others, so a family's A is always its whole area; a
 * family with no line left is not in the model.
 */
import type { Component } from '../model/component.js';
import { Model, type FitResult } from '../model/model.js';
import { Signal } from '../model/signal.js';
import type { Parameter } from '../model/parameter.js';
import { metaAt, metaNumber } from '../util/metadata.js';
import type { FamilyLineSpec, XrayFamilyOptions } from './eds-components.js';
import {
  DEFAULT_BEAM_ENERGY,
  DEFAULT_RESOLUTION_MNKA,
  XRAY_FAMILIES,
  detectorFwhm,
  xrayElement,
  xrayFamily,
} from './xray-lines.js';

export type EdsBackground =
  | 'polynomial'
  | 'bremsstrahlung'
  | `polynomial:${number}`
  | { kind: 'polynomial'; order: number }
  | { kind: 'bremsstrahlung'; cutoff?: number };

export interface EdsModelOptions {
  /** Element symbols; default: the metadata's Sample.elements. */
  elements?: readonly string[];
  /** Signal range [start, end] in the axis's units. */
  range?: readonly [number, number];
  /** @default 'polynomial' (order 2) */
  background?: EdsBackground;
  /** Beam energy, keV (as HyperSpy's metadata and the CLI give it). */
  beamEnergy?: number;
  /** FWHM of Mn Kα, eV. */
  resolution?: number;
  /** Weak-line threshold within a family. @default 0.01 */
  weakLine?: number;
  /** Leave the calibration and resolution free. @default false */
  calibrationFree?: boolean;
  /** Start the amplitudes from a linear fit of the mean spectrum. @default true */
  initialAmplitudes?: boolean;
}

/** Default polynomial order of the background. */
export const DEFAULT_BACKGROUND_ORDER = 2;
/** Default absorption cut-on energy of the Bremsstrahlung background, keV. */
export const DEFAULT_BREMSSTRAHLUNG_CUTOFF = 0.6;
/** Name of the model's EdsCalibration component. */
export const CALIBRATION = 'calibration';
/** Name of the background component. */
export const BACKGROUND = 'background';
/** Parameters of the calibration that the families tie to. */
export const CALIBRATION_PARAMETERS = ['offset', 'scale', 'fwhm_MnKa'] as const;

/** eV per unit of the signal axis, from its units ('eV' or 'keV'). */
export function energyUnit(signal: Signal): number {
  const units = signal.signalAxis.units.trim();
  if (/^kev$/i.test(units)) return 1000;
  if (/^ev$/i.test(units)) return 1;
  throw new Error(
    `EDS model: the signal axis's units are '${units}', not eV or keV; set the axis's units to the energy unit of its calibration`,
  );
}

function metaElements(meta: Record<string, unknown>): string[] | undefined {
  const v = metaAt(meta, 'Sample.elements');
  if (Array.isArray(v) && v.every((e) => typeof e === 'string')) return v as string[];
  if (typeof v === 'string' && v.trim() !== '') return v.split(/[\s,]+/).filter((s) => s !== '');
  if (typeof v === 'object' && v !== null) {
    // HyperSpy lists as groups of members 0, 1, ...
    const items = Object.entries(v as Record<string, unknown>)
      .filter(([k]) => /^\d+$/.test(k))
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, x]) => x);
    if (items.length > 0 && items.every((e) => typeof e === 'string')) return items as string[];
  }
  return undefined;
}

const INSTRUMENTS = ['Acquisition_instrument.SEM', 'Acquisition_instrument.TEM'];

/** The settings buildEdsModel resolved (options, then metadata, then defaults). */
export interface EdsSettings {
  elements: string[];
  /** keV */
  beamEnergy: number;
  /** eV */
  resolution: number;
  /** Axis units. */
  range: [number, number];
  /** eV per axis unit. */
  energyUnit: number;
}

export function edsSettings(signal: Signal, options: EdsModelOptions = {}): EdsSettings {
  const meta = signal.metadata;
  const unit = energyUnit(signal);
  const axis = signal.signalAxis;
  const start = Math.min(axis.offset, axis.offset + (axis.size - 1) * axis.scale);
  const end = Math.max(axis.offset, axis.offset + (axis.size - 1) * axis.scale);
  const elements =
    options.elements ??
    metaElements(meta) ??
    (() => {
      throw new Error(
        'EDS model: no elements given, and the signal has none in its metadata (Sample.elements)',
      );
    })();
  if (elements.length === 0) throw new Error('EDS model: the list of elements is empty');
  const symbols = [...new Set(elements.map((e) => xrayElement(e).symbol))];
  const beamEnergy =
    options.beamEnergy ??
    metaNumber(meta, ...INSTRUMENTS.map((i) => `${i}.beam_energy`)) ??
    Math.max(DEFAULT_BEAM_ENERGY / 1000, (end * unit) / 1000);
  if (!(beamEnergy > 0) || !Number.isFinite(beamEnergy))
    throw new Error(
      `EDS model: the beam energy must be a positive number of keV, got ${beamEnergy}`,
    );
  const resolution =
    options.resolution ??
    metaNumber(meta, ...INSTRUMENTS.map((i) => `${i}.Detector.EDS.energy_resolution_MnKa`)) ??
    DEFAULT_RESOLUTION_MNKA;
  if (!(resolution > 0) || !Number.isFinite(resolution))
    throw new Error(
      `EDS model: the resolution (FWHM of Mn Ka) must be a positive number of eV, got ${resolution}`,
    );
  let range: [number, number];
  if (options.range) {
    const [a, b] = options.range;
    if (!Number.isFinite(a) || !Number.isFinite(b) || a === b)
      throw new Error(
        `EDS model: the range must be two different finite energies, got ${a} to ${b}`,
      );
    range = [Math.min(a, b), Math.max(a, b)];
    if (range[1] < start || range[0] > end)
      throw new Error(
        `EDS model: the range ${range[0]} to ${range[1]} ${axis.units} is outside the signal axis (${start} to ${end} ${axis.units})`,
      );
  } else {
    range = [Math.max(start, 100 / unit), Math.min(end, (beamEnergy * 1000) / unit)];
  }
  return { elements: symbols, beamEnergy, resolution, range, energyUnit: unit };
}

/** The XrayFamily options of every family with a line near the range. */
export function edsFamilies(
  signal: Signal,
  settings: EdsSettings,
  weakLine?: number,
): { name: string; options: XrayFamilyOptions }[] {
  const axis = signal.signalAxis;
  const unit = settings.energyUnit;
  const [lo, hi] = settings.range;
  const out: { name: string; options: XrayFamilyOptions }[] = [];
  for (const element of settings.elements) {
    for (const family of XRAY_FAMILIES) {
      const fam = xrayFamily(element, family, {
        beamEnergy: settings.beamEnergy * 1000,
        resolution: settings.resolution,
        ...(weakLine === undefined ? {} : { weakLine }),
      });
      if (!fam) continue;
      const lines: FamilyLineSpec[] = fam.lines
        .filter((l) => {
          const margin = detectorFwhm(l.energy, settings.resolution) / unit;
          const e = l.energy / unit;
          return e >= lo - margin && e <= hi + margin;
        })
        .map((l) => ({ name: l.name, energy: l.energy, weight: l.weight, spread: l.spread }));
      if (lines.length === 0) continue;
      out.push({
        name: `${element}_${family}`,
        options: {
          element,
          family,
          lines,
          energyUnit: unit,
          axisOffset: axis.offset,
          axisScale: axis.scale,
        },
      });
    }
  }
  return out;
}

function backgroundInput(background: EdsBackground | undefined): {
  kind: string;
  options: Record<string, unknown>;
  cutoff?: number;
} {
  const b = background ?? 'polynomial';
  if (b === 'polynomial')
    return { kind: 'Polynomial', options: { order: DEFAULT_BACKGROUND_ORDER } };
  if (b === 'bremsstrahlung') return { kind: 'Bremsstrahlung', options: {} };
  if (typeof b === 'string') {
    const m = /^polynomial:(\d+)$/.exec(b);
    if (!m)
      throw new Error(
        `EDS model: background '${b}' is not 'polynomial', 'polynomial:ORDER' or 'bremsstrahlung'`,
      );
    return { kind: 'Polynomial', options: { order: Number(m[1]) } };
  }
  if (b.kind === 'polynomial') return { kind: 'Polynomial', options: { order: b.order } };
  if (b.kind === 'bremsstrahlung')
    return b.cutoff === undefined
      ? { kind: 'Bremsstrahlung', options: {} }
      : { kind: 'Bremsstrahlung', options: {}, cutoff: b.cutoff };
  throw new Error(`EDS model: unknown background ${JSON.stringify(b)}`);
}

/**
 * An EDS model of `signal` for the given elements (see the module's notes
 * for the components, the defaults and the line selection).
 */
export function buildEdsModel(signal: Signal, options: EdsModelOptions = {}): Model {
  const settings = edsSettings(signal, options);
  const families = edsFamilies(signal, settings, options.weakLine);
  if (families.length === 0) {
    throw new Error(
      `EDS model: none of ${settings.elements.join(', ')} has a line between ${settings.range[0]} and ${settings.range[1]} ${signal.signalAxis.units} at ${settings.beamEnergy} keV`,
    );
  }
  const axis = signal.signalAxis;
  const unit = settings.energyUnit;
  const bg = backgroundInput(options.background);
  const model = new Model(signal, [
    { kind: 'EdsCalibration', name: CALIBRATION },
    { kind: bg.kind, name: BACKGROUND, options: bg.options },
    ...families.map((f) => ({ kind: 'XrayFamily', name: f.name, options: { ...f.options } })),
  ]);
  const calibration = model.component(CALIBRATION);
  const free = options.calibrationFree ?? false;
  calibration.parameter('offset').set({ value: axis.offset, free, units: axis.units });
  calibration.parameter('scale').set({ value: axis.scale, free, units: axis.units });
  calibration.parameter('fwhm_MnKa').set({ value: settings.resolution, free });
  if (bg.kind === 'Bremsstrahlung') {
    const b = model.component(BACKGROUND);
    b.parameter('beam_energy').set({
      value: (settings.beamEnergy * 1000) / unit,
      units: axis.units,
    });
    b.parameter('cutoff').set({
      value: ((bg.cutoff ?? DEFAULT_BREMSSTRAHLUNG_CUTOFF) * 1000) / unit,
      units: axis.units,
    });
  }
  for (const f of families) {
    const c = model.component(f.name);
    c.parameter('A').units = 'counts';
    for (const name of CALIBRATION_PARAMETERS)
      model.tie(c.parameter(name), calibration.parameter(name));
  }
  model.setSignalRange(settings.range[0], settings.range[1]);
  if (options.initialAmplitudes ?? true) startFromMeanSpectrum(model);
  return model;
}

/** The model's EdsCalibration component; errors when it has none. */
export function edsCalibration(model: Model): Component {
  const c = model.components.find((x) => x.kind === 'EdsCalibration');
  if (!c)
    throw new Error('the model has no EdsCalibration component (build it with buildEdsModel)');
  return c;
}

/** The XrayFamily components of a model. */
export function edsFamilyComponents(model: Model): Component[] {
  return model.components.filter((c) => c.kind === 'XrayFamily');
}

// --- the sum spectrum -------------------------------------------------------

/** Pixel indices of a region: all, a list of indices, or a mask (1 = in). */
function regionPixels(
  signal: Signal,
  region: readonly number[] | Uint8Array | undefined,
): number[] {
  const nav = signal.navigationSize;
  if (region === undefined) return Array.from({ length: nav }, (_x, i) => i);
  if (region instanceof Uint8Array) {
    if (region.length !== nav)
      throw new Error(`calibration region: a mask of ${region.length} pixels for ${nav}`);
    const out: number[] = [];
    region.forEach((v, i) => v && out.push(i));
    if (out.length === 0) throw new Error('calibration region: the mask selects no pixel');
    return out;
  }
  if (region.length === 0) throw new Error('calibration region: no pixel given');
  for (const p of region) signal.checkPixel(p);
  return [...region];
}

/** The summed spectrum of `pixels` with its summed variance, as a one-spectrum signal. */
export function sumSignal(signal: Signal, pixels: readonly number[]): Signal {
  const n = signal.channels;
  const sum = new Float64Array(n);
  const variance = new Float64Array(n);
  const spectrum = new Float64Array(n);
  const v = new Float64Array(n);
  let weighted = false;
  for (const p of pixels) {
    signal.readSpectrum(p, spectrum);
    weighted = signal.readVariance(p, spectrum, v);
    for (let i = 0; i < n; i++) {
      sum[i] = sum[i]! + spectrum[i]!;
      variance[i] = variance[i]! + v[i]!;
    }
  }
  return new Signal({
    data: sum,
    axes: [{ ...signal.signalAxis }],
    title: `${signal.title} (sum of ${pixels.length} pixels)`,
    signalType: signal.signalType,
    metadata: signal.metadata,
    variance: weighted ? { kind: 'array', data: variance } : { kind: 'none' },
  });
}

/** A model like `model` (kinds, names, options, values, flags, bounds, ties, range) on another signal. */
function modelOn(model: Model, signal: Signal): Model {
  const copy = new Model(
    signal,
    model.components.map((c) => ({ kind: c.kind, name: c.name, options: c.fn.options })),
  );
  model.components.forEach((c, ci) => {
    const d = copy.components[ci]!;
    d.active = c.active;
    c.parameters.forEach((p, pi) => {
      const q = d.parameters[pi]!;
      q.set({ free: p.free, bmin: p.bmin, bmax: p.bmax, units: p.units });
      q.current.set(p.current);
    });
  });
  model.components.forEach((c, ci) =>
    c.parameters.forEach((p, pi) => {
      if (p.twin) {
        copy.components[ci]!.parameters[pi]!.setTwin(
          copy.parameter(p.twin.fullName),
          p.twinFunctionExpr,
          p.twinInverseFunctionExpr,
        );
      }
    }),
  );
  copy.setChannelSwitches(model.channelSwitches);
  return copy;
}

/** Linear parameters (amplitudes, coefficients) scaled by `factor` from `from` into `to`. */
function copyLinear(from: Model, to: Model, factor: number): void {
  from.components.forEach((c, ci) =>
    c.parameters.forEach((p, pi) => {
      if (!p.linear || p.twin) return;
      const q: Parameter = to.components[ci]!.parameters[pi]!;
      for (let j = 0; j < p.length; j++) q.current[j] = p.current[j]! * factor;
    }),
  );
}

/** Only the linear parameters free: the rest fixed for this fit, flags restored by the caller. */
function freeOnlyLinear(model: Model): void {
  for (const p of model.parameters) if (!p.linear) p.free = false;
}

/** Starts every amplitude from a linear fit of the mean spectrum (calibration as it is). */
function startFromMeanSpectrum(model: Model): void {
  const pixels = regionPixels(model.signal, undefined);
  const sum = modelOn(model, sumSignal(model.signal, pixels));
  freeOnlyLinear(sum);
  if (sum.freeParameterCount === 0) return;
  try {
    sum.fit(0, { bounded: true });
  } catch {
    return; // Starting values only: a spectrum that cannot be fitted leaves them as they were.
  }
  copyLinear(sum, model, 1 / pixels.length);
}

// --- calibration --------------------------------------------------------------

export interface CalibrateOptions {
  /** Pixels to sum: indices or a mask (1 = in). @default every pixel */
  region?: readonly number[] | Uint8Array;
  /** Which of offset, scale, fwhm_MnKa to fit. @default all three */
  free?: readonly (typeof CALIBRATION_PARAMETERS)[number][];
}

export interface CalibrationResult {
  /** True energy of channel 0 (axis units). */
  offset: number;
  /** Energy per channel (axis units). */
  scale: number;
  /** FWHM of Mn Kα, eV. */
  fwhmMnKa: number;
  /** Standard deviations (NaN for those not fitted). */
  std: { offset: number; scale: number; fwhmMnKa: number };
  /** The fit of the sum spectrum. */
  fit: FitResult;
  /** Pixels summed. */
  pixels: number;
}

/**
 * Fits the model to the sum spectrum (of every pixel, or of `region`) with
 * the calibration's offset, scale and resolution free (with every linear
 * parameter; other parameters as they are), then fixes the calibration at
 * the result on `model` (at every pixel) and starts every pixel's
 * amplitudes from the sum fit divided by the number of pixels. Returns the
 * calibration with its std (HyperSpy's: scaled by the reduced chi-squared).
 */
export function calibrate(model: Model, options: CalibrateOptions = {}): CalibrationResult {
  const calibration = edsCalibration(model);
  const pixels = regionPixels(model.signal, options.region);
  const sum = modelOn(model, sumSignal(model.signal, pixels));
  const fitted = options.free ?? CALIBRATION_PARAMETERS;
  for (const name of fitted) {
    if (!CALIBRATION_PARAMETERS.includes(name))
      throw new Error(
        `calibrate: '${String(name)}' is not one of ${CALIBRATION_PARAMETERS.join(', ')}`,
      );
  }
  const cal = sum.component(calibration.name);
  // First the amplitudes alone (a linear solve), then with the calibration free.
  const flags = sum.parameters.map((p) => p.free);
  freeOnlyLinear(sum);
  sum.fit(0, { bounded: true });
  sum.parameters.forEach((p, i) => (p.free = flags[i]!));
  for (const p of cal.parameters) p.free = fitted.includes(p.name as (typeof fitted)[number]);
  const fit = sum.fit(0, { bounded: true });
  if (!Number.isFinite(fit.chisq))
    throw new Error(`calibrate: the fit of the sum spectrum failed (${fit.message})`);
  const value = (name: string) => cal.parameter(name);
  for (const p of calibration.parameters) {
    const q = value(p.name);
    p.free = false;
    p.current[0] = q.current[0]!;
    p.currentStd[0] = fitted.includes(p.name as (typeof fitted)[number]) ? q.currentStd[0]! : NaN;
    p.assignToAll();
  }
  model.followTwins();
  for (const c of model.components) {
    for (const p of c.parameters)
      if (p.twin && p.twin.componentName === calibration.name) p.assignToAll();
  }
  copyLinear(sum, model, 1 / pixels.length);
  return {
    offset: value('offset').value,
    scale: value('scale').value,
    fwhmMnKa: value('fwhm_MnKa').value,
    std: {
      offset: fitted.includes('offset') ? value('offset').std : NaN,
      scale: fitted.includes('scale') ? value('scale').std : NaN,
      fwhmMnKa: fitted.includes('fwhm_MnKa') ? value('fwhm_MnKa').std : NaN,
    },
    fit,
    pixels: pixels.length,
  };
}

// --- HyperSpy's Sample metadata -------------------------------------------------

/**
 * The elements and X-ray lines of EDS models as HyperSpy's metadata keeps
 * them (`Sample.elements`, `Sample.xray_lines`: sorted; one line per
 * element family, its strongest, e.g. `Al_Ka`, `Ag_La`), merged with what
 * `metadata` already lists. Null when no model has an XrayFamily.
 */
export function edsSampleMetadata(
  metadata: Record<string, unknown>,
  models: readonly Model[],
): { elements: string[]; xray_lines: string[] } | null {
  const families = models.flatMap((m) => edsFamilyComponents(m));
  if (families.length === 0) return null;
  const sample = metaAt(metadata, 'Sample');
  const listed = (key: string): string[] => {
    const v =
      typeof sample === 'object' && sample !== null
        ? metaAt(sample as Record<string, unknown>, key)
        : undefined;
    if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
    if (typeof v === 'string' && v.trim() !== '') return v.split(/[\s,]+/).filter((s) => s !== '');
    return [];
  };
  const elements = new Set(metaElements(metadata) ?? []);
  const lines = new Set(listed('xray_lines'));
  for (const c of families) {
    const o = c.fn.options as unknown as XrayFamilyOptions;
    elements.add(o.element);
    const strongest = [...o.lines].sort((a, b) => b.weight - a.weight)[0];
    if (strongest) lines.add(`${o.element}_${strongest.name}`);
  }
  return { elements: [...elements].sort(), xray_lines: [...lines].sort() };
}
