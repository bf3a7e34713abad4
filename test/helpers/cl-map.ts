/**
 * A cathodoluminescence-like spectrum image for the tests: a wavelength
 * axis from 811 to 936 nm (1024 channels), one emission peak per pixel
 * whose centre drifts from 846 to 861 nm across the map, on a small flat
 * background, with seeded Poisson counts, and optionally spikes (cosmic
 * rays) at given pixels and channels. Written as a HyperSpy file.
 */
import { writeHspy } from '@samfire/core/node';
import { Signal } from '@samfire/core';
import { mulberry32, poissonSample } from './random.js';

export const CL_AXIS = { offset: 811, scale: 125 / 1023, size: 1024 } as const;

export interface ClMapOptions {
  rows?: number;
  cols?: number;
  /** Peak area (counts) and width (nm). */
  area?: number;
  sigma?: number;
  background?: number;
  seed?: number;
  /** Spikes (cosmic rays) to add: `counts` more at a flat pixel index and channel. */
  spikes?: readonly { pixel: number; channel: number; counts: number }[];
}

/** The true peak centre (nm) at (row, col). */
export function clCentre(row: number, col: number, rows: number, cols: number): number {
  const t = (row * cols + col) / Math.max(1, rows * cols - 1);
  return 846 + 15 * t;
}

export function makeClMap(options: ClMapOptions = {}): Signal {
  const rows = options.rows ?? 6;
  const cols = options.cols ?? 8;
  const area = options.area ?? 30_000;
  const sigma = options.sigma ?? 6;
  const bg = options.background ?? 15;
  const rand = mulberry32(options.seed ?? 11);
  const n = CL_AXIS.size;
  const data = new Float32Array(rows * cols * n);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const centre = clCentre(r, c, rows, cols);
      for (let i = 0; i < n; i++) {
        const x = CL_AXIS.offset + i * CL_AXIS.scale;
        const mean =
          bg +
          (area / (sigma * Math.sqrt(2 * Math.PI))) * Math.exp(-0.5 * ((x - centre) / sigma) ** 2);
        data[(r * cols + c) * n + i] = poissonSample(rand, mean);
      }
    }
  }
  for (const s of options.spikes ?? []) {
    const i = s.pixel * n + s.channel;
    data[i] = data[i]! + s.counts;
  }
  return new Signal({
    data,
    axes: [
      { name: 'y', size: rows, offset: 0, scale: 0.1, units: 'µm', navigate: true },
      { name: 'x', size: cols, offset: 0, scale: 0.1, units: 'µm', navigate: true },
      {
        name: 'Wavelength',
        size: n,
        offset: CL_AXIS.offset,
        scale: CL_AXIS.scale,
        units: 'nm',
        navigate: false,
      },
    ],
    title: 'CL map',
    signalType: 'CL',
  });
}

export async function writeClMap(path: string, options: ClMapOptions = {}): Promise<void> {
  await writeHspy(path, makeClMap(options));
}
