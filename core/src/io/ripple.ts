/**
 * Ripple/Lispix raw files: a `.rpl` text header (one `key<TAB>value` per
 * line, `;` comments) describing a `.raw` file of width x height x depth
 * numbers, starting `offset` bytes in.
 *
 * record-by `vector` stores each pixel's spectrum contiguously (data order
 * height, width, depth: depth is the signal axis). `image` stores whole
 * height x width planes one after another (data order depth, height, width);
 * `dont-care` is allowed when depth is 1 and is read as one image. As in
 * HyperSpy, image data keep their file order: our Signal has one signal axis,
 * so the last (width) is the signal axis and `metadata.signalDimension = 2`
 * records that the file holds images.
 */
import type { AxisSpec } from '../model/axis.js';
import { DTYPE_SIZE, type DType } from '../model/dtype.js';
import type { Signal } from '../model/signal.js';
import { asText, decodeTypedArray, encodeLittleEndian, toBytes } from './binary.js';
import { FileFormatError, isBinnedSignalType, signalFromFile } from './errors.js';
import { allocateCube } from './source.js';

export interface RippleFileNames {
  rpl: string;
  raw: string;
}

type Dim = 'width' | 'height' | 'depth';

const DTYPE_CODES: Readonly<Record<string, DType>> = {
  'signed/1': 'int8',
  'signed/2': 'int16',
  'signed/4': 'int32',
  'signed/8': 'int64',
  'unsigned/1': 'uint8',
  'unsigned/2': 'uint16',
  'unsigned/4': 'uint32',
  'unsigned/8': 'uint64',
  'float/4': 'float32',
  'float/8': 'float64',
};

/** Keys the reader turns into the signal's shape, dtype and axes; the rest go to `metadata.ripple`. */
const STRUCTURAL = new Set([
  'key',
  'width',
  'height',
  'depth',
  'offset',
  'data-length',
  'data-type',
  'byte-order',
  'record-by',
  'signal',
  'title',
  'ev-per-chan',
  ...(['width', 'height', 'depth'] as const).flatMap((d) => [
    `${d}-name`,
    `${d}-origin`,
    `${d}-scale`,
    `${d}-units`,
  ]),
]);

export function readRipple(
  rplText: string | Uint8Array | ArrayBuffer,
  rawInput: Uint8Array | ArrayBuffer,
  fileNames: RippleFileNames,
): Signal {
  const header = parseRpl(asText(rplText), fileNames.rpl);
  const fail = (problem: string): never => {
    throw new FileFormatError(fileNames.rpl, problem);
  };
  const integer = (key: string, fallback?: number): number => {
    const text = header.get(key);
    if (text === undefined || text === '') {
      return fallback ?? fail(`the header has no '${key}'`);
    }
    const v = Number(text);
    if (!Number.isSafeInteger(v) || v < 0)
      return fail(`'${key}' must be a non-negative integer, got '${text}'`);
    return v;
  };
  const width = integer('width');
  const height = integer('height');
  const depth = integer('depth');
  for (const [k, v] of [
    ['width', width],
    ['height', height],
    ['depth', depth],
  ] as const) {
    if (v < 1) fail(`'${k}' must be at least 1, got ${v}`);
  }
  const length = integer('data-length');
  const kind = (header.get('data-type') ?? '').toLowerCase();
  const dtype = DTYPE_CODES[`${kind}/${length}`];
  if (dtype === undefined) {
    return fail(`unsupported data-type '${kind}' with data-length ${length}`);
  }
  const order = (header.get('byte-order') ?? 'dont-care').toLowerCase();
  if (!['little-endian', 'big-endian', 'dont-care'].includes(order)) {
    fail(`unknown byte-order '${order}' (expected little-endian, big-endian or dont-care)`);
  }
  let recordBy = (header.get('record-by') ?? 'vector').toLowerCase();
  if (!['vector', 'image', 'dont-care'].includes(recordBy)) {
    fail(`unknown record-by '${recordBy}' (expected vector, image or dont-care)`);
  }
  if (recordBy === 'dont-care') recordBy = depth === 1 ? 'image' : 'vector';

  const offset = integer('offset', 0);
  const raw = toBytes(rawInput);
  const count = width * height * depth;
  const needed = offset + count * length;
  // Checked before allocating, so an absurd header cannot exhaust memory.
  if (!(needed <= raw.length)) {
    throw new FileFormatError(
      fileNames.raw,
      `the header (${fileNames.rpl}) asks for ${width} x ${height} x ${depth} ${dtype} values from byte ${offset} (${needed} bytes), the file has ${raw.length}`,
    );
  }
  // Lispix allows dont-care only for 1-byte data; writers that use it anyway
  // (HyperSpy among them) wrote their native order, little-endian everywhere now.
  const cube = allocateCube(fileNames.raw, dtype, count, { limitBytes: raw.length - offset });
  const data = decodeTypedArray(raw, offset, dtype, count, order !== 'big-endian', cube);

  const axis = (dim: Dim, navigate: boolean): AxisSpec => {
    const num = (key: string, fallback: number): number => {
      const text = header.get(key);
      if (text === undefined || text === '') return fallback;
      const v = Number(text);
      if (!Number.isFinite(v)) fail(`'${key}' must be a number, got '${text}'`);
      return v;
    };
    const scale = num(`${dim}-scale`, dim === 'depth' ? num('ev-per-chan', 1) : 1);
    return {
      name: header.get(`${dim}-name`) ?? dim,
      size: dim === 'width' ? width : dim === 'height' ? height : depth,
      offset: num(`${dim}-origin`, 0),
      scale,
      units: header.get(`${dim}-units`) ?? '',
      navigate,
    };
  };
  const signalType = header.get('signal') ?? '';
  const metadata: Record<string, unknown> = { ripple: otherKeys(header) };
  let axes: AxisSpec[];
  if (recordBy === 'vector') {
    // Navigation axes of size 1 carry no information and are dropped, as HyperSpy does.
    axes = [axis('height', true), axis('width', true), axis('depth', false)].filter(
      (a) => a.navigate === false || a.size > 1,
    );
    axes[axes.length - 1]!.isBinned = isBinnedSignalType(signalType);
  } else {
    axes = [axis('depth', true), axis('height', true), axis('width', false)].filter(
      (a, i) => i > 0 || a.size > 1,
    );
    metadata['signalDimension'] = 2;
  }
  return signalFromFile(fileNames.rpl, {
    data,
    dtype,
    axes,
    title: header.get('title') ?? '',
    signalType,
    metadata,
  });
}

/** A signal as a `.rpl` header and `.raw` bytes (little-endian, record-by vector unless it holds images). */
export function writeRipple(signal: Signal): { rpl: string; raw: Uint8Array } {
  const axes = signal.axes;
  const images = signal.metadata['signalDimension'] === 2 && axes.length >= 2;
  if (axes.length > 3) {
    throw new Error(
      `writeRipple: a Ripple file holds at most 3 dimensions, this signal has ${axes.length}`,
    );
  }
  // Data order per record-by (see the file comment); axes absent from the signal have size 1.
  const dims: Dim[] = images
    ? axes.length === 3
      ? ['depth', 'height', 'width']
      : ['height', 'width']
    : axes.length === 3
      ? ['height', 'width', 'depth']
      : axes.length === 2
        ? ['width', 'depth']
        : ['depth'];
  const lines: string[] = [';File written by SAMFire Studio', 'key\tvalue'];
  const put = (key: string, value: string | number): void => {
    lines.push(`${key}\t${String(value).replace(/[\t\r\n]+/g, ' ')}`);
  };
  const size: Record<Dim, number> = { width: 1, height: 1, depth: 1 };
  dims.forEach((dim, i) => {
    const a = axes[i]!;
    size[dim] = a.size;
    put(`${dim}-name`, a.name);
    put(`${dim}-origin`, a.offset);
    put(`${dim}-scale`, a.scale);
    put(`${dim}-units`, a.units);
  });
  put('width', size.width);
  put('height', size.height);
  put('depth', size.depth);
  put('offset', 0);
  const dtype = signal.dtype === 'bool' ? 'uint8' : signal.dtype;
  put(
    'data-type',
    dtype.startsWith('float') ? 'float' : dtype.startsWith('u') ? 'unsigned' : 'signed',
  );
  put('data-length', DTYPE_SIZE[dtype]);
  put('byte-order', 'little-endian');
  put('record-by', images ? (axes.length === 3 ? 'image' : 'dont-care') : 'vector');
  if (!images) put('ev-per-chan', signal.signalAxis.scale);
  put('signal', signal.signalType);
  put('title', signal.title);
  const stored = signal.metadata['ripple'];
  if (typeof stored === 'object' && stored !== null) {
    for (const [key, value] of Object.entries(stored)) {
      const k = key.toLowerCase();
      if (!STRUCTURAL.has(k) && /^[a-z0-9_-]+$/.test(k) && typeof value === 'string') put(k, value);
    }
  }
  return { rpl: lines.join('\n') + '\n', raw: encodeLittleEndian(signal.data) };
}

/** Header keys (lower case) to values; later duplicates win. */
function parseRpl(text: string, fileName: string): Map<string, string> {
  const header = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '' || line.startsWith(';')) continue;
    const m = /^(\S+)(?:\s+(.*))?$/.exec(line);
    if (!m) throw new FileFormatError(fileName, `line ${n + 1}: expected 'key<TAB>value'`);
    header.set(m[1]!.toLowerCase(), (m[2] ?? '').trim());
  }
  if (!header.has('width') && !header.has('depth')) {
    throw new FileFormatError(fileName, 'not a Ripple header (no width or depth key)');
  }
  return header;
}

function otherKeys(header: Map<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of header) if (!STRUCTURAL.has(k)) out[k] = v;
  return out;
}
