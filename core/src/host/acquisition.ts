/**
 * What the open dataset carries for a fit and for the user, from the
 * signal's metadata under HyperSpy's names (the .bcf, .spx, .emd, .msa and
 * .hspy readers all write them there): the acquisition's numbers
 * (AcquisitionInfo), and the electron images that came with a map,
 * resampled to the navigator's pixels.
 */
import type { AcquisitionInfo, ElectronImageInfo } from '../api/types.js';
import { isUniformAxis } from '../model/axis.js';
import { readAsFloat64 } from '../model/dtype.js';
import type { Signal } from '../model/signal.js';

type Tree = Record<string, unknown>;

function isTree(x: unknown): x is Tree {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

function at(tree: unknown, ...path: string[]): unknown {
  let node = tree;
  for (const key of path) {
    if (!isTree(node)) return undefined;
    node = node[key];
  }
  return node;
}

function num(x: unknown): number | null {
  const v = typeof x === 'number' ? x : typeof x === 'bigint' ? Number(x) : NaN;
  return Number.isFinite(v) ? v : null;
}

function str(x: unknown): string | null {
  return typeof x === 'string' && x.trim() !== '' ? x.trim() : null;
}

function strings(x: unknown): string[] {
  const items = Array.isArray(x) ? (x as unknown[]) : typeof x === 'string' ? [x] : [];
  return items.filter((e): e is string => typeof e === 'string' && e.trim() !== '');
}

/** Energy units an axis may be calibrated in. */
const ENERGY_UNITS = new Set(['ev', 'kev', 'mev']);

export function acquisitionInfo(signal: Signal): AcquisitionInfo {
  const md = signal.metadata;
  const instruments = at(md, 'Acquisition_instrument');
  const instrument =
    ['SEM', 'TEM'].find((k) => isTree(at(instruments, k))) ??
    (isTree(instruments) ? (Object.keys(instruments)[0] ?? null) : null);
  const inst = instrument === null ? undefined : at(instruments, instrument);
  const eds = at(inst, 'Detector', 'EDS');
  const axis = signal.signalAxis;
  // An offset and a step describe a uniform axis only (not an energy axis made from wavelengths).
  const energy = ENERGY_UNITS.has(axis.units.trim().toLowerCase()) && isUniformAxis(axis);
  const original = md['original_metadata'];
  return {
    instrument,
    beamEnergy: num(at(inst, 'beam_energy')),
    detector: str(at(eds, 'detector_type')) ?? str(at(eds, 'detector_name')),
    liveTime: num(at(eds, 'live_time')),
    realTime: num(at(eds, 'real_time')),
    energyResolutionMnKa: num(at(eds, 'energy_resolution_MnKa')),
    elevationAngle: num(at(eds, 'elevation_angle')),
    azimuthAngle: num(at(eds, 'azimuth_angle')),
    elements: strings(at(md, 'Sample', 'elements')),
    xrayLines: strings(at(md, 'Sample', 'xray_lines')),
    energyCalibration: energy
      ? { offset: axis.offset, scale: axis.scale, units: axis.units }
      : null,
    hasOriginalMetadata: isTree(original) && Object.keys(original).length > 0,
  };
}

/** Whether a signal of a file is an image (two signal axes), not a spectrum or a map. */
export function isImage(signal: Signal): boolean {
  return signal.metadata['signalDimension'] === 2 && signal.axes.length >= 2;
}

/**
 * Whether `image` shows the field the map was scanned over: the same
 * pixels, or the same extent (size x scale, each axis, within 10%: a map
 * downsampled or binned by the instrument spans what its image spans). An
 * overview image of a wider field (Esprit keeps one beside a map of a part
 * of it, and says nowhere where the map lies in it) is not.
 */
export function showsMapField(image: Signal, map: Signal): boolean {
  const nav = map.axes.filter((a) => a.navigate);
  // A line scan or a single spectrum has no field an image could show.
  if (nav.length !== 2) return false;
  const axes = image.axes.slice(-2);
  const [h, w] = imageShape(image);
  if (h === nav[0]!.size && w === nav[1]!.size) return true;
  return axes.every((a, i) => {
    const m = nav[i]!;
    const extent = Math.abs(a.size * a.scale);
    const mapExtent = Math.abs(m.size * m.scale);
    return (
      a.units === m.units &&
      extent > 0 &&
      mapExtent > 0 &&
      Math.abs(extent - mapExtent) <= 0.1 * Math.max(extent, mapExtent)
    );
  });
}

/** The image's [rows, cols]: its last two axes. */
export function imageShape(image: Signal): [number, number] {
  const a = image.axes;
  return [a[a.length - 2]!.size, a[a.length - 1]!.size];
}

export function electronImageInfo(images: readonly Signal[]): ElectronImageInfo[] {
  return images.map((image, index) => ({
    index,
    title: image.title || `image ${index + 1}`,
    shape: imageShape(image),
  }));
}

/**
 * The image over the navigator's [rows, cols] grid: both span the same
 * field of view (the map is scanned over the image's frame), so each map
 * pixel is the mean of the image pixels inside it (or the nearest one when
 * the image is coarser). A stack of frames is averaged over its frames.
 */
export function resampleImage(image: Signal, rows: number, cols: number): Float64Array {
  const [h, w] = imageShape(image);
  const frames = Math.max(1, Math.floor(image.data.length / (h * w)));
  const out = new Float64Array(rows * cols);
  const row = new Float64Array(w);
  const count = new Float64Array(rows * cols);
  for (let f = 0; f < frames; f++) {
    for (let y = 0; y < h; y++) {
      readAsFloat64(image.data, (f * h + y) * w, w, row);
      // The map rows this image row falls in (one, or several when the image is coarser).
      const r0 = Math.floor((y * rows) / h);
      const r1 = Math.max(r0 + 1, Math.floor(((y + 1) * rows) / h));
      for (let x = 0; x < w; x++) {
        const c0 = Math.floor((x * cols) / w);
        const c1 = Math.max(c0 + 1, Math.floor(((x + 1) * cols) / w));
        const v = row[x]!;
        for (let r = r0; r < r1 && r < rows; r++) {
          for (let c = c0; c < c1 && c < cols; c++) {
            out[r * cols + c]! += v;
            count[r * cols + c]! += 1;
          }
        }
      }
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = count[i]! > 0 ? out[i]! / count[i]! : NaN;
  return out;
}
