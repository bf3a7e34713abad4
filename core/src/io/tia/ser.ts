/**
 * FEI TIA .ser series: a header (byte order, series id and version, the
 * element kind, the number of elements, the offset of the offset arrays, and
 * the dimensions the elements are arranged in, each with its calibration),
 * two offset arrays (of the data elements and of their tags) and the
 * elements: 1-D arrays (spectra) or 2-D arrays (images), each with its own
 * calibration and data type. Read as HyperSpy 1.7.3 reads them: a spectrum
 * image is (y, x, energy), a line profile (x, energy), a series of images
 * (frame, y, x); elements not acquired (past the valid count) are zeros.
 *
 * Where we differ from HyperSpy on purpose: HyperSpy converts the scale of
 * an axis calibrated in metres to nm but leaves its offset in metres; we
 * convert both. A diffraction pattern (2-D elements calibrated in 1/m,
 * more than a metre per pixel being impossible) is in 1/nm here, also when
 * the .ser is opened without its .emi (HyperSpy then says nm).
 *
 * Streaming: the header and offset arrays are read first (bounded by the
 * file's size), then the elements in blocks of at most a few MB, straight
 * into the cube from allocateCube, with progress and cancellation between
 * blocks.
 */
import type { AxisSpec } from '../../model/axis.js';
import type { DType, NumericArray } from '../../model/dtype.js';
import { allocate, DTYPE_SIZE } from '../../model/dtype.js';
import type { Signal } from '../../model/signal.js';
import { decodeTypedArray, latin1 } from '../binary.js';
import { FileFormatError, signalFromFile } from '../errors.js';
import { allocateCube, throwIfAborted, type ByteSource, type ReadOptions } from '../source.js';

export const SER_SPECTRA = 0x4120;
export const SER_IMAGES = 0x4122;

export interface SerDimension {
  size: number;
  offset: number;
  delta: number;
  element: number;
  description: string;
  units: string;
}

export interface SerHeader {
  version: number;
  dataTypeId: number;
  tagTypeId: number;
  totalElements: number;
  validElements: number;
  offsetArrayOffset: number;
  dimensions: SerDimension[];
  dataOffsets: number[];
}

const SER_DTYPES: Readonly<Record<number, DType>> = {
  1: 'uint8',
  2: 'uint16',
  3: 'uint32',
  4: 'int8',
  5: 'int16',
  6: 'int32',
  7: 'float32',
  8: 'float64',
};

/** Bytes of an element's header before its data. */
const SPECTRUM_HEADER = 26;
const IMAGE_HEADER = 50;
/** The dimension descriptions and units are short words; no real header comes near this. */
const MAX_HEADER_BYTES = 1 << 20;
/** Elements read at once (bytes), so that memory stays bounded whatever the file. */
const BLOCK_BYTES = 8 << 20;

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The header and offset arrays of a .ser file. */
export async function readSerHeader(source: ByteSource): Promise<SerHeader> {
  const name = source.name;
  if (source.size < 30) throw new FileFormatError(name, 'too short for a TIA .ser header');
  const head = await source.read(0, Math.min(source.size, MAX_HEADER_BYTES));
  const v = view(head);
  const byteOrder = v.getUint16(0, true);
  const seriesId = v.getUint16(2, true);
  if (byteOrder !== 0x4949 || seriesId !== 0x0197) {
    throw new FileFormatError(name, 'not a TIA .ser file (no II 0x0197 signature)');
  }
  const version = v.getUint16(4, true);
  if (version !== 0x0210 && version !== 0x0220) {
    throw new FileFormatError(name, `unknown .ser version 0x${version.toString(16)}`);
  }
  const dataTypeId = v.getUint32(6, true);
  if (dataTypeId !== SER_SPECTRA && dataTypeId !== SER_IMAGES) {
    throw new FileFormatError(name, `unknown .ser data kind 0x${dataTypeId.toString(16)}`);
  }
  const tagTypeId = v.getUint32(10, true);
  const totalElements = v.getInt32(14, true);
  const validElements = v.getInt32(18, true);
  const wide = version >= 0x0220;
  let p = 22;
  const offsetArrayOffset = wide ? Number(v.getBigUint64(p, true)) : v.getUint32(p, true);
  p += wide ? 8 : 4;
  const need = (n: number): void => {
    if (p + n > head.length) {
      throw new FileFormatError(name, `the header is truncated at byte ${p}`);
    }
  };
  need(4);
  const nDims = v.getInt32(p, true);
  p += 4;
  if (nDims < 0 || nDims > 16) throw new FileFormatError(name, `implausible ${nDims} dimensions`);
  const dimensions: SerDimension[] = [];
  for (let d = 0; d < nDims; d++) {
    need(28);
    const size = v.getInt32(p, true);
    const offset = v.getFloat64(p + 4, true);
    const delta = v.getFloat64(p + 12, true);
    const element = v.getInt32(p + 20, true);
    const descLen = v.getInt32(p + 24, true);
    p += 28;
    if (descLen < 0 || descLen > 4096) {
      throw new FileFormatError(name, `dimension ${d}: implausible description length ${descLen}`);
    }
    need(descLen + 4);
    const description = latin1(head.subarray(p, p + descLen));
    p += descLen;
    const unitsLen = v.getInt32(p, true);
    p += 4;
    if (unitsLen < 0 || unitsLen > 4096) {
      throw new FileFormatError(name, `dimension ${d}: implausible units length ${unitsLen}`);
    }
    need(unitsLen);
    const units = latin1(head.subarray(p, p + unitsLen));
    p += unitsLen;
    if (size < 1) throw new FileFormatError(name, `dimension ${d} has size ${size}`);
    dimensions.push({ size, offset, delta, element, description, units });
  }
  let product = 1;
  for (const d of dimensions) product *= d.size;
  if (totalElements < 1 || validElements < 0 || validElements > totalElements) {
    throw new FileFormatError(
      name,
      `implausible element counts: ${validElements} valid of ${totalElements}`,
    );
  }
  if (dimensions.length > 0 && product !== totalElements) {
    throw new FileFormatError(
      name,
      `the dimensions (${dimensions.map((d) => d.size).join(' x ')}) do not hold the ${totalElements} elements`,
    );
  }
  const w = wide ? 8 : 4;
  const arrayBytes = totalElements * w;
  if (offsetArrayOffset + arrayBytes > source.size) {
    throw new FileFormatError(
      name,
      `the offset array (${totalElements} elements at byte ${offsetArrayOffset}) runs past the end of the file`,
    );
  }
  const arr = view(await source.read(offsetArrayOffset, arrayBytes));
  const dataOffsets = new Array<number>(totalElements);
  for (let i = 0; i < totalElements; i++) {
    dataOffsets[i] = wide ? Number(arr.getBigUint64(i * 8, true)) : arr.getUint32(i * 4, true);
  }
  return {
    version,
    dataTypeId,
    tagTypeId,
    totalElements,
    validElements,
    offsetArrayOffset,
    dimensions,
    dataOffsets,
  };
}

interface ElementLayout {
  dtype: DType;
  /** Values per element. */
  count: number;
  headerBytes: number;
  axes: AxisSpec[];
}

/** The first element's calibration, type and size: every element must have the same. */
async function elementLayout(source: ByteSource, h: SerHeader): Promise<ElementLayout> {
  const name = source.name;
  const at = h.dataOffsets[0]!;
  const images = h.dataTypeId === SER_IMAGES;
  const headerBytes = images ? IMAGE_HEADER : SPECTRUM_HEADER;
  const v = view(await source.read(at, headerBytes));
  if (!images) {
    const offset = v.getFloat64(0, true);
    const delta = v.getFloat64(8, true);
    const code = v.getInt16(20, true);
    const length = v.getInt32(22, true);
    const dtype = elementDType(name, code);
    if (length < 1) throw new FileFormatError(name, `the spectra have ${length} channels`);
    return {
      dtype,
      count: length,
      headerBytes,
      axes: [{ name: 'Energy', size: length, offset, scale: delta, units: 'eV', navigate: false }],
    };
  }
  const offsetX = v.getFloat64(0, true);
  const deltaX = v.getFloat64(8, true);
  const offsetY = v.getFloat64(20, true);
  const deltaY = v.getFloat64(28, true);
  const code = v.getInt16(40, true);
  const sizeX = v.getInt32(42, true);
  const sizeY = v.getInt32(46, true);
  const dtype = elementDType(name, code);
  if (sizeX < 1 || sizeY < 1) {
    throw new FileFormatError(name, `the images are ${sizeX} x ${sizeY} pixels`);
  }
  // A metre or more per pixel is no image: the calibration is in 1/m (a diffraction pattern).
  const reciprocal = Math.abs(deltaX) > 1;
  const factor = reciprocal ? 1e-9 : 1e9;
  const units = reciprocal ? '1 / nm' : 'nm';
  return {
    dtype,
    count: sizeX * sizeY,
    headerBytes,
    axes: [
      {
        name: 'y',
        size: sizeY,
        offset: offsetY * factor,
        scale: deltaY * factor,
        units,
        navigate: true,
      },
      {
        name: 'x',
        size: sizeX,
        offset: offsetX * factor,
        scale: deltaX * factor,
        units,
        navigate: false,
      },
    ],
  };
}

function elementDType(name: string, code: number): DType {
  const dtype = SER_DTYPES[code];
  if (dtype === undefined) {
    throw new FileFormatError(
      name,
      code === 9 || code === 10
        ? 'complex data are not supported'
        : `unknown element data type ${code}`,
    );
  }
  return dtype;
}

/** The navigation axes, in data order (the header's last dimension first). */
function navigationAxes(h: SerHeader): AxisSpec[] {
  const dims = h.dimensions.filter((d) => h.dataTypeId === SER_SPECTRA || d.size > 1);
  const positions = dims.filter((d) => d.units === 'meters').length;
  const names = positions === 2 ? ['x', 'y'] : ['x'];
  const axes: AxisSpec[] = [];
  let k = 0;
  for (const d of dims) {
    if (d.units === 'meters') {
      axes.push({
        name: names[k++] ?? '',
        size: d.size,
        offset: d.offset * 1e9,
        scale: d.delta * 1e9,
        units: 'nm',
        navigate: true,
      });
    } else {
      axes.push({ name: '', size: d.size, offset: 0, scale: 1, units: '', navigate: true });
    }
  }
  return axes.reverse();
}

/** Reverses the order of the `rows` rows of `image` in place. */
function flipRows(image: NumericArray, scratch: NumericArray, rows: number): void {
  const width = image.length / rows;
  for (let top = 0, bottom = rows - 1; top < bottom; top++, bottom--) {
    const a = image.subarray(top * width, (top + 1) * width);
    const b = image.subarray(bottom * width, (bottom + 1) * width);
    (scratch as Float64Array).set(a as Float64Array);
    (a as Float64Array).set(b as Float64Array);
    (b as Float64Array).set(scratch as Float64Array);
  }
}

export interface SerOptions extends ReadOptions {
  /** Metadata from the .emi, merged into the signal's. */
  metadata?: Record<string, unknown>;
}

/** Reads a .ser series into one signal. */
export async function readSer(source: ByteSource, options: SerOptions = {}): Promise<Signal> {
  const name = source.name;
  throwIfAborted(options.signal);
  const h = await readSerHeader(source);
  const layout = await elementLayout(source, h);
  const nav = navigationAxes(h);
  let navCount = 1;
  for (const a of nav) navCount *= a.size;
  if (navCount !== h.totalElements) {
    throw new FileFormatError(
      name,
      `the navigation axes hold ${navCount} elements, the series ${h.totalElements}`,
    );
  }
  const size = DTYPE_SIZE[layout.dtype];
  const elementBytes = layout.headerBytes + layout.count * size;
  // Every valid element must lie in the file: that bounds the cube by the file's size.
  const valid = h.validElements;
  for (let i = 0; i < valid; i++) {
    const at = h.dataOffsets[i]!;
    if (at + elementBytes > source.size) {
      throw new FileFormatError(
        name,
        `element ${i} (${elementBytes} bytes at ${at}) runs past the end of the file`,
      );
    }
  }
  if (h.dataOffsets[0]! + elementBytes > source.size) {
    throw new FileFormatError(
      name,
      `the first element (${elementBytes} bytes) runs past the end of the file`,
    );
  }
  const length = h.totalElements * layout.count;
  // Elements not acquired are zeros: the cube may exceed the file by the series' total over its valid count.
  const limitBytes = Math.max(64 << 20, (2 * source.size * h.totalElements) / Math.max(1, valid));
  const data: NumericArray = allocateCube(name, layout.dtype, length, {
    sharedMemory: options.sharedMemory ?? false,
    limitBytes,
    what: 'the series',
  });

  const codeAt = layout.headerBytes === IMAGE_HEADER ? 40 : 20;
  // TIA stores images bottom row first; HyperSpy (and every viewer) shows the top row first.
  const scratch =
    layout.headerBytes === IMAGE_HEADER ? allocate(layout.dtype, layout.axes[1]!.size) : null;
  // A run of elements stored one after the other, read at once: elements i..runEnd(i)-1.
  const runEnd = (i: number): number => {
    const start = h.dataOffsets[i]!;
    let j = i + 1;
    while (
      j < valid &&
      h.dataOffsets[j] === start + (j - i) * elementBytes &&
      (j - i + 1) * elementBytes <= BLOCK_BYTES
    ) {
      j++;
    }
    return j;
  };
  const readRun = (i: number, j: number): Promise<Uint8Array> =>
    source.read(h.dataOffsets[i]!, (j - i) * elementBytes);
  // The next run is read while this one is decoded.
  let next: Promise<Uint8Array> | null = null;
  let nextEnd = 0;
  if (valid > 0) {
    nextEnd = runEnd(0);
    next = readRun(0, nextEnd);
  }
  try {
    for (let i = 0; i < valid;) {
      throwIfAborted(options.signal);
      const j = nextEnd;
      const block = await next!;
      next = null;
      if (j < valid) {
        nextEnd = runEnd(j);
        next = readRun(j, nextEnd);
      }
      const bv = view(block);
      for (let k = i; k < j; k++) {
        const base = (k - i) * elementBytes;
        const code = bv.getInt16(base + codeAt, true);
        if (SER_DTYPES[code] !== layout.dtype) {
          throw new FileFormatError(name, `element ${k} has another data type than the first`);
        }
        const element = data.subarray(k * layout.count, (k + 1) * layout.count);
        decodeTypedArray(
          block,
          base + layout.headerBytes,
          layout.dtype,
          layout.count,
          true,
          element,
        );
        if (scratch) flipRows(element, scratch, layout.axes[0]!.size);
      }
      i = j;
      options.onProgress?.({ done: i, total: valid, stage: 'reading the series' });
    }
  } finally {
    // A read still under way when decoding failed or was cancelled: let it settle unseen.
    (next as Promise<Uint8Array> | null)?.catch(() => undefined);
  }

  const axes = [...nav, ...layout.axes];
  const image = h.dataTypeId === SER_IMAGES;
  const metadata: Record<string, unknown> = {
    ...(options.metadata ?? {}),
    General: {
      ...((options.metadata?.['General'] as Record<string, unknown> | undefined) ?? {}),
      original_filename: name,
    },
    original_metadata: {
      ser_header_parameters: {
        ByteOrder: '0x4949',
        SeriesID: '0x0197',
        SeriesVersion: `0x${h.version.toString(16)}`,
        DataTypeID: `0x${h.dataTypeId.toString(16)}`,
        TagTypeID: `0x${h.tagTypeId.toString(16)}`,
        TotalNumberElements: h.totalElements,
        ValidNumberElements: h.validElements,
        OffsetArrayOffset: h.offsetArrayOffset,
        NumberDimensions: h.dimensions.length,
      },
      ...((options.metadata?.['original_metadata'] as Record<string, unknown> | undefined) ?? {}),
    },
  };
  if (image) metadata['signalDimension'] = 2;
  return signalFromFile(name, {
    data,
    dtype: layout.dtype,
    axes,
    title: '',
    signalType: '',
    metadata,
  });
}
