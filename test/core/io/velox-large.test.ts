/**
 * A large Velox map (256 x 256 pixels x 2048 channels, 8 frames, 6.8 M
 * stream entries; a 256 MiB uint16 cube), written with h5wasm: the reader
 * streams it (peak memory while opening within the cube plus 300 MB,
 * measured in a child process), gives what HyperSpy 1.7.3 gives for it
 * (sha256 of the map, when HyperSpy is installed), and a cancel stops it
 * within a second. The memory is measured on the bundled reader run by
 * plain Node (the child is built with esbuild, which tsx and vite bring).
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signalInfo } from '../../../core/src/cli/info.js';
import { readVelox } from '../../../core/src/io/node/velox-read.js';
import { makeStream, writeVelox } from './velox-builder.js';
import { PYTHON, extractVeloxFiles, hyperspyAvailable, hyperspyLoad } from './velox-files.js';

const WIDTH = 256;
const HEIGHT = 256;
const FRAMES = 8;
const BINCOUNT = 2048;
const MB = 1024 * 1024;
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'velox-large-'));
const large = join(dir, 'large.emd');
const small = join(dir, 'small.emd');
let stream: Uint16Array;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  stream = makeStream(WIDTH * HEIGHT, FRAMES, BINCOUNT, 12, 2024, 50);
  await writeVelox(large, {
    width: WIDTH,
    height: HEIGHT,
    frames: FRAMES,
    bincount: BINCOUNT,
    streams: [stream],
    dispersion: 10,
    frameTable: true,
  });
  await writeVelox(small, {
    width: 4,
    height: 3,
    frames: 2,
    bincount: 64,
    streams: [makeStream(12, 2, 64, 3, 1)],
  });
}, 120_000);

describe('a large Velox map', () => {
  it('is read with peak memory within the cube plus 300 MB', async () => {
    // Bundled and run by plain Node, as the app runs it: under tsx, loading h5wasm's 4 MB of
    // JavaScript alone takes 600 MB more.
    const { build } = await import('esbuild');
    const child = join(ROOT, 'node_modules/.cache/samfire-velox/velox-memory-child.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('./velox-memory-child.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      external: ['h5wasm'],
      outfile: child,
      logLevel: 'error',
    });
    const r = spawnSync(process.execPath, [child, small, large], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const { before, peak, cube } = JSON.parse(r.stdout) as {
      before: number;
      peak: number;
      cube: number;
    };
    expect(cube).toBe(WIDTH * HEIGHT * BINCOUNT * 2);
    console.log(
      `velox large: cube ${cube / MB} MiB, resident before ${(before / MB).toFixed(0)} MiB, peak ${(peak / MB).toFixed(0)} MiB (+${((peak - before) / MB).toFixed(0)} MiB)`,
    );
    // The whole process, Node and h5wasm included, not only what the read added.
    expect(peak).toBeLessThan(cube + 300 * MB);
    expect(peak - before).toBeGreaterThan(cube / 2);
  });

  it('stops within a second of a cancel', async () => {
    const controller = new AbortController();
    let abortedAt = 0;
    const stages: string[] = [];
    const reading = readVelox(large, {
      signal: controller.signal,
      onProgress: (p) => {
        stages.push(p.stage ?? '');
        if (abortedAt === 0 && p.stage === 'decoding the spectrum stream' && p.done < p.total) {
          // From outside the reader, as the app's Cancel button does.
          setTimeout(() => {
            abortedAt = performance.now();
            controller.abort();
          }, 0);
          abortedAt = -1;
        }
      },
    });
    const err = await reading.catch((e: unknown) => e);
    const stoppedAfter = performance.now() - abortedAt;
    expect(abortedAt).toBeGreaterThan(0);
    expect((err as Error).name).toBe('AbortError');
    expect(stoppedAfter).toBeLessThan(1000);
    expect(stages).toContain('decoding the spectrum stream');
  });

  it.skipIf(!hyperspyAvailable)(
    'is what HyperSpy reads from it',
    async () => {
      const real = extractVeloxFiles();
      try {
        const patched = join(dir, 'large-hyperspy.emd');
        const copy = spawnSync('cp', [large, patched]);
        expect(copy.status).toBe(0);
        const script = fileURLToPath(new URL('./py/velox_patch.py', import.meta.url));
        await promisify(execFile)(PYTHON, [
          script,
          join(real.dir, 'fei_SI_SuperX-HAADF_10frames_10x50.emd'),
          patched,
        ]);
        const [hs] = await hyperspyLoad([{ path: patched }], dir);
        if (hs === undefined || 'error' in hs) throw new Error(JSON.stringify(hs));
        const ours = await readVelox(patched);
        expect(ours.map((s) => s.shape)).toEqual(hs.signals.map((s) => s.shape));
        expect(ours.map((s) => signalInfo(s).sha256)).toEqual(hs.signals.map((s) => s.sha256));
        // Every event of the frames is in the map; the 50 after the last frame are not.
        let events = 0;
        for (const v of stream) if (v !== 0xffff) events++;
        let counted = 0;
        for (const v of ours.at(-1)!.data as Uint16Array) counted += v;
        expect(counted).toBe(events - 50);
      } finally {
        real.cleanup();
      }
    },
    300_000,
  );
});
