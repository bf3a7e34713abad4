/**
 * Reading Thermo Fisher Velox .emd files (HDF5, through h5wasm): the EDS
 * spectrum image decoded from the spectrum stream, the spectra and the
 * images (HAADF, camera images, DPC), with their calibration and the
 * metadata a fit needs under HyperSpy's names (the JSON is read by
 * ../velox/metadata.ts, the stream decoded by ../velox/stream.ts).
 *
 * Layout: a root `Version` dataset holds JSON (`"format": "Velox"`);
 * `Data/Spectrum/<uuid>/Data` are spectra (channels x 1),
 * `Data/Image/<uuid>/Data` images (height x width x frames),
 * `Data/SpectrumStream/<uuid>/Data` the X-ray events of a map, one stream
 * per detector segment when they were recorded apart, with
 * `AcquisitionSettings` (JSON: `bincount`, the raster) and, in some files,
 * `FrameLocationTable` (where each frame starts in the stream);
 * `Data/SpectrumImage/<uuid>` Velox's own compressed copy of the map (not
 * read; its `SpectrumImageSettings.endFramePosition` gives the frame count).
 * Each dataset has a `Metadata` array beside it (see ../velox/metadata.ts);
 * `Operations/*` describe how the images were made (titles come from there).
 *
 * What comes out follows HyperSpy 1.7.3 `hs.load(path)`, so results compare
 * directly: spectra first, then images, then the spectrum image(s), each
 * group in name order; images as float64 (the first frame only in a file with
 * a map, unless `loadSiImageStack`); the map as uint16 counts summed over the
 * frames and detector segments. Where HyperSpy's values are not the file's
 * (its EDS angles are its preference defaults, it gives no live time, some
 * of its axis offsets are in another prefix than their units (Ceta images),
 * and with `sumFrames: false` it keeps only the first segment of a summed
 * map), ours are the file's.
 *
 * Large maps stream: each frame of each stream is read through a window of
 * at most a few MB (64 MB for all of them) and decoded straight into the
 * cube (over shared memory on request), a block of pixels at a time (see
 * ../velox/stream.ts), with progress and cancellation between blocks; h5wasm
 * reads into one reused buffer of its heap, which so stays small. The JSON
 * strings are read first in a thread that can be stopped (./velox-strings.ts). Berkeley (NCEM) EMD files share the extension and are refused
 * with a message saying so; so are Velox files whose spectrum stream was
 * removed ("pruned"), as the map cannot be rebuilt without it.
 */
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Dataset, Entity, Group } from 'h5wasm/node';
import type * as H5WasmNamespace from 'h5wasm/node';
import type { AxisSpec } from '../../model/axis.js';
import { DTYPE_SIZE, type DType, type NumericArray } from '../../model/dtype.js';
import type { Signal } from '../../model/signal.js';
import { FileFormatError, signalFromFile } from '../errors.js';
import { allocateCube, formatBytes, throwIfAborted, type ReadOptions } from '../source.js';
import {
  detectorsOf,
  detectorTimes,
  edsDetector,
  energyCalibration,
  frameAxis,
  frameTime,
  general,
  number,
  operationTitles,
  parseJson,
  parseMetadataColumn,
  quantifiedElements,
  scannedArea,
  spatialAxes,
  temInstrument,
  text,
  type Json,
  type Operation,
  type XrayDetector,
} from '../velox/metadata.js';
import {
  END_OF_PIXEL,
  FrameLocator,
  MapDecoder,
  cubeLength,
  type CountArray,
  type FrameRun,
  type StreamLayout,
  type StreamSource,
} from '../velox/stream.js';
import { checkHdf5, describe, h5wasm } from './hspy-h5read.js';
import { hdf5Problem, readVeloxStrings, type VeloxStrings } from './velox-strings.js';

type H5WasmModule = typeof H5WasmNamespace;

/** Options of HyperSpy's Velox reader, in camelCase, beside every reader's. */
export interface VeloxReadOptions extends ReadOptions {
  /** Sum the frames of the map (true), or keep them on a first navigation axis 'Time'. @default true */
  sumFrames?: boolean;
  /** First frame of the map to read (0-based). @default 0 */
  firstFrame?: number;
  /** Frame after the last one read. @default the number of frames */
  lastFrame?: number;
  /** Sum the streams of the detector segments into one map (true), or one map each. @default true */
  sumEdsDetectors?: boolean;
  /** Sum this many neighbouring channels of the map (a divisor of its channel count). @default 1 */
  rebinEnergy?: number;
  /** dtype of the map's counts (wraps on overflow, as numpy does). @default 'uint16' */
  siDtype?: DType;
  /** Read every frame of the images of a file with a map, not only the first. @default false */
  loadSiImageStack?: boolean;
}

/** The dtypes a map can be counted in. */
const COUNT_DTYPES: readonly DType[] = [
  'uint8',
  'int8',
  'uint16',
  'int16',
  'uint32',
  'int32',
  'float32',
  'float64',
];

/** Entries of the stream read at once: a multiple of Velox's 8192-entry chunks (4 MiB). */
const STREAM_BLOCK = 8192 * 256;
/** A map this small is allowed even when its stream does not reach the end of the first frame. */
const SMALL_CUBE_BYTES = 64 * 1024 * 1024;
/** Most a filtered (deflated) dataset can expand compared with the file holding it. */
const MAX_COMPRESSION = 1100;
/** Yield to the event loop (so a cancel can arrive) at least this often, in ms. */
const YIELD_MS = 20;
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_COMPOUND = 6;

/** Reads the Velox .emd file at `path`: every spectrum, image and spectrum image it holds. */
export async function readVelox(path: string, options: VeloxReadOptions = {}): Promise<Signal[]> {
  const name = basename(path);
  checkOptions(options, name);
  throwIfAborted(options.signal);
  await checkHdf5(path, name).catch((err: unknown) => {
    if (err instanceof FileFormatError) throw err;
    throw new FileFormatError(name, `cannot open: ${describe(err)}`, { cause: err });
  });
  const { size } = await stat(path);
  // The JSON strings in a thread that can be stopped (see ./velox-strings.ts), while this
  // thread opens the file; awaited (and its errors reported) below.
  const pending = readVeloxStrings(resolve(path), name, { signal: options.signal });
  pending.catch(() => undefined);
  const m = await h5wasm();
  let file: InstanceType<H5WasmModule['File']> | undefined;
  let reader: VeloxFile | undefined;
  try {
    file = new m.File(resolve(path), 'r');
    const strings = await pending;
    reader = new VeloxFile(m, file, name, size, strings);
    return await readOpenFile(reader, options);
  } catch (err) {
    if (err instanceof FileFormatError || err instanceof RangeError) throw err;
    if (err instanceof Error && err.name === 'AbortError') throw err;
    throw new FileFormatError(name, `cannot read HDF5: ${hdf5Problem(err)}`, { cause: err });
  } finally {
    reader?.release();
    try {
      file?.close();
    } catch {
      // a failed close of a read-only file loses nothing
    }
  }
}

function checkOptions(o: VeloxReadOptions, name: string): void {
  const frame = (key: 'firstFrame' | 'lastFrame', min: number): void => {
    const v = o[key];
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= min)) {
      throw new RangeError(`${name}: ${key} must be an integer of at least ${min}, got ${v}`);
    }
  };
  frame('firstFrame', 0);
  frame('lastFrame', 1);
  if (o.rebinEnergy !== undefined && !(Number.isSafeInteger(o.rebinEnergy) && o.rebinEnergy >= 1)) {
    throw new RangeError(`${name}: rebinEnergy must be a positive integer, got ${o.rebinEnergy}`);
  }
  if (o.siDtype !== undefined && !COUNT_DTYPES.includes(o.siDtype)) {
    throw new RangeError(
      `${name}: siDtype '${String(o.siDtype)}' cannot hold the map; use one of ${COUNT_DTYPES.join(', ')}`,
    );
  }
}

/** Access to the open file: groups, JSON, and block reads into one reused buffer of h5wasm's heap. */
class VeloxFile {
  readonly m: H5WasmModule;
  readonly root: Group;
  readonly name: string;
  readonly size: number;
  readonly strings: VeloxStrings;
  #ptr = 0;
  #capacity = 0;

  constructor(m: H5WasmModule, root: Group, name: string, size: number, strings: VeloxStrings) {
    this.m = m;
    this.root = root;
    this.name = name;
    this.size = size;
    this.strings = strings;
  }

  fail(problem: string): never {
    throw new FileFormatError(this.name, problem);
  }

  #entity(path: string): Entity | null {
    let node: Entity | null = this.root;
    for (const part of path.split('/').filter((p) => p !== '')) {
      if (!(node instanceof this.m.Group) || !node.keys().includes(part)) return null;
      node = node.get(part);
    }
    return node;
  }

  group(path: string): Group | null {
    const e = this.#entity(path);
    return e instanceof this.m.Group ? e : null;
  }

  dataset(path: string): Dataset | null {
    const e = this.#entity(path);
    return e instanceof this.m.Dataset ? e : null;
  }

  /** Names in a group, sorted as HDF5 orders them (by bytes); none if it is absent. */
  keys(path: string): string[] {
    const g = this.group(path);
    return g === null ? [] : [...g.keys()].sort(byBytes);
  }

  /**
   * The JSON of a string dataset at `path` (e.g. 'Version'), from the
   * strings the worker read (see ./velox-strings.ts).
   */
  json(path: string, what: string): Json {
    const text = this.strings.strings.get(path);
    if (text === undefined) {
      const problem = this.strings.problems.get(path);
      this.fail(problem === undefined ? `no ${what} (${path})` : `${what} ${problem}`);
    }
    return parseJson(text, this.name, what);
  }

  /** Whether the file has the string dataset at `path` (readable or not). */
  hasString(path: string): boolean {
    return this.strings.strings.has(path) || this.strings.problems.has(path);
  }

  /** Most bytes a dataset can hold in a file of this size (compressed datasets expand). */
  storageLimit(ds: Dataset): number {
    const filters = this.m.Module.get_dataset_filters(ds.file_id, ds.path);
    return this.size * (filters.length > 0 ? MAX_COMPRESSION : 1);
  }

  /** Checks that `ds` is an integer or float dataset the file can hold, and gives its dtype. */
  numericType(ds: Dataset, what: string): DType {
    const meta = ds.metadata;
    const bytes = meta.size * meta.total_size;
    if (!Number.isSafeInteger(bytes) || bytes > this.storageLimit(ds)) {
      this.fail(
        `${what} claims ${formatBytes(bytes)} of data, more than the ${formatBytes(this.size)} file can hold`,
      );
    }
    if (meta.type === H5T_FLOAT && (meta.size === 4 || meta.size === 8)) {
      return meta.size === 4 ? 'float32' : 'float64';
    }
    if (meta.type === H5T_INTEGER && [1, 2, 4, 8].includes(meta.size)) {
      return `${meta.signed ? 'int' : 'uint'}${meta.size * 8}` as DType;
    }
    return this.fail(
      `${what} holds HDF5 type class ${meta.type} of ${meta.size} bytes, not numbers`,
    );
  }

  /**
   * The elements of `ds` in the box at `offset` of extent `count`, as bytes
   * in h5wasm's heap (little-endian): valid until the next read.
   */
  read(ds: Dataset, offset: readonly number[], count: readonly number[]): Uint8Array {
    const elements = count.reduce((a, b) => a * b, 1);
    const bytes = elements * ds.metadata.size;
    const { Module } = this.m;
    if (bytes > this.#capacity) {
      if (this.#ptr !== 0) Module._free(this.#ptr);
      this.#ptr = 0;
      this.#capacity = 0;
      const ptr = Module._malloc(Math.max(8, bytes));
      if (ptr === 0) this.fail(`cannot allocate ${formatBytes(bytes)} to read ${ds.path}`);
      this.#ptr = ptr;
      this.#capacity = bytes;
    }
    Module.get_dataset_data(
      ds.file_id,
      ds.path,
      count.map(BigInt),
      offset.map(BigInt),
      count.map(() => 1n),
      BigInt(this.#ptr),
    );
    // The heap may have grown during the read: take its current buffer.
    return new Uint8Array(Module.HEAPU8.buffer, this.#ptr, bytes);
  }

  /** Column `column` of a `Metadata` array (rows x frames uint8) as JSON. */
  metadataColumn(ds: Dataset, column: number, what: string): Json {
    const shape = ds.shape ?? [];
    const meta = ds.metadata;
    if (meta.type !== H5T_INTEGER || meta.size !== 1 || shape.length < 1 || shape.length > 2) {
      this.fail(`${what} is not a uint8 array of JSON text`);
    }
    const rows = shape[0]!;
    this.numericType(ds, what);
    const bytes =
      shape.length === 1 ? this.read(ds, [0], [rows]) : this.read(ds, [0, column], [rows, 1]);
    return parseMetadataColumn(bytes, this.name, what);
  }

  /** Frames (columns) of a `Metadata` array. */
  metadataColumns(ds: Dataset): number {
    const shape = ds.shape ?? [];
    return shape.length === 2 ? shape[1]! : 1;
  }

  release(): void {
    if (this.#ptr !== 0) this.m.Module._free(this.#ptr);
    this.#ptr = 0;
    this.#capacity = 0;
  }
}

function byBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Progress and cancellation, shared by every part of one read. */
class Work {
  readonly #options: ReadOptions;
  readonly total: number;
  #done = 0;
  #reported = 0;
  #lastYield = performance.now();

  constructor(options: ReadOptions, total: number) {
    this.#options = options;
    this.total = Math.max(1, total);
  }

  /** Lets a cancel arrive (yielding to the event loop now and then) and honours it. */
  async checkpoint(): Promise<void> {
    if (performance.now() - this.#lastYield >= YIELD_MS) {
      await new Promise<void>((r) => setImmediate(r));
      this.#lastYield = performance.now();
    }
    throwIfAborted(this.#options.signal);
  }

  advance(bytes: number, stage: string): void {
    this.#done = Math.min(this.total, this.#done + bytes);
    const report = this.#options.onProgress;
    if (report === undefined) return;
    if (this.#done - this.#reported >= this.total / 100 || this.#done === this.total) {
      this.#reported = this.#done;
      report({ done: this.#done, total: this.total, stage });
    }
  }
}

/** One stream of a map, with what the file says about it. */
interface Stream {
  key: string;
  what: string;
  ds: Dataset;
  /** Entries in the stream. */
  length: number;
  md: Json;
  acquisition: Json;
  bincount: number;
  width: number;
  height: number;
  detectors: XrayDetector[];
  /** Where each frame starts, if the file says and it is consistent; else null. */
  frameStarts: number[] | null;
  /** Detector times of the last metadata column (Velox updates it as the map is acquired). */
  lastTimes: { liveTime?: number; realTime?: number };
}

async function readOpenFile(f: VeloxFile, options: VeloxReadOptions): Promise<Signal[]> {
  identify(f);
  const operations = readOperations(f);
  const titles = operationTitles(operations);
  const quantification = operations.filter((o) => o.type === 'ImageQuantificationOperation');
  const elements =
    quantification.length > 0 ? quantifiedElements(quantification.map((o) => o.json)) : null;

  const spectrumKeys = f
    .keys('Data/Spectrum')
    .filter((k) => f.dataset(`Data/Spectrum/${k}/Data`) !== null);
  const imageKeys = f.keys('Data/Image').filter((k) => f.dataset(`Data/Image/${k}/Data`) !== null);
  const siKeys = f.keys('Data/SpectrumImage');
  const streams = f
    .keys('Data/SpectrumStream')
    .filter((k) => f.dataset(`Data/SpectrumStream/${k}/Data`) !== null)
    .map((k) => readStreamInfo(f, k))
    .filter((s): s is Stream => s !== null);
  if (siKeys.length > 0 && streams.length === 0) {
    f.fail(
      'the spectrum image was saved without its spectrum stream (a "pruned" Velox file): the map cannot be read from it; export it from Velox with the spectrum stream kept',
    );
  }
  const hasMap = streams.length > 0 || siKeys.length > 0;
  const stack = !hasMap || (options.loadSiImageStack ?? false);

  // Plan the map first: its frames, and the bytes to read for the progress.
  const map = streams.length > 0 ? planMap(f, streams, siKeys, options) : null;
  const imagePlans = imageKeys.map((k) => planImage(f, k, stack));
  let total = 0;
  for (const k of spectrumKeys) total += datasetBytes(f.dataset(`Data/Spectrum/${k}/Data`)!);
  for (const p of imagePlans) if (p !== null) total += p.frameBytes * p.frames;
  if (map !== null) total += map.bytesToRead;
  const work = new Work(options, total);

  const signals: Signal[] = [];
  for (const k of spectrumKeys) {
    await work.checkpoint();
    signals.push(readSpectrum(f, k, elements, options, work));
  }
  let skipped = 0;
  for (const plan of imagePlans) {
    if (plan === null) {
      skipped++;
      continue;
    }
    signals.push(await readImage(f, plan, titles, options, work));
  }
  if (map !== null) signals.push(...(await readMaps(f, map, elements, options, work)));
  if (signals.length === 0) {
    f.fail(
      skipped > 0
        ? `it holds only complex-valued images (${skipped}, e.g. an FFT or DPC), which are not supported`
        : 'it holds no spectrum, image or spectrum image',
    );
  }
  return signals;
}

/** Checks that the file is a Velox one, with a clear message for the other kinds of .emd. */
function identify(f: VeloxFile): void {
  const rootKeys = f.keys('/');
  if (!rootKeys.includes('Version')) {
    const attrs = Object.keys(f.root.attrs);
    if (attrs.includes('version_major') || rootKeys.includes('4DSTEM_simulation')) {
      f.fail(
        'a Berkeley (NCEM) EMD file, not a Thermo Fisher Velox one: only Velox .emd files are read (HyperSpy or py4DSTEM can convert it)',
      );
    }
    f.fail('an HDF5 file, but not a Velox .emd file (it has no Version dataset)');
  }
  const version = f.json('Version', 'the Version dataset');
  const format = text(version, 'format');
  if (format !== undefined && format !== 'Velox') {
    f.fail(`an EMD file of format '${format}', not Velox`);
  }
  if (f.group('Data') === null) f.fail('a Velox file without a Data group: it holds no data');
}

/** Every `Operations/<type>/<uuid>` JSON; one that cannot be read only loses its titles. */
function readOperations(f: VeloxFile): Operation[] {
  const out: Operation[] = [];
  for (const key of [...f.strings.strings.keys()].sort(byBytes)) {
    const parts = key.split('/');
    if (parts.length !== 3 || parts[0] !== 'Operations') continue;
    try {
      out.push({
        type: parts[1]!,
        path: `/${key}`,
        json: f.json(key, `operation ${parts[1]}/${parts[2]}`),
      });
    } catch (err) {
      if (!(err instanceof FileFormatError)) throw err;
    }
  }
  return out;
}

function datasetBytes(ds: Dataset): number {
  const meta = ds.metadata;
  return meta.size * meta.total_size;
}

function metadataOf(f: VeloxFile, group: string, column: number, what: string): Json {
  const ds = f.dataset(`${group}/Metadata`);
  if (ds === null) f.fail(`${what} has no Metadata`);
  return f.metadataColumn(ds, column, `the metadata of ${what}`);
}

function edsTree(
  f: VeloxFile,
  md: Json,
  title: string,
  eds: Json,
  elements: string[] | null,
  original: Json,
): Record<string, unknown> {
  const tem = temInstrument(md);
  tem['Detector'] = { EDS: eds };
  const metadata: Record<string, unknown> = {
    General: general(md, title, f.name),
    Acquisition_instrument: { TEM: tem },
    original_metadata: original,
  };
  if (elements !== null) metadata['Sample'] = { elements };
  return metadata;
}

function readSpectrum(
  f: VeloxFile,
  key: string,
  elements: string[] | null,
  options: VeloxReadOptions,
  work: Work,
): Signal {
  const group = `Data/Spectrum/${key}`;
  const what = `spectrum ${key}`;
  const ds = f.dataset(`${group}/Data`)!;
  const dtype = f.numericType(ds, what);
  const shape = ds.shape ?? [];
  if (shape.length < 1 || shape.length > 2 || (shape.length === 2 && shape[1] !== 1)) {
    f.fail(`${what} has shape [${shape.join(', ')}], not channels x 1`);
  }
  const channels = shape[0]!;
  if (channels < 1) f.fail(`${what} has no channel`);
  const md = metadataOf(f, group, 0, what);
  const detectors = detectorsOf(md);
  const energy = energyCalibration(detectors, f.name, what);
  const data = allocateCube(f.name, dtype, channels, {
    sharedMemory: options.sharedMemory,
    what,
  }) as NumericArray;
  const bytes = f.read(
    ds,
    shape.map(() => 0),
    shape.length === 2 ? [channels, 1] : [channels],
  );
  copyElements(bytes, dtype, data, 0);
  work.advance(bytes.length, 'reading spectra');
  const eds = edsDetector(detectors, detectorTimes(detectors));
  return signalFromFile(f.name, {
    data,
    dtype,
    axes: [
      {
        name: 'Energy',
        size: channels,
        scale: energy.scale,
        offset: energy.offset,
        units: 'keV',
        navigate: false,
        isBinned: true,
      },
    ],
    title: 'EDS',
    signalType: 'EDS_TEM',
    metadata: edsTree(f, md, 'EDS', eds, elements, md),
  });
}

/** The bytes of `source` (little-endian elements of `dtype`) into `out` from element `at`. */
function copyElements(source: Uint8Array, dtype: DType, out: NumericArray, at: number): void {
  const n = source.length / DTYPE_SIZE[dtype];
  const view = typedView(source, dtype, n);
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
    if (view instanceof BigInt64Array || view instanceof BigUint64Array) {
      for (let i = 0; i < n; i++) out[at + i] = view[i]!;
    } else {
      for (let i = 0; i < n; i++) out[at + i] = BigInt(view[i]!);
    }
    return;
  }
  if (view instanceof BigInt64Array || view instanceof BigUint64Array) {
    for (let i = 0; i < n; i++) out[at + i] = Number(view[i]!);
    return;
  }
  out.set(view, at);
}

function typedView(bytes: Uint8Array, dtype: DType, n: number): NumericArray {
  const { buffer, byteOffset } = bytes;
  switch (dtype) {
    case 'bool':
    case 'uint8':
      return new Uint8Array(buffer, byteOffset, n);
    case 'int8':
      return new Int8Array(buffer, byteOffset, n);
    case 'int16':
      return new Int16Array(buffer, byteOffset, n);
    case 'uint16':
      return new Uint16Array(buffer, byteOffset, n);
    case 'int32':
      return new Int32Array(buffer, byteOffset, n);
    case 'uint32':
      return new Uint32Array(buffer, byteOffset, n);
    case 'int64':
      return new BigInt64Array(buffer, byteOffset, n);
    case 'uint64':
      return new BigUint64Array(buffer, byteOffset, n);
    case 'float32':
      return new Float32Array(buffer, byteOffset, n);
    case 'float64':
      return new Float64Array(buffer, byteOffset, n);
  }
}

interface ImagePlan {
  key: string;
  ds: Dataset;
  dtype: DType;
  height: number;
  width: number;
  /** Frames read (1, or all of a stack). */
  frames: number;
  frameBytes: number;
}

/** What to read of image `key`; null for a complex-valued image (not supported, left out). */
function planImage(f: VeloxFile, key: string, stack: boolean): ImagePlan | null {
  const ds = f.dataset(`Data/Image/${key}/Data`)!;
  const what = `image ${key}`;
  if (ds.metadata.type === H5T_COMPOUND) return null;
  const dtype = f.numericType(ds, what);
  const shape = ds.shape ?? [];
  if (shape.length < 2 || shape.length > 3) {
    f.fail(`${what} has shape [${shape.join(', ')}], not height x width x frames`);
  }
  const [height, width] = shape as [number, number];
  const inFile = shape.length === 3 ? shape[2]! : 1;
  if (height < 1 || width < 1 || inFile < 1) f.fail(`${what} has shape [${shape.join(', ')}]`);
  return {
    key,
    ds,
    dtype,
    height,
    width,
    frames: stack ? inFile : 1,
    frameBytes: height * width * DTYPE_SIZE[dtype],
  };
}

async function readImage(
  f: VeloxFile,
  plan: ImagePlan,
  titles: ReadonlyMap<string, string>,
  options: VeloxReadOptions,
  work: Work,
): Promise<Signal> {
  const { key, ds, dtype, height, width, frames } = plan;
  const group = `Data/Image/${key}`;
  const what = `image ${key}`;
  const md = metadataOf(f, group, 0, what);
  const pixels = height * width;
  const data = allocateCube(f.name, 'float64', pixels * frames, {
    sharedMemory: options.sharedMemory,
    what,
  }) as Float64Array;
  const rank = (ds.shape ?? []).length;
  for (let frame = 0; frame < frames; frame++) {
    await work.checkpoint();
    const bytes =
      rank === 3
        ? f.read(ds, [0, 0, frame], [height, width, 1])
        : f.read(ds, [0, 0], [height, width]);
    copyElements(bytes, dtype, data, frame * pixels);
    work.advance(bytes.length, 'reading images');
  }
  const title = titles.get(`/${group}`) ?? text(md, 'BinaryResult', 'Detector') ?? 'Image';
  const [y, x] = spatialAxes(md, height, width, f.name, what);
  x.navigate = false;
  const axes: AxisSpec[] = frames > 1 ? [frameAxis(frames, frameTime(md)), y, x] : [y, x];
  const tem = temInstrument(md);
  const metadata: Record<string, unknown> = {
    General: general(md, title, f.name),
    original_metadata: md,
    signalDimension: 2,
  };
  if (Object.keys(tem).length > 0) metadata['Acquisition_instrument'] = { TEM: tem };
  return signalFromFile(f.name, { data, dtype: 'float64', axes, title, signalType: '', metadata });
}

/** What the stream `key` is, or null for a stream of a single-point spectrum (not a map). */
function readStreamInfo(f: VeloxFile, key: string): Stream | null {
  const group = `Data/SpectrumStream/${key}`;
  const what = `spectrum stream ${key}`;
  const ds = f.dataset(`${group}/Data`)!;
  const acquisition = f.json(`${group}/AcquisitionSettings`, `the acquisition settings of ${what}`);
  const hasRaster = acquisition['RasterScanDefinition'] !== undefined;
  if (!hasRaster && f.keys('Data/SpectrumImage').length === 0) return null;
  const encoding = text(acquisition, 'StreamEncoding') ?? text(acquisition, 'encoding') ?? 'uint16';
  const meta = ds.metadata;
  const shape = ds.shape ?? [];
  if (
    encoding !== 'uint16' ||
    meta.type !== H5T_INTEGER ||
    meta.size !== 2 ||
    meta.signed ||
    shape.length < 1 ||
    shape.length > 2 ||
    (shape.length === 2 && shape[1] !== 1)
  ) {
    f.fail(
      `${what} is encoded as ${encoding} in a [${shape.join(', ')}] dataset of ${meta.size}-byte ${meta.signed ? 'signed ' : ''}values; only uint16 streams are read`,
    );
  }
  f.numericType(ds, what);
  const length = shape[0]!;
  const bincount = number(acquisition, 'bincount');
  if (
    bincount === undefined ||
    !Number.isSafeInteger(bincount) ||
    bincount < 1 ||
    bincount >= END_OF_PIXEL
  ) {
    f.fail(`${what}: the acquisition settings give ${String(bincount)} channels (bincount)`);
  }
  const mdDs = f.dataset(`${group}/Metadata`);
  if (mdDs === null) f.fail(`${what} has no Metadata`);
  const md = f.metadataColumn(mdDs, 0, `the metadata of ${what}`);
  const columns = f.metadataColumns(mdDs);
  const mdLast = columns > 1 ? f.metadataColumn(mdDs, columns - 1, `the metadata of ${what}`) : md;
  const { width, height } = scannedArea(md, f.name, what);
  const detectors = detectorsOf(md);
  return {
    key,
    what,
    ds,
    length,
    md,
    acquisition,
    bincount,
    width,
    height,
    detectors,
    frameStarts: frameStarts(f, `${group}/FrameLocationTable`, ds, length),
    lastTimes: detectorTimes(detectorsOf(mdLast)),
  };
}

/**
 * The frame location table, if it is plausible: starts at 0, never
 * decreases, stays inside the stream, and each later start follows the end
 * of a pixel. Else null (the frames are then found by counting).
 */
function frameStarts(f: VeloxFile, path: string, ds: Dataset, length: number): number[] | null {
  const table = f.dataset(path);
  if (table === null) return null;
  const meta = table.metadata;
  const n = meta.total_size;
  if (meta.type !== H5T_INTEGER || n < 1 || n > length + 1 || n * meta.size > f.size) return null;
  const dtype = `${meta.signed ? 'int' : 'uint'}${meta.size * 8}` as DType;
  if (!(dtype in DTYPE_SIZE)) return null;
  const shape = table.shape ?? [];
  const values = Array.from(
    typedView(
      f.read(
        table,
        shape.map(() => 0),
        shape,
      ),
      dtype,
      n,
    ),
    Number,
  );
  if (values[0] !== 0) return null;
  for (let i = 1; i < n; i++) {
    if (!(values[i]! >= values[i - 1]! && values[i]! <= length)) return null;
  }
  const rank = (ds.shape ?? []).length;
  for (const at of values) {
    if (at === 0 || at === length) continue;
    const before = rank === 2 ? f.read(ds, [at - 1, 0], [1, 1]) : f.read(ds, [at - 1], [1]);
    if ((before[0]! | (before[1]! << 8)) !== END_OF_PIXEL) return null;
  }
  return values.at(-1) === length && values.length > 1 ? values.slice(0, -1) : values;
}

interface MapPlan {
  streams: Stream[];
  /** Frames in the file, if the file says (its settings, or its frame tables); else null. */
  frames: number | null;
  sumFrames: boolean;
  sumDetectors: boolean;
  rebin: number;
  dtype: DType;
  pixels: number;
  /** Which streams need a counting pass to find their frames. */
  locate: boolean[];
  bytesToRead: number;
}

function planMap(f: VeloxFile, streams: Stream[], siKeys: string[], o: VeloxReadOptions): MapPlan {
  const head = streams[0]!;
  for (const s of streams) {
    if (s.width !== head.width || s.height !== head.height || s.bincount !== head.bincount) {
      f.fail(
        `the spectrum streams ${head.key} and ${s.key} differ (${head.width} x ${head.height} x ${head.bincount} and ${s.width} x ${s.height} x ${s.bincount})`,
      );
    }
  }
  const pixels = head.width * head.height;
  const rebin = o.rebinEnergy ?? 1;
  if (head.bincount % rebin !== 0) {
    throw new RangeError(
      `${f.name}: rebinEnergy ${rebin} does not divide the ${head.bincount} channels of the map`,
    );
  }
  let frames = framesFromSettings(f, siKeys);
  if (frames === null) {
    const tables = streams.map((s) => s.frameStarts?.length ?? 0);
    if (tables.every((t) => t > 0 && t === tables[0])) frames = tables[0]!;
  }
  // One frame from the start needs no frame starts; anything else does.
  const single = frames === 1 && (o.firstFrame ?? 0) === 0;
  const locate = streams.map((s) => s.frameStarts === null && !single);
  let bytesToRead = 0;
  streams.forEach((s, i) => (bytesToRead += 2 * s.length * (locate[i] ? 2 : 1)));
  return {
    streams,
    frames,
    sumFrames: o.sumFrames ?? true,
    sumDetectors: o.sumEdsDetectors ?? true,
    rebin,
    dtype: o.siDtype ?? 'uint16',
    pixels,
    locate,
    bytesToRead,
  };
}

/** `endFramePosition` of the spectrum image settings, when the file has them and they agree. */
function framesFromSettings(f: VeloxFile, siKeys: readonly string[]): number | null {
  const values = new Set<number>();
  for (const k of siKeys) {
    const path = `Data/SpectrumImage/${k}/SpectrumImageSettings`;
    if (!f.hasString(path)) continue;
    const v = number(f.json(path, `the settings of spectrum image ${k}`), 'endFramePosition');
    if (v !== undefined) values.add(v);
  }
  if (values.size !== 1) return null;
  const v = [...values][0]!;
  return Number.isSafeInteger(v) && v >= 1 ? v : null;
}

/** A StreamSource over a stream dataset, read through the file's reusable heap buffer. */
function streamSource(f: VeloxFile, s: Stream): StreamSource {
  const rank = (s.ds.shape ?? []).length;
  return {
    length: s.length,
    read(at, n) {
      const bytes = rank === 2 ? f.read(s.ds, [at, 0], [n, 1]) : f.read(s.ds, [at], [n]);
      return new Uint16Array(bytes.buffer, bytes.byteOffset, n);
    },
  };
}

/** Where the frames of `s` start, by a counting pass over it. */
async function locateFrames(
  f: VeloxFile,
  s: Stream,
  pixels: number,
  work: Work,
): Promise<{ starts: number[]; pixelsEnded: number }> {
  const source = streamSource(f, s);
  const locator = new FrameLocator(pixels);
  for (let at = 0; at < s.length; at += STREAM_BLOCK) {
    await work.checkpoint();
    const n = Math.min(STREAM_BLOCK, s.length - at);
    locator.feed(source.read(at, n));
    work.advance(2 * n, 'locating the frames of the spectrum stream');
  }
  return { starts: locator.starts, pixelsEnded: locator.pixelsEnded };
}

async function readMaps(
  f: VeloxFile,
  plan: MapPlan,
  elements: string[] | null,
  options: VeloxReadOptions,
  work: Work,
): Promise<Signal[]> {
  const { streams, pixels } = plan;
  // Where each stream's frames start, and so how many frames the map has.
  const starts: number[][] = [];
  let counted = 0;
  for (const [i, s] of streams.entries()) {
    if (s.frameStarts !== null) {
      starts.push(s.frameStarts);
    } else if (plan.locate[i]) {
      const found = await locateFrames(f, s, pixels, work);
      starts.push(found.starts);
      counted = Math.max(counted, Math.ceil(found.pixelsEnded / pixels));
    } else {
      starts.push([0]);
    }
  }
  const frames = plan.frames ?? Math.max(1, counted);
  const first = options.firstFrame ?? 0;
  const last = options.lastFrame ?? frames;
  if (last > frames) {
    throw new RangeError(
      `${f.name}: lastFrame ${last} is more than the ${frames} frames of the map`,
    );
  }
  if (first >= last) {
    throw new RangeError(`${f.name}: firstFrame ${first} must be less than lastFrame ${last}`);
  }
  const head = streams[0]!;
  const longest = Math.max(...streams.map((s) => s.length));
  if (!plan.sumFrames && (last - 1) * pixels > longest) {
    f.fail(
      `the map is said to have ${frames} frames of ${pixels} pixels, but its longest stream (${longest} entries) ends before frame ${last - 1} begins`,
    );
  }
  const channels = head.bincount / plan.rebin;
  const cubeBytes =
    (plan.sumFrames ? 1 : last - first) * pixels * channels * DTYPE_SIZE[plan.dtype];
  if (pixels > longest + 1 && cubeBytes > SMALL_CUBE_BYTES) {
    f.fail(
      `the spectrum stream (${longest} entries) cannot fill one frame of ${head.width} x ${head.height} pixels: the scan size in the metadata is damaged or the stream cut short`,
    );
  }
  const range = { frames, first, last };
  const groups = plan.sumDetectors ? [streams.map((_, i) => i)] : streams.map((_, i) => [i]);
  const out: Signal[] = [];
  for (const group of groups) {
    out.push(await readMap(f, plan, range, group, starts, elements, options, work));
  }
  return out;
}

/** Most stream entries held in the decoder's windows at once (64 MB). */
const WINDOW_BUDGET = 32 * 1024 * 1024;
/** Cube bytes decoded per step (every frame adds to them while they are in cache). */
const STEP_BYTES = 512 * 1024;

async function readMap(
  f: VeloxFile,
  plan: MapPlan,
  range: { frames: number; first: number; last: number },
  group: readonly number[],
  starts: readonly number[][],
  elements: string[] | null,
  options: VeloxReadOptions,
  work: Work,
): Promise<Signal> {
  const streams = group.map((i) => plan.streams[i]!);
  const head = streams[0]!;
  const { first, last, frames } = range;
  const layout: StreamLayout = {
    pixelsPerFrame: plan.pixels,
    bincount: head.bincount,
    firstFrame: first,
    lastFrame: last,
    sumFrames: plan.sumFrames,
    rebin: plan.rebin,
  };
  const detectors = streams.flatMap((s) => s.detectors);
  const energy = energyCalibration(
    detectors,
    f.name,
    streams.length > 1 ? 'the spectrum streams' : head.what,
  );
  const runs: FrameRun[] = [];
  for (const i of group) {
    const s = plan.streams[i]!;
    const source = streamSource(f, s);
    const at = starts[i]!;
    for (let frame = first; frame < last && frame < at.length; frame++) {
      const bounded = frame + 1 < at.length;
      runs.push({
        source,
        what: s.what,
        frame,
        start: at[frame]!,
        end: bounded ? at[frame + 1]! : s.length,
        bounded,
      });
    }
  }
  const cube = allocateCube(f.name, plan.dtype, cubeLength(layout), {
    sharedMemory: options.sharedMemory,
    what: 'the spectrum image',
  }) as CountArray;
  const window = Math.min(
    STREAM_BLOCK,
    Math.max(256, Math.floor(WINDOW_BUDGET / Math.max(1, runs.length))),
  );
  const decoder = new MapDecoder(layout, cube, f.name, runs, window);
  const block = Math.max(
    1,
    Math.floor(STEP_BYTES / (layout.bincount / plan.rebin) / DTYPE_SIZE[plan.dtype]),
  );
  let reported = 0;
  let more = runs.length > 0;
  while (more) {
    await work.checkpoint();
    more = decoder.step(block);
    work.advance(2 * (decoder.entries - reported), 'decoding the spectrum stream');
    reported = decoder.entries;
  }
  // The entries after the frames read (or after the map) were not decoded: count them done.
  work.advance(
    2 * streams.reduce((n, s) => n + s.length, 0) - 2 * reported,
    'decoding the spectrum stream',
  );
  const framesRead = last - first;
  const nav = spatialAxes(head.md, head.height, head.width, f.name, head.what);
  const axes: AxisSpec[] = [
    ...(plan.sumFrames ? [] : [frameAxis(framesRead, frameTime(head.md))]),
    ...nav,
    {
      name: 'X-ray energy',
      size: head.bincount / plan.rebin,
      scale: energy.scale * plan.rebin,
      offset: energy.offset,
      units: 'keV',
      navigate: false,
      isBinned: true,
    },
  ];
  const times = mapTimes(streams, plan, frames, framesRead);
  const eds = edsDetector(detectors, { ...times, frames: framesRead });
  const original: Json = { ...head.md, AcquisitionSettings: head.acquisition };
  return signalFromFile(f.name, {
    data: cube,
    dtype: plan.dtype,
    axes,
    title: 'EDS',
    signalType: 'EDS_TEM',
    metadata: edsTree(f, head.md, 'EDS', eds, elements, original),
  });
}

/**
 * Live and real time per pixel (HyperSpy's convention for a map: summing
 * the pixels sums them) of the frames read, when the file records the whole
 * acquisition's: Velox rewrites the detector times of the stream's last
 * metadata column as the map is acquired, so they cover the acquisition only
 * if their real time is (about) the frames' scan time; else none is given.
 */
function mapTimes(
  streams: readonly Stream[],
  plan: MapPlan,
  frames: number,
  framesRead: number,
): { liveTime?: number; realTime?: number } {
  const live = streams.map((s) => s.lastTimes.liveTime);
  const real = streams.map((s) => s.lastTimes.realTime);
  const seconds = frameTime(streams[0]!.md);
  if (seconds === undefined) return {};
  if (live.some((v) => v === undefined) || real.some((v) => v === undefined)) return {};
  const meanOf = (v: readonly (number | undefined)[]): number =>
    v.reduce<number>((a, b) => a + b!, 0) / v.length;
  const realTime = meanOf(real);
  if (!(realTime >= 0.9 * frames * seconds && realTime <= 1.1 * frames * seconds)) return {};
  const perPixel = (plan.sumFrames ? framesRead : 1) / frames / plan.pixels;
  return { liveTime: meanOf(live) * perPixel, realTime: realTime * perPixel };
}
