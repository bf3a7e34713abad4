/**
 * Hostile-input properties of the pure readers: every sample file, mutated
 * byte by byte, truncated or given a random header, either parses or throws a
 * FileFormatError naming the file; never another error, never a hang, never
 * an allocation the file cannot back. Seeded, so failures reproduce.
 */
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  readDm,
  FileFormatError,
  readMsa,
  signalFromNpy,
  writeNpy,
  readRipple,
  allocate,
  DTYPES,
} from '@samfire/core';
import { imageFile } from './dm-builder.js';
import { arbMutation, mutate } from '../../helpers/fuzz.js';

const RUNS = 1000;
const dataDir = new URL('../../../../shared/data/io/', import.meta.url);

function samples(folder: string, ext: string): { name: string; bytes: Uint8Array }[] {
  const dir = new URL(`${folder}/`, dataDir);
  return readdirSync(dir)
    .filter((n) => n.endsWith(ext))
    .sort()
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(new URL(name, dir))) }));
}

/** Runs a reader on hostile input: a result or a FileFormatError naming one of `names`, quickly. */
function parsesOrFails(names: readonly string[], read: () => unknown): void {
  const start = performance.now();
  const buffersBefore = process.memoryUsage().arrayBuffers;
  try {
    read();
  } catch (err) {
    if (!(err instanceof FileFormatError)) {
      throw new Error(`expected a FileFormatError, got ${String(err)}`, { cause: err });
    }
    expect(names).toContain(err.fileName);
    expect(err.message.startsWith(`${err.fileName}: `)).toBe(true);
  }
  expect(performance.now() - start).toBeLessThan(2000);
  // No reader may allocate much beyond the input, whatever the header claims.
  expect(process.memoryUsage().arrayBuffers - buffersBefore).toBeLessThan(64 * 2 ** 20);
}

/** Edits aimed 'near the start' fall in the first 512 bytes, where these formats keep their headers. */
const HEAD = 512;

describe('fuzz: DigitalMicrograph', () => {
  const files = [...samples('dm3', '.dm3'), ...samples('dm4', '.dm4')];

  it(`${3 * RUNS} mutated and truncated DM3/DM4 samples`, () => {
    fc.assert(
      fc.property(fc.constantFrom(...files), arbMutation, (file, m) => {
        const bytes = mutate(file.bytes, m, HEAD);
        parsesOrFails([file.name], () => readDm(bytes, file.name));
      }),
      { numRuns: 3 * RUNS, seed: 301 },
    );
  });

  it('synthetic images claiming absurd dimensions', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(1, 2, 3, 0, 0xffff, 0x7fffffff, 0xffffffff), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.constantFrom(1, 2, 7, 12, 39),
        fc.constantFrom<3 | 4>(3, 4),
        (dims, dataType, version) => {
          const bytes = imageFile({ dims, dataType, code: 10, data: new Uint8Array(16), version });
          parsesOrFails(['absurd.dm3'], () => readDm(bytes, 'absurd.dm3'));
        },
      ),
      { numRuns: 300, seed: 302 },
    );
  });
});

describe('fuzz: EMSA', () => {
  const files = samples('msa', '.msa');
  const values = fc.constantFrom(
    '',
    '0',
    '-1',
    '1e400',
    'NaN',
    'abc',
    '3.1',
    '99999999999999999999',
    'XY',
    'Y',
    'ELS',
    '\u0000',
  );
  const keys = fc.constantFrom(
    'FORMAT',
    'NPOINTS',
    'NCOLUMNS',
    'XPERCHAN',
    'OFFSET',
    'DATATYPE',
    'SIGNALTYPE',
    'SPECTRUM',
    'ENDOFDATA',
    'XUNITS',
    'X-Y',
  );

  it(`${RUNS} mutated and truncated EMSA samples`, () => {
    fc.assert(
      fc.property(fc.constantFrom(...files), arbMutation, (file, m) => {
        const bytes = mutate(file.bytes, m, HEAD);
        parsesOrFails([file.name], () => readMsa(bytes, file.name));
      }),
      { numRuns: RUNS, seed: 303 },
    );
  });

  it('random EMSA headers and data lines', () => {
    const line = fc.oneof(
      fc.tuple(keys, values).map(([k, v]) => `#${k} : ${v}`),
      fc.array(values, { maxLength: 6 }).map((vs) => vs.join(', ')),
      fc.string({ maxLength: 40 }),
    );
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(line, { maxLength: 40 }),
        fc.array(line, { maxLength: 20 }),
        (formal, head, data) => {
          // Mostly well-formed framing around random lines, so the parser gets past the first check.
          const text = formal
            ? ['#FORMAT : EMSA/MAS', ...head, '#SPECTRUM :', ...data]
            : [...head, ...data];
          parsesOrFails(['random.msa'], () => readMsa(text.join('\r\n'), 'random.msa'));
        },
      ),
      { numRuns: RUNS, seed: 304 },
    );
  });
});

describe('fuzz: Ripple', () => {
  const rpls = samples('ripple', '.rpl');
  const pairs = rpls.map((r) => ({
    ...r,
    raw: new Uint8Array(
      readFileSync(new URL(`ripple/${r.name.replace(/\.rpl$/, '.raw')}`, dataDir)),
    ),
    rawName: r.name.replace(/\.rpl$/, '.raw'),
  }));
  const value = fc.constantFrom(
    '0',
    '1',
    '2',
    '4',
    '8',
    '-1',
    '1e9',
    '4294967296',
    '9007199254740993',
    'abc',
    '',
    'float',
    'signed',
    'unsigned',
    'vector',
    'image',
    'dont-care',
    'big-endian',
    'NaN',
  );
  const key = fc.constantFrom(
    'width',
    'height',
    'depth',
    'offset',
    'data-length',
    'data-type',
    'byte-order',
    'record-by',
    'depth-scale',
    'depth-origin',
    'ev-per-chan',
    'signal',
    'title',
  );

  it(`${RUNS} mutated headers and raw files`, () => {
    fc.assert(
      fc.property(fc.constantFrom(...pairs), arbMutation, fc.boolean(), (pair, m, onHeader) => {
        const rpl = onHeader ? mutate(pair.bytes, m, HEAD) : pair.bytes;
        const raw = onHeader ? pair.raw : mutate(pair.raw, m, HEAD);
        parsesOrFails([pair.name, pair.rawName], () =>
          readRipple(rpl, raw, { rpl: pair.name, raw: pair.rawName }),
        );
      }),
      { numRuns: RUNS, seed: 305 },
    );
  });

  it(`${RUNS} random headers, absurd dimensions included`, () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...pairs),
        fc.array(fc.tuple(key, value), { maxLength: 8 }),
        fc.integer({ min: 0, max: 200 }),
        (pair, edits, rawLength) => {
          const lines = new TextDecoder().decode(pair.bytes).split('\n');
          for (const [k, v] of edits) lines.push(`${k}\t${v}`); // later keys win
          const raw = new Uint8Array(rawLength);
          parsesOrFails(['r.rpl', 'r.raw'], () =>
            readRipple(lines.join('\n'), raw, { rpl: 'r.rpl', raw: 'r.raw' }),
          );
        },
      ),
      { numRuns: RUNS, seed: 306 },
    );
  });
});

describe('fuzz: NumPy', () => {
  const dtypes = DTYPES;
  const files = dtypes.flatMap((dt, i) =>
    [[5], [2, 3], [2, 2, 3], [1, 2, 2, 2]].map((shape) => {
      const n = shape.reduce((a, b) => a * b, 1);
      return {
        name: `${dt}-${shape.join('x')}-${i}.npy`,
        bytes: writeNpy(allocate(dt, n), shape, dt),
      };
    }),
  );

  it(`${RUNS} mutated and truncated .npy files`, () => {
    fc.assert(
      fc.property(fc.constantFrom(...files), arbMutation, (file, m) => {
        const bytes = mutate(file.bytes, m, HEAD);
        parsesOrFails([file.name], () => signalFromNpy(bytes, file.name));
      }),
      { numRuns: RUNS, seed: 307 },
    );
  });

  it(`${RUNS} random headers, absurd shapes included`, () => {
    const dim = fc.oneof(
      fc.integer({ min: 0, max: 5 }),
      fc.constantFrom(2 ** 31, 2 ** 40, 2 ** 53 - 1, 2 ** 53 + 2, -1),
    );
    const header = fc.oneof(
      fc
        .record({
          descr: fc.constantFrom('<f8', '>i4', '|u1', '|b1', '<c16', '<f2', 'O', '<U5', "'", ''),
          fortran: fc.constantFrom('True', 'False', 'None', '1'),
          shape: fc.array(dim, { maxLength: 6 }),
          junk: fc.constantFrom('', ' ', "'x': {'y': [1, (2,)]},", ')', '{{{{'),
        })
        .map(
          ({ descr, fortran, shape, junk }) =>
            `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), ${junk}}`,
        ),
      fc.string({ maxLength: 80 }),
    );
    fc.assert(
      fc.property(
        header,
        fc.constantFrom(1, 2, 3),
        fc.integer({ min: 0, max: 64 }),
        (text, version, dataLength) => {
          const head = new TextEncoder().encode(text + '\n');
          const prefix = version === 1 ? 10 : 12;
          const bytes = new Uint8Array(prefix + head.length + dataLength);
          bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
          const view = new DataView(bytes.buffer);
          if (version === 1) view.setUint16(8, head.length, true);
          else view.setUint32(8, head.length, true);
          bytes.set(head, prefix);
          parsesOrFails(['random.npy'], () => signalFromNpy(bytes, 'random.npy'));
        },
      ),
      { numRuns: RUNS, seed: 308 },
    );
  });
});
