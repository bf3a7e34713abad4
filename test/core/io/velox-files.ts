/**
 * The real Velox files shipped with Debian's python3-hyperspy
 * (hyperspy/tests/io/emd_files/: fei_emd_files.zip, extracted here into a
 * temporary folder with /usr/bin/python3's zipfile, and the fei_example_*
 * files beside it), and how the tests run HyperSpy 1.7.3 on them.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const PYTHON = '/usr/bin/python3';
export const EMD_DIR = '/usr/lib/python3/dist-packages/hyperspy/tests/io/emd_files/';
const ZIP = `${EMD_DIR}fei_emd_files.zip`;
const SCRIPT = fileURLToPath(new URL('./py/velox_hs.py', import.meta.url));

const probe = spawnSync(PYTHON, ['-c', 'import hyperspy.api'], {
  encoding: 'utf8',
  timeout: 120_000,
});
/** In CI (which installs python3-hyperspy) the tests always run, so a missing HyperSpy fails them. */
export const hyperspyAvailable =
  (probe.status === 0 && existsSync(ZIP)) || process.env['CI'] === 'true';
if (!hyperspyAvailable) {
  console.warn(
    `Velox tests against HyperSpy skipped: ${PYTHON} cannot import hyperspy or ${ZIP} is missing; install python3-hyperspy to run them`,
  );
}

/** Extracts the zip into a new temporary folder; returns it and a cleanup. */
export function extractVeloxFiles(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'velox-'));
  const r = spawnSync(
    PYTHON,
    ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', ZIP, dir],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (r.status !== 0) throw new Error(`cannot extract ${ZIP}: ${r.stderr}`);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every Velox file: the zip's (in `dir`) and the fei_example_* ones. */
export function veloxFiles(dir: string): string[] {
  const zipped = readdirSync(dir)
    .filter((n) => n.endsWith('.emd'))
    .sort()
    .map((n) => join(dir, n));
  const examples = readdirSync(EMD_DIR)
    .filter((n) => n.startsWith('fei_example_') && n.endsWith('.emd'))
    .sort()
    .map((n) => join(EMD_DIR, n));
  return [...zipped, ...examples];
}

/** The Berkeley (NCEM) EMD files beside them, which share the extension. */
export function berkeleyFiles(): string[] {
  return readdirSync(EMD_DIR)
    .filter((n) => n.endsWith('.emd') && !n.startsWith('fei_'))
    .sort()
    .map((n) => join(EMD_DIR, n));
}

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
  beam_energy: number | null;
  camera_length: number | null;
  magnification: number | null;
  microscope: string | null;
  tilt_alpha: number | null;
  live_time: number | null;
  number_of_frames: number | null;
  elements: string[] | null;
  date: string | null;
  time: string | null;
}

export interface HsCase {
  path: string;
  kwargs?: Record<string, unknown>;
  sum_from?: number;
}

export type HsResult = { signals: HsSignal[]; summed_sha256?: string } | { error: string };

const run = promisify(execFile);

/** What HyperSpy reads for each case, in one Python run. */
export async function hyperspyLoad(cases: readonly HsCase[], dir: string): Promise<HsResult[]> {
  const file = join(dir, `cases-${process.pid}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(cases));
  const { stdout } = await run(PYTHON, [SCRIPT, file], {
    maxBuffer: 64 * 1024 * 1024,
    timeout: 300_000,
  });
  return JSON.parse(stdout) as HsResult[];
}
