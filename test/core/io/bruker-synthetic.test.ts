/**
 * Synthetic .bcf maps (test/helpers/bcf-writer.ts) in every packing and
 * container layout: the cube we read holds exactly the counts the writer
 * drew (total, largest count, a weighted checksum), and HyperSpy 1.7.3
 * reads the same files to the same arrays and metadata. Chained trees and
 * chunk tables (small chunks) are checked against the writer only:
 * HyperSpy 1.7.3 cannot read a tree that spans chunks of 1 KiB.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BcfOptions } from '../../../core/src/io/bruker/bcf.js';
import { readBcfFile } from '../../../core/src/io/node/bruker.js';
import { toFloat64 } from '@samfire/core';
import {
  cubeChecksum,
  writeSyntheticBcf,
  type SyntheticBcf,
  type SyntheticInfo,
} from '../../helpers/bcf-writer.js';
import { expectSignalMatches } from '../../helpers/bruker-compare.js';
import {
  hyperspyAvailable,
  hyperspyLoad,
  type HsResult,
  type HsSignal,
} from '../../helpers/hyperspy-load.js';

const tmp = mkdtempSync(join(tmpdir(), 'bcf-synthetic-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SPECS: Record<string, SyntheticBcf> = {
  'pulses-aacs': { height: 23, width: 31, packing: 'pulses', counts: 150, seed: 1 },
  'pulses-sparse-stored': {
    height: 16,
    width: 40,
    packing: 'pulses',
    counts: 40,
    emptyEvery: 3,
    compress: false,
    seed: 2,
  },
  'instructive-aacs': { height: 12, width: 14, packing: 'instructive', counts: 25_000, seed: 3 },
  'instructive-uint32': {
    height: 3,
    width: 5,
    packing: 'instructive',
    counts: 30_000_000,
    channels: 1024,
    seed: 4,
  },
  'two-detectors': {
    height: 10,
    width: 12,
    packing: 'instructive',
    counts: 4000,
    detectors: 2,
    seed: 8,
  },
  'pulses-4096-channels': {
    height: 8,
    width: 9,
    packing: 'pulses',
    counts: 3000,
    channels: 4096,
    seed: 5,
  },
};
const SMALL_CHUNKS: Record<string, SyntheticBcf> = {
  'pulses-1k-chunks': {
    height: 40,
    width: 40,
    packing: 'pulses',
    counts: 300,
    chunkSize: 1024,
    seed: 6,
  },
  'instructive-1k-chunks-stored': {
    height: 9,
    width: 11,
    packing: 'instructive',
    counts: 8000,
    chunkSize: 1024,
    compress: false,
    seed: 7,
  },
};

const written = new Map<string, SyntheticInfo>();
const path = (name: string): string => join(tmp, `${name}.bcf`);
let reference: HsResult[] = [];
const hsCases: { name: string; kwargs: Record<string, unknown> }[] = [
  ...Object.keys(SPECS).flatMap((name) => [
    { name, kwargs: {} },
    { name, kwargs: { downsample: 2 } },
  ]),
  // Several detectors: HyperSpy's `index`.
  { name: 'two-detectors', kwargs: { index: 1 } },
  { name: 'two-detectors', kwargs: { index: 'all' } },
  { name: 'two-detectors', kwargs: { index: 1, downsample: 3, cutoff_at_kV: 4 } },
];
/** HyperSpy's option names as ours. */
const ours = (kwargs: Record<string, unknown>): BcfOptions => ({
  ...(kwargs['downsample'] !== undefined ? { downsample: kwargs['downsample'] as number } : {}),
  ...(kwargs['index'] !== undefined ? { index: kwargs['index'] as number | 'all' } : {}),
  ...(kwargs['cutoff_at_kV'] !== undefined ? { cutoffAtKv: kwargs['cutoff_at_kV'] as number } : {}),
});

beforeAll(async () => {
  for (const [name, spec] of Object.entries({ ...SPECS, ...SMALL_CHUNKS })) {
    written.set(name, writeSyntheticBcf(path(name), spec));
  }
  if (hyperspyAvailable) {
    reference = await hyperspyLoad(hsCases.map((c) => ({ file: path(c.name), kwargs: c.kwargs })));
  }
}, 300_000);

describe('synthetic .bcf maps hold what was written', () => {
  it.each(Object.keys({ ...SPECS, ...SMALL_CHUNKS }))('%s', async (name) => {
    const info = written.get(name)!;
    const spec = { ...SPECS, ...SMALL_CHUNKS }[name]!;
    const signals = await readBcfFile(path(name));
    expect(signals.map((s) => s.title)).toEqual(['BSE', 'EDX']);
    const eds = signals[1]!;
    const channels = spec.channels ?? 2048;
    expect(eds.shape).toEqual([spec.height, spec.width, channels]);
    expect(eds.dtype).toBe(info.dtype);
    const values = toFloat64(eds.data);
    let total = 0;
    let max = 0;
    for (const v of values) {
      total += v;
      if (v > max) max = v;
    }
    expect(total).toBe(info.total);
    expect(max).toBe(info.max);
    expect(cubeChecksum(values, channels)).toBe(info.checksum);
    const md = eds.metadata as {
      Acquisition_instrument: { SEM: { beam_energy: number } };
      Sample: { elements: string[]; xray_lines: string[]; name: string };
    };
    expect(md.Acquisition_instrument.SEM.beam_energy).toBe(20);
    expect(md.Sample).toEqual({
      name: 'synthetic map',
      elements: ['Fe', 'O', 'Si'],
      xray_lines: ['Fe_Ka', 'O_Ka', 'Si_Ka'],
    });
  });

  it('several detectors: index picks each hypermap, with its own calibration; index all gives every one', async () => {
    const info = written.get('two-detectors')!;
    expect(info.maps).toHaveLength(2);
    for (const i of [0, 1]) {
      const [, eds] = await readBcfFile(path('two-detectors'), { index: i });
      const values = toFloat64(eds!.data);
      expect(values.reduce((a, b) => a + b, 0)).toBe(info.maps[i]!.total);
      expect(cubeChecksum(values, 2048)).toBe(info.maps[i]!.checksum);
      expect(eds!.signalAxis.offset).toBeCloseTo(-0.472 - 0.01 * i, 12);
    }
    const all = await readBcfFile(path('two-detectors'), { index: 'all' });
    expect(all.map((s) => s.title)).toEqual(['BSE', 'EDX', 'EDX']);
    await expect(readBcfFile(path('two-detectors'), { index: 2 })).rejects.toThrow(
      /index 2: the file holds hypermaps 0, 1/,
    );
  });
});

describe.skipIf(!hyperspyAvailable)('synthetic .bcf maps as HyperSpy 1.7.3 reads them', () => {
  hsCases.forEach((c, k) => {
    it(`${c.name} ${JSON.stringify(c.kwargs)}`, async () => {
      const ref = reference[k]!;
      expect('error' in ref ? ref.error : null).toBeNull();
      const expected = (ref as { signals: HsSignal[] }).signals;
      const signals = await readBcfFile(path(c.name), ours(c.kwargs));
      expect(signals).toHaveLength(expected.length);
      signals.forEach((s, i) => expectSignalMatches(s, expected[i]!, `${c.name} [${i}]`));
    });
  });
});
