/**
 * Comparing what a reader made of a file with what HyperSpy 1.7.3 made of it
 * (test/helpers/hyperspy-load.ts): axes to 1e-9 relative, the data's sha256,
 * the metadata and original_metadata trees. Where the Bruker readers leave
 * out what HyperSpy writes on purpose, `comparable` says so.
 */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { encodeLittleEndian } from '../../core/src/io/binary.js';
import type { Signal } from '@samfire/core';
import type { HsSignal } from './hyperspy-load.js';

export function sha256(s: Signal): string {
  return createHash('sha256').update(encodeLittleEndian(s.data)).digest('hex');
}

export function close(a: number, b: number, rel: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  return Math.abs(a - b) <= rel * Math.max(1, Math.abs(b));
}

/** Deep equality of plain trees, numbers within `rel` (JSON does not tell 20 from 20.0). */
export function expectTree(actual: unknown, expected: unknown, path: string, rel = 1e-12): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    expect(close(actual, expected, rel), `${path}: ${actual} vs ${expected}`).toBe(true);
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), `${path} is an array`).toBe(true);
    const a = actual as unknown[];
    expect(a.length, `${path} length`).toBe(expected.length);
    expected.forEach((e, i) => expectTree(a[i], e, `${path}[${i}]`, rel));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    expect(
      actual !== null && typeof actual === 'object' && !Array.isArray(actual),
      `${path} is an object`,
    ).toBe(true);
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    expect(Object.keys(a).sort(), `${path} keys`).toEqual(Object.keys(e).sort());
    for (const k of Object.keys(e)) expectTree(a[k], e[k], `${path}.${k}`, rel);
    return;
  }
  expect(actual, path).toEqual(expected);
}

/** Our metadata as HyperSpy would hold it once saved: title and signal type in place, our own keys out. */
export function hyperspyView(s: Signal): Record<string, unknown> {
  const m = structuredClone(s.metadata);
  delete m['signalDimension'];
  delete m['original_metadata'];
  const general = (m['General'] ?? {}) as Record<string, unknown>;
  general['title'] = s.title;
  m['General'] = general;
  m['Signal'] = { signal_type: s.signalType, ...((m['Signal'] ?? {}) as Record<string, unknown>) };
  return m;
}

/** HyperSpy's metadata without what we deliberately leave out (see the file comment). */
export function comparable(hs: HsSignal): Record<string, unknown> {
  const m = structuredClone(hs.metadata);
  const sample = m['Sample'] as Record<string, unknown> | undefined;
  if (sample?.['name'] === 'Undefinded') delete sample['name'];
  if (sample && Object.keys(sample).length === 0) delete m['Sample'];
  delete m['Markers'];
  return m;
}

export function expectSignalMatches(s: Signal, hs: HsSignal, where: string): void {
  expect(s.title, `${where} title`).toBe(hs.title);
  expect(s.signalType, `${where} signal type`).toBe(hs.signal_type);
  expect(s.dtype, `${where} dtype`).toBe(hs.dtype);
  expect(s.shape, `${where} shape`).toEqual(hs.shape);
  const image = hs.axes.filter((a) => !a.navigate).length === 2;
  expect(s.metadata['signalDimension'], `${where} image`).toBe(image ? 2 : undefined);
  expect(s.axes.length).toBe(hs.axes.length);
  hs.axes.forEach((ha, i) => {
    const a = s.axes[i]!;
    const at = `${where} axis ${i}`;
    expect(a.name, `${at} name`).toBe(ha.name);
    expect(a.size, `${at} size`).toBe(ha.size);
    expect(a.units, `${at} units`).toBe(ha.units);
    expect(close(a.scale, ha.scale, 1e-9), `${at} scale ${a.scale} vs ${ha.scale}`).toBe(true);
    expect(close(a.offset, ha.offset, 1e-9), `${at} offset ${a.offset} vs ${ha.offset}`).toBe(true);
    expect(a.navigate, `${at} navigate`).toBe(image ? i < hs.axes.length - 1 : ha.navigate);
  });
  expect(sha256(s), `${where} sha256`).toBe(hs.sha256);
  expectTree(hyperspyView(s), comparable(hs), `${where} metadata`);
  expectTree(
    s.metadata['original_metadata'] ?? {},
    hs.original_metadata,
    `${where} original_metadata`,
  );
}
