/**
 * Run by forged-headers.test.ts in a child process (with a small JS heap):
 * reads one file as the app does (readSignalFile; for a HyperSpy file also
 * its stored model) and prints, as one JSON line, how it ended and how much
 * the process grew while reading (peak resident set size over the resident
 * set size once the readers and h5wasm are loaded).
 */
import { h5wasm } from '../../core/src/io/node/hspy-h5read.js';
import { readHspy } from '../../core/src/io/node/hspy.js';
import { readSignalFile } from '../../core/src/io/node/read-file.js';

const [path, modelName] = process.argv.slice(2) as [string, string | undefined];
if (/\.(hspy|hdf5)$/i.test(path)) await h5wasm();
const base = process.memoryUsage().rss;
const basePeak = process.resourceUsage().maxRSS * 1024;
const t0 = performance.now();
let result: Record<string, unknown>;
try {
  const signals = await readSignalFile(path);
  if (modelName !== undefined) (await readHspy(path)).model(0, modelName);
  result = { ok: true, shape: signals[0]!.shape };
} catch (e) {
  result = {
    ok: false,
    name: e instanceof Error ? e.name : typeof e,
    message: e instanceof Error ? e.message : String(e),
  };
}
const peak = process.resourceUsage().maxRSS * 1024;
result.grewBytes = Math.max(0, peak - base);
result.loadPeakOverBase = Math.max(0, basePeak - base);
result.seconds = (performance.now() - t0) / 1000;
process.stdout.write(`${JSON.stringify(result)}\n`);
