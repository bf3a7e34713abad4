/**
 * Forged sizes in every reader's header: each case is read in a child
 * process with a 256 MB JS heap (read-child.ts), which reports how it ended
 * and how much its resident memory grew while reading. Goal: a cube declared
 * as terabytes is a clear FileFormatError, and no reader grows by more than
 * the file could hold (a few times its size, plus a fixed allowance).
 *
 * The table is the suite: a new reader is one more entry in READERS, with the
 * files that forge its header.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as H5Module from 'h5wasm/node';
import { writeHspy } from '@samfire/core/node';
import { Signal } from '@samfire/core';
import { buildDm, imageFile, type BTag } from '../core/io/dm-builder.js';
import { ROOT, TSX } from './child.js';
import { Figures, type Outcome } from './figures.js';

const run = promisify(execFile);
const CHILD = join(ROOT, 'test/reliability/read-child.ts');
const CHILD_TIMEOUT = 30_000;
/** What a read may add to the process beyond a few copies of the file. */
const ALLOWANCE = 64 * 1024 * 1024;

interface ForgedCase {
  name: string;
  /** Writes the forged file into `dir` and returns its path (and a model to read, for HyperSpy files). */
  write(dir: string): Promise<{ path: string; model?: string }>;
}

interface ReaderEntry {
  reader: string;
  cases: ForgedCase[];
}

const TB = [1_000_000, 1_000_000, 4096];

function npyFile(header: string, body: Uint8Array, version = 1): Uint8Array {
  const text = header.padEnd(118, ' ') + '\n';
  const prefix = version === 1 ? 10 : 12;
  const out = new Uint8Array(prefix + text.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, text.length, true);
  else view.setUint32(8, text.length, true);
  for (let i = 0; i < text.length; i++) out[prefix + i] = text.charCodeAt(i);
  out.set(body, prefix + text.length);
  return out;
}

function rippleFiles(dir: string, name: string, keys: Record<string, string | number>): string {
  const rpl = join(dir, `${name}.rpl`);
  const lines = ['key\tvalue', ...Object.entries(keys).map(([k, v]) => `${k}\t${v}`)];
  writeFileSync(rpl, `${lines.join('\n')}\n`);
  writeFileSync(join(dir, `${name}.raw`), new Uint8Array(4096));
  return rpl;
}

/** A DM image whose Data tag claims `count` elements of `code` but holds 16 bytes. */
function dmDataCount(version: 3 | 4, count: number): Uint8Array {
  const image: BTag = {
    name: '',
    group: [
      {
        name: 'ImageData',
        group: [
          { name: 'DataType', code: 3, value: 2 },
          { name: 'Dimensions', group: [{ name: '', code: 5, value: 4 }] },
          { name: 'Data', info: [20, 6, count], payload: new Uint8Array(16) },
        ],
      },
    ],
  };
  return buildDm([{ name: 'ImageList', group: [image] }], version);
}

type H5 = typeof H5Module.default;
let h5: H5;

/**
 * A HyperSpy file (h5wasm) whose data are a chunked dataset of `shape`
 * declared but never written: HDF5 serves fill values for any size, so only
 * the reader's own checks stand between the header and the allocation.
 */
function hspyDeclared(
  path: string,
  shape: number[],
  options: { compression?: boolean; metadataArray?: number[] } = {},
): void {
  const f = new h5.File(path, 'w');
  f.create_attribute('file_format', 'HyperSpy');
  f.create_attribute('file_format_version', '3.1');
  const g = f.create_group('Experiments').create_group('forged');
  const small = options.metadataArray ? shape : shape.map(() => 1);
  const n = small.reduce((a, b) => a * b, 1);
  const ds = g.create_dataset({
    name: 'data',
    data: new Float64Array(n),
    shape: small,
    dtype: '<d',
    maxshape: shape.map(() => null),
    chunks: shape.map((d, i) => (i === shape.length - 1 ? Math.min(d, 16) : 1)),
    ...(options.compression ? { compression: 'gzip' as const, compression_opts: 4 } : {}),
  });
  if (!options.metadataArray) ds.resize(shape);
  shape.forEach((size, i) => {
    const a = g.create_group(`axis-${i}`);
    a.create_attribute('size', size);
    a.create_attribute('name', `a${i}`);
  });
  const md = g.create_group('metadata');
  const general = md.create_group('General');
  general.create_attribute('title', 'forged');
  if (options.metadataArray) {
    const arr = general.create_dataset({
      name: 'notes',
      data: new Float64Array(1),
      shape: [1],
      dtype: '<d',
      maxshape: [null],
      chunks: [1024],
    });
    arr.resize(options.metadataArray);
  }
  f.close();
}

const READERS: ReaderEntry[] = [
  {
    reader: 'DM3',
    cases: [
      {
        name: 'Dimensions of terabytes',
        write: async (dir) => {
          const path = join(dir, 'dims.dm3');
          writeFileSync(
            path,
            imageFile({ dims: TB, dataType: 2, code: 6, data: new Float32Array(16) }),
          );
          return { path };
        },
      },
      {
        name: 'Data array of 2^40 elements',
        write: async (dir) => {
          const path = join(dir, 'count.dm3');
          writeFileSync(path, dmDataCount(3, 2 ** 40));
          return { path };
        },
      },
    ],
  },
  {
    reader: 'DM4',
    cases: [
      {
        name: 'Dimensions of terabytes',
        write: async (dir) => {
          const path = join(dir, 'dims.dm4');
          writeFileSync(
            path,
            imageFile({ dims: TB, dataType: 2, code: 6, data: new Float32Array(16), version: 4 }),
          );
          return { path };
        },
      },
      {
        name: 'Data array of 2^52 elements',
        write: async (dir) => {
          const path = join(dir, 'count.dm4');
          writeFileSync(path, dmDataCount(4, 2 ** 52));
          return { path };
        },
      },
    ],
  },
  {
    reader: 'Ripple',
    cases: [
      {
        name: 'width x height x depth of terabytes',
        write: async (dir) => ({
          path: rippleFiles(dir, 'tb', {
            width: TB[0]!,
            height: TB[1]!,
            depth: TB[2]!,
            offset: 0,
            'data-length': 8,
            'data-type': 'float',
            'byte-order': 'little-endian',
            'record-by': 'vector',
          }),
        }),
      },
      {
        name: 'offset of 2^52 bytes',
        write: async (dir) => ({
          path: rippleFiles(dir, 'offset', {
            width: 4,
            height: 4,
            depth: 16,
            offset: 2 ** 52,
            'data-length': 1,
            'data-type': 'unsigned',
            'byte-order': 'dont-care',
            'record-by': 'vector',
          }),
        }),
      },
      {
        name: '1 GiB declared over a 4 KiB .raw',
        write: async (dir) => ({
          path: rippleFiles(dir, 'gib', {
            width: 1024,
            height: 1024,
            depth: 128,
            offset: 0,
            'data-length': 8,
            'data-type': 'float',
            'byte-order': 'little-endian',
            'record-by': 'vector',
          }),
        }),
      },
    ],
  },
  {
    reader: 'EMSA',
    cases: [
      {
        name: 'NPOINTS and NCOLUMNS of 10^15',
        write: async (dir) => {
          const path = join(dir, 'npoints.msa');
          writeFileSync(
            path,
            [
              '#FORMAT      : EMSA/MAS Spectral Data File',
              '#VERSION     : 1.0',
              '#TITLE       : forged',
              '#NPOINTS     : 1000000000000000',
              '#NCOLUMNS    : 1000000000000000',
              '#XPERCHAN    : 1',
              '#OFFSET      : 0',
              '#SPECTRUM    : Spectral Data Starts Here',
              '1, 2, 3, 4,',
              '#ENDOFDATA   :',
              '',
            ].join('\r\n'),
          );
          return { path };
        },
      },
    ],
  },
  {
    reader: 'NumPy',
    cases: [
      {
        name: 'shape of terabytes',
        write: async (dir) => {
          const path = join(dir, 'tb.npy');
          writeFileSync(
            path,
            npyFile(
              `{'descr': '<f8', 'fortran_order': False, 'shape': (${TB.join(', ')}), }`,
              new Uint8Array(64),
            ),
          );
          return { path };
        },
      },
      {
        name: 'Fortran-ordered 1 GiB in a small file',
        write: async (dir) => {
          const path = join(dir, 'gib.npy');
          writeFileSync(
            path,
            npyFile(
              "{'descr': '<f8', 'fortran_order': True, 'shape': (1024, 1024, 128), }",
              new Uint8Array(64),
            ),
          );
          return { path };
        },
      },
      {
        name: 'header length of 4 GB (version 2)',
        write: async (dir) => {
          const path = join(dir, 'header.npy');
          const bytes = npyFile(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
            new Uint8Array(16),
            2,
          );
          new DataView(bytes.buffer).setUint32(8, 0xfffffff0, true);
          writeFileSync(path, bytes);
          return { path };
        },
      },
    ],
  },
  {
    reader: 'HyperSpy HDF5',
    cases: [
      {
        name: 'data declared as terabytes (chunked, never written)',
        write: async (dir) => {
          const path = join(dir, 'tb.hspy');
          hspyDeclared(path, [1_000_000, 1_000_000, 16]);
          return { path };
        },
      },
      {
        name: 'data declared as 1 GiB (chunked, never written)',
        write: async (dir) => {
          const path = join(dir, 'gib.hspy');
          hspyDeclared(path, [8192, 16384]);
          return { path };
        },
      },
      {
        name: 'data declared as 1 GiB, gzip-compressed (never written)',
        write: async (dir) => {
          const path = join(dir, 'gzip.hspy');
          hspyDeclared(path, [8192, 16384], { compression: true });
          return { path };
        },
      },
      {
        name: 'a metadata array declared as 1 GiB',
        write: async (dir) => {
          const path = join(dir, 'meta.hspy');
          hspyDeclared(path, [4, 16], { metadataArray: [2 ** 27] });
          return { path };
        },
      },
      {
        name: 'contiguous data with the dataspace patched to terabytes',
        write: async (dir) => {
          const path = join(dir, 'patched.hspy');
          const signal = new Signal({
            data: new Float64Array(7 * 13 * 331),
            axes: [
              { name: 'y', size: 7, offset: 0, scale: 1, units: '', navigate: true },
              { name: 'x', size: 13, offset: 0, scale: 1, units: '', navigate: true },
              { name: 'E', size: 331, offset: 0, scale: 1, units: '', navigate: false },
            ],
            title: 'patched',
          });
          await writeHspy(path, signal, {});
          const bytes = new Uint8Array(readFileSync(path));
          const dims = new Uint8Array(24);
          const view = new DataView(dims.buffer);
          [7, 13, 331].forEach((d, i) => view.setBigUint64(i * 8, BigInt(d), true));
          let at = -1;
          for (let i = 0; i + 24 <= bytes.length && at < 0; i++)
            if (dims.every((b, k) => bytes[i + k] === b)) at = i;
          if (at < 0) throw new Error('the data dataspace was not found');
          const forged = new DataView(bytes.buffer, at, 24);
          [TB[0]!, TB[1]!, 331].forEach((d, i) => forged.setBigUint64(i * 8, BigInt(d), true));
          writeFileSync(path, bytes);
          return { path };
        },
      },
    ],
  },
  // Bruker .bcf and Velox .emd: add an entry here with their forged headers when the readers land.
];

const figures = new Figures('forged sizes in file headers');
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'samfire-forged-'));
  const m = await import('h5wasm/node');
  await m.default.ready;
  h5 = m.default;
});

afterAll(() => {
  figures.report();
  rmSync(dir, { recursive: true, force: true });
});

interface ChildResult {
  ok: boolean;
  name?: string;
  message?: string;
  grewBytes: number;
  seconds: number;
}

async function readInChild(path: string, model?: string): Promise<ChildResult | Outcome> {
  try {
    const { stdout } = await run(
      process.execPath,
      ['--max-old-space-size=256', ...TSX, CHILD, path, ...(model ? [model] : [])],
      { cwd: ROOT, timeout: CHILD_TIMEOUT, killSignal: 'SIGKILL', maxBuffer: 1 << 20 },
    );
    return JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult;
  } catch (e) {
    const err = e as { killed?: boolean; signal?: string };
    return err.killed && err.signal === 'SIGKILL' ? 'hang' : 'crash';
  }
}

const MiB = (n: number): string => `${(n / 1048576).toFixed(1)} MiB`;

describe('forged header sizes', () => {
  const all = READERS.flatMap((r) => r.cases.map((c) => ({ reader: r.reader, c })));
  it(`every reader refuses them clearly without allocating (${all.length} cases)`, async () => {
    const queue = [...all];
    let worstGrowth = 0;
    const worker = async (): Promise<void> => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        const name = `${item.reader}: ${item.c.name}`;
        let outcome: Outcome;
        let detail: string;
        try {
          const { path, model } = await item.c.write(dir);
          const size = statSync(path).size;
          const budget = ALLOWANCE + 8 * size;
          const r = await readInChild(path, model);
          if (typeof r === 'string') {
            outcome = r;
            detail =
              r === 'hang'
                ? `no answer within ${CHILD_TIMEOUT / 1000} s`
                : 'the reading process died';
          } else {
            worstGrowth = Math.max(worstGrowth, r.grewBytes);
            const grew = `grew ${MiB(r.grewBytes)} for a ${size}-byte file, ${r.seconds.toFixed(2)} s`;
            const rawJs = /typed array length|allocation failed|out of memory|Maximum call stack/i;
            if (r.grewBytes > budget) {
              outcome = 'other';
              detail = `allocated beyond the file: ${grew}; ${r.ok ? 'read' : r.message}`;
            } else if (r.ok) {
              outcome = 'clean';
              detail = `read within bounds (${grew})`;
            } else if (r.name === 'FileFormatError' && !rawJs.test(r.message ?? '')) {
              outcome = 'clean';
              detail = `${r.message} (${grew})`;
            } else {
              outcome = 'other';
              detail = `unclear error ${r.name}: ${r.message} (${grew})`;
            }
          }
        } catch (e) {
          outcome = 'crash';
          detail = `could not forge the case: ${e instanceof Error ? e.message : String(e)}`;
        }
        figures.record(name, outcome, detail);
      }
    };
    await Promise.all([worker(), worker()]);
    figures.measure(
      'largest growth while reading a forged file (MiB)',
      Math.round(worstGrowth / 1048576),
    );
    expect(figures.failures()).toEqual([]);
  }, 300_000);
});
