/**
 * Synthetic Velox .emd files written with h5wasm, laid out as Velox writes
 * them (see core/src/io/node/velox-read.ts): a spectrum stream per detector
 * segment with its acquisition settings and JSON metadata, the spectrum
 * image settings, and a HAADF image. For the fuzz, large-file and benchmark
 * cases; the real files' agreement with HyperSpy is tested on Velox's own.
 */
import h5wasm from 'h5wasm/node';
import { h5wasm as loadH5wasm } from '../../../core/src/io/node/hspy-h5read.js';

export interface VeloxSpec {
  width: number;
  height: number;
  frames: number;
  bincount: number;
  /** One stream per detector segment (uint16 entries, 0xFFFF ends a pixel). */
  streams: Uint16Array[];
  /** eV per channel and energy of channel 0 (eV). */
  dispersion?: number;
  offsetEnergy?: number;
  /** Pixel size (m). */
  pixelSize?: number;
  /** Write `SpectrumImageSettings.endFramePosition` (else the reader must count frames). */
  frameCount?: boolean;
  /** The frame count written there, if not `frames` (a damaged file). */
  claimedFrames?: number;
  /** Write a FrameLocationTable for each stream. */
  frameTable?: boolean;
  /** Leave the stream out (a "pruned" file): only the SpectrumImage group remains. */
  pruned?: boolean;
  /** Live and real time (s) recorded in the last metadata column, per segment. */
  liveTime?: number;
  realTime?: number;
  /** Scan frame time (s). */
  frameTime?: number;
}

const uuid = (i: number): string => i.toString(16).padStart(32, '0');

/** The JSON Velox writes beside a dataset, for segment `segment` (or all, for -1). */
export function veloxMetadata(spec: VeloxSpec, segment: number, column: 'first' | 'last'): string {
  const detectors: Record<string, unknown> = {
    'Detector-0': { DetectorName: 'HAADF', DetectorType: 'ScanningDetector' },
  };
  const segments = Math.max(1, spec.streams.length);
  for (let d = 0; d < segments; d++) {
    detectors[`Detector-${d + 1}`] = {
      DetectorName: `SuperXG2${d + 1}`,
      DetectorType: 'AnalyticalDetector',
      ElevationAngle: String((22 * Math.PI) / 180),
      AzimuthAngle: String(((45 + 90 * d) * Math.PI) / 180),
      Dispersion: String(spec.dispersion ?? 10),
      OffsetEnergy: String(spec.offsetEnergy ?? -1000),
      LiveTime: String(column === 'last' ? (spec.liveTime ?? 1) : 0.001),
      RealTime: String(column === 'last' ? (spec.realTime ?? 1.2) : 0.0012),
    };
  }
  const size = spec.pixelSize ?? 1e-9;
  return JSON.stringify({
    Optics: { AccelerationVoltage: '200000', CameraLength: '0.098' },
    Instrument: { InstrumentClass: 'Talos' },
    Acquisition: { AcquisitionStartDatetime: { DateTime: '1488794276' } },
    Stage: { AlphaTilt: '0.1', BetaTilt: '0', Position: { x: '1e-6', y: '2e-6', z: '0' } },
    BinaryResult: {
      Detector: segment < 0 ? 'SuperXG2' : `SuperXG2${segment + 1}`,
      PixelSize: { width: String(size), height: String(size) },
      PixelUnitX: 'm',
      PixelUnitY: 'm',
      Offset: { x: '0', y: '0' },
    },
    Scan: {
      ScanSize: { width: String(spec.width), height: String(spec.height) },
      ScanArea: { left: '0', top: '0', right: '1', bottom: '1' },
      FrameTime: String(spec.frameTime ?? 1),
    },
    Detectors: detectors,
    CustomProperties: { StemMagnification: { type: 'double', value: '40000' } },
  });
}

/** A uint8 `rows x columns` Metadata array with each column's JSON. */
function metadataArray(texts: readonly string[], rows = 60000): Uint8Array {
  const out = new Uint8Array(rows * texts.length);
  texts.forEach((t, c) => {
    const bytes = new TextEncoder().encode(t);
    if (bytes.length > rows) throw new Error('metadata too long');
    for (let r = 0; r < bytes.length; r++) out[r * texts.length + c] = bytes[r]!;
  });
  return out;
}

/** Writes `spec` as a Velox file at `path`. */
export async function writeVelox(path: string, spec: VeloxSpec): Promise<void> {
  await loadH5wasm();
  const file = new h5wasm.File(path, 'w');
  try {
    file.create_dataset({
      name: 'Version',
      data: ['{\n    "version": "4",\n    "format": "Velox"\n}\n'],
    });
    const data = file.create_group('Data');
    const streams = data.create_group('SpectrumStream');
    if (!spec.pruned) {
      spec.streams.forEach((values, d) => {
        const g = streams.create_group(uuid(100 + d));
        const length = Math.max(1, values.length);
        g.create_dataset({
          name: 'Data',
          data: values.length > 0 ? values : new Uint16Array(1),
          shape: [length, 1],
          dtype: '<H',
          chunks: [Math.min(8192, length), 1],
        });
        g.create_dataset({
          name: 'AcquisitionSettings',
          data: [
            JSON.stringify({
              encoding: 'uint16',
              bincount: String(spec.bincount),
              StreamEncoding: 'uint16',
              Size: '1048576',
              RasterScanDefinition: { Width: String(spec.width), Height: String(spec.height) },
            }),
          ],
        });
        const columns = [veloxMetadata(spec, d, 'first'), veloxMetadata(spec, d, 'last')];
        g.create_dataset({
          name: 'Metadata',
          data: metadataArray(columns),
          shape: [60000, columns.length],
          dtype: '<B',
          chunks: [60000, 1],
        });
        if (spec.frameTable) {
          const starts: number[] = [0];
          for (let i = 0, pixels = 0; i < values.length && starts.length < spec.frames; i++) {
            if (values[i] === 0xffff && ++pixels % (spec.width * spec.height) === 0) {
              starts.push(i + 1);
            }
          }
          g.create_dataset({
            name: 'FrameLocationTable',
            data: BigUint64Array.from(starts, BigInt),
            shape: [starts.length, 1],
            dtype: '<Q',
          });
        }
      });
    }
    const si = data.create_group('SpectrumImage').create_group(uuid(200));
    si.create_dataset({ name: 'Data', data: new Uint8Array(64), shape: [64, 1], dtype: '<B' });
    si.create_dataset({
      name: 'SpectrumImageSettings',
      data: [
        JSON.stringify(
          spec.frameCount === false
            ? {}
            : { endFramePosition: String(spec.claimedFrames ?? spec.frames) },
        ),
      ],
    });
    si.create_dataset({
      name: 'Metadata',
      data: metadataArray([veloxMetadata(spec, -1, 'first')]),
      shape: [60000, 1],
      dtype: '<B',
    });
    const image = data.create_group('Image').create_group(uuid(300));
    const pixels = spec.width * spec.height;
    const haadf = new Uint16Array(pixels * spec.frames);
    for (let i = 0; i < haadf.length; i++) haadf[i] = (i * 7919) % 65521;
    image.create_dataset({
      name: 'Data',
      data: haadf,
      shape: [spec.height, spec.width, spec.frames],
      dtype: '<H',
      chunks: [spec.height, spec.width, 1],
    });
    const haadfMeta = veloxMetadata(spec, -1, 'first').replace(
      '"Detector":"SuperXG2"',
      '"Detector":"HAADF"',
    );
    image.create_dataset({
      name: 'Metadata',
      data: metadataArray(Array.from({ length: spec.frames }, () => haadfMeta)),
      shape: [60000, spec.frames],
      dtype: '<B',
      chunks: [60000, 1],
    });
    const ops = file.create_group('Operations');
    ops.create_group('StemInputOperation').create_dataset({
      name: uuid(400),
      data: [JSON.stringify({ dataPath: `/Data/Image/${uuid(300)}`, detector: 'HAADF' })],
    });
    ops.create_group('ImageQuantificationOperation').create_dataset({
      name: uuid(401),
      data: [
        JSON.stringify({
          colormixSelection: [
            { name: 'HAADF', stem: 'true' },
            { name: 'Fe', stem: 'false' },
            { name: 'Cu', stem: 'false' },
          ],
        }),
      ],
    });
  } finally {
    file.close();
  }
}

/** A tiny deterministic generator (xorshift32). */
export function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

/**
 * A stream of `frames` frames of `pixels` pixels with about `events` events a
 * pixel (channels drawn around a few peaks), plus `trailing` events after
 * the last frame (the detector running on), as Velox records them.
 */
export function makeStream(
  pixels: number,
  frames: number,
  bincount: number,
  events: number,
  seed: number,
  trailing = 0,
): Uint16Array {
  const rand = random(seed);
  const counts = new Uint8Array(pixels * frames);
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = Math.floor(rand() * 2 * events + 0.5);
    counts[i] = Math.min(255, n);
    total += counts[i]! + 1;
  }
  const out = new Uint16Array(total + trailing);
  const peaks = [0.1, 0.25, 0.4, 0.7].map((p) => Math.floor(p * bincount));
  let at = 0;
  const event = (): number => {
    const r = rand();
    if (r < 0.3) return Math.floor(rand() * bincount);
    const p = peaks[Math.floor(r * 10) % peaks.length]!;
    return Math.min(bincount - 1, Math.max(0, p + Math.floor((rand() - 0.5) * 20)));
  };
  for (let i = 0; i < counts.length; i++) {
    for (let k = 0; k < counts[i]!; k++) out[at++] = event();
    out[at++] = 0xffff;
  }
  for (let k = 0; k < trailing; k++) out[at++] = event();
  return out;
}

/** The counts a stream means, decoded the obvious way (the reference for the decoder). */
export function naiveDecode(
  stream: Uint16Array,
  pixels: number,
  bincount: number,
  first: number,
  last: number,
  sumFrames: boolean,
  rebin = 1,
): Float64Array {
  const channels = bincount / rebin;
  const out = new Float64Array((sumFrames ? 1 : last - first) * pixels * channels);
  let pixel = 0;
  for (const v of stream) {
    if (v === 0xffff) {
      pixel++;
      continue;
    }
    const frame = Math.floor(pixel / pixels);
    if (frame < first || frame >= last) continue;
    const p = pixel % pixels;
    const f = sumFrames ? 0 : frame - first;
    out[(f * pixels + p) * channels + Math.floor(v / rebin)]! += 1;
  }
  return out;
}
