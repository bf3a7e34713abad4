/**
 * Child process of bruker-large.test.ts: opens one .bcf and prints, as JSON,
 * the resident memory before reading, the peak during the process (maxRSS)
 * and the decoded cube's size, so that the test sees this read's memory
 * alone. Usage: node --import tsx bruker-open-child.ts FILE [--shared]
 */
import { readBcfFile } from '../../../core/src/io/node/bruker.js';

const [file, flag] = process.argv.slice(2);
if (!file) throw new Error('usage: bruker-open-child.ts FILE [--shared]');
const before = process.memoryUsage().rss;
const peakBefore = process.resourceUsage().maxRSS * 1024;
const signals = await readBcfFile(file, {
  selectType: 'spectrum_image',
  sharedMemory: flag === '--shared',
});
const eds = signals[0]!;
process.stdout.write(
  `${JSON.stringify({
    rssBefore: before,
    peakBefore,
    peak: process.resourceUsage().maxRSS * 1024,
    cubeBytes: eds.data.byteLength,
    dtype: eds.dtype,
    shape: eds.shape,
  })}\n`,
);
