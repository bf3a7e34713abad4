/**
 * Child process of velox-large.test.ts: reads a Velox file and prints how
 * much memory that took, as JSON: the resident set before (h5wasm and the
 * string thread already loaded, by reading a small file first), the peak
 * (getrusage's maxrss) after, and the map's size in bytes.
 *
 * Usage: node --import tsx velox-memory-child.ts WARMUP.emd FILE.emd
 */
import { readVelox } from '../../../core/src/io/node/velox-read.js';

const [warmup, path] = process.argv.slice(2);
await readVelox(warmup!);
global.gc?.();
const before = process.memoryUsage().rss;
const signals = await readVelox(path!, { sharedMemory: true });
const peak = process.resourceUsage().maxRSS * 1024;
const cube = signals.at(-1)!.data.byteLength;
process.stdout.write(`${JSON.stringify({ before, peak, cube })}\n`);
