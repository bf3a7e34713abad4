/**
 * Reading HyperSpy HDF5 files (.hspy, .hdf5), file format versions 1.x to
 * 3.x: every signal under `Experiments/` with its axes, variance and
 * metadata, and the stored models (read into records, built into Models on
 * request by readHspyModel).
 *
 * Layout (see docs/hspy-format.md): `Experiments/<title>/data` in
 * HyperSpy's data order (navigation axes first, reversed; signal axis last),
 * which is also ours; `axis-<i>` groups describe the data axes in that order.
 * Files older than HyperSpy 1.7 say whether a signal is binned in
 * metadata.Signal.binned rather than on the axes, the oldest lack the axes'
 * `navigate` (record_by tells) and call `metadata` `mapped_parameters`.
 */
import type { AxisSpec } from '../../model/axis.js';
import type { DType, NumericArray } from '../../model/dtype.js';
import type { Model } from '../../model/model.js';
import type { Signal, Variance } from '../../model/signal.js';
import { FileFormatError, signalFromFile } from '../errors.js';
import { H5T_FLOAT, H5T_INTEGER, isBoolEnum, withHdf5File } from './hspy-h5read.js';
import type { H5DatasetView, H5GroupView, H5Value } from './hspy-h5read.js';
import { buildModel } from './hspy-model-build.js';
import { readModelEntry, type ModelEntry } from './hspy-model-read.js';
import { decodeTree } from './hspy-tree.js';
import { ReadWork } from './read-work.js';
import type { ReadOptions } from '../source.js';

/** What readHspy returns: the signals, and the models stored with each. */
export class HspyFile {
  readonly fileName: string;
  /** file_format_version, e.g. '3.1'. */
  readonly formatVersion: string;
  readonly signals: readonly Signal[];
  /** The names of each signal's stored models, in file order. */
  readonly modelNames: readonly (readonly string[])[];
  readonly #models: readonly ReadonlyMap<string, ModelEntry>[];

  /** Built by readHspy. */
  constructor(
    fileName: string,
    formatVersion: string,
    signals: Signal[],
    models: Map<string, ModelEntry>[],
  ) {
    this.fileName = fileName;
    this.formatVersion = formatVersion;
    this.signals = signals;
    this.#models = models;
    this.modelNames = models.map((m) => [...m.keys()]);
  }

  /** A string attribute of the group of stored model `name` (null: no such model, attribute, or an unreadable model). */
  modelAttribute(signalIndex: number, name: string, key: string): string | null {
    const entry = this.#models[signalIndex]?.get(name);
    return entry?.ok ? (entry.record.attributes[key] ?? null) : null;
  }

  /** The stored model `name` of signal `signalIndex`, as a Model on that signal. */
  model(signalIndex: number, name: string): Model {
    const signal = this.signals[signalIndex];
    if (signal === undefined) {
      throw new FileFormatError(
        this.fileName,
        `there is no signal ${signalIndex} (the file has ${this.signals.length})`,
      );
    }
    const entry = this.#models[signalIndex]!.get(name);
    if (entry === undefined) {
      const names = this.modelNames[signalIndex]!;
      throw new FileFormatError(
        this.fileName,
        `signal '${signal.title}' has no stored model '${name}' (${names.length === 0 ? 'it has none' : `it has ${names.map((n) => `'${n}'`).join(', ')}`})`,
      );
    }
    if (!entry.ok) throw entry.error;
    return buildModel(entry.record, signal, this.fileName);
  }
}

export interface ReadHspyOptions {
  /**
   * Large arrays (data, an array variance) over SharedArrayBuffers, for runs
   * on worker threads: the threads then read them without a copy (see
   * io/shared-array.ts). Not for data sent to other processes.
   * @default false
   */
  sharedMemory?: boolean;
  /** Called as the data (and an array variance) are read, in bytes. */
  onProgress?: ReadOptions['onProgress'];
  /** Aborting it makes the read reject with an AbortError between blocks. */
  signal?: AbortSignal;
}

/** Every signal and stored model of the HyperSpy file at `path`; errors are FileFormatErrors naming it. */
export function readHspy(path: string, options: ReadHspyOptions = {}): Promise<HspyFile> {
  return withHdf5File(path, async (root, fileName) => {
    const attrs = root.attrs();
    const format = attrs.get('file_format');
    if (format !== 'HyperSpy') {
      throw new FileFormatError(
        fileName,
        format === undefined
          ? 'an HDF5 file, but not a HyperSpy one (no file_format attribute)'
          : `an HDF5 file of format '${String(format)}', not HyperSpy`,
      );
    }
    const version = formatVersion(attrs.get('file_format_version'));
    const major = Number.parseInt(version, 10);
    if (!(major >= 1 && major <= 3)) {
      throw new FileFormatError(
        fileName,
        `HyperSpy file format version ${version} is not supported (1.x to 3.x are)`,
      );
    }
    const experiments = root.group('Experiments');
    if (experiments === null)
      throw new FileFormatError(fileName, 'no Experiments group: the file holds no signal');
    const names = experiments.keys().filter((k) => experiments.group(k) !== null);
    if (names.length === 0)
      throw new FileFormatError(fileName, 'the Experiments group holds no signal');
    const shared = options.sharedMemory ?? false;
    // The bytes to read, for the progress: every signal's data and array variance.
    let total = 0;
    for (const n of names) {
      const g = experiments.group(n)!;
      for (const d of [g.dataset('data'), varianceDataset(metadataGroup(g))])
        if (d !== null) total += d.meta.size * d.meta.total_size;
    }
    const work = new ReadWork(options, total);
    const signals: Signal[] = [];
    for (const n of names)
      signals.push(await readSignal(experiments.group(n)!, n, fileName, shared, work));
    const models = names.map(() => new Map<string, ModelEntry>());
    const place = (g: H5GroupView | null, owner: number | null): void => {
      if (g === null) return;
      for (const name of g.keys()) {
        const mg = g.group(name);
        if (mg === null) continue;
        const entry = readModelEntry(mg, name, fileName);
        const path = mg.attrs().get('_signal');
        let index = owner;
        if (index === null && typeof path === 'string') {
          const i = names.indexOf(path.replace(/^\/?Experiments\//, ''));
          if (i >= 0) index = i;
        }
        if (index === null && names.length === 1) index = 0;
        if (index !== null && !models[index]!.has(name)) models[index]!.set(name, entry);
      }
    };
    place(root.group('Analysis')?.group('models') ?? null, null);
    names.forEach((n, i) => {
      const g = experiments.group(n)!;
      place(g.group('models'), i);
      place(g.group('Analysis')?.group('models') ?? null, i);
    });
    return new HspyFile(fileName, version, signals, models);
  });
}

/** A stored model of a file already read, or of the file at `path`. */
export function readHspyModel(file: HspyFile, signalIndex: number, modelName: string): Model;
export function readHspyModel(path: string, signalIndex: number, modelName: string): Promise<Model>;
export function readHspyModel(
  source: HspyFile | string,
  signalIndex: number,
  modelName: string,
): Model | Promise<Model> {
  if (typeof source !== 'string') return source.model(signalIndex, modelName);
  return readHspy(source).then((f) => f.model(signalIndex, modelName));
}

function formatVersion(v: H5Value | undefined): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? `${v}.0` : String(v);
  return '1.0'; // the oldest files did not record it
}

function text(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function child(tree: Record<string, unknown>, ...path: string[]): unknown {
  let node: unknown = tree;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The dtype of a numeric dataset, or a FileFormatError naming what it holds. */
function dtypeOf(d: H5DatasetView, fileName: string, what: string): DType {
  const m = d.meta;
  if (isBoolEnum(m)) return 'bool';
  if (m.type === H5T_FLOAT && (m.size === 4 || m.size === 8))
    return m.size === 4 ? 'float32' : 'float64';
  if (m.type === H5T_INTEGER && [1, 2, 4, 8].includes(m.size)) {
    return `${m.signed ? 'int' : 'uint'}${m.size * 8}` as DType;
  }
  const kind =
    m.type === 6
      ? 'compound (complex?)'
      : m.type === H5T_FLOAT
        ? `float${m.size * 8}`
        : `HDF5 type class ${m.type}`;
  throw new FileFormatError(fileName, `${what} holds ${kind} values, which are not supported`);
}

async function numericData(
  d: H5DatasetView,
  dtype: DType,
  shared: boolean,
  work: ReadWork,
  stage: string,
): Promise<NumericArray> {
  const a = await d.typedArrayAsync(work, { shared, stage });
  // h5py booleans come as Int8Array; our bool data are Uint8Array.
  if (dtype === 'bool') return new Uint8Array(a.buffer, a.byteOffset, a.length);
  return a;
}

/** A DataAxis's values (its `axis` dataset) as float64, checked finite and strictly monotonic. */
function dataAxisValues(
  ag: H5GroupView,
  label: string,
  fail: (problem: string) => never,
): Float64Array {
  const d = ag.dataset('axis');
  if (d === null) return fail(`${label} is a DataAxis without its axis dataset`);
  if (!d.isNumeric || d.shape.length !== 1) {
    return fail(`${label}: the axis dataset must be one-dimensional numbers`);
  }
  const raw = d.typedArray();
  const values = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) values[i] = Number(raw[i]);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) fail(`${label}: axis value ${i} is ${values[i]}`);
  }
  const up = values.length < 2 || values[1]! > values[0]!;
  for (let i = 1; i < values.length; i++) {
    if (up ? !(values[i]! > values[i - 1]!) : !(values[i]! < values[i - 1]!)) {
      fail(`${label}: axis values are not strictly monotonic at index ${i}`);
    }
  }
  return values;
}

function metadataGroup(g: H5GroupView): H5GroupView | null {
  return g.group('metadata') ?? g.group('mapped_parameters');
}

async function readSignal(
  g: H5GroupView,
  groupName: string,
  fileName: string,
  shared: boolean,
  work: ReadWork,
): Promise<Signal> {
  const where = `signal '${groupName}'`;
  const fail = (problem: string): never => {
    throw new FileFormatError(fileName, `${where}: ${problem}`);
  };
  const dataset = g.dataset('data');
  if (dataset === null) return fail('no data dataset');
  const shape = dataset.shape;
  if (shape.length === 0) fail('the data are a single number, not a spectrum or image');
  const dtype = dtypeOf(dataset, fileName, `${where} data`);
  const mdGroup = metadataGroup(g);
  const metadata = mdGroup === null ? {} : decodeTree(mdGroup);
  const recordBy =
    text(child(metadata, 'Signal', 'record_by')) ?? text(child(metadata, 'record_by'));
  const binnedMeta = child(metadata, 'Signal', 'binned') ?? child(metadata, 'binned');

  const axes: AxisSpec[] = [];
  const navigateGiven: (boolean | undefined)[] = [];
  for (let i = 0; i < shape.length; i++) {
    const ag = g.group(`axis-${i}`);
    if (ag === null) return fail(`no axis-${i} group for data of shape [${shape.join(', ')}]`);
    const a = ag.attrs();
    const name = text(a.get('name')) ?? '';
    const label = `axis-${i}${name ? ` ('${name}')` : ''}`;
    const type = text(a.get('_type'));
    if (type !== null && type !== 'UniformDataAxis' && type !== 'DataAxis') {
      fail(
        `${label} is a ${type}; only uniform axes (offset + i * scale) and DataAxis (explicit values) are supported`,
      );
    }
    const values = type === 'DataAxis' ? dataAxisValues(ag, label, fail) : undefined;
    const size = values ? values.length : Number(a.get('size') ?? shape[i]);
    if (size !== shape[i]) fail(`${label} has size ${size} but the data have ${shape[i]} along it`);
    const navigate = a.get('navigate');
    const binned = a.get('is_binned');
    navigateGiven.push(typeof navigate === 'boolean' ? navigate : undefined);
    axes.push({
      name,
      size,
      offset: values ? (values[0] ?? 0) : Number(a.get('offset') ?? 0),
      scale: values ? 1 : Number(a.get('scale') ?? 1),
      units: text(a.get('units')) ?? '',
      navigate: typeof navigate === 'boolean' ? navigate : true,
      isBinned: typeof binned === 'boolean' ? binned : undefined,
      ...(values ? { values } : {}),
    });
  }
  // Files without `navigate` (format 1.x): the record_by says how many trailing axes are the signal.
  if (navigateGiven.some((n) => n === undefined)) {
    const signalAxes = recordBy === 'image' ? 2 : 1;
    axes.forEach((a, i) => (a.navigate = i < axes.length - signalAxes));
  }
  const signalAxes = axes.filter((a) => !a.navigate).length;
  const firstSignal = axes.findIndex((a) => !a.navigate);
  if (signalAxes === 0) fail('no signal axis (every axis navigates)');
  if (signalAxes > 2) fail(`${signalAxes} signal axes; spectra (1) and images (2) are supported`);
  if (axes.slice(firstSignal).some((a) => a.navigate)) {
    fail('a navigation axis follows a signal axis; HyperSpy files keep navigation axes first');
  }
  for (const a of axes) {
    a.isBinned = a.navigate ? false : (a.isBinned ?? binnedMeta === true);
  }
  if (signalAxes === 2) {
    // Our Signal has one signal axis: an image's first axis navigates, and the file says so.
    axes.forEach((a, i) => (a.navigate = i < axes.length - 1));
    metadata['signalDimension'] = 2;
  }

  const data = await numericData(dataset, dtype, shared, work, `reading ${where}`);
  const variance = await readVariance(mdGroup, data, shape, fileName, where, shared, work);
  return signalFromFile(fileName, {
    data,
    dtype,
    axes,
    title: text(child(metadata, 'General', 'title')) ?? text(child(metadata, 'title')) ?? groupName,
    signalType:
      text(child(metadata, 'Signal', 'signal_type')) ?? text(child(metadata, 'signal_type')) ?? '',
    variance,
    metadata,
  });
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The noise variance: a whole variance signal (`_sig_variance`, or a plain
 * `variance` dataset or number in older files) or, failing that, the linear
 * model `Variance_linear_model` as a Poisson estimate. A variance signal
 * written by writeHspy from a Poisson estimate (marked `samfire_floor`) is
 * read back as that estimate when it still matches it exactly.
 */
function noiseGroup(md: H5GroupView | null): H5GroupView | null {
  return md?.group('Signal')?.group('Noise_properties') ?? md?.group('Noise_properties') ?? null;
}

/** The variance signal's data (`_sig_variance`, or a plain `variance` dataset in older files). */
function varianceDataset(md: H5GroupView | null): H5DatasetView | null {
  const noise = noiseGroup(md);
  return noise?.group('_sig_variance')?.dataset('data') ?? noise?.dataset('variance') ?? null;
}

async function readVariance(
  md: H5GroupView | null,
  data: NumericArray,
  shape: number[],
  fileName: string,
  where: string,
  shared: boolean,
  work: ReadWork,
): Promise<Variance> {
  const noise = noiseGroup(md);
  if (noise === null) return { kind: 'none' };
  const attrs = noise.attrs();
  const linear = noise.group('Variance_linear_model')?.attrs() ?? null;
  let poisson: Variance | null = null;
  if (linear !== null) {
    const gain = Number(linear.get('gain_factor') ?? 1);
    const offset = Number(linear.get('gain_offset') ?? 0);
    const marked = linear.get('samfire_floor');
    const floor = typeof marked === 'number' && marked > 0 ? marked : gain > 0 ? gain : 1;
    if (Number.isFinite(gain) && Number.isFinite(offset))
      poisson = { kind: 'poisson', gain, offset, floor };
  }
  const ds = varianceDataset(md);
  if (ds !== null) {
    const vshape = ds.shape;
    const channels = shape[shape.length - 1]!;
    if (!sameShape(vshape, shape) && !(vshape.length === 1 && vshape[0] === channels)) {
      throw new FileFormatError(
        fileName,
        `${where}: the variance has shape [${vshape.join(', ')}], the data [${shape.join(', ')}]`,
      );
    }
    const values = await numericData(
      ds,
      dtypeOf(ds, fileName, `${where} variance`),
      shared,
      work,
      `reading ${where}'s variance`,
    );
    if (poisson !== null && linear?.has('samfire_floor') && matchesPoisson(values, data, poisson))
      return poisson;
    return { kind: 'array', data: values };
  }
  const constant = attrs.get('variance');
  if (typeof constant === 'number' && constant > 0) return { kind: 'constant', value: constant };
  return poisson ?? { kind: 'none' };
}

function matchesPoisson(values: NumericArray, data: NumericArray, v: Variance): boolean {
  if (v.kind !== 'poisson' || values.length !== data.length) return false;
  for (let i = 0; i < values.length; i++) {
    const e = v.gain * Number(data[i]) + v.offset;
    if (Number(values[i]) !== (e > v.floor ? e : v.floor)) return false;
  }
  return true;
}
