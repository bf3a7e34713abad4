/**
 * Peak memory while the app opens a map (host.file.openPath in a fresh
 * process, as the app's host runs it): at most the decoded cube plus
 * 300 MB, for the largest .bcf and .emd HyperSpy ships and for a
 * 256 x 256 x 2048 map (a 256 MiB cube).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticBcf } from '../../helpers/bcf-writer.js';
import { extractVeloxFiles } from '../io/velox-files.js';

const CHILD = fileURLToPath(new URL('./open-memory-child.ts', import.meta.url));
const BRUKER = '/usr/lib/python3/dist-packages/hyperspy/tests/io/bruker_data/';
const WARMUP_BCF = join(BRUKER, '16x16_12bit_packed_8bit.bcf');
const MB = 1024 * 1024;
const tmp = mkdtempSync(join(tmpdir(), 'open-memory-'));
const LARGE = join(tmp, 'large.bcf');
let velox: { dir: string; cleanup: () => void } | null = null;

beforeAll(() => {
  velox = extractVeloxFiles();
  writeSyntheticBcf(LARGE, {
    height: 256,
    width: 256,
    packing: 'instructive',
    counts: 20_000,
    seed: 9,
  });
}, 300_000);
afterAll(() => {
  velox?.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

interface Report {
  before: number;
  peak: number;
  cube: number;
  shape: number[];
  dtype: string;
}

function openInChild(warmup: string, file: string): Report {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=@samfire/source', CHILD, warmup, file],
    { encoding: 'utf8', timeout: 300_000 },
  );
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Report;
}

describe.skipIf(process.platform !== 'linux')('peak memory of an open in the app', () => {
  it.each([
    ['the largest shipped .bcf', () => join(BRUKER, 'bcf_v2_50x50px.bcf'), [50, 50, 2048]],
    [
      'the largest shipped .emd',
      () => join(velox!.dir, 'fei_SI_EDS-HAADF-4detectors_2frames.emd'),
      [16, 16, 4096],
    ],
    ['a 256 MiB .bcf map', () => LARGE, [256, 256, 2048]],
  ] as const)(
    '%s: within the decoded cube + 300 MB',
    (what, path, shape) => {
      const warmup = path().endsWith('.emd') ? join(velox!.dir, 'fei_emd_si.emd') : WARMUP_BCF;
      const report = openInChild(warmup, path());
      expect(report.shape).toEqual(shape);
      const grew = report.peak - report.before;
      console.log(
        `${what}: cube ${(report.cube / MB).toFixed(1)} MB, peak +${(grew / MB).toFixed(1)} MB`,
      );
      expect(grew).toBeLessThanOrEqual(report.cube + 300 * MB);
      // The measurement sees this open (a large cube's pages are all written).
      if (report.cube > 100 * MB) expect(grew).toBeGreaterThan(0.5 * report.cube);
    },
    300_000,
  );
});
