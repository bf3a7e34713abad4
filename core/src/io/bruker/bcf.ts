/**
 * Bruker Esprit .bcf hypermaps: the electron images and the EDS spectrum
 * image(s) of the file, as HyperSpy 1.7.3 returns them (images first, then
 * the hypermaps; the same shapes, dtypes, axes and counts), with HyperSpy's
 * options: `downsample`, `cutoffAtKv`, `selectType` and `index`.
 *
 * The cube is decoded block by block (see hypermap.ts) straight into the
 * array from allocateCube (shared memory when asked), with progress and
 * cancellation between blocks. Peak memory: the cube, one band of
 * accumulators (one output row), a few compressed and inflated blocks, and
 * the inflated stream kept between the two passes when it is small.
 */
import type { AxisSpec } from '../../model/axis.js';
import type { DType, NumericArray } from '../../model/dtype.js';
import type { Signal } from '../../model/signal.js';
import { FileFormatError, signalFromFile } from '../errors.js';
import {
  allocateCube,
  MAX_ELEMENTS,
  throwIfAborted,
  type ByteSource,
  type ReadOptions,
} from '../source.js';
import { decodeTypedArray } from '../binary.js';
import { xmlChildText } from '../xml.js';
import {
  edsDetector,
  imageOriginalMetadata,
  mapRealTime,
  microscopeKind,
  parseBcfHeader,
  spectrumHeader,
  spectrumOriginalMetadata,
  stageMetadata,
  type BcfHeader,
  type BrukerImage,
} from './header.js';
import { HypermapDecoder, STREAM_HEADER, streamLayout, type DecodeSpec } from './hypermap.js';
import { SfsContainer, webInflate, type Inflate, type SfsEntry } from './sfs.js';
import { headerNumber } from './tree.js';

export interface BcfOptions {
  /**
   * Sum the map over `downsample` x `downsample` pixel blocks (HyperSpy's
   * `downsample`): an integer from 1.
   * @default 1
   */
  downsample?: number;
  /**
   * Keep the channels up to this energy in keV (HyperSpy's `cutoff_at_kV`);
   * beyond the recorded range, the cube is padded with empty channels.
   */
  cutoffAtKv?: number | null;
  /** Only the spectrum images, or only the electron images (HyperSpy's `select_type`). */
  selectType?: 'spectrum_image' | 'image' | null;
  /** Which hypermap (one per detector), or 'all' (HyperSpy's `index`). @default the first */
  index?: number | 'all';
  /** zlib inflating (the Node layer passes node:zlib). @default webInflate */
  inflate?: Inflate;
  /**
   * Inflated stream kept in memory between the two passes, in bytes, so that
   * it is inflated once; larger streams are inflated twice.
   * @default 192 MiB
   */
  cacheBytes?: number;
}

/** A cube may always take this much, whatever the file's size... */
const CUBE_FLOOR_BYTES = 512 * 1024 * 1024;
/** ...and beyond it this many bytes per byte of file. */
const CUBE_PER_FILE_BYTE = 4096;

/** HeaderData is XML with the electron images inside; no real header comes near this. */
const MAX_HEADER_BYTES = 512 * 1024 * 1024;

function optionError(fileName: string, problem: string): Error {
  return new RangeError(`${fileName}: ${problem}`);
}

/** Reads a .bcf file's images and spectrum images. */
export async function readBcf(
  source: ByteSource,
  options: BcfOptions & ReadOptions = {},
): Promise<Signal[]> {
  const name = source.name;
  const downsample = options.downsample ?? 1;
  if (!Number.isInteger(downsample) || downsample < 1) {
    throw optionError(name, `downsample must be a whole number from 1, got ${downsample}`);
  }
  const cutoff = options.cutoffAtKv ?? null;
  if (cutoff !== null && !Number.isFinite(cutoff)) {
    throw optionError(name, `cutoff_at_kV must be a number of keV, got ${cutoff}`);
  }
  const select = options.selectType ?? null;
  if (select !== null && select !== 'spectrum_image' && select !== 'image') {
    throw optionError(
      name,
      `select_type must be 'spectrum_image', 'image' or none, got '${String(select)}'`,
    );
  }
  const inflate = options.inflate ?? webInflate;
  throwIfAborted(options.signal);

  const sfs = await SfsContainer.open(source);
  const headerEntry = sfs.find('EDSDatabase/HeaderData');
  if (!headerEntry)
    throw new FileFormatError(name, 'no EDSDatabase/HeaderData: not an Esprit hypermap');
  const header = parseBcfHeader(
    await sfs.readFile(headerEntry, inflate, MAX_HEADER_BYTES, options.signal),
    name,
  );

  // The hypermaps in the file, by index.
  const maps = new Map<number, SfsEntry>();
  for (const e of sfs.entries) {
    const m = /^EDSDatabase\/SpectrumData(\d+)$/.exec(e.path);
    if (m && !e.isDirectory) maps.set(Number(m[1]), e);
  }
  const available = [...maps.keys()].sort((a, b) => a - b);
  if (available.length === 0 && select !== 'image') {
    throw new FileFormatError(name, 'no hypermap in the file (no EDSDatabase/SpectrumData0)');
  }
  // By default the first hypermap, as HyperSpy.
  const index = options.index ?? available[0] ?? 0;
  let chosen: number[];
  if (index === 'all') chosen = available;
  else if (select === 'image') chosen = [];
  else if (!Number.isInteger(index) || !maps.has(index)) {
    throw optionError(
      name,
      `index ${String(index)}: the file holds hypermap${available.length === 1 ? '' : 's'} ${available.join(', ')}`,
    );
  } else chosen = [index];

  const signals: Signal[] = [];
  if (select !== 'spectrum_image') {
    for (const img of header.images) signals.push(imageSignal(img, header, name));
  }
  if (select !== 'image') {
    for (const i of chosen) {
      signals.push(await hypermapSignal(sfs, maps.get(i)!, i, header, options, inflate));
    }
  }
  return signals;
}

function instrument(h: BcfHeader): { kind: 'SEM' | 'TEM'; block: Record<string, unknown> } {
  const block: Record<string, unknown> = {};
  if (h.beamEnergy !== undefined) block['beam_energy'] = h.beamEnergy;
  if (h.magnification !== undefined) block['magnification'] = h.magnification;
  return { kind: microscopeKind(h.beamEnergy), block };
}

function imageSignal(img: BrukerImage, h: BcfHeader, fileName: string): Signal {
  const calibrated = img.xScale !== undefined || img.yScale !== undefined;
  const units = calibrated ? 'µm' : 'pix';
  const axes: AxisSpec[] = [
    { name: 'height', size: img.height, offset: 0, scale: img.yScale ?? 1, units, navigate: true },
    { name: 'width', size: img.width, offset: 0, scale: img.xScale ?? 1, units, navigate: false },
  ];
  const data = decodeTypedArray(img.bytes, 0, img.dtype, img.width * img.height, true);
  const { kind, block } = instrument(h);
  const stage = stageMetadata(h.stage);
  if (Object.keys(stage).length > 0) block['Stage'] = stage;
  const metadata: Record<string, unknown> = {
    General: { original_filename: fileName },
    Acquisition_instrument: { [kind]: block },
    signalDimension: 2,
    original_metadata: imageOriginalMetadata(h),
  };
  if (h.sampleName !== undefined) metadata['Sample'] = { name: h.sampleName };
  return signalFromFile(fileName, { data, axes, title: img.title, signalType: '', metadata });
}

/** The cube's dtype: the smallest unsigned integer type that holds `max` (HyperSpy's choice where it does not overflow). */
function countDType(max: number): DType {
  return max <= 0xff ? 'uint8' : max <= 0xffff ? 'uint16' : 'uint32';
}

async function hypermapSignal(
  sfs: SfsContainer,
  entry: SfsEntry,
  index: number,
  h: BcfHeader,
  options: BcfOptions & ReadOptions,
  inflate: Inflate,
): Promise<Signal> {
  const name = sfs.source.name;
  const what = entry.path;
  const spectrumXml = h.hypermaps.get(index);
  if (!spectrumXml) {
    throw new FileFormatError(
      name,
      `HeaderData does not describe hypermap ${index} (SpectrumData${index})`,
    );
  }
  const spectrum = spectrumHeader(spectrumXml, name, `SpectrumData${index}`);
  const downsample = options.downsample ?? 1;
  let channels = spectrum.channels;
  const cutoff = options.cutoffAtKv ?? null;
  if (cutoff !== null) {
    channels = Math.round((cutoff - spectrum.offset) / spectrum.scale);
    if (channels < 1) {
      throw optionError(
        name,
        `cutoff_at_kV ${cutoff} is below the first channel (${spectrum.offset} keV): no channel is left`,
      );
    }
  }

  // Pass 1: read the whole stream, check it, find the largest count.
  let contents = await sfs.openContents(entry, inflate);
  const first = await contents.next();
  if (first === null || first.length < STREAM_HEADER) {
    throw new FileFormatError(name, `${what}: the stream is shorter than its header`);
  }
  const layout = streamLayout(first, name, what);
  const { height, width } = layout;
  if (height < 1 || width < 1 || height > 65535 || width > 65535) {
    throw new FileFormatError(name, `${what}: implausible map size ${width} x ${height}`);
  }
  checkAgainstHeader(h, width, height, spectrum.channels, layout.capacity, name, what);
  if (cutoff !== null && channels > Math.max(layout.capacity, spectrum.channels) * 4) {
    throw optionError(
      name,
      `cutoff_at_kV ${cutoff} asks for ${channels} channels, far beyond the ${spectrum.channels} recorded`,
    );
  }
  const spec: DecodeSpec = { name, what, height, width, channels, downsample };
  const outW = Math.ceil(width / downsample);
  const outH = Math.ceil(height / downsample);
  const elements = outW * outH * channels;
  // Refuse an impossible cube before scanning (allocateCube checks again when allocating).
  if (elements > MAX_ELEMENTS) {
    throw new FileFormatError(
      name,
      `the ${outH} x ${outW} x ${channels} spectrum image holds more values than can be held in memory`,
    );
  }

  const bandBytes = outW * channels * 4;
  const cacheLimit = Math.max(0, (options.cacheBytes ?? 192 * 1024 * 1024) - bandBytes);
  const total = 2 * contents.storedSize;
  const progress = (done: number, stage: string): void =>
    options.onProgress?.({ done, total, stage });

  const scan = new HypermapDecoder(spec, null);
  let cache: Uint8Array[] | null = [first];
  let cached = first.length;
  scan.push(first);
  for (;;) {
    throwIfAborted(options.signal);
    progress(contents.storedDone, 'scanning the hypermap');
    const block = await contents.next();
    if (block === null) break;
    if (cache) {
      cached += block.length;
      if (cached <= cacheLimit) cache.push(block);
      else cache = null;
    }
    scan.push(block);
  }
  scan.finish();

  // Pass 2: fill the cube.
  const dtype = countDType(scan.max);
  const cube = allocateCube(name, dtype, elements, {
    ...(options.sharedMemory !== undefined ? { sharedMemory: options.sharedMemory } : {}),
    // Empty pixels take no room in the stream, so a sparse map is far larger than its
    // file; but not thousands of times (the sparsest test map is 165 times its file).
    limitBytes: Math.max(CUBE_FLOOR_BYTES, sfs.source.size * CUBE_PER_FILE_BYTE),
    what: `the ${outH} x ${outW} x ${channels} spectrum image`,
  });
  const fill = new HypermapDecoder({ ...spec, distinctPixels: scan.ordered }, cube);
  const half = contents.storedSize;
  if (cache) {
    let done = 0;
    for (let k = 0; k < cache.length; k++) {
      throwIfAborted(options.signal);
      fill.push(cache[k]!);
      done += cache[k]!.length;
      cache[k] = new Uint8Array(0);
      progress(half + Math.round((half * done) / cached), 'decoding the hypermap');
    }
  } else {
    contents = await sfs.openContents(entry, inflate);
    for (;;) {
      throwIfAborted(options.signal);
      const block = await contents.next();
      if (block === null) break;
      fill.push(block);
      progress(half + contents.storedDone, 'decoding the hypermap');
    }
  }
  fill.finish();
  progress(total, 'decoding the hypermap');
  return edsSignal(cube, dtype, spec, spectrum, h, name, inflate);
}

/** The map size the header's own image gives must be the stream's (a forged size cannot pass). */
function checkAgainstHeader(
  h: BcfHeader,
  width: number,
  height: number,
  channels: number,
  capacity: number,
  name: string,
  what: string,
): void {
  const image = h.database.children.find(
    (c) =>
      c.name === 'ClassInstance' &&
      c.attributes['Type'] === 'TRTImageData' &&
      c.attributes['Name'] === undefined,
  );
  const w = headerNumber(xmlChildText(image, 'Width'));
  const hh = headerNumber(xmlChildText(image, 'Height'));
  if (w !== undefined && hh !== undefined && (w !== width || hh !== height)) {
    throw new FileFormatError(
      name,
      `${what}: the stream holds a ${width} x ${height} map but HeaderData describes ${w} x ${hh}`,
    );
  }
  if (capacity > 0 && channels > capacity) {
    throw new FileFormatError(
      name,
      `HeaderData declares ${channels} channels but the stream (${what}) holds at most ${capacity}`,
    );
  }
}

async function edsSignal(
  cube: NumericArray,
  dtype: DType,
  spec: DecodeSpec,
  spectrum: ReturnType<typeof spectrumHeader>,
  h: BcfHeader,
  name: string,
  inflate: Inflate,
): Promise<Signal> {
  const ds = spec.downsample;
  // HyperSpy calibrates both map axes with DY, the height of a scan pixel.
  const pixel = h.dy;
  const units = pixel === undefined ? 'pix' : 'µm';
  const step = (pixel ?? 1) * ds;
  const axes: AxisSpec[] = [
    {
      name: 'height',
      size: Math.ceil(spec.height / ds),
      offset: 0,
      scale: step,
      units,
      navigate: true,
    },
    {
      name: 'width',
      size: Math.ceil(spec.width / ds),
      offset: 0,
      scale: step,
      units,
      navigate: true,
    },
    {
      name: 'Energy',
      size: spec.channels,
      offset: spectrum.offset,
      scale: spectrum.scale,
      units: 'keV',
      navigate: false,
      isBinned: true,
    },
  ];
  const { kind, block } = instrument(h);
  const realTime = mapRealTime(h, spec.width);
  block['Detector'] = { EDS: edsDetector(spectrum, realTime === undefined ? {} : { realTime }) };
  block['Stage'] = { tilt_alpha: 0, ...stageMetadata(h.stage) };
  const general: Record<string, unknown> = { original_filename: name };
  if (h.date) general['date'] = h.date;
  if (h.time) general['time'] = h.time;
  const sample: Record<string, unknown> = { elements: h.elements, xray_lines: h.xrayLines };
  if (h.sampleName !== undefined) sample['name'] = h.sampleName;
  const original: Record<string, unknown> = {
    ...(await spectrumOriginalMetadata(spectrum, inflate)),
    ...imageOriginalMetadata(h),
  };
  if (h.lineCounter.length > 0) original['Line counter'] = h.lineCounter;
  const metadata: Record<string, unknown> = {
    General: general,
    Signal: { quantity: 'X-rays (Counts)' },
    Acquisition_instrument: { [kind]: block },
    Sample: sample,
    original_metadata: original,
  };
  return signalFromFile(name, {
    data: cube,
    dtype,
    axes,
    title: 'EDX',
    signalType: `EDS_${kind}`,
    metadata,
  });
}
