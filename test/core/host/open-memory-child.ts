/**
 * Child process of open-memory.test.ts: opens one file through the host (as
 * the app does: nodeHostDeps, a thread pool's shared memory, the navigator's
 * sum image) and prints, as JSON, the resident memory before the open and
 * its peak during it (Linux: VmHWM after resetting it through
 * /proc/self/clear_refs), and the decoded cube's size.
 * Usage: node --import tsx open-memory-child.ts WARMUP FILE
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createHost } from '@samfire/core/host';
import { nodeHostDeps } from '@samfire/core/node';

const [warmup, file] = process.argv.slice(2);
if (!warmup || !file) throw new Error('usage: open-memory-child.ts WARMUP FILE');
const status = (key: string): number => {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(
    readFileSync('/proc/self/status', 'utf8'),
  );
  if (!m) throw new Error(`no ${key} in /proc/self/status`);
  return Number(m[1]) * 1024;
};
const host = createHost(nodeHostDeps({ backupDir: null }));
const open = async (path: string) => {
  let r = await host.file.openPath({ path });
  if (r.kind === 'choose') {
    const map = r.signals.filter((s) => s.shape.length === 3).at(-1) ?? r.signals.at(-1)!;
    r = await host.file.chooseSignal({ token: r.token, index: map.index });
  }
  if (r.kind !== 'opened') throw new Error(`${path}: ${r.kind}`);
  // What the app shows first: the navigator's sum.
  await host.dataset.image({ kind: 'sum' });
  return r.dataset;
};
// Code and libraries (h5wasm, zlib) loaded by a first open, as in a running app.
await open(warmup);
await host.file.openExample();
global.gc?.();
const before = status('VmRSS');
writeFileSync('/proc/self/clear_refs', '5');
const dataset = await open(file);
const peak = status('VmHWM');
process.stdout.write(
  `${JSON.stringify({ before, peak, cube: dataset.bytes, shape: dataset.shape, dtype: dataset.dtype })}\n`,
);
await host.close();
