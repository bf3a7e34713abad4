/**
 * `samfire eds INPUT --elements Mg,Al,... --range START,END [options] --out OUT.hspy`:
 * an EDS model from a list of elements (buildEdsModel), calibrated on the
 * sum spectrum (calibrate; skipped with --no-calibrate), every pixel fitted
 * by the linear whole-map solve (fitLinearThreads, on --threads worker
 * threads, the same answers as in this thread; with --refine the
 * calibration's offset and resolution are then refined per pixel from that
 * result), the
 * goodness test applied (pixels failing it are left unfitted, as SAMFire
 * leaves them), and written:
 *
 *   OUT.hspy        the signal with the model under NAME (default `eds`),
 *                   which HyperSpy 1.7.3 restores with s.models.restore(NAME)
 *   DIR/EL.npy|csv  per element, its intensity (the sum of its families'
 *                   areas, counts) at each pixel, NaN where not fitted
 *   SUMMARY.json    pixels, pixelsFitted (passing the test), seconds (the
 *                   per-pixel fits only), calibration, lossFunction,
 *                   redChisqMedian and, for counts, devianceMedian (of the
 *                   passing pixels), medianIntensity per element, and more
 *
 * The stored model's group keeps the loss, test and medians as JSON in the
 * attribute `samfire_fit` (EDS_FIT_ATTRIBUTE).
 *
 * Weights: the signal's variance if it has one, else Poisson
 * (max(counts, 1)): EDS spectra are counts.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { stderr, stdout } from 'node:process';
import { buildEdsModel, calibrate, type EdsBackground } from '../eds/eds-model.js';
import { xrayFamilyOptions } from '../eds/eds-components.js';
import { mapToCsv, mapToNpy, type ResultMap } from '../io/export.js';
import { readSignalFile, writeFileAtomic } from '../io/node/read-file.js';
import { writeHspy } from '../io/node/hspy.js';
import { fitLinearThreads } from '../linear/node/linear-threads.js';
import { refinePixels } from '../linear/refine.js';
import { fittedMask } from '../model/fitted.js';
import type { Model } from '../model/model.js';
import { createGoodnessTest, goodnessTestKinds } from '../goodness/registry.js';
import { parseArgs } from './args.js';
import { checkDistinct } from './same-file.js';
import { nodeCores } from '../samfire/node/cores.js';
import { dataValues } from '../host/views.js';
import { storedStatistics } from '../goodness/stored-statistics.js';
import type { LossFunction } from '../model/model-problem.js';

export const EDS_VALUED = [
  'elements',
  'range',
  'background',
  'beam-energy',
  'resolution',
  'test',
  'tolerance',
  'out',
  'model',
  'maps',
  'summary',
  'threads',
];
export const EDS_FLAGS = ['no-calibrate', 'refine', 'non-negative'];

export const EDS_USAGE = `  eds INPUT --elements LIST --range START,END --out OUT.hspy [options]
      an EDS model from a list of elements, calibrated on the sum spectrum, every pixel
      fitted by one linear solve; the model goes to OUT.hspy (HyperSpy restores it)
      --elements LIST        element symbols, comma separated (Mg,Al,Si,...)
      --range START,END      signal range in the axis's units (keV: 1.0,4.9)
      --background B         polynomial:ORDER (default polynomial:2) or bremsstrahlung
      --beam-energy KV       beam energy, keV (default: the metadata's, else 20)
      --resolution EV        FWHM of Mn Ka, eV (default: the metadata's, else 130)
      --no-calibrate         keep the file's calibration and the resolution as given
      --test KIND            goodness test: redchisq (default), deviance, ...
      --tolerance T          goodness tolerance (default 1)
      --refine               refine the calibration's offset and resolution per pixel
      --non-negative         keep the amplitudes >= 0 (NNLS)
      --threads N            threads of the whole-map linear fit (default: the cores; 1: this thread)
      --model NAME           model name in OUT.hspy (default eds)
      --maps DIR             per-element intensity maps, DIR/EL.npy and DIR/EL.csv
      --summary FILE.json    pixels, pixelsFitted, seconds, calibration, medians
`;

/** Attribute of the stored model's group with the fit's loss, test and medians (JSON). */
export const EDS_FIT_ATTRIBUTE = 'samfire_fit';

export interface EdsSummary {
  input: string;
  model: string;
  elements: string[];
  families: string[];
  pixels: number;
  /** Pixels whose fit passes the goodness test (a result stored). */
  pixelsFitted: number;
  /** Seconds of the per-pixel fits (linear solve, and refinement with --refine). */
  seconds: number;
  pixelsPerSecond: number;
  calibrationSeconds: number;
  calibration: { offset: number; scale: number; resolution: number; units: string };
  calibrated: boolean;
  weighting: string;
  test: string;
  tolerance: number;
  redChisqMedian: number;
  /** What the fits minimised: 'ls' (weighted least squares; the linear solve and --refine). */
  lossFunction: LossFunction;
  /**
   * For counts (whole numbers >= 0): the median Poisson deviance per degree
   * of freedom of the passing pixels (about 1 for good fits, where reduced
   * chi-squared with variance max(counts, 1) is biased low); null otherwise.
   */
  devianceMedian: number | null;
  /** Per element, the median intensity (counts) over the passing pixels. */
  medianIntensity: Record<string, number>;
  refined: number | null;
  /** Threads the linear fit ran on. */
  threads: number;
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  return values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

function positive(option: string, text: string): number {
  const v = Number(text);
  if (!(v > 0) || !Number.isFinite(v))
    throw new Error(`--${option} must be a positive number, got '${text}'`);
  return v;
}

function wholeNumber(option: string, text: string): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`--${option} must be a whole number >= 1, got '${text}'`);
  return v;
}

function parseRange(text: string): [number, number] {
  const parts = text.split(',').map((s) => s.trim());
  const values = parts.map(Number);
  if (parts.length !== 2 || !values.every(Number.isFinite) || values[0] === values[1])
    throw new Error(`--range takes two different numbers START,END (e.g. 1.0,4.9), got '${text}'`);
  return [values[0]!, values[1]!];
}

function parseBackground(text: string): EdsBackground {
  if (text === 'bremsstrahlung' || text === 'polynomial') return text;
  const m = /^polynomial:(\d+)$/.exec(text);
  if (m) return `polynomial:${Number(m[1])}`;
  throw new Error(
    `--background must be polynomial:ORDER (e.g. polynomial:2) or bremsstrahlung, got '${text}'`,
  );
}

/** The registry's kind for a test named on the command line (any case). */
export function goodnessKind(name: string): string {
  const kinds = goodnessTestKinds();
  const kind = kinds.find((k) => k.toLowerCase() === name.toLowerCase());
  if (!kind)
    throw new Error(
      `--test must be one of ${kinds.map((k) => k.toLowerCase()).join(', ')}, got '${name}'`,
    );
  return kind;
}

/** Per element: the sum of its families' areas at each pixel, NaN where not fitted. */
export function elementIntensities(model: Model): Map<string, Float64Array> {
  const nav = model.signal.navigationSize;
  const fitted = fittedMask(model);
  const out = new Map<string, Float64Array>();
  for (const c of model.components) {
    if (c.kind !== 'XrayFamily') continue;
    const element = xrayFamilyOptions(c.fn.options).element;
    let map = out.get(element);
    if (!map) {
      map = new Float64Array(nav);
      for (let i = 0; i < nav; i++) if (!fitted[i]) map[i] = NaN;
      out.set(element, map);
    }
    const a = c.parameter('A');
    for (let i = 0; i < nav; i++) {
      if (!fitted[i]) continue;
      map[i] = a.map.isSet[i] && c.isActiveAt(i) ? map[i]! + a.map.values[i]! : NaN;
    }
  }
  return out;
}

export async function runEds(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, EDS_VALUED, EDS_FLAGS);
  const text = (name: string): string | undefined => {
    const v = options.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  if (positional.length !== 1) throw new Error('eds needs one INPUT file (an EDS map)');
  const input = positional[0]!;
  const out = text('out');
  if (out === undefined) throw new Error('eds needs --out OUT.hspy');
  const elementsText = text('elements');
  if (elementsText === undefined)
    throw new Error('eds needs --elements LIST (element symbols, comma separated)');
  const elements = elementsText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (elements.length === 0) throw new Error('--elements lists no element');
  const rangeText = text('range');
  if (rangeText === undefined) throw new Error('eds needs --range START,END (e.g. 1.0,4.9)');
  const range = parseRange(rangeText);
  const background = parseBackground(text('background') ?? 'polynomial:2');
  const beamEnergy = text('beam-energy');
  const resolution = text('resolution');
  const kind = goodnessKind(text('test') ?? 'redchisq');
  const tolerance = text('tolerance') === undefined ? 1 : positive('tolerance', text('tolerance')!);
  const test = createGoodnessTest({ kind, tolerance });
  const name = text('model') ?? 'eds';
  if (name === '' || /[/.]/.test(name))
    throw new Error(`--model NAME must be a plain name (no '/' or '.'), got '${name}'`);
  const threadsText = text('threads');
  const threads = threadsText === undefined ? nodeCores() : wholeNumber('threads', threadsText);
  const maps = text('maps');
  const summaryPath = text('summary');
  await checkDistinct([
    ['the input', input],
    ['--out', out],
    ['--summary', summaryPath ?? null],
  ]);

  const signals = await readSignalFile(input);
  const signal = signals.find((s) => s.navigationSize > 1) ?? signals[0];
  if (!signal) throw new Error(`${input}: the file holds no signal`);
  if (signal.variance.kind === 'none') signal.estimatePoissonianNoiseVariance();
  const model = buildEdsModel(signal, {
    elements,
    range,
    background,
    ...(beamEnergy === undefined ? {} : { beamEnergy: positive('beam-energy', beamEnergy) }),
    ...(resolution === undefined ? {} : { resolution: positive('resolution', resolution) }),
  });
  const families = model.components.filter((c) => c.kind === 'XrayFamily').map((c) => c.name);
  stderr.write(`model: ${families.join(', ')} on ${model.components[1]!.kind} background\n`);
  const calibrated = options.get('no-calibrate') !== true;
  let calibrationSeconds = 0;
  if (calibrated) {
    const t0 = performance.now();
    const cal = calibrate(model);
    calibrationSeconds = (performance.now() - t0) / 1000;
    stderr.write(
      `calibration on the sum of ${cal.pixels} pixels: offset ${cal.offset}, scale ${cal.scale} ${signal.signalAxis.units}, FWHM(Mn Ka) ${cal.fwhmMnKa.toFixed(2)} eV\n`,
    );
  }
  const calibration = model.component('calibration');
  // The model's calibration (before any per-pixel refinement).
  const calibrationUsed = {
    offset: calibration.parameter('offset').value,
    scale: calibration.parameter('scale').value,
    resolution: calibration.parameter('fwhm_MnKa').value,
    units: signal.signalAxis.units,
  };

  const t0 = performance.now();
  const linear = await fitLinearThreads(model, {
    threads,
    nonNegative: options.get('non-negative') === true,
  });
  let refined: number | null = null;
  if (options.get('refine') === true) {
    const r = refinePixels(model, ['calibration.offset', 'calibration.fwhm_MnKa']);
    refined = r.refined;
  }
  const seconds = (performance.now() - t0) / 1000;
  // The goodness test: failing pixels are left unfitted, as SAMFire leaves them.
  const passed = test.map(model, fittedMask(model));
  let pixelsFitted = 0;
  for (let i = 0; i < passed.length; i++) {
    if (passed[i]) {
      pixelsFitted++;
      continue;
    }
    model.chisq[i] = NaN;
    model.dof[i] = NaN;
    model.redChisq[i] = NaN;
    for (const p of model.parameters) p.map.isSet[i] = 0;
  }

  const intensities = elementIntensities(model);
  const medianIntensity: Record<string, number> = {};
  for (const [el, map] of intensities)
    medianIntensity[el] = median(Array.from(map).filter((v) => !Number.isNaN(v)));
  const red: number[] = [];
  model.redChisq.forEach((r) => Number.isFinite(r) && red.push(r));
  const lossFunction: LossFunction = 'ls';
  let devianceMedian: number | null = null;
  if (dataValues(signal.data) === 'counts') {
    const deviance: number[] = [];
    for (let i = 0; i < passed.length; i++) {
      if (!passed[i]) continue;
      const stats = storedStatistics(model, i);
      const d = stats.deviance!() / stats.dof;
      if (Number.isFinite(d)) deviance.push(d);
    }
    devianceMedian = median(deviance);
  }
  const redChisqMedian = median(red);

  stderr.write(`writing ${out}\n`);
  // What the fit minimised and its medians, kept with the stored model (HyperSpy ignores it).
  await writeHspy(
    out,
    signal,
    { [name]: model },
    {
      [name]: {
        [EDS_FIT_ATTRIBUTE]: JSON.stringify({
          lossFunction,
          test: kind,
          tolerance,
          redChisqMedian,
          devianceMedian,
        }),
      },
    },
  );
  if (maps !== undefined) {
    await mkdir(maps, { recursive: true });
    const shape = signal.navigationShape;
    const axes = signal.axes
      .filter((a) => a.navigate)
      .map((a) => ({ name: a.name, offset: a.offset, scale: a.scale, units: a.units }));
    for (const [el, values] of intensities) {
      const map: ResultMap = { name: el, shape, values, axes };
      await writeFileAtomic(join(maps, `${el}.npy`), mapToNpy(map));
      await writeFileAtomic(join(maps, `${el}.csv`), mapToCsv(map));
    }
  }
  const summary: EdsSummary = {
    input,
    model: name,
    elements: [...intensities.keys()],
    families,
    pixels: linear.pixels,
    pixelsFitted,
    seconds,
    pixelsPerSecond: seconds > 0 ? linear.pixels / seconds : Infinity,
    calibrationSeconds,
    calibration: calibrationUsed,
    calibrated,
    weighting: linear.weighting,
    test: kind,
    tolerance,
    redChisqMedian,
    lossFunction,
    devianceMedian,
    medianIntensity,
    refined,
    threads: linear.threads,
  };
  if (summaryPath !== undefined)
    await writeFileAtomic(summaryPath, `${JSON.stringify(summary, null, 1)}\n`);
  stdout.write(
    `${signal.title || input}: ${pixelsFitted} of ${linear.pixels} pixels pass ${kind} < ${tolerance} (loss ${lossFunction}, ${linear.weighting} weights, ${seconds.toFixed(3)} s; median reduced chi-squared ${redChisqMedian.toPrecision(4)}${devianceMedian === null ? '' : `, median deviance/dof ${devianceMedian.toPrecision(4)}`}); wrote ${out}${maps === undefined ? '' : ` and ${intensities.size} maps to ${maps}`}\n`,
  );
  return 0;
}
