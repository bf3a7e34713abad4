/**
 * Hostile input to the Velox reader: a synthetic Velox file (written by
 * h5wasm) and a real one, with their JSON metadata and spectrum streams
 * mutated in place (found by their bytes inside the valid HDF5 file), sizes
 * forged (a 1e6 x 1e6 scan, a billion frames, a huge bincount), and raw bytes
 * flipped or the file cut short. Each either reads or fails with a
 * FileFormatError naming the file; never another error, a hang or an
 * allocation the file cannot justify; and a bad file does not break the
 * reader for the next good one.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signalInfo } from '../../../core/src/cli/info.js';
import { FileFormatError } from '@samfire/core';
import { readVelox, type VeloxReadOptions } from '../../../core/src/io/node/velox-read.js';
import { STRINGS_TIMEOUT_MS, readVeloxStrings } from '../../../core/src/io/node/velox-strings.js';
import { makeStream, writeVelox } from './velox-builder.js';
import { extractVeloxFiles, hyperspyAvailable } from './velox-files.js';

const RUNS = 1200;
const dir = mkdtempSync(join(tmpdir(), 'velox-fuzz-'));
let cleanupReal = (): void => undefined;
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  cleanupReal();
});

interface Sample {
  name: string;
  bytes: Uint8Array;
  /** Byte ranges of JSON text (metadata columns, settings) and of stream entries. */
  json: [number, number][];
  streams: [number, number][];
  /** sha256 of every signal of the intact file. */
  hashes: string[];
}

const samples: Sample[] = [];

function find(bytes: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i + needle.length <= bytes.length; i++) {
    for (let k = 0; k < needle.length; k++) if (bytes[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

/** Every JSON text in the file: from each '{' that opens a Velox object to its NUL or end. */
function jsonRanges(bytes: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  const markers = [
    '{"Optics"',
    '{\n    "Core"',
    '{"encoding"',
    '{\n    "encoding"',
    '{"endFrame',
    '{\n    "endFrame',
  ];
  for (const m of markers) {
    const needle = new TextEncoder().encode(m);
    for (let at = find(bytes, needle); at >= 0; at = find(bytes, needle, at + 1)) {
      let end = at;
      while (end < bytes.length && bytes[end] !== 0) end++;
      out.push([at, end]);
    }
  }
  return out;
}

async function sample(path: string, streams: Uint16Array[]): Promise<Sample> {
  const bytes = new Uint8Array(readFileSync(path));
  const ranges: [number, number][] = [];
  for (const s of streams) {
    const head = new Uint8Array(s.buffer, s.byteOffset, Math.min(64, s.byteLength));
    const at = find(bytes, head);
    if (at >= 0) ranges.push([at, at + s.byteLength]);
  }
  const hashes = (await readVelox(path)).map((s) => signalInfo(s).sha256);
  return { name: basename(path), bytes, json: jsonRanges(bytes), streams: ranges, hashes };
}

beforeAll(async () => {
  const pixels = 4 * 3;
  const streams = [makeStream(pixels, 3, 256, 6, 5, 4), makeStream(pixels, 3, 256, 6, 6)];
  const synthetic = join(dir, 'synthetic.emd');
  await writeVelox(synthetic, {
    width: 4,
    height: 3,
    frames: 3,
    bincount: 256,
    streams,
    frameTable: true,
    frameTime: 0.5,
    realTime: 1.5,
  });
  samples.push(await sample(synthetic, streams));
  // One stream, no frame count in the file (the reader counts the frames).
  const single = join(dir, 'single.emd');
  const one = [makeStream(5 * 2, 4, 64, 3, 7, 2)];
  await writeVelox(single, {
    width: 5,
    height: 2,
    frames: 4,
    bincount: 64,
    streams: one,
    frameCount: false,
  });
  samples.push(await sample(single, one));
  if (hyperspyAvailable) {
    const real = extractVeloxFiles();
    cleanupReal = real.cleanup;
    const path = join(real.dir, 'fei_emd_si.emd');
    if (existsSync(path)) {
      // The real stream, to find it in the file: h5wasm reads it for us.
      const h5 = (await import('h5wasm/node')).default;
      await h5.ready;
      const f = new h5.File(path, 'r');
      const data = (
        f.get('Data/SpectrumStream/ca60be96f3d5453cb0cebe70ec2649ea/Data') as InstanceType<
          typeof h5.Dataset
        >
      ).value as Uint16Array;
      f.close();
      samples.push(await sample(path, [data]));
    }
  }
  for (const s of samples) {
    expect(s.json.length, s.name).toBeGreaterThan(0);
    expect(s.streams.length, s.name).toBeGreaterThan(0);
  }
}, 120_000);

const position = fc.noBias(fc.integer({ min: 0, max: 0x7fffffff }));
const FORGED: [RegExp, string][] = [
  [/"width":\s*"\d+"/, '"width":"1000000"'],
  [/"height":\s*"\d+"/, '"height":"1000000"'],
  [/"width":\s*"\d+"/, '"width":"40000"'],
  [/"right":\s*"[\d.]+"/, '"right":"7"'],
  [/"bincount":\s*"\d+"/, '"bincount":"99999"'],
  [/"bincount":\s*"\d+"/, '"bincount":"0"'],
  [/"endFramePosition":\s*"\d+"/, '"endFramePosition":"1000000000"'],
  [/"Dispersion":\s*"[\d.]+"/, '"Dispersion":"0"'],
  [/"PixelSize":\s*\{[^}]*\}/, '"PixelSize":{"width":"0","height":"NaN"}'],
  [/"AccelerationVoltage":\s*"\d+"/, '"AccelerationVoltage":"x"'],
];
const mutation = fc.oneof(
  fc.record({
    kind: fc.constant('json' as const),
    which: fc.nat(),
    edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 4,
    }),
  }),
  fc.record({ kind: fc.constant('forge' as const), which: fc.nat(), rule: fc.nat() }),
  fc.record({
    kind: fc.constant('stream' as const),
    which: fc.nat(),
    edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 0xffff })), {
      minLength: 1,
      maxLength: 8,
    }),
  }),
  fc.record({
    kind: fc.constant('bytes' as const),
    edits: fc.array(fc.tuple(position, fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 8,
    }),
    nearStart: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('word' as const),
    at: position,
    value: fc.constantFrom(0, 1, 0x7fffffff, 0xffffffff, 0x40000000),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

const OPTIONS: VeloxReadOptions[] = [
  {},
  { sumFrames: false },
  { sumEdsDetectors: false },
  { loadSiImageStack: true },
];

function mutate(s: Sample, m: Mutation): Uint8Array {
  const src = s.bytes;
  if (m.kind === 'truncate') return src.slice(0, m.at % (src.length + 1));
  const out = src.slice();
  switch (m.kind) {
    case 'json': {
      const [a, b] = s.json[m.which % s.json.length]!;
      for (const [where, value] of m.edits) out[a + (where % Math.max(1, b - a))] = value;
      return out;
    }
    case 'forge': {
      // Rewrite one JSON text with a forged size, in its own bytes (NUL-padded when shorter).
      const [a, b] = s.json[m.which % s.json.length]!;
      const [pattern, replacement] = FORGED[m.rule % FORGED.length]!;
      const original = new TextDecoder().decode(src.subarray(a, b));
      const forged = new TextEncoder().encode(original.replace(pattern, replacement));
      const room = m.which % 2 === 0 ? b - a : forged.length;
      // Metadata columns have room after the text (NUL padding); settings strings do not.
      const limit = Math.min(forged.length, room, out.length - a);
      out.set(forged.subarray(0, limit), a);
      for (let i = a + limit; i < b; i++) out[i] = 0;
      return out;
    }
    case 'stream': {
      const [a, b] = s.streams[m.which % s.streams.length]!;
      const view = new DataView(out.buffer);
      const entries = (b - a) / 2;
      for (const [where, value] of m.edits) view.setUint16(a + 2 * (where % entries), value, true);
      return out;
    }
    case 'word':
      new DataView(out.buffer).setUint32(m.at % (out.length - 3), m.value, true);
      return out;
    case 'bytes': {
      const span = m.nearStart ? Math.min(4096, out.length) : out.length;
      for (const [where, value] of m.edits) out[where % span] = value;
      return out;
    }
  }
}

let count = 0;

async function readsOrFails(
  s: Sample,
  bytes: Uint8Array,
  options: VeloxReadOptions,
): Promise<void> {
  const name = `m${count++ % 4}-${s.name}`;
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const start = performance.now();
  try {
    const signals = await readVelox(path, options);
    for (const sig of signals) expect(sig.data.length).toBe(sig.shape.reduce((a, b) => a * b, 1));
  } catch (err) {
    if (!(err instanceof FileFormatError)) {
      throw new Error(`expected a FileFormatError, got ${String(err)}`, { cause: err });
    }
    expect(err.fileName).toBe(name);
    // A wrapped library error is fine; one of our own mistakes is not.
    if (err.problem.startsWith('cannot read HDF5')) {
      expect(err.cause, err.message).not.toBeInstanceOf(TypeError);
      expect(err.cause, err.message).not.toBeInstanceOf(ReferenceError);
    }
  }
  // Bounded: a file the HDF5 library loops on is given up after STRINGS_TIMEOUT_MS.
  expect(performance.now() - start).toBeLessThan(STRINGS_TIMEOUT_MS + 5000);
  // Nothing near a forged size was allocated.
  expect(process.memoryUsage().rss).toBeLessThan(1.5 * 1024 ** 3);
}

/** `sample` with the first match of `pattern` in every JSON text replaced (metadata columns have room). */
function forgeAll(s: Sample, pattern: RegExp, replacement: string): Uint8Array {
  const out = s.bytes.slice();
  for (const [a, b] of s.json) {
    const text = new TextDecoder().decode(s.bytes.subarray(a, b));
    const forged = text.replace(pattern, replacement);
    if (forged !== text) out.set(new TextEncoder().encode(forged), a);
  }
  return out;
}

describe('forged sizes', () => {
  const cases: [string, RegExp, string, VeloxReadOptions, RegExp][] = [
    [
      'a 1e6 x 1e6 scan',
      /"ScanSize":\{[^}]*\}/,
      '"ScanSize":{"width":"1000000","height":"1000000"}',
      {},
      /the spectrum stream \(\d+ entries\) cannot fill one frame of 1000000 x 1000000 pixels/,
    ],
    [
      'a 40000 x 40000 scan its stream cannot fill',
      /"ScanSize":\{[^}]*\}/,
      '"ScanSize":{"width":"40000","height":"40000"}',
      { siDtype: 'uint8' },
      /the spectrum stream \(\d+ entries\) cannot fill one frame of 40000 x 40000 pixels/,
    ],
    [
      'a billion frames',
      /"RasterScanDefinition"/,
      '"RasterScanDefinition"',
      { sumFrames: false, lastFrame: 1_000_000_000 },
      /lastFrame 1000000000 is more than the 4 frames/,
    ],
  ];
  it.each(cases)(
    '%s is refused before any allocation',
    async (_label, pattern, replacement, options, message) => {
      const s = samples.find((x) => x.name === 'single.emd')!;
      const path = join(dir, 'forged.emd');
      writeFileSync(path, forgeAll(s, pattern, replacement));
      const before = process.memoryUsage().rss;
      const err = await readVelox(path, options).catch((e: unknown) => e);
      expect(String(err)).toMatch(message);
      expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 ** 2);
    },
  );

  it('a damaged global heap (on which HDF5 itself loops) is given up in bounded time', async () => {
    // The spectrum image settings string written over the header of the next heap object.
    const s = samples.find((x) => x.name === 'synthetic.emd')!;
    const [a, b] = s.json.find(([x, y]) =>
      /endFramePosition/.test(new TextDecoder().decode(s.bytes.subarray(x, y))),
    )!;
    const original = new TextDecoder('latin1').decode(s.bytes.subarray(a, b));
    const out = s.bytes.slice();
    out.set(
      Uint8Array.from(original.replace(/"\d+"/, '"1000000000"'), (c) => c.charCodeAt(0)),
      a,
    );
    const path = join(dir, 'heap.emd');
    writeFileSync(path, out);
    const start = performance.now();
    await expect(readVelox(path)).rejects.toThrow(
      /^heap\.emd: the HDF5 library did not finish reading the file's text datasets within 5 s: its global heap is damaged$/,
    );
    expect(performance.now() - start).toBeLessThan(STRINGS_TIMEOUT_MS + 5000);
    // The reader still works afterwards (with a new thread).
    expect((await readVelox(join(dir, 'synthetic.emd'))).map((x) => signalInfo(x).sha256)).toEqual(
      s.hashes,
    );
  });

  it('the strings read without the thread (where none can load h5wasm) are the same', async () => {
    for (const s of samples) {
      const path = join(dir, `strings-${s.name}`);
      writeFileSync(path, s.bytes);
      const threaded = await readVeloxStrings(path, s.name);
      const here = await readVeloxStrings(path, s.name, { thread: false });
      expect(threaded.strings.size).toBeGreaterThan(3);
      expect([...here.strings]).toEqual([...threaded.strings]);
      expect([...here.problems]).toEqual([...threaded.problems]);
    }
  });

  it('a frame count the stream cannot reach is refused for a frame axis', async () => {
    const path = join(dir, 'frames.emd');
    const streams = [makeStream(12, 3, 64, 2, 9)];
    await writeVelox(path, {
      width: 4,
      height: 3,
      frames: 3,
      claimedFrames: 900_000_000,
      bincount: 64,
      streams,
    });
    await expect(readVelox(path, { sumFrames: false })).rejects.toThrow(
      /frames.emd: the map is said to have 900000000 frames of 12 pixels, but its longest stream \(\d+ entries\) ends before frame 899999999 begins/,
    );
    // Summed, the frame count changes nothing but the metadata.
    const [, map] = await readVelox(path);
    expect(map!.shape).toEqual([3, 4, 64]);
  });
});

describe('fuzz: Velox .emd', () => {
  it(`${RUNS} mutated, forged and truncated Velox files read or fail cleanly`, async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(), mutation, fc.nat(), async (which, m, o) => {
        const s = samples[which % samples.length]!;
        await readsOrFails(s, mutate(s, m), OPTIONS[o % OPTIONS.length]!);
        // Every so often: the intact file still reads exactly as before.
        if (++runs % 100 === 0) {
          const path = join(dir, `intact-${s.name}`);
          writeFileSync(path, s.bytes);
          expect((await readVelox(path)).map((x) => signalInfo(x).sha256)).toEqual(s.hashes);
        }
      }),
      { numRuns: RUNS, seed: 1201 },
    );
  }, 600_000);
});
