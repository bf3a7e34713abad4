/**
 * Images and spectra from Gatan DigitalMicrograph .dm3/.dm4 files.
 *
 * Each entry of the root `ImageList` group is an image: `ImageData` holds
 * `Data` (the array), `DataType`, `Dimensions` (fastest-varying first) and
 * `Calibrations/Dimension` (origin, scale, units per dimension; the value of
 * pixel i is (i - origin) * scale); `ImageTags/Meta Data` says what the image
 * is (`Signal`: EELS, X-ray, CL; `Format`: Spectrum, Spectrum image, ...).
 * Images listed under `Thumbnails` are previews and are skipped.
 *
 * The layout follows what HyperSpy 1.7.3 makes of the same files, so results
 * compare directly: axes of size 1 are dropped; DM's fastest dimension is the
 * last data axis, except in 3-D+ "Spectrum image" files, where the energy
 * axis is DM's slowest dimension and is moved last; spectra (1-D data, or
 * "Spectrum"/"Spectrum image" formats) have one signal axis. Images keep
 * DM's order; our Signal has a single signal axis, so the last (x) is it and
 * `metadata.signalDimension = 2` records that HyperSpy would see an image.
 */
import type { AxisSpec } from '../model/axis.js';
import { DTYPE_SIZE, allocate, type DType, type NumericArray } from '../model/dtype.js';
import { dmHyperspyMetadata } from './dm-metadata.js';
import type { Signal } from '../model/signal.js';
import { decodeTypedArray, toBytes } from './binary.js';
import {
  asNumber,
  asText,
  child,
  groupAt,
  isArray,
  isGroup,
  parseDmFile,
  toPlain,
  type DmFile,
  type DmGroup,
} from './dm-tags.js';
import { FileFormatError, isBinnedSignalType, signalFromFile } from './errors.js';
import { allocateCube } from './source.js';

/** DM image data types we read. */
const DM_DTYPES: Readonly<Record<number, DType>> = {
  1: 'int16',
  2: 'float32',
  6: 'uint8',
  7: 'int32',
  9: 'int8',
  10: 'uint16',
  11: 'uint32',
  12: 'float64',
  14: 'bool',
  39: 'int64',
  40: 'uint64',
};

/** DM image data types we recognise but cannot represent as real numbers. */
const UNSUPPORTED: Readonly<Record<number, string>> = {
  3: 'complex64',
  5: 'packed complex',
  13: 'complex128',
  8: 'RGB',
  15: 'RGBA float32',
  16: 'RGB uint16',
  17: 'RGBA float64',
  18: 'RGBA uint16',
  19: 'RGBA uint8',
  20: 'RGB float32',
  21: 'RGB float64',
  22: 'RGB uint8',
  23: 'RGBA uint8',
};

/** `Meta Data/Signal` values and the signal types they mean. */
const SIGNAL_TYPES: Readonly<Record<string, string>> = {
  EELS: 'EELS',
  'X-RAY': 'EDS_TEM',
  EDS: 'EDS_TEM',
  CL: 'CL',
};

/** Names of the spectral axis for signal types that have one (others keep x, y, z). */
const SPECTRAL_NAMES: Readonly<Record<string, string>> = { EELS: 'Energy loss', CL: 'Wavelength' };

/** Reads every (non-thumbnail) image of a .dm3/.dm4 file. */
export function readDm(input: Uint8Array | ArrayBuffer, fileName: string): Signal[] {
  const file = parseDmFile(toBytes(input), fileName);
  const list = groupAt(file.root, 'ImageList');
  if (list === undefined)
    throw new FileFormatError(fileName, 'no ImageList tag group: the file holds no image');
  const thumbnails = new Set<number>();
  for (const t of groupAt(file.root, 'Thumbnails')?.tags ?? []) {
    const index = isGroup(t.value) ? asNumber(child(t.value, 'ImageIndex')) : undefined;
    if (index !== undefined) thumbnails.add(index);
  }
  const signals: Signal[] = [];
  let unsupported: FileFormatError | undefined;
  list.tags.forEach((tag, i) => {
    if (thumbnails.has(i) || !isGroup(tag.value)) return;
    try {
      signals.push(readImage(file, tag.value, i));
    } catch (err) {
      // A preview not listed under Thumbnails (RGB) must not hide the real data next to it.
      if (err instanceof UnsupportedImage) unsupported ??= err;
      else throw err;
    }
  });
  if (signals.length === 0) {
    throw unsupported ?? new FileFormatError(fileName, 'ImageList holds no image');
  }
  return signals;
}

class UnsupportedImage extends FileFormatError {}

function readImage(file: DmFile, image: DmGroup, index: number): Signal {
  const { fileName } = file;
  const fail = (problem: string): never => {
    throw new FileFormatError(fileName, `image ${index}: ${problem}`);
  };
  const imageData = groupAt(image, 'ImageData') ?? fail('no ImageData group');
  const code = asNumber(child(imageData, 'DataType')) ?? fail('no DataType tag');
  const dtype = DM_DTYPES[code];
  if (dtype === undefined) {
    const name = UNSUPPORTED[code];
    throw new UnsupportedImage(
      fileName,
      name === undefined
        ? `image ${index}: unknown DM data type ${code}`
        : `image ${index}: ${name} data (DM data type ${code}) are not supported; only real numbers can be fitted`,
    );
  }
  const dimsGroup = groupAt(imageData, 'Dimensions') ?? fail('no Dimensions group');
  const dims = dimsGroup.tags.map((t) => {
    const d = asNumber(t.value);
    return d !== undefined && Number.isSafeInteger(d) && d >= 1
      ? d
      : fail(`invalid dimension ${String(d)}`);
  });
  if (dims.length === 0) fail('no dimensions');
  const dataTag = child(imageData, 'Data');
  if (!isArray(dataTag)) return fail('no Data array');
  const count = dims.reduce((n, d) => n * d, 1);
  const needed = count * DTYPE_SIZE[dtype];
  if (dataTag.byteLength !== needed) {
    fail(
      `Data holds ${dataTag.byteLength} bytes but ${dims.join(' x ')} ${dtype} values need ${needed}`,
    );
  }

  const cal = (groupAt(imageData, 'Calibrations', 'Dimension')?.tags ?? []).map((t) =>
    isGroup(t.value) ? t.value : undefined,
  );
  // Axes in C order: DM's dimension k is data axis (rank - 1 - k).
  let axes: AxisSpec[] = dims
    .map((size, k) => {
      const c = cal[k];
      const origin = asNumber(child(c, 'Origin')) ?? 0;
      const scale = asNumber(child(c, 'Scale')) ?? 1;
      return {
        name: '',
        size,
        offset: -origin * scale,
        // Uncalibrated dimensions are sometimes saved with scale 0; an axis needs a step.
        scale: scale === 0 ? 1 : scale,
        units: asText(file, child(c, 'Units')) ?? '',
        navigate: true,
      };
    })
    .reverse()
    .filter((a) => a.size > 1);
  if (axes.length === 0) {
    // A single value: keep one axis of size 1 so it is still a (one-channel) spectrum.
    axes = [{ name: '', size: 1, offset: 0, scale: 1, units: '', navigate: true }];
  }
  if (axes.length > 4) fail(`${axes.length} dimensions; at most 4 are supported`);
  const names = ['x', 'y', 'z'];
  axes.forEach((a, i) => (a.name = names[axes.length - 1 - i] ?? ''));

  const tags = groupAt(image, 'ImageTags');
  const meta = groupAt(tags, 'Meta Data');
  const format = (asText(file, child(meta, 'Format')) ?? '').toLowerCase();
  const dmSignal = (asText(file, child(meta, 'Signal')) ?? '').toUpperCase();
  const signalType = SIGNAL_TYPES[dmSignal] ?? dmSignal;
  const rank = axes.length;
  const spectrum =
    rank === 1 || format === 'spectrum image' || (format === 'spectrum' && rank === 2);
  const roll = spectrum && rank >= 3;

  const cube = allocateCube(fileName, dtype, count, {
    limitBytes: dataTag.byteLength,
    what: `image ${index}`,
  });
  let data = decodeTypedArray(file.bytes, dataTag.offset, dtype, count, file.littleEndian, cube);
  if (roll) {
    data = moveFirstAxisLast(data, dtype, axes[0]!.size);
    axes = [...axes.slice(1), axes[0]!];
  }
  const signalAxis = axes[rank - 1]!;
  const spectralName = spectrum ? SPECTRAL_NAMES[signalType] : undefined;
  if (spectralName !== undefined) {
    // As HyperSpy names EELS axes: the energy axis by its meaning, the others x, y, z from the last.
    signalAxis.name = spectralName;
    axes.slice(0, -1).forEach((a, i) => (a.name = names[rank - 2 - i] ?? ''));
  }
  signalAxis.navigate = false;
  signalAxis.isBinned = spectrum && isBinnedSignalType(signalType);

  const plain = tags === undefined ? {} : (toPlain(file, tags) as Record<string, unknown>);
  const brightness = groupAt(imageData, 'Calibrations', 'Brightness');
  const metadata: Record<string, unknown> = {
    ...dmHyperspyMetadata(plain, {
      scale: asNumber(child(brightness, 'Scale')),
      origin: asNumber(child(brightness, 'Origin')),
    }),
    dm: plain,
  };
  if (!spectrum) metadata['signalDimension'] = 2;
  return signalFromFile(fileName, {
    data,
    dtype,
    axes,
    title: asText(file, child(image, 'Name')) ?? '',
    signalType,
    metadata,
  });
}

/** Data of shape (n, rest...) in C order to shape (rest..., n). */
function moveFirstAxisLast(src: NumericArray, dtype: DType, n: number): NumericArray {
  const out = allocate(dtype, src.length);
  const rest = src.length / n;
  const o = out as { [i: number]: number | bigint };
  for (let e = 0; e < n; e++) {
    for (let p = 0; p < rest; p++) o[p * n + e] = src[e * rest + p]!;
  }
  return out;
}
