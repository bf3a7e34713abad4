/**
 * I/O benchmark case: Thermo Fisher Velox .emd (the EDS spectrum stream
 * decoded into the map). Files: synthetic maps written with h5wasm by
 * test/core/io/velox-builder.ts into bench-results/io/velox/ (made loadable
 * by HyperSpy with test/core/io/py/velox_patch.py, from a real Velox file of
 * python3-hyperspy's test folder), and one real file from that folder.
 * IO_BENCH_LARGE=1 adds a 512 x 512 x 2048 map (a 1 GiB cube).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readVelox } from '../../../core/src/io/node/velox-read.js';
import { makeStream, writeVelox, type VeloxSpec } from '../../core/io/velox-builder.js';

const PYTHON = '/usr/bin/python3';
const ZIP = '/usr/lib/python3/dist-packages/hyperspy/tests/io/emd_files/fei_emd_files.zip';
const DIR = resolve('bench-results/io/velox');
const PATCH = fileURLToPath(new URL('../../core/io/py/velox_patch.py', import.meta.url));

interface Synthetic {
  name: string;
  width: number;
  height: number;
  frames: number;
  bincount: number;
  detectors: number;
  /** Mean events per pixel, frame and detector. */
  events: number;
}

const SYNTHETIC: Synthetic[] = [
  {
    name: 'map-256x256x2048-8frames',
    width: 256,
    height: 256,
    frames: 8,
    bincount: 2048,
    detectors: 1,
    events: 12,
  },
  {
    name: 'map-128x128x4096-4detectors',
    width: 128,
    height: 128,
    frames: 4,
    bincount: 4096,
    detectors: 4,
    events: 6,
  },
];
const LARGE: Synthetic = {
  name: 'map-512x512x2048-4frames',
  width: 512,
  height: 512,
  frames: 4,
  bincount: 2048,
  detectors: 1,
  events: 10,
};

/** The real Velox files, extracted once. */
function realFiles(): string | null {
  const dir = join(DIR, 'real');
  if (existsSync(join(dir, 'fei_SI_SuperX-HAADF_20frames_10x50.emd'))) return dir;
  if (!existsSync(ZIP)) return null;
  mkdirSync(dir, { recursive: true });
  const r = spawnSync(
    PYTHON,
    ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', ZIP, dir],
    { encoding: 'utf8' },
  );
  return r.status === 0 ? dir : null;
}

async function synthetic(s: Synthetic, real: string | null): Promise<string> {
  const path = join(DIR, `${s.name}.emd`);
  if (existsSync(path)) return path;
  const pixels = s.width * s.height;
  const streams = Array.from({ length: s.detectors }, (_, d) =>
    makeStream(pixels, s.frames, s.bincount, s.events, 100 + d, 20),
  );
  const spec: VeloxSpec = {
    width: s.width,
    height: s.height,
    frames: s.frames,
    bincount: s.bincount,
    streams,
    dispersion: 10,
    frameTable: true,
  };
  const temp = `${path}.tmp`;
  await writeVelox(temp, spec);
  // HyperSpy's reader also wants Velox's display groups: copied from a real file.
  if (real !== null) {
    execFileSync(PYTHON, [PATCH, join(real, 'fei_SI_SuperX-HAADF_10frames_10x50.emd'), temp]);
  }
  renameSync(temp, path);
  return path;
}

export default {
  name: 'velox-emd',
  format: 'Velox .emd',
  async files(): Promise<string[]> {
    mkdirSync(DIR, { recursive: true });
    const real = realFiles();
    const cases = process.env['IO_BENCH_LARGE'] === '1' ? [...SYNTHETIC, LARGE] : SYNTHETIC;
    const out: string[] = [];
    for (const s of cases) out.push(await synthetic(s, real));
    if (real !== null) out.push(join(real, 'fei_SI_SuperX-HAADF_20frames_10x50.emd'));
    return out;
  },
  async read(path: string): Promise<{ bytes: number }> {
    const signals = await readVelox(path);
    // The decoded map (the largest signal); the file's images are read too, as HyperSpy does.
    return { bytes: Math.max(...signals.map((s) => s.data.byteLength)) };
  },
  hyperspy: 'hs.load(path)',
};
