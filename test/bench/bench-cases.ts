/**
 * The benchmark's cases on disk, shared by the orchestrator (samfire-bench.ts),
 * the per-run child (samfire-run.ts) and HyperSpy's script (py/hs_bench.py):
 *
 * - domain cases: made by our generator (core/src/examples/domain.ts, the
 *   construction of ../shared/tools/hyperspy/hs_make_case.py, seed 17),
 *   written once to bench-results/cases/domain-RxCxN/ as data.npy (float64,
 *   rows x cols x channels), truth.json (flat maps) and case.json;
 * - the real EDS map: ../shared/data/real/eds-agcu-50x50-seed.hspy (model
 *   `seed`) with HyperSpy's result beside it.
 *
 * Imports core by path, not through `@samfire/core`: tsc compiles it with
 * core's sources into bench-results/build, to run as plain JavaScript
 * (samfire-bench.ts), where a package import would reach core/dist instead.
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync, writeFileSync } from 'node:fs';
import { makeDomainExample } from '../../core/src/examples/domain.js';
import { SHARED } from '../helpers/shared-dir.js';

export const RESULTS = 'bench-results';
export const CASES = `${RESULTS}/cases`;
export const EDS_SEED = `${SHARED}data/real/eds-agcu-50x50-seed.hspy`;
export const EDS_HYPERSPY = `${SHARED}data/real/eds-agcu-50x50-hyperspy.hspy`;
export const EDS_HYPERSPY_JSON = `${SHARED}data/real/eds-agcu-50x50-hyperspy.json`;

export interface DomainCase {
  kind: 'domain';
  name: string;
  rows: number;
  cols: number;
  channels: number;
  /** Axis scale (offset 0): 1 for 400 channels, else 400 / channels, as hs_make_case.py. */
  scale: number;
  dir: string;
  /** Bytes of the spectra as float64. */
  bytes: number;
}

export interface EdsCase {
  kind: 'eds';
  /**
   * Every line's centre and sigma fixed at the seed's values (as HyperSpy's
   * fix_xray_lines_energy/width): only amplitudes and the background free, a
   * linear problem. The error is then against HyperSpy's maps of the same run.
   */
  fixedLines: boolean;
  name: string;
  file: string;
  model: string;
  reference: string;
  tolerance: number;
  bytes: number;
}

export type BenchCase = DomainCase | EdsCase;

/** A float64 C-order .npy holding `data` with `shape`. */
function writeNpyFloat64(path: string, data: Float64Array, shape: number[]): void {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  head.writeUInt16LE(header.length, 8);
  const fd = openSync(path, 'w');
  try {
    writeFileSync(fd, head);
    writeFileSync(fd, header, 'latin1');
    // In slices: a 512 MB Buffer view is fine, but keep the writes moderate.
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    for (let o = 0; o < bytes.length; o += 1 << 26)
      writeFileSync(fd, bytes.subarray(o, Math.min(bytes.length, o + (1 << 26))));
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a float64 C-order .npy straight into a SharedArrayBuffer (so worker
 * threads share it and nothing is copied on the way): shape and data.
 */
export function readNpyShared(path: string): { shape: number[]; data: Float64Array } {
  const fd = openSync(path, 'r');
  try {
    const pre = Buffer.alloc(12);
    readSync(fd, pre, 0, 12, 0);
    const major = pre[6]!;
    const headerLength = major === 1 ? pre.readUInt16LE(8) : pre.readUInt32LE(8);
    const start = major === 1 ? 10 : 12;
    const header = Buffer.alloc(headerLength);
    readSync(fd, header, 0, headerLength, start);
    const text = header.toString('latin1');
    if (!text.includes("'<f8'") || text.includes("'fortran_order': True"))
      throw new Error(`${path}: not a C-order float64 .npy`);
    const shape = (/\(([^)]*)\)/.exec(text)?.[1] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map(Number);
    const count = shape.reduce((a, b) => a * b, 1);
    const sab = new SharedArrayBuffer(count * 8);
    const bytes = new Uint8Array(sab);
    let pos = start + headerLength;
    for (let o = 0; o < bytes.length;) {
      const n = readSync(fd, bytes, o, Math.min(1 << 26, bytes.length - o), pos);
      if (n <= 0) throw new Error(`${path}: truncated`);
      o += n;
      pos += n;
    }
    return { shape, data: new Float64Array(sab) };
  } finally {
    closeSync(fd);
  }
}

/** The domain case of that size, generated (once, deterministically) into bench-results/cases. */
export function domainCase(rows: number, cols: number, channels: number): DomainCase {
  const name = `domain ${rows}x${cols}x${channels}`;
  const dir = `${CASES}/domain-${rows}x${cols}x${channels}`;
  const scale = channels === 400 ? 1 : 400 / channels;
  const c: DomainCase = {
    kind: 'domain',
    name,
    rows,
    cols,
    channels,
    scale,
    dir,
    bytes: rows * cols * channels * 8,
  };
  if (existsSync(`${dir}/case.json`)) return c;
  mkdirSync(dir, { recursive: true });
  const { signal, truth } = makeDomainExample({ rows, cols, channels });
  writeNpyFloat64(`${dir}/data.npy`, signal.data as Float64Array, [rows, cols, channels]);
  const maps: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(truth.maps)) maps[k] = Array.from(v);
  writeFileSync(
    `${dir}/truth.json`,
    JSON.stringify({ maps, l2Present: Array.from(truth.l2Present) }),
  );
  writeFileSync(`${dir}/case.json`, JSON.stringify(c, null, 1));
  return c;
}

export function edsCase(fixedLines = false): EdsCase {
  return {
    kind: 'eds',
    fixedLines,
    name: fixedLines ? 'EDS AgCu 50x50, lines fixed' : 'EDS AgCu 50x50 (real)',
    file: EDS_SEED,
    model: 'seed',
    reference: EDS_HYPERSPY,
    tolerance: 0.8,
    bytes: 50 * 50 * 2048 * 8,
  };
}

export interface DomainTruthFile {
  maps: Record<string, number[]>;
  l2Present: number[];
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
