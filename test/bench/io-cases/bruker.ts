/**
 * Bruker .bcf spectrum images: every map of HyperSpy's Bruker test folder
 * but the smallest, and synthetic 256 x 256 x 2048 maps (test/helpers/bcf-writer.ts)
 * in both packings of the real files (512 x 512 with --large).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { readBcfFile } from '../../../core/src/io/node/bruker.js';
import { writeSyntheticBcf, type SyntheticBcf } from '../../helpers/bcf-writer.js';
import { IO_RESULTS, type IoCase } from '../io-case.js';

const DIR = '/usr/lib/python3/dist-packages/hyperspy/tests/io/bruker_data/';
const REAL = [
  'Hitachi_TM3030Plus.bcf',
  'P45_the_default_job.bcf',
  '30x30_instructively_packed_16bit_compressed.bcf',
  'bcf_v2_50x50px.bcf',
  'test_TEM.bcf',
];

const SYNTHETIC: Record<string, SyntheticBcf> = {
  'synthetic-pulses-256x256x2048': {
    height: 256,
    width: 256,
    packing: 'pulses',
    counts: 400,
    seed: 21,
  },
  'synthetic-instructive-256x256x2048': {
    height: 256,
    width: 256,
    packing: 'instructive',
    counts: 60_000,
    seed: 22,
  },
};
const LARGE: Record<string, SyntheticBcf> = {
  'synthetic-pulses-512x512x2048': {
    height: 512,
    width: 512,
    packing: 'pulses',
    counts: 300,
    seed: 23,
  },
};

const bruker: IoCase = {
  name: 'bruker-bcf',
  format: 'Bruker .bcf',
  async files() {
    const out = REAL.map((f) => DIR + f).filter((f) => existsSync(f));
    const dir = resolve(IO_RESULTS);
    mkdirSync(dir, { recursive: true });
    const specs = { ...SYNTHETIC, ...(process.env['IO_BENCH_LARGE'] ? LARGE : {}) };
    for (const [name, spec] of Object.entries(specs)) {
      const path = `${dir}/${name}.bcf`;
      if (!existsSync(path)) {
        process.stderr.write(`writing ${path}...\n`);
        writeSyntheticBcf(path, spec);
      }
      out.push(path);
    }
    return out;
  },
  async read(path) {
    const [eds] = await readBcfFile(path, { selectType: 'spectrum_image' });
    return { bytes: eds!.data.byteLength };
  },
  hyperspy: "hs.load(path, select_type='spectrum_image')",
};
export default bruker;
