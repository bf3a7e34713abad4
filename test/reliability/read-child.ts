/**
 * Run by forged-headers.test.ts in a child process: reads one file as the
 * app does (readSignalFile; for a HyperSpy file also its stored model) and
 * prints, as one JSON line, how it ended and how much the process's resident
 * memory peaked above where it was once the readers and h5wasm were loaded
 * (Linux: the peak is reset through /proc/self/clear_refs first, so loading
 * tsx and h5wasm does not count).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { h5wasm } from '../../core/src/io/node/hspy-h5read.js';
import { readHspy } from '@samfire/core/node';
import { readSignalFile } from '@samfire/core/node';

// tsx turns on source maps; building stack traces through h5wasm's 4 MB script then costs
// hundreds of MB that the app (plain compiled JavaScript) never spends.
process.setSourceMapsEnabled(false);
const [path, modelName] = process.argv.slice(2) as [string, string | undefined];
if (/\.(hspy|hdf5)$/i.test(path)) await h5wasm();

/** The peak resident set size in bytes (VmHWM), resettable on Linux. */
function peak(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux: the lifetime peak below
  }
  return process.resourceUsage().maxRSS * 1024;
}

let resettable = false;
try {
  writeFileSync('/proc/self/clear_refs', '5');
  resettable = true;
} catch {
  // the peak then includes loading
}
const base = Math.max(process.memoryUsage().rss, resettable ? 0 : peak());
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
result.grewBytes = Math.max(0, peak() - base);
result.seconds = (performance.now() - t0) / 1000;
process.stdout.write(`${JSON.stringify(result)}\n`);
