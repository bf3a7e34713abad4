/**
 * What HyperSpy 1.7.3 (/usr/bin/python3 with python3-hyperspy) reads from
 * instrument files, for the readers' tests: one Python run per batch of
 * cases (test/core/io/py/hs_load.py prints JSON), so interpreter and
 * HyperSpy start-up are paid once. Without HyperSpy the tests that need it
 * are skipped with a message, except in CI (which installs it), where they
 * fail instead.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../core/io/py/hs_load.py', import.meta.url));

const probe = spawnSync(PYTHON, ['-c', 'import hyperspy.api'], {
  encoding: 'utf8',
  timeout: 120_000,
});
export const hyperspyAvailable = probe.status === 0 || process.env['CI'] === 'true';
export const hyperspyMissing = hyperspyAvailable
  ? ''
  : `${PYTHON} cannot import hyperspy (${(probe.error?.message ?? probe.stderr ?? '').trim().split('\n').pop()}); install python3-hyperspy to run it`;

export interface HsAxis {
  name: string;
  size: number;
  scale: number;
  offset: number;
  units: string;
  navigate: boolean;
}

export interface HsSignal {
  title: string;
  signal_type: string;
  dtype: string;
  shape: number[];
  axes: HsAxis[];
  sha256: string;
  sum: number;
  metadata: Record<string, unknown>;
  original_metadata: Record<string, unknown>;
  /** For 4-D data: the sha256 and sum of each slice of the first axis (each frame). */
  frame_sha256?: string[];
  frame_sum?: number[];
}

export type HsResult = { signals: HsSignal[] } | { error: string };

export interface HsCase {
  file: string;
  /** Keyword arguments of hs.load (HyperSpy's names). */
  kwargs?: Record<string, unknown>;
}

const run = promisify(execFile);

/** hs.load on every case in one Python process; results in the same order. */
export async function hyperspyLoad(cases: readonly HsCase[]): Promise<HsResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hs-load-'));
  try {
    const input = join(dir, 'cases.json');
    writeFileSync(input, JSON.stringify(cases));
    const { stdout } = await run(PYTHON, [SCRIPT, input], {
      maxBuffer: 1 << 30,
      timeout: 600_000,
    });
    return JSON.parse(stdout) as HsResult[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
