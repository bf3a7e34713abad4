/**
 * Child process of bruker-large.test.ts: opens one .bcf and prints, as JSON,
 * the resident memory before reading, its peak while reading (sampled every
 * 5 ms, and the process's maxRSS when that rose during the read) and the
 * decoded cube's size, so that the test sees this read's memory alone.
 * Usage: node --import tsx bruker-open-child.ts FILE [--shared]
 */
import { readBcfFile } from '../../../core/src/io/node/bruker.js';

const [file, flag] = process.argv.slice(2);
if (!file) throw new Error('usage: bruker-open-child.ts FILE [--shared]');
const before = process.memoryUsage().rss;
const peakBefore = process.resourceUsage().maxRSS * 1024;
let sampled = before;
const sample = (): void => {
  sampled = Math.max(sampled, process.memoryUsage().rss);
};
const timer = setInterval(sample, 5);
const signals = await readBcfFile(file, {
  selectType: 'spectrum_image',
  sharedMemory: flag === '--shared',
  // Progress comes between blocks: sample there too.
  onProgress: sample,
});
clearInterval(timer);
sample();
const eds = signals[0]!;
const maxRss = process.resourceUsage().maxRSS * 1024;
process.stdout.write(
  `${JSON.stringify({
    rssBefore: before,
    peakBefore,
    peak: maxRss > peakBefore ? Math.max(maxRss, sampled) : sampled,
    cubeBytes: eds.data.byteLength,
    dtype: eds.dtype,
    shape: eds.shape,
  })}\n`,
);
