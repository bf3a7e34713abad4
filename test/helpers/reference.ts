/**
 * Loads the reference cases in ../shared/data/reference (written by HyperSpy
 * 1.7.3; see ../shared/README.md) for tests and benchmarks.
 */
import { readFileSync } from 'node:fs';
import { Signal } from '@samfire/core';
import type { Model } from '@samfire/core';

import { SHARED } from './shared-dir.js';

export { SHARED };
export const DOMAIN_DIR = `${SHARED}data/reference/domain-7x15x400/`;

/** A little-endian float64 C-order .npy (the reference data) as shape and values. */
export function readFloat64Npy(path: string): { shape: number[]; data: Float64Array } {
  const bytes = readFileSync(path);
  const major = bytes[6]!;
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = bytes.subarray(start, start + headerLength).toString('latin1');
  if (!header.includes("'<f8'") || header.includes("'fortran_order': True"))
    throw new Error(`${path}: not C-order float64`);
  const shape = (/\(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  const body = bytes.subarray(start + headerLength);
  const data = new Float64Array(
    body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength),
  );
  return { shape, data };
}

export interface DomainTruth {
  g: Record<'A' | 'centre' | 'sigma', number[][]>;
  l1: Record<'A' | 'centre' | 'gamma', number[][]>;
  l2: Record<'A' | 'centre' | 'gamma', number[][]>;
  l2_present: boolean[][];
  axis: { offset: number; scale: number };
}

export function domainTruth(): DomainTruth {
  return JSON.parse(readFileSync(`${DOMAIN_DIR}truth.json`, 'utf8')) as DomainTruth;
}

/** The domain case as a Signal with HyperSpy's Poisson estimate (variance = data). */
export function domainSignal(): Signal {
  const { shape, data } = readFloat64Npy(`${DOMAIN_DIR}data.npy`);
  const truth = domainTruth();
  const [rows, cols, n] = shape as [number, number, number];
  const signal = new Signal({
    data,
    axes: [
      { name: 'y', size: rows, offset: 0, scale: 1, units: '', navigate: true },
      { name: 'x', size: cols, offset: 0, scale: 1, units: '', navigate: true },
      {
        name: 'Energy',
        size: n,
        offset: truth.axis.offset,
        scale: truth.axis.scale,
        units: 'eV',
        navigate: false,
      },
    ],
    title: 'domain 7x15x400',
  });
  signal.estimatePoissonianNoiseVariance({ gain: 1, offset: 0, floor: 1e-12 });
  return signal;
}

export interface PixelFit {
  pixel: [number, number];
  start_kind: 'default' | 'near';
  l2_active: boolean;
  start: Record<string, number>;
  result: Record<string, number>;
  std: Record<string, number>;
  chisq: number;
  dof: number;
  red_chisq: number;
}

export function pixelFits(): PixelFit[] {
  return (
    JSON.parse(readFileSync(`${SHARED}data/reference/pixel-fits.json`, 'utf8')) as {
      fits: PixelFit[];
    }
  ).fits;
}

/** The free parameters of the domain reference model. */
export const DOMAIN_PARAMETERS = [
  'g.A',
  'g.centre',
  'g.sigma',
  'l1.A',
  'l1.centre',
  'l1.gamma',
  'l2.A',
  'l2.centre',
  'l2.gamma',
] as const;

/** Every map a domain run produces (reduced chi-squared, l2's switch, the parameters), for exact comparison between runs. */
export function domainMaps(model: Model): Record<string, number[]> {
  const out: Record<string, number[]> = {
    redChisq: Array.from(model.redChisq),
    l2: Array.from(model.component('l2').activeMap!),
  };
  for (const p of DOMAIN_PARAMETERS) out[p] = Array.from(model.parameter(p).map.values);
  return out;
}
