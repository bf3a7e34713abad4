/**
 * The app's open path with the streaming readers: the host passes progress
 * and an AbortSignal to the .bcf/.emd readers (file.onOpenProgress moves;
 * cancelOpen stops the read between blocks, the open answers 'cancelled',
 * the dataset open before stays and the next open goes through), and reads
 * the cube straight into shared memory when its pool is one of worker
 * threads, which the workers then read without a copy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OpenProgress } from '@samfire/core/api';
import { createHost, type Host } from '@samfire/core/host';
import { nodeHostDeps } from '@samfire/core/node';
import { Model, Signal, workerInit } from '@samfire/core';
import { writeHspy } from '@samfire/core/node';
import { shareForThreads } from '../../../core/src/pool/node/shared-init.js';
import { writeSyntheticBcf } from '../../helpers/bcf-writer.js';
import { IO_DIR } from '../../helpers/manifest.js';

const BRUKER = '/usr/lib/python3/dist-packages/hyperspy/tests/io/bruker_data/';
const REAL_BCF = join(BRUKER, '30x30_instructively_packed_16bit_compressed.bcf');
const MSA = join(IO_DIR, 'msa/example1.msa');
const tmp = mkdtempSync(join(tmpdir(), 'open-stream-'));
const LARGE = join(tmp, 'large.bcf');
const LARGE_HSPY = join(tmp, 'large.hspy');
let host: Host | null = null;

beforeAll(async () => {
  // Large enough that its read reports many steps (a 128x128x2048 uint16 cube, 64 MiB).
  writeSyntheticBcf(LARGE, {
    height: 128,
    width: 128,
    packing: 'instructive',
    counts: 20_000,
    seed: 5,
  });
  // A 128x128x1024 float32 cube (64 MiB) with an array variance of its shape: read in blocks.
  const n = 128 * 128 * 1024;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = (i % 1024) + ((i / 1024) | 0) * 1e-3;
  const signal = new Signal({
    data,
    axes: [
      { name: 'y', size: 128, offset: 0, scale: 1, units: 'nm', navigate: true },
      { name: 'x', size: 128, offset: 0, scale: 1, units: 'nm', navigate: true },
      { name: 'Energy', size: 1024, offset: 0, scale: 0.01, units: 'keV', navigate: false },
    ],
    variance: { kind: 'array', data: data.map((v) => v + 1) },
  });
  await writeHspy(LARGE_HSPY, signal);
}, 300_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(async () => {
  await host?.close();
  host = null;
});

/** A host whose reads are recorded: the options each got, and the signals each returned. */
function recordingHost(options: Parameters<typeof nodeHostDeps>[0] = { backupDir: null }): {
  host: Host;
  reads: { path: string; signals: Signal[] | null; aborted: () => boolean; shared: boolean }[];
} {
  const deps = nodeHostDeps(options);
  const reads: {
    path: string;
    signals: Signal[] | null;
    aborted: () => boolean;
    shared: boolean;
  }[] = [];
  const readSignals = deps.readSignals;
  deps.readSignals = async (path, o) => {
    const entry = {
      path,
      signals: null as Signal[] | null,
      aborted: () => o?.signal?.aborted ?? false,
      shared: o?.sharedMemory ?? false,
    };
    reads.push(entry);
    entry.signals = await readSignals(path, o);
    return entry.signals;
  };
  host = createHost(deps);
  return { host, reads };
}

describe('opening a .bcf through the host', () => {
  it('reports progress, in order, up to the whole file', async () => {
    const { host: h } = recordingHost();
    const seen: OpenProgress[] = [];
    const stop = h.file.onOpenProgress((p) => seen.push(p));
    const r = await h.file.openPath({ path: LARGE });
    stop();
    // The map opens, its BSE image in the navigator.
    expect(r.kind).toBe('opened');
    expect(seen.length).toBeGreaterThan(10);
    expect(new Set(seen.map((p) => p.name))).toEqual(new Set(['large.bcf']));
    expect(seen.some((p) => p.stage === 'decoding the hypermap')).toBe(true);
    for (const p of seen) expect(p.done).toBeLessThanOrEqual(p.total);
    // At most one event per percent of each stage (and its last).
    expect(seen.length).toBeLessThan(500);
    const last = seen.at(-1)!;
    expect(last.done).toBe(last.total);
  }, 120_000);

  it('Cancel aborts the read mid-file: the open answers cancelled, what was open stays, the next open goes through', async () => {
    const { host: h, reads } = recordingHost();
    await h.file.openExample();
    const seen: OpenProgress[] = [];
    let cancelled = false;
    h.file.onOpenProgress((p) => {
      seen.push(p);
      // Part-way through decoding: the cube is allocated and partly filled.
      if (!cancelled && p.stage === 'decoding the hypermap' && p.done > 0.2 * p.total) {
        cancelled = true;
        void h.file.cancelOpen();
      }
    });
    const result = await h.file.openPath({ path: LARGE });
    expect(cancelled).toBe(true);
    expect(result).toEqual({ kind: 'cancelled' });
    // The reader saw the abort and stopped: it returned nothing, and decoding never finished.
    expect(reads).toHaveLength(1);
    expect(reads[0]!.aborted()).toBe(true);
    expect(reads[0]!.signals).toBeNull();
    const decoding = seen.filter((p) => p.stage === 'decoding the hypermap');
    expect(decoding.at(-1)!.done).toBeLessThan(decoding.at(-1)!.total);
    expect((await h.dataset.summary())?.source.kind).toBe('example');
    // The app is usable: a real .bcf opens next, then another file.
    const next = await h.file.openPath({ path: REAL_BCF });
    expect(next.kind).toBe('opened');
    expect((await h.dataset.summary())?.shape).toEqual([30, 30, 2048]);
    expect((await h.file.openPath({ path: MSA })).kind).toBe('opened');
  }, 120_000);

  it('a thread pool host reads the cube into shared memory, which the workers get without a copy', async () => {
    const { host: h, reads } = recordingHost();
    const r = await h.file.openPath({ path: REAL_BCF });
    expect(r.kind).toBe('opened');
    expect(reads[0]!.shared).toBe(true);
    const map = reads[0]!.signals!.find((s) => s.signalType === 'EDS_SEM')!;
    expect(map.dtype).toBe('uint16');
    expect(map.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    // What the pool hands its worker threads is that very array, in its own dtype.
    const init = shareForThreads(
      workerInit(new Model(map), {
        optional: [],
        goodness: { kind: 'redChisq', tolerance: 2 },
        fit: {},
      }),
    );
    expect(init.data).toBe(map.data);
  }, 60_000);

  it('a host whose workers are processes (no shared memory) reads into ordinary memory', async () => {
    const { reads, host: h } = recordingHost({
      backupDir: null,
      spawnWorker: () => {
        throw new Error('not started in this test');
      },
    });
    await h.file.openPath({ path: REAL_BCF });
    expect(reads[0]!.shared).toBe(false);
    const map = reads[0]!.signals!.find((s) => s.signalType === 'EDS_SEM')!;
    expect(map.data.buffer).toBeInstanceOf(ArrayBuffer);
  }, 60_000);
});

describe('opening a large .hspy through the host', () => {
  function projectRecordingHost(): {
    host: Host;
    reads: { aborted: () => boolean; done: boolean }[];
  } {
    const deps = nodeHostDeps({ backupDir: null });
    const reads: { aborted: () => boolean; done: boolean }[] = [];
    const readProject = deps.readProject;
    deps.readProject = async (path, o) => {
      const entry = { aborted: () => o?.signal?.aborted ?? false, done: false };
      reads.push(entry);
      const project = await readProject(path, o);
      entry.done = true;
      return project;
    };
    host = createHost(deps);
    return { host, reads };
  }

  it('reports progress of the data and the variance, in order, up to the whole', async () => {
    const { host: h } = projectRecordingHost();
    const seen: OpenProgress[] = [];
    h.file.onOpenProgress((p) => seen.push(p));
    const r = await h.file.openPath({ path: LARGE_HSPY });
    expect(r.kind).toBe('opened');
    expect((await h.dataset.summary())?.shape).toEqual([128, 128, 1024]);
    expect(seen.length).toBeGreaterThan(10);
    expect(new Set(seen.map((p) => p.name))).toEqual(new Set(['large.hspy']));
    // The float32 data, then the variance (written as float64): 192 MiB in all.
    expect(seen[0]!.total).toBe(128 * 128 * 1024 * (4 + 8));
    expect(seen.some((p) => p.stage?.endsWith('variance'))).toBe(true);
    for (let i = 1; i < seen.length; i++)
      expect(seen[i]!.done).toBeGreaterThanOrEqual(seen[i - 1]!.done);
    expect(seen.at(-1)!.done).toBe(seen.at(-1)!.total);
  }, 120_000);

  it('Cancel stops the read between blocks: cancelled, the example stays open', async () => {
    const { host: h, reads } = projectRecordingHost();
    await h.file.openExample();
    let cancelled = false;
    const seen: OpenProgress[] = [];
    h.file.onOpenProgress((p) => {
      seen.push(p);
      if (!cancelled && p.done > 0.2 * p.total) {
        cancelled = true;
        void h.file.cancelOpen();
      }
    });
    const result = await h.file.openPath({ path: LARGE_HSPY });
    expect(cancelled).toBe(true);
    expect(result).toEqual({ kind: 'cancelled' });
    expect(reads).toHaveLength(1);
    expect(reads[0]!.aborted()).toBe(true);
    expect(reads[0]!.done).toBe(false);
    expect(seen.at(-1)!.done).toBeLessThan(seen.at(-1)!.total);
    expect((await h.dataset.summary())?.source.kind).toBe('example');
    expect((await h.file.openPath({ path: LARGE_HSPY })).kind).toBe('opened');
  }, 120_000);
});
