/**
 * I/O benchmark case: FEI TIA .ser spectrum images. Files: the largest real
 * series of python3-hyperspy's FEI test folders, and a synthetic
 * 128 x 128 x 2048 int32 spectrum image (128 MiB) written here into
 * bench-results/io/ in the layout of the real ones (version 0x220, two
 * position dimensions, one header per spectrum); IO_BENCH_LARGE=1 adds a
 * 256 x 256 x 2048 one (512 MiB).
 */
import { closeSync, existsSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { readSerFile } from '@samfire/core/node';
import { IO_RESULTS, type IoCase } from '../io-case.js';

const IO = '/usr/lib/python3/dist-packages/hyperspy/tests/io/';
const REAL = [
  'FEI_new/16x16-diffraction_imagel_5x5x256x256_EDS_2.ser',
  'FEI_old/03_Scanning Preview_1.ser',
];

/** A spectrum image .ser of `side` x `side` pixels and `channels` int32 channels of Poisson-ish counts. */
function writeSer(path: string, side: number, channels: number): void {
  const n = side * side;
  const dims = [0, 1].map(() => {
    const desc = Buffer.from('Position', 'latin1');
    const units = Buffer.from('meters', 'latin1');
    const b = Buffer.alloc(28 + desc.length + 4 + units.length);
    b.writeInt32LE(side, 0);
    b.writeDoubleLE(-1e-8, 4);
    b.writeDoubleLE(2e-10, 12);
    desc.copy(b, 28);
    b.writeInt32LE(units.length, 28 + desc.length);
    units.copy(b, 32 + desc.length);
    b.writeInt32LE(desc.length, 24);
    return b;
  });
  const head = Buffer.alloc(34);
  head.writeUInt16LE(0x4949, 0);
  head.writeUInt16LE(0x0197, 2);
  head.writeUInt16LE(0x0220, 4);
  head.writeUInt32LE(0x4120, 6);
  head.writeUInt32LE(0x4142, 10);
  head.writeInt32LE(n, 14);
  head.writeInt32LE(n, 18);
  head.writeInt32LE(2, 30);
  const headerBytes = head.length + dims[0]!.length + dims[1]!.length;
  const elementBytes = 26 + channels * 4;
  const arrays = headerBytes;
  const dataStart = arrays + n * 16;
  head.writeBigUInt64LE(BigInt(arrays), 22);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, head);
    for (const d of dims) writeSync(fd, d);
    const offsets = Buffer.alloc(n * 16);
    for (let i = 0; i < n; i++) {
      offsets.writeBigUInt64LE(BigInt(dataStart + i * elementBytes), i * 8);
      offsets.writeBigUInt64LE(BigInt(dataStart + n * elementBytes + i * 6), (n + i) * 8);
    }
    writeSync(fd, offsets);
    const rows = 64;
    const block = Buffer.alloc(rows * elementBytes);
    let seed = 12345;
    for (let i = 0; i < n; i += rows) {
      const m = Math.min(rows, n - i);
      for (let k = 0; k < m; k++) {
        const at = k * elementBytes;
        block.writeDoubleLE(0, at);
        block.writeDoubleLE(5, at + 8);
        block.writeInt32LE(0, at + 16);
        block.writeInt16LE(6, at + 20);
        block.writeInt32LE(channels, at + 22);
        for (let c = 0; c < channels; c++) {
          seed = (seed * 1103515245 + 12345) >>> 0;
          block.writeInt32LE(seed >>> 29, at + 26 + c * 4);
        }
      }
      writeSync(fd, block, 0, m * elementBytes);
    }
    const tag = Buffer.alloc(6 * n);
    for (let i = 0; i < n; i++) tag.writeInt16LE(0x4152, i * 6);
    writeSync(fd, tag);
  } finally {
    closeSync(fd);
  }
}

const tia: IoCase = {
  name: 'tia-ser',
  format: 'FEI TIA .ser',
  async files() {
    const out = REAL.map((f) => IO + f).filter((f) => existsSync(f));
    const dir = resolve(IO_RESULTS);
    mkdirSync(dir, { recursive: true });
    const sides = process.env['IO_BENCH_LARGE'] ? [128, 256] : [128];
    for (const side of sides) {
      const path = `${dir}/tia-si-${side}x${side}x2048.ser`;
      if (!existsSync(path)) {
        process.stderr.write(`writing ${path}...\n`);
        writeSer(path, side, 2048);
      }
      out.push(path);
    }
    return out;
  },
  async read(path) {
    const [s] = await readSerFile(path);
    return { bytes: s!.data.byteLength };
  },
  hyperspy: 'hs.load(path)',
};
export default tia;
