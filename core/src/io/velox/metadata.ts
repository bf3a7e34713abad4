/**
 * Velox's JSON metadata, and what of it goes into a signal under HyperSpy's
 * metadata names. Pure: the JSON texts come from ../node/velox-read.ts.
 *
 * Every dataset of a Velox file (`Data/<Kind>/<uuid>/Data`) has a
 * `Metadata` uint8 array beside it, one column per frame, each column the
 * UTF-8 text of a JSON object padded with NULs. Values are strings ("200000"
 * for the acceleration voltage in volts). The parts used here:
 * - `Optics.AccelerationVoltage` (V), `Optics.CameraLength` (m),
 *   `Instrument.InstrumentClass`, `Stage` (tilts in radians, position in m),
 *   `CustomProperties.StemMagnification`;
 * - `Acquisition.AcquisitionStartDatetime.DateTime` (Unix seconds), or the
 *   detector's `CustomProperties["Detectors[<name>].TimeStamp"]` (µs);
 * - `BinaryResult`: the detector that made the data, the pixel size and
 *   offset and their units;
 * - `Scan`: the scan size, the scanned area (fractions of it), frame time;
 * - `Detectors["Detector-<i>"]`: for the X-ray detectors (`DetectorType`
 *   AnalyticalDetector), `ElevationAngle` and `AzimuthAngle` (radians),
 *   `Dispersion` and `OffsetEnergy` (eV), `LiveTime` and `RealTime` (s).
 */
import type { AxisSpec } from '../../model/axis.js';
import { FileFormatError } from '../errors.js';
import { compactUnits } from './units.js';

export type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at `path` in a JSON tree, or undefined. */
export function at(tree: unknown, ...path: string[]): unknown {
  let node = tree;
  for (const key of path) {
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

/** A string value (Velox writes every value as one), or undefined. */
export function text(tree: unknown, ...path: string[]): string | undefined {
  const v = at(tree, ...path);
  return typeof v === 'string' ? v : undefined;
}

/** A number written as a string (or as a number), or undefined when absent or not a finite number. */
export function number(tree: unknown, ...path: string[]): number | undefined {
  const v = at(tree, ...path);
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** A JSON object from its text; a FileFormatError naming `what` if it is not one. */
export function parseJson(textValue: string, fileName: string, what: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(textValue);
  } catch (err) {
    throw new FileFormatError(
      fileName,
      `${what} is not valid JSON (${err instanceof Error ? err.message : String(err)})`,
      { cause: err },
    );
  }
  if (!isObject(value)) throw new FileFormatError(fileName, `${what} is not a JSON object`);
  return value;
}

/** One column of a `Metadata` array: UTF-8 JSON up to the first NUL. */
export function parseMetadataColumn(bytes: Uint8Array, fileName: string, what: string): Json {
  const end = bytes.indexOf(0);
  let content: string;
  try {
    content = decoder.decode(end < 0 ? bytes : bytes.subarray(0, end));
  } catch (err) {
    throw new FileFormatError(fileName, `${what} is not UTF-8 text`, { cause: err });
  }
  return parseJson(content, fileName, what);
}

const DEGREES = 180 / Math.PI;

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** An X-ray detector (segment) as the metadata describes it. */
export interface XrayDetector {
  name: string;
  /** Radians. */
  elevation?: number;
  azimuth?: number;
  /** eV per channel, and the energy of channel 0 (eV). */
  dispersion?: number;
  offsetEnergy?: number;
  /** Seconds, as recorded when the metadata were written. */
  liveTime?: number;
  realTime?: number;
}

/** Every AnalyticalDetector of `md`, in the order of its `Detector-<i>` keys. */
export function xrayDetectors(md: Json): XrayDetector[] {
  const detectors = at(md, 'Detectors');
  if (!isObject(detectors)) return [];
  const out: XrayDetector[] = [];
  for (const d of Object.values(detectors)) {
    if (text(d, 'DetectorType') !== 'AnalyticalDetector') continue;
    const name = text(d, 'DetectorName');
    if (name === undefined) continue;
    out.push({
      name,
      elevation: number(d, 'ElevationAngle'),
      azimuth: number(d, 'AzimuthAngle'),
      dispersion: number(d, 'Dispersion'),
      offsetEnergy: number(d, 'OffsetEnergy'),
      liveTime: number(d, 'LiveTime'),
      realTime: number(d, 'RealTime'),
    });
  }
  return out;
}

/**
 * The X-ray detector(s) whose counts a dataset holds: the one its
 * `BinaryResult.Detector` names, or, for a summed Super-X ("SuperXG2" over
 * segments "SuperXG21" to "SuperXG24"), the segments whose names start with
 * it; every X-ray detector if the name matches none.
 */
export function detectorsOf(md: Json): XrayDetector[] {
  const all = xrayDetectors(md);
  const name = text(md, 'BinaryResult', 'Detector') ?? '';
  const exact = all.filter((d) => d.name === name);
  if (exact.length > 0) return exact;
  const segments = name === '' ? [] : all.filter((d) => d.name.startsWith(name));
  return segments.length > 0 ? segments : all;
}

/** The energy axis calibration (keV) of data from `detectors`, which must agree on it. */
export function energyCalibration(
  detectors: readonly XrayDetector[],
  fileName: string,
  what: string,
): { scale: number; offset: number } {
  const first = detectors.find((d) => d.dispersion !== undefined);
  if (first === undefined || !(first.dispersion! > 0)) {
    throw new FileFormatError(
      fileName,
      `${what}: no X-ray detector with a dispersion (eV per channel)`,
    );
  }
  for (const d of detectors) {
    if (
      d.dispersion !== undefined &&
      (d.dispersion !== first.dispersion || (d.offsetEnergy ?? 0) !== (first.offsetEnergy ?? 0))
    ) {
      throw new FileFormatError(
        fileName,
        `${what}: detectors ${first.name} and ${d.name} have different energy calibrations`,
      );
    }
  }
  return { scale: first.dispersion! / 1000, offset: (first.offsetEnergy ?? 0) / 1000 };
}

function mean(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * `Acquisition_instrument.TEM.Detector.EDS` for data counted by `detectors`
 * (summed when several): elevation (their mean, degrees), azimuth (only for
 * one detector: a sum of segments around the sample has none), and the
 * live and real times given.
 */
export function edsDetector(
  detectors: readonly XrayDetector[],
  times: { liveTime?: number; realTime?: number; frames?: number } = {},
): Json {
  const eds: Json = {};
  const elevation = mean(
    detectors.flatMap((d) => (d.elevation === undefined ? [] : [d.elevation])),
  );
  if (elevation !== undefined) eds['elevation_angle'] = round(elevation * DEGREES, 6);
  if (detectors.length === 1 && detectors[0]!.azimuth !== undefined) {
    eds['azimuth_angle'] = round(detectors[0]!.azimuth * DEGREES, 6);
  }
  if (times.liveTime !== undefined) eds['live_time'] = times.liveTime;
  if (times.realTime !== undefined) eds['real_time'] = times.realTime;
  if (times.frames !== undefined) eds['number_of_frames'] = times.frames;
  return eds;
}

/** Mean live and real times of `detectors` as their metadata record them. */
export function detectorTimes(detectors: readonly XrayDetector[]): {
  liveTime?: number;
  realTime?: number;
} {
  return {
    liveTime: mean(detectors.flatMap((d) => (d.liveTime === undefined ? [] : [d.liveTime]))),
    realTime: mean(detectors.flatMap((d) => (d.realTime === undefined ? [] : [d.realTime]))),
  };
}

/** `Acquisition_instrument.TEM` without the detector: beam energy (keV), camera length (mm), ... */
export function temInstrument(md: Json): Json {
  const tem: Json = {};
  const voltage = number(md, 'Optics', 'AccelerationVoltage');
  if (voltage !== undefined) tem['beam_energy'] = voltage / 1000;
  const cameraLength = number(md, 'Optics', 'CameraLength');
  if (cameraLength !== undefined) tem['camera_length'] = cameraLength * 1000;
  const magnification = number(md, 'CustomProperties', 'StemMagnification', 'value');
  if (magnification !== undefined) tem['magnification'] = magnification;
  const microscope = text(md, 'Instrument', 'InstrumentClass');
  if (microscope !== undefined) tem['microscope'] = microscope;
  const stage: Json = {};
  const alpha = number(md, 'Stage', 'AlphaTilt');
  const beta = number(md, 'Stage', 'BetaTilt');
  // Tilts in degrees to a thousandth (as Velox and HyperSpy show them), position in mm.
  if (alpha !== undefined) stage['tilt_alpha'] = round(alpha * DEGREES, 3);
  if (beta !== undefined) stage['tilt_beta'] = round(beta * DEGREES, 3);
  for (const axis of ['x', 'y', 'z']) {
    const v = number(md, 'Stage', 'Position', axis);
    if (v !== undefined) stage[axis] = v * 1000;
  }
  if (Object.keys(stage).length > 0) tem['Stage'] = stage;
  return tem;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * When the data were acquired (UTC): `date` YYYY-MM-DD and `time`
 * HH:MM:SS with microseconds when the file has them, or null.
 */
export function acquisitionTime(md: Json): { date: string; time: string } | null {
  let micros: number | undefined;
  const seconds = number(md, 'Acquisition', 'AcquisitionStartDatetime', 'DateTime');
  if (seconds !== undefined && seconds > 0) micros = Math.round(seconds * 1e6);
  const detector = text(md, 'BinaryResult', 'Detector');
  if (micros === undefined && detector !== undefined) {
    const stamp = number(md, 'CustomProperties', `Detectors[${detector}].TimeStamp`, 'value');
    if (stamp !== undefined && stamp > 0) micros = Math.round(stamp);
  }
  if (micros === undefined || !Number.isSafeInteger(micros)) return null;
  const date = new Date(Math.floor(micros / 1000));
  if (Number.isNaN(date.getTime())) return null;
  const fraction = micros % 1_000_000;
  const time = `${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}`;
  return {
    date: `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}`,
    time: fraction === 0 ? time : `${time}.${pad(fraction, 6)}`,
  };
}

/** `General`: title, the file's name, and the acquisition date and time. */
export function general(md: Json, title: string, fileName: string): Json {
  const g: Json = { title, original_filename: fileName };
  const when = acquisitionTime(md);
  if (when !== null) {
    g['date'] = when.date;
    g['time'] = when.time;
    g['time_zone'] = 'UTC';
  }
  return g;
}

/**
 * The y and x axes of an image or spectrum image of `height x width`
 * pixels: `BinaryResult.PixelSize` and `Offset` in their units, made
 * readable (see ./units.ts).
 */
export function spatialAxes(
  md: Json,
  height: number,
  width: number,
  fileName: string,
  what: string,
): [AxisSpec, AxisSpec] {
  const axis = (name: 'y' | 'x', size: number): AxisSpec => {
    const dim = name === 'x' ? 'width' : 'height';
    const scale = number(md, 'BinaryResult', 'PixelSize', dim) ?? 1;
    const offset = number(md, 'BinaryResult', 'Offset', name) ?? 0;
    const units = text(md, 'BinaryResult', name === 'x' ? 'PixelUnitX' : 'PixelUnitY') ?? '';
    if (scale === 0) throw new FileFormatError(fileName, `${what}: the pixel ${dim} is 0`);
    const c = compactUnits(scale, offset, size, units, 0.5);
    return { name, size, scale: c.scale, offset: c.offset, units: c.units, navigate: true };
  };
  return [axis('y', height), axis('x', width)];
}

/** The frame (time) axis of `frames` frames each `seconds` long. */
export function frameAxis(frames: number, seconds: number | undefined): AxisSpec {
  if (seconds === undefined || !(seconds > 0)) {
    return { name: 'Time', size: frames, scale: 1, offset: 0, units: '', navigate: true };
  }
  const c = compactUnits(seconds, 0, frames, 's', 1);
  return {
    name: 'Time',
    size: frames,
    scale: c.scale,
    offset: c.offset,
    units: c.units,
    navigate: true,
  };
}

/** How long one frame of the data took: the scan's frame time, or the camera's exposure. */
export function frameTime(md: Json): number | undefined {
  const scan = number(md, 'Scan', 'FrameTime');
  if (scan !== undefined && scan > 0) return scan;
  const name = text(md, 'BinaryResult', 'Detector');
  const detectors = at(md, 'Detectors');
  if (name === undefined || !isObject(detectors)) return undefined;
  for (const d of Object.values(detectors)) {
    if (text(d, 'DetectorName') === name) return number(d, 'ExposureTime');
  }
  return undefined;
}

/**
 * The pixels of a spectrum image: the part of the scan (`Scan.ScanArea`,
 * fractions of `Scan.ScanSize`) that was scanned.
 */
export function scannedArea(
  md: Json,
  fileName: string,
  what: string,
): { width: number; height: number } {
  const scanWidth = number(md, 'Scan', 'ScanSize', 'width');
  const scanHeight = number(md, 'Scan', 'ScanSize', 'height');
  if (scanWidth === undefined || scanHeight === undefined) {
    throw new FileFormatError(fileName, `${what}: the metadata give no scan size`);
  }
  const fraction = (key: string, fallback: number): number => {
    const v = number(md, 'Scan', 'ScanArea', key) ?? fallback;
    if (!(v >= 0 && v <= 1)) {
      throw new FileFormatError(
        fileName,
        `${what}: scan area ${key} ${v} is not a fraction of the scan`,
      );
    }
    return v;
  };
  const width = Math.round((fraction('right', 1) - fraction('left', 0)) * scanWidth);
  const height = Math.round((fraction('bottom', 1) - fraction('top', 0)) * scanHeight);
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 1 || height < 1) {
    throw new FileFormatError(
      fileName,
      `${what}: the scanned area is ${width} x ${height} pixels (scan ${scanWidth} x ${scanHeight})`,
    );
  }
  return { width, height };
}

/** Chemical symbols, by atomic number from 1. */
const ELEMENTS = new Set(
  (
    'H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se ' +
    'Br Kr Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb ' +
    'Dy Ho Er Tm Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm ' +
    'Bk Cf Es Fm Md No Lr Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og'
  ).split(' '),
);

/**
 * The elements of the EDS maps of a quantification (`Operations/
 * ImageQuantificationOperation/*`): the non-STEM entries of its
 * `colormixSelection`, sorted.
 */
export function quantifiedElements(operations: readonly Json[]): string[] {
  const found = new Set<string>();
  for (const op of operations) {
    const selection = at(op, 'colormixSelection');
    if (!Array.isArray(selection)) continue;
    for (const entry of selection) {
      const name = text(entry, 'name');
      if (name !== undefined && text(entry, 'stem') !== 'true' && ELEMENTS.has(name))
        found.add(name);
    }
  }
  return [...found].sort();
}

/** An operation of `Operations/<type>/<uuid>`. */
export interface Operation {
  type: string;
  /** Its path in the file, e.g. '/Operations/StemInputOperation/7af1...'. */
  path: string;
  json: Json;
}

const OPERATORS: Readonly<Record<string, string>> = {
  Subtraction: '-',
  Addition: '+',
  Multiplication: '*',
  Division: '/',
};

/** The longest prefix ending in '-' that every title shares (DF4-A, DF4-C -> 'DF4-'). */
function sharedPrefix(titles: readonly string[]): string {
  if (titles.length < 2) return '';
  let prefix = titles[0]!.slice(0, titles[0]!.lastIndexOf('-') + 1);
  while (prefix !== '' && !titles.every((t) => t.startsWith(prefix) && t.length > prefix.length)) {
    prefix = prefix.slice(0, prefix.slice(0, -1).lastIndexOf('-') + 1);
  }
  return prefix;
}

/**
 * Titles of the datasets the operations produce: a STEM detector's name
 * (`StemInputOperation.detector`), a camera's (`CameraInputOperation
 * .cameraName`), DPC, iDPC and filtered iDPC (`DpcOperation`,
 * `SurfaceReconstructionOperation`), and the result of image arithmetic
 * named after its inputs ("A-C" for DF4-A minus DF4-C). Keys are dataset
 * group paths such as '/Data/Image/<uuid>'.
 */
export function operationTitles(operations: readonly Operation[]): Map<string, string> {
  const byData = new Map<string, Operation>();
  const unfiltered = new Map<string, Operation>();
  for (const op of operations) {
    const data = text(op.json, 'dataPath');
    if (data !== undefined && data !== '') byData.set(data, op);
    const raw = text(op.json, 'unfilteredDataPath');
    if (raw !== undefined && raw !== '') unfiltered.set(raw, op);
  }
  // Inputs of each operation, by input index, from the other operations' outputs.
  const inputs = new Map<string, { index: number; op: Operation }[]>();
  for (const op of operations) {
    const outputs = at(op.json, 'outputs');
    if (!Array.isArray(outputs)) continue;
    for (const o of outputs) {
      const target = text(o, 'operation');
      if (target === undefined) continue;
      const list = inputs.get(target) ?? [];
      list.push({ index: number(o, 'inputIndex') ?? list.length, op });
      inputs.set(target, list);
    }
  }
  const titles = new Map<string, string>();
  const titleOf = (op: Operation, depth: number): string | undefined => {
    switch (op.type) {
      case 'StemInputOperation':
        return text(op.json, 'detector');
      case 'CameraInputOperation':
        return text(op.json, 'cameraName');
      case 'DpcOperation':
        return 'DPC';
      case 'SurfaceReconstructionOperation':
        return text(op.json, 'enableFilter') === 'true' ? 'Filtered iDPC' : 'iDPC';
      case 'MathematicsOperation': {
        if (depth > 8) return undefined;
        const operator = OPERATORS[text(op.json, 'mathematicsMode') ?? ''];
        const ins = [...(inputs.get(op.path) ?? [])].sort((a, b) => a.index - b.index);
        const names = ins.map((i) => titleOf(i.op, depth + 1));
        if (operator === undefined || names.length < 2 || names.some((n) => n === undefined)) {
          return undefined;
        }
        const prefix = sharedPrefix(names as string[]);
        return (names as string[]).map((n) => n.slice(prefix.length)).join(operator);
      }
      default:
        return undefined;
    }
  };
  for (const [data, op] of byData) {
    const t = titleOf(op, 0);
    if (t !== undefined && t !== '') titles.set(data, t);
  }
  for (const [data] of unfiltered) if (!titles.has(data)) titles.set(data, 'iDPC');
  return titles;
}
