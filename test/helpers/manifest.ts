/**
 * ../shared/data/io/manifest.json: what HyperSpy 1.7.3 reads from each sample
 * file, and the check that one of our Signals reads the same.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { encodeLittleEndian } from '../../core/src/io/binary.js';
import { toFloat64 } from '@samfire/core';
import type { Signal } from '@samfire/core';
import { SHARED } from './reference.js';

export interface ManifestAxis {
  name: string | null;
  size: number;
  navigate: boolean;
  units: string | null;
  offset: number;
  scale: number;
}

export interface ManifestSignal {
  title: string;
  signal_type: string;
  dtype: string;
  shape: number[];
  axes: ManifestAxis[];
  sum: number;
  min: number;
  max: number;
  sha256: string;
}

export interface ManifestEntry {
  file: string;
  signals: ManifestSignal[];
}

export const IO_DIR = `${SHARED}data/io/`;

export const manifest = JSON.parse(
  readFileSync(`${IO_DIR}manifest.json`, 'utf8'),
) as ManifestEntry[];

export function expectClose(actual: number, expected: number, what: string, rel = 1e-9): void {
  const ok = Math.abs(actual - expected) <= rel * Math.max(1, Math.abs(expected));
  expect(ok, `${what}: ${actual} vs ${expected}`).toBe(true);
}

/** Title, type, dtype, shape, axes (1e-9 relative), sum/min/max and sha256 as the manifest says. */
export function checkSignal(s: Signal, m: ManifestSignal): void {
  expect(s.title).toBe(m.title);
  expect(s.signalType).toBe(m.signal_type);
  expect(s.dtype).toBe(m.dtype);
  expect(s.shape).toEqual(m.shape);
  // HyperSpy images have two signal axes; our Signal has one (the last) and
  // marks the file's images with metadata.signalDimension = 2.
  const signalAxes = m.axes.filter((a) => !a.navigate).length;
  if (signalAxes === 2) expect(s.metadata['signalDimension']).toBe(2);
  else expect(s.metadata['signalDimension']).toBeUndefined();
  expect(s.axes.length).toBe(m.axes.length);
  m.axes.forEach((ma, i) => {
    const a = s.axes[i]!;
    expect(a.name, `axis ${i} name`).toBe(ma.name ?? '');
    expect(a.size, `axis ${i} size`).toBe(ma.size);
    expect(a.units, `axis ${i} units`).toBe(ma.units ?? '');
    expectClose(a.offset, ma.offset, `axis ${i} offset`);
    expectClose(a.scale, ma.scale, `axis ${i} scale`);
    expect(a.navigate, `axis ${i} navigate`).toBe(
      signalAxes === 2 ? i < m.axes.length - 1 : ma.navigate,
    );
  });
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of toFloat64(s.data)) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  expectClose(sum, m.sum, 'sum');
  expectClose(min, m.min, 'min');
  expectClose(max, m.max, 'max');
  expect(createHash('sha256').update(encodeLittleEndian(s.data)).digest('hex')).toBe(m.sha256);
}
