/**
 * JEOL Analysis Station `.pts` spectrum images: a header (magic `PTTDFILE`,
 * the data offset at byte 0x1c and its length at 0x20), a tree of tagged
 * parameters (each item `0x01`, name length, name, type, value length,
 * value, children, `0xff`), then the event stream: little-endian 16-bit
 * words whose top nibble says what the low 12 bits are (0x8: x, 0x9: y,
 * both in 1/4096 of the scan, 0xb: an X-ray's energy channel). A sweep
 * (frame) starts when y goes back; a last sweep cut short (its scan line
 * below the height) is left out, as HyperSpy 1.7.3 does.
 */
import type { AxisSpec } from '../../model/axis.js';
import type { DType } from '../../model/dtype.js';
import type { Signal } from '../../model/signal.js';
import { latin1 } from '../binary.js';
import { FileFormatError, signalFromFile } from '../errors.js';
import { allocateCube, throwIfAborted, type ByteSource, type ReadOptions } from '../source.js';

/** The parameter tree of a .pts header: path (names joined by '/') to value. */
export type PtsTree = Map<string, number | number[] | string | string[] | Uint8Array>;

const MAX_HEADER_BYTES = 64 << 20;
const MAX_DEPTH = 64;
const BLOCK_BYTES = 4 << 20;
const CHANNELS = 4096;

/** Parses the parameter tree from `bytes` (the header up to the data offset). */
export function parsePtsTree(
  bytes: Uint8Array,
  name: string,
  start = 0x13d,
  /** Paths whose value is kept as bytes (an image's pixels), not decoded into numbers. */
  raw: (path: string) => boolean = () => false,
): PtsTree {
  const tree: PtsTree = new Map();
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const path: string[] = [];
  let p = start;
  const need = (n: number): void => {
    if (p + n > bytes.length) {
      throw new FileFormatError(name, `the parameter tree runs past the header at byte ${p}`);
    }
  };
  while (p < bytes.length) {
    const marker = bytes[p]!;
    if (marker === 0xff) {
      if (path.length === 0) break;
      path.pop();
      p++;
      continue;
    }
    if (marker !== 0x01) {
      if (path.length === 0) break;
      throw new FileFormatError(
        name,
        `unexpected byte 0x${marker.toString(16)} in the parameter tree at byte ${p}`,
      );
    }
    need(5);
    const nameLength = dv.getUint32(p + 1, true);
    p += 5;
    need(nameLength + 8);
    const key = latin1(bytes.subarray(p, p + Math.max(0, nameLength - 1)));
    p += nameLength;
    const type = dv.getUint32(p, true);
    const length = dv.getUint32(p + 4, true);
    p += 8;
    need(length);
    const v = bytes.subarray(p, p + length);
    p += length;
    if (path.length >= MAX_DEPTH)
      throw new FileFormatError(name, 'the parameter tree is nested too deeply');
    path.push(key);
    const full = path.join('/');
    if (!tree.has(full)) tree.set(full, raw(full) ? v : tagValue(type, v));
  }
  return tree;
}

function tagValue(type: number, v: Uint8Array): number | number[] | string | string[] | Uint8Array {
  const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
  const numbers = (size: number, get: (at: number) => number): number | number[] => {
    const n = Math.floor(v.length / size);
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(get(i * size));
    return out.length === 1 ? out[0]! : out;
  };
  switch (type) {
    case 1:
    case 11:
      return numbers(1, (at) => dv.getUint8(at));
    case 2:
    case 14:
      return numbers(2, (at) => dv.getUint16(at, true));
    case 3:
      return numbers(4, (at) => dv.getUint32(at, true));
    case 4:
      return numbers(4, (at) => dv.getFloat32(at, true));
    case 5:
      return numbers(8, (at) => dv.getFloat64(at, true));
    case 6:
      return numbers(2, (at) => dv.getInt16(at, true));
    case 7:
      return numbers(4, (at) => dv.getInt32(at, true));
    case 12:
      return latin1(v).split('\0')[0]!;
    case 13:
      return latin1(v)
        .split('\0')
        .filter((s) => s.length > 0);
    default:
      return v;
  }
}

/** The header facts a read needs. */
export interface PtsHeader {
  dataOffset: number;
  dataLength: number;
  width: number;
  height: number;
  sweeps: number;
  scanLine: number;
  /** keV per channel and energy of channel 0. */
  scale: number;
  offset: number;
  /** The calibration as the file gives it: energy = coefA (channel - digZ) + coefB. */
  coefB: number;
  digZ: number;
  /** µm per pixel, or undefined when the scan size or magnification is missing. */
  pixelScale: number | undefined;
  beamEnergy: number | undefined;
  magnification: number | undefined;
  realTime: number | undefined;
  liveTime: number | undefined;
  tree: PtsTree;
}

/** The first value whose path ends with `/suffix`. */
function numEnding(tree: PtsTree, suffix: string): number | undefined {
  for (const [k, v] of tree) {
    if (k.endsWith('/' + suffix) && typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return undefined;
}

function num(tree: PtsTree, key: string): number | undefined {
  const v = tree.get(key);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Reads the header and parameter tree of a .pts file. */
export async function readPtsHeader(source: ByteSource): Promise<PtsHeader> {
  const name = source.name;
  if (source.size < 0x24) throw new FileFormatError(name, 'too short for a JEOL .pts file');
  const head = await source.read(0, 0x24);
  if (latin1(head.subarray(4, 12)) !== 'PTTDFILE') {
    throw new FileFormatError(name, 'not a JEOL .pts file (no PTTDFILE signature)');
  }
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const dataOffset = dv.getUint32(0x1c, true);
  const dataLength = dv.getUint32(0x20, true);
  if (dataOffset < 0x13d || dataOffset > MAX_HEADER_BYTES || dataOffset > source.size) {
    throw new FileFormatError(name, `the data offset ${dataOffset} is outside the file`);
  }
  const tree = parsePtsTree(await source.read(0, dataOffset), name);
  const doc = 'PTTD Data/AnalyzableMap MeasData/Doc/';
  const cond = 'PTTD Data/AnalyzableMap MeasData/Meas Cond/';
  const meas = 'PTTD Data/AnalyzableMap MeasData/MeasCond/';
  const pixels = tree.get(cond + 'Pixels');
  const m = typeof pixels === 'string' ? /^(\d+)x(\d+)$/.exec(pixels) : null;
  if (!m) throw new FileFormatError(name, 'the header gives no pixel count (Meas Cond/Pixels)');
  const width = Number(m[1]);
  const height = Number(m[2]);
  // Positions are 12-bit fractions of the scan: a side is a power of two up to 4096.
  const side = (n: number): boolean => n >= 1 && n <= 4096 && (n & (n - 1)) === 0;
  if (!side(width) || !side(height)) {
    throw new FileFormatError(name, `a ${width}x${height} scan is not a JEOL map size`);
  }
  const scale = num(tree, doc + 'CoefA');
  const coefB = num(tree, doc + 'CoefB');
  if (scale === undefined || coefB === undefined) {
    throw new FileFormatError(name, 'the header gives no energy calibration (CoefA, CoefB)');
  }
  const tpl = tree.get(cond + 'Tpl');
  const digZ = typeof tpl === 'string' ? numEnding(tree, `Tpl/${tpl}/DigZ`) : undefined;
  const scanSize = numEnding(tree, 'ScanSize');
  const magnification = num(tree, meas + 'Mag');
  const pixelScale =
    scanSize !== undefined && magnification
      ? ((scanSize / magnification) * 1000) / width
      : undefined;
  return {
    dataOffset,
    dataLength: Math.min(dataLength, source.size - dataOffset),
    width,
    height,
    sweeps: num(tree, doc + 'Sweep') ?? 0,
    scanLine: num(tree, doc + 'ScanLine') ?? height,
    scale,
    offset: coefB - (digZ ?? 0) * scale,
    coefB,
    digZ: digZ ?? 0,
    pixelScale,
    beamEnergy: num(tree, meas + 'AccKV'),
    magnification,
    realTime: num(tree, doc + 'RealTime'),
    liveTime: num(tree, doc + 'LiveTime'),
    tree,
  };
}

/** Options of HyperSpy's JEOL reader, in camelCase, beside every reader's. */
export interface PtsReadOptions extends ReadOptions {
  /** Sum the sweeps (true), or keep them on a first navigation axis 'Frame'. @default true */
  sumFrames?: boolean;
  /** The sweeps to read (0-based, each once). @default every (valid) sweep */
  frameList?: readonly number[];
  /** Sum this many neighbouring pixels: one number for both, or [x, y] (each a divisor of the side). @default 1 */
  downsample?: number | readonly [number, number];
  /** Keep the channels below this energy (keV) only; beyond the 4096 channels pads with zeros. */
  cutoffAtKv?: number;
  /** Sum this many neighbouring channels (a divisor of 4096). @default 1 */
  rebinEnergy?: number;
  /** dtype of the counts (integers; wraps on overflow, as numpy does). @default 'uint8' */
  siDtype?: DType;
  /** Leave out a last sweep cut short (true), or read it too. @default true */
  onlyValidData?: boolean;
}

const COUNT_DTYPES: readonly DType[] = ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32'];

function checkPtsOptions(o: PtsReadOptions, h: PtsHeader, name: string) {
  const bad = (what: string): never => {
    throw new RangeError(`${name}: ${what}`);
  };
  const ds = o.downsample ?? 1;
  const [dx, dy] = typeof ds === 'number' ? [ds, ds] : [ds[0], ds[1]];
  for (const [d, side, axis] of [
    [dx, h.width, 'x'],
    [dy, h.height, 'y'],
  ] as const) {
    if (!Number.isSafeInteger(d) || d < 1 || side % d !== 0) {
      bad(
        `downsample ${String(d)} along ${axis} must be a positive divisor of the map's ${side} pixels`,
      );
    }
  }
  const rebin = o.rebinEnergy ?? 1;
  if (!Number.isSafeInteger(rebin) || rebin < 1 || CHANNELS % rebin !== 0) {
    bad(`rebinEnergy ${rebin} must be a positive divisor of ${CHANNELS}`);
  }
  let channels = CHANNELS;
  if (o.cutoffAtKv !== undefined) {
    if (!Number.isFinite(o.cutoffAtKv)) bad(`cutoffAtKv ${o.cutoffAtKv} is not a number`);
    channels = Math.round((o.cutoffAtKv - h.coefB) / h.scale) + h.digZ;
    if (!(channels >= 1) || channels > 16 * CHANNELS) {
      bad(
        `cutoffAtKv ${o.cutoffAtKv} keV leaves ${channels} channels (the map starts at ${h.offset} keV)`,
      );
    }
  }
  const dtype = o.siDtype ?? 'uint8';
  if (!COUNT_DTYPES.includes(dtype)) {
    bad(`siDtype '${String(dtype)}' cannot hold counts; use one of ${COUNT_DTYPES.join(', ')}`);
  }
  const onlyValid = o.onlyValidData ?? true;
  const frames = Math.max(0, Math.floor(h.sweeps));
  const valid = onlyValid && h.scanLine < h.height ? Math.max(0, frames - 1) : frames;
  let list: number[];
  if (o.frameList !== undefined) {
    list = [...o.frameList];
    if (list.length === 0) bad('frameList is empty');
    for (const [i, f] of list.entries()) {
      if (list.indexOf(f) !== i) bad(`frameList lists sweep ${f} twice`);
      if (!Number.isSafeInteger(f) || f < 0 || f >= valid) {
        bad(
          `frameList: sweep ${f} is not in the file (it has ${valid} ${onlyValid ? 'complete ' : ''}sweep${valid === 1 ? '' : 's'}, 0 to ${valid - 1})`,
        );
      }
    }
  } else {
    list = Array.from({ length: valid }, (_, i) => i);
  }
  return { dx, dy, rebin, channels, dtype, list, frames, valid };
}

/**
 * The spectrum image of a .pts file: by default every complete sweep summed,
 * as uint8 counts (HyperSpy's default); the options are HyperSpy's.
 */
export async function readPts(source: ByteSource, options: PtsReadOptions = {}): Promise<Signal> {
  const name = source.name;
  const h = await readPtsHeader(source);
  const o = checkPtsOptions(options, h, name);
  const sumFrames = options.sumFrames ?? true;
  const width = h.width / o.dx;
  const height = h.height / o.dy;
  const nE = Math.ceil(o.channels / o.rebin);
  const slotsOf: number[][] = Array.from({ length: o.frames }, () => []);
  o.list.forEach((f, i) => slotsOf[f]!.push(sumFrames ? 0 : i));
  const nSlots = sumFrames ? 1 : o.list.length;
  if (nSlots < 1) {
    throw new FileFormatError(
      name,
      'the map holds no complete sweep (onlyValidData: false reads the one cut short)',
    );
  }
  const data = allocateCube(name, o.dtype, nSlots * width * height * nE, {
    ...(options.sharedMemory ? { sharedMemory: true } : {}),
  }) as Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;
  const frameStride = width * height * nE;
  let x = 0;
  let y = 0;
  let frame = 0;
  let slots = slotsOf[0] ?? [];
  let prevY = -1;
  const total = h.dataLength - (h.dataLength % 2);
  for (let at = 0; at < total; at += BLOCK_BYTES) {
    throwIfAborted(options.signal);
    const chunk = await source.read(h.dataOffset + at, Math.min(BLOCK_BYTES, total - at));
    const words = chunk.length >> 1;
    for (let i = 0; i < words; i++) {
      const w = chunk[2 * i]! | (chunk[2 * i + 1]! << 8);
      const kind = w >> 12;
      const v = w & 0xfff;
      if (kind === 0x8) {
        x = Math.floor((v * h.width) / 4096 / o.dx);
      } else if (kind === 0x9) {
        const ny = Math.floor((v * h.height) / 4096);
        if (ny < prevY) {
          frame++;
          slots = slotsOf[frame] ?? [];
        }
        prevY = ny;
        y = Math.floor(ny / o.dy);
      } else if (kind === 0xb && slots.length > 0 && v < o.channels) {
        const k = (y * width + x) * nE + Math.floor(v / o.rebin);
        for (const s of slots) data[s * frameStride + k]!++;
      }
    }
    options.onProgress?.({ done: at + chunk.length, total, stage: `reading ${name}` });
  }
  const dwell = num(h.tree, 'PTTD Data/AnalyzableMap MeasData/Doc/DwellTime(msec)');
  const axes: AxisSpec[] = [
    ...(sumFrames
      ? []
      : [
          {
            name: 'Frame',
            size: nSlots,
            offset: 0,
            scale: dwell !== undefined ? (width * height * dwell) / 1000 : 1,
            units: dwell !== undefined ? 's' : '',
            navigate: true,
          },
        ]),
    {
      name: 'y',
      size: height,
      offset: 0,
      scale: (h.pixelScale ?? 1) * o.dy,
      units: h.pixelScale ? 'µm' : '',
      navigate: true,
    },
    {
      name: 'x',
      size: width,
      offset: 0,
      scale: (h.pixelScale ?? 1) * o.dx,
      units: h.pixelScale ? 'µm' : '',
      navigate: true,
    },
    {
      name: 'Energy',
      size: nE,
      offset: h.offset,
      scale: h.scale * o.rebin,
      units: 'keV',
      navigate: false,
    },
  ];
  const tem: Record<string, unknown> = {};
  if (h.beamEnergy !== undefined) tem['beam_energy'] = h.beamEnergy;
  if (h.magnification !== undefined) tem['magnification'] = h.magnification;
  if (h.realTime !== undefined)
    tem['Detector'] = {
      EDS: {
        real_time: h.realTime,
        ...(h.liveTime !== undefined ? { live_time: h.liveTime } : {}),
      },
    };
  return signalFromFile(name, {
    data,
    dtype: o.dtype,
    axes,
    title: `EDS extracted from ${name}`,
    signalType: 'EDS_TEM',
    metadata: {
      General: { original_filename: name, title: `EDS extracted from ${name}` },
      Signal: { quantity: 'X-rays (Counts)' },
      Acquisition_instrument: { TEM: tem },
      original_metadata: { sweeps: h.sweeps, scan_line: h.scanLine },
    },
  });
}
