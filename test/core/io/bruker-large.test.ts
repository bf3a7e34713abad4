/**
 * Large maps: a synthetic 256 x 256 x 2048 .bcf in each packing of the real
 * files (12-bit pulse lists; instructive packing, decoding into a 256 MiB
 * uint16 cube). Opening one in a fresh process raises its peak memory by at
 * most the decoded cube plus 300 MB; cancelling mid-read stops the read
 * within a second; progress is reported throughout.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBcfFile } from '../../../core/src/io/node/bruker.js';
import { writeSyntheticBcf, type SyntheticInfo } from '../../helpers/bcf-writer.js';

const CHILD = fileURLToPath(new URL('./bruker-open-child.ts', import.meta.url));
const MB = 1024 * 1024;
const tmp = mkdtempSync(join(tmpdir(), 'bcf-large-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const maps: Record<string, { path: string; info?: SyntheticInfo }> = {
  pulses: { path: join(tmp, 'pulses.bcf') },
  instructive: { path: join(tmp, 'instructive.bcf') },
};

beforeAll(() => {
  maps.pulses!.info = writeSyntheticBcf(maps.pulses!.path, {
    height: 256,
    width: 256,
    packing: 'pulses',
    counts: 400,
    seed: 11,
  });
  maps.instructive!.info = writeSyntheticBcf(maps.instructive!.path, {
    height: 256,
    width: 256,
    packing: 'instructive',
    counts: 60_000,
    seed: 12,
  });
}, 300_000);

interface ChildReport {
  rssBefore: number;
  peakBefore: number;
  peak: number;
  cubeBytes: number;
  dtype: string;
  shape: number[];
}

function openInChild(path: string, shared: boolean): ChildReport {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', CHILD, path, ...(shared ? ['--shared'] : [])],
    {
      encoding: 'utf8',
      timeout: 300_000,
    },
  );
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildReport;
}

describe('large .bcf maps', () => {
  it.each([
    ['pulses', false],
    ['instructive', false],
    ['instructive', true],
  ] as const)(
    '%s map (shared memory: %s): peak memory within the cube + 300 MB',
    (name, shared) => {
      const map = maps[name]!;
      const report = openInChild(map.path, shared);
      expect(report.shape).toEqual([256, 256, 2048]);
      expect(report.dtype).toBe(map.info!.dtype);
      expect(report.cubeBytes).toBe(map.info!.cubeBytes);
      const grew = report.peak - report.rssBefore;
      console.log(
        `${name}${shared ? ' (shared)' : ''}: file ${(map.info!.bytes / MB).toFixed(0)} MB, cube ${(report.cubeBytes / MB).toFixed(0)} MB, peak memory +${(grew / MB).toFixed(0)} MB`,
      );
      expect(grew).toBeLessThanOrEqual(report.cubeBytes + 300 * MB);
      // The measurement sees the cube itself (every page of it is written here).
      expect(grew).toBeGreaterThan(0.5 * report.cubeBytes);
    },
    300_000,
  );

  it('cancelling mid-read stops within a second; progress runs all along', async () => {
    const controller = new AbortController();
    const seen: { done: number; total: number; stage?: string }[] = [];
    let abortedAt = 0;
    const read = readBcfFile(maps.instructive!.path, {
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p);
        // Half-way through the second pass: the cube is allocated and partly filled.
        if (abortedAt === 0 && p.stage === 'decoding the hypermap' && p.done > 0.75 * p.total) {
          abortedAt = performance.now();
          controller.abort();
        }
      },
    });
    const err = await read.then(
      () => null,
      (e: unknown) => e,
    );
    const stoppedAfter = performance.now() - abortedAt;
    expect(abortedAt).toBeGreaterThan(0);
    expect((err as Error).name).toBe('AbortError');
    expect(stoppedAfter).toBeLessThan(1000);
    expect(seen.length).toBeGreaterThan(20);
    expect(seen.some((p) => p.stage === 'scanning the hypermap')).toBe(true);
    for (let i = 1; i < seen.length; i++)
      expect(seen[i]!.done).toBeGreaterThanOrEqual(seen[i - 1]!.done);
  }, 300_000);
});
