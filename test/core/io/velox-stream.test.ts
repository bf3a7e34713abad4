/**
 * The pure parts of the Velox reader: the spectrum stream decoder
 * (core/src/io/velox/stream.ts) against the obvious decoding, whatever the
 * blocks it is fed in; the readable units (units.ts) against what HyperSpy
 * 1.7.3 shows for the same axes (values found by loading Velox files with
 * HyperSpy); and the metadata helpers (metadata.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FileFormatError } from '@samfire/core';
import {
  acquisitionTime,
  detectorsOf,
  operationTitles,
  parseMetadataColumn,
  quantifiedElements,
  scannedArea,
  type Operation,
} from '../../../core/src/io/velox/metadata.js';
import {
  FrameLocator,
  MapDecoder,
  arraySource,
  countPixelEnds,
  cubeLength,
  type FrameRun,
  type StreamLayout,
} from '../../../core/src/io/velox/stream.js';
import { compactUnits, parseUnit } from '../../../core/src/io/velox/units.js';
import { naiveDecode } from './velox-builder.js';

const layoutAndStream = fc
  .record({
    pixelsPerFrame: fc.integer({ min: 1, max: 12 }),
    bincount: fc.constantFrom(1, 4, 8, 12, 4096),
    frames: fc.integer({ min: 1, max: 5 }),
    sumFrames: fc.boolean(),
    rebinIndex: fc.nat(),
  })
  .chain((r) =>
    fc.record({
      base: fc.constant(r),
      first: fc.integer({ min: 0, max: r.frames - 1 }),
      span: fc.integer({ min: 1, max: r.frames }),
      // Entries: channels, or 0xFFFF (about one in four); beyond the frames too.
      entries: fc.array(
        fc.oneof(
          { weight: 3, arbitrary: fc.integer({ min: 0, max: r.bincount - 1 }) },
          { weight: 1, arbitrary: fc.constant(0xffff) },
        ),
        { maxLength: r.pixelsPerFrame * (r.frames + 1) * 4 },
      ),
    }),
  )
  .map(({ base, first, span, entries }) => {
    const divisors = [1, 2, 3, 4, 8, 12, 4096].filter((d) => base.bincount % d === 0);
    const layout: StreamLayout = {
      pixelsPerFrame: base.pixelsPerFrame,
      bincount: base.bincount,
      firstFrame: first,
      lastFrame: Math.min(base.frames, first + span),
      sumFrames: base.sumFrames,
      rebin: divisors[base.rebinIndex % divisors.length]!,
    };
    return { layout, stream: Uint16Array.from(entries) };
  });

/** Frame runs of `stream` for `layout`'s frames, from its end-of-pixel entries. */
function runsOf(layout: StreamLayout, stream: Uint16Array, what = 'stream'): FrameRun[] {
  const locator = new FrameLocator(layout.pixelsPerFrame);
  locator.feed(stream);
  const starts = locator.starts;
  const source = arraySource(stream);
  const runs: FrameRun[] = [];
  for (let f = layout.firstFrame; f < layout.lastFrame && f < starts.length; f++) {
    const bounded = f + 1 < starts.length;
    runs.push({
      source,
      what,
      frame: f,
      start: starts[f]!,
      end: bounded ? starts[f + 1]! : stream.length,
      bounded,
    });
  }
  return runs;
}

function decode(
  layout: StreamLayout,
  streams: Uint16Array[],
  window: number,
  block: number,
): Uint32Array {
  const out = new Uint32Array(cubeLength(layout));
  const d = new MapDecoder(
    layout,
    out,
    'test.emd',
    streams.flatMap((s) => runsOf(layout, s)),
    window,
  );
  let steps = 0;
  while (d.step(block)) if (++steps > layout.pixelsPerFrame + 1) throw new Error('no progress');
  return out;
}

describe('the spectrum stream decoder', () => {
  it('counts what the obvious decoding counts, whatever the windows and blocks', () => {
    fc.assert(
      fc.property(
        layoutAndStream,
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 13 }),
        ({ layout, stream }, window, block) => {
          const ours = decode(layout, [stream], window, block);
          const expected = naiveDecode(
            stream,
            layout.pixelsPerFrame,
            layout.bincount,
            layout.firstFrame,
            layout.lastFrame,
            layout.sumFrames,
            layout.rebin,
          );
          expect(Array.from(ours)).toEqual(Array.from(expected));
        },
      ),
      { numRuns: 500, seed: 12 },
    );
  });

  it('sums several streams (detector segments) into one cube', () => {
    fc.assert(
      fc.property(
        layoutAndStream,
        layoutAndStream,
        fc.integer({ min: 1, max: 64 }),
        (a, b, window) => {
          const layout = a.layout;
          // The second stream, over the first one's channels.
          const other = b.stream.map((v) => (v === 0xffff ? v : v % layout.bincount));
          const ours = decode(layout, [a.stream, other], window, 3);
          const naive = (s: Uint16Array): Float64Array =>
            naiveDecode(
              s,
              layout.pixelsPerFrame,
              layout.bincount,
              layout.firstFrame,
              layout.lastFrame,
              layout.sumFrames,
              layout.rebin,
            );
          const x = naive(a.stream);
          const y = naive(other);
          expect(Array.from(ours)).toEqual(Array.from(x, (v, i) => v + y[i]!));
        },
      ),
      { numRuns: 200, seed: 13 },
    );
  });

  it('wraps integer counts as numpy does', () => {
    const layout: StreamLayout = {
      pixelsPerFrame: 2,
      bincount: 4,
      firstFrame: 0,
      lastFrame: 1,
      sumFrames: true,
      rebin: 1,
    };
    const out = new Uint8Array(cubeLength(layout));
    const stream = new Uint16Array(300).fill(2);
    new MapDecoder(layout, out, 'x.emd', runsOf(layout, stream), 16).step(2);
    expect(out[2]).toBe(300 % 256);
  });

  it('counts only the frames wanted, and the entries it read', () => {
    const layout: StreamLayout = {
      pixelsPerFrame: 1,
      bincount: 8,
      firstFrame: 0,
      lastFrame: 2,
      sumFrames: false,
      rebin: 1,
    };
    const out = new Uint16Array(16);
    const stream = Uint16Array.of(1, 0xffff, 2, 0xffff, 5, 5, 0xffff);
    const d = new MapDecoder(layout, out, 'x.emd', runsOf(layout, stream), 4);
    expect(d.step(1)).toBe(false);
    expect(d.entries).toBe(4);
    expect([out[1], out[8 + 2], out.reduce((a, b) => a + b, 0)]).toEqual([1, 1, 2]);
  });

  it('refuses an entry that is neither a channel nor the end of a pixel, naming it', () => {
    const layout: StreamLayout = {
      pixelsPerFrame: 4,
      bincount: 16,
      firstFrame: 0,
      lastFrame: 1,
      sumFrames: true,
      rebin: 1,
    };
    const stream = Uint16Array.of(1, 2, 0xffff, 3, 16);
    const d = new MapDecoder(
      layout,
      new Uint16Array(64),
      'bad.emd',
      runsOf(layout, stream, 'spectrum stream ab'),
      2,
    );
    expect(() => d.step(4)).toThrow(
      new FileFormatError(
        'bad.emd',
        'spectrum stream ab: entry 4 is 16, neither one of the 16 channels nor the end of a pixel (65535)',
      ),
    );
  });

  it('refuses frame starts that disagree with the stream', () => {
    const layout: StreamLayout = {
      pixelsPerFrame: 2,
      bincount: 8,
      firstFrame: 0,
      lastFrame: 2,
      sumFrames: true,
      rebin: 1,
    };
    const stream = Uint16Array.of(1, 0xffff, 0xffff, 3, 0xffff, 0xffff);
    const source = arraySource(stream);
    // Frame 1 really starts at entry 3; a table saying 4 is wrong.
    const runs: FrameRun[] = [
      { source, what: 's', frame: 0, start: 0, end: 4, bounded: true },
      { source, what: 's', frame: 1, start: 4, end: 6, bounded: false },
    ];
    const d = new MapDecoder(layout, new Uint16Array(16), 'x.emd', runs, 8);
    expect(() => d.step(2)).toThrow(
      /frame 0 ends at entry 3, but the next frame is said to start at entry 4/,
    );
  });

  it('locates frames, and checks its layout', () => {
    const locator = new FrameLocator(2);
    locator.feed(Uint16Array.of(1, 0xffff, 0xffff, 3));
    locator.feed(Uint16Array.of(0xffff, 0xffff));
    expect(locator.starts).toEqual([0, 3]);
    expect(locator.pixelsEnded).toBe(4);
    const ok: StreamLayout = {
      pixelsPerFrame: 4,
      bincount: 16,
      firstFrame: 0,
      lastFrame: 1,
      sumFrames: true,
      rebin: 1,
    };
    const make = (l: Partial<StreamLayout>, n = 64): MapDecoder =>
      new MapDecoder({ ...ok, ...l }, new Uint16Array(n), 'x.emd', [], 8);
    expect(() => make({ rebin: 3 })).toThrow(/rebin 3 does not divide the 16 channels/);
    expect(() => make({ bincount: 65535 })).toThrow(/bincount 65535 is invalid/);
    expect(() => make({ firstFrame: 2, lastFrame: 2 })).toThrow(/no frame between 2 and 2/);
    expect(() => make({}, 63)).toThrow(/the cube has 63 elements, the layout needs 64/);
    expect(countPixelEnds(Uint16Array.of(0xffff, 1, 0xffff, 0xfffe))).toBe(2);
  });
});

describe('readable units', () => {
  // [size, scale, units, factor] -> [scale, units] as HyperSpy 1.7.3 shows Velox axes.
  const cases: [number, number, string, number, number, string][] = [
    [512, 5.3024148379916015e-9, 'm', 0.5, 0.0053024148379916015, 'µm'],
    [16, 5.3024148379916015e-9, 'm', 0.5, 5.302414837991601, 'nm'],
    [400, 5.01e-9, 'm', 0.5, 0.00501, 'µm'],
    [400, 4.99e-9, 'm', 0.5, 4.99, 'nm'],
    [1000, 1e-9, 'm', 0.5, 1, 'nm'],
    [1, 1e-9, 'm', 0.5, 1000, 'pm'],
    [2, 9.961991555830655e-11, 'm', 0.5, 99.61991555830654, 'pm'],
    [4, 98015829.06303135, '1/m', 0.5, 98.01582906303135, '1 / µm'],
    [4, 2.6e5, '1/m', 0.5, 260, '1 / mm'],
    [4, 1e-9, 'nm', 0.5, 1, 'am'],
    [5, 0.0416, 's', 1, 41.6, 'ms'],
    [2, 0.8, 's', 1, 0.8, 's'],
    [3, 0.0005, 's', 1, 0.5, 'ms'],
    [3, 5e-7, 's', 1, 0.5, 'µs'],
    [3, 1500, 's', 1, 1.5, 'ks'],
  ];
  it.each(cases)('%i x %d %s (factor %d) -> %d %s', (size, scale, units, factor, s, u) => {
    const c = compactUnits(scale, -3 * scale, size, units, factor);
    expect(c.units).toBe(u);
    expect(Math.abs(c.scale - s)).toBeLessThanOrEqual(1e-12 * s);
    expect(Math.abs(c.offset + 3 * s)).toBeLessThanOrEqual(3e-12 * s);
  });

  it('leaves other units alone, and parses prefixes', () => {
    expect(compactUnits(0.01, -1, 4096, 'keV', 0.5)).toEqual({
      scale: 0.01,
      offset: -1,
      units: 'keV',
    });
    expect(compactUnits(2, 0, 10, '', 0.5)).toEqual({ scale: 2, offset: 0, units: '' });
    expect(parseUnit('1 / µm')).toEqual({ base: 'm', prefix: -6, power: -1 });
    expect(parseUnit('um')).toEqual({ base: 'm', prefix: -6, power: 1 });
    expect(parseUnit('ms')).toEqual({ base: 's', prefix: -3, power: 1 });
    expect(parseUnit('furlong')).toBeNull();
  });
});

describe('Velox metadata', () => {
  const fileName = 'm.emd';

  it('reads a NUL-padded JSON column and refuses broken ones by name', () => {
    const text = new TextEncoder().encode('{"a": {"b": "1"}}');
    const column = new Uint8Array(64);
    column.set(text);
    expect(parseMetadataColumn(column, fileName, 'the metadata')).toEqual({ a: { b: '1' } });
    expect(() => parseMetadataColumn(column.subarray(0, 10), fileName, 'the metadata')).toThrow(
      /^m\.emd: the metadata is not valid JSON/,
    );
    expect(() => parseMetadataColumn(Uint8Array.of(0xff, 0xfe), fileName, 'the metadata')).toThrow(
      /is not UTF-8 text/,
    );
    expect(() =>
      parseMetadataColumn(new TextEncoder().encode('[1]'), fileName, 'the metadata'),
    ).toThrow(/is not a JSON object/);
  });

  it('dates the acquisition from the start time or the detector time stamp', () => {
    expect(
      acquisitionTime({ Acquisition: { AcquisitionStartDatetime: { DateTime: '1488794276' } } }),
    ).toEqual({
      date: '2017-03-06',
      time: '09:57:56',
    });
    expect(
      acquisitionTime({
        BinaryResult: { Detector: 'BM-Ceta' },
        CustomProperties: { 'Detectors[BM-Ceta].TimeStamp': { value: '1512055942914275' } },
      }),
    ).toEqual({ date: '2017-11-30', time: '15:32:22.914275' });
    expect(acquisitionTime({ Acquisition: { AcquisitionDatetime: { DateTime: '0' } } })).toBeNull();
  });

  it('finds the detector segments of a summed Super-X stream', () => {
    const md = {
      BinaryResult: { Detector: 'SuperXG2' },
      Detectors: {
        'Detector-0': { DetectorName: 'HAADF', DetectorType: 'ScanningDetector' },
        'Detector-1': {
          DetectorName: 'SuperXG21',
          DetectorType: 'AnalyticalDetector',
          Dispersion: '5',
        },
        'Detector-2': {
          DetectorName: 'SuperXG22',
          DetectorType: 'AnalyticalDetector',
          Dispersion: '5',
        },
      },
    };
    expect(detectorsOf(md).map((d) => d.name)).toEqual(['SuperXG21', 'SuperXG22']);
    expect(
      detectorsOf({ ...md, BinaryResult: { Detector: 'SuperXG22' } }).map((d) => d.name),
    ).toEqual(['SuperXG22']);
  });

  it('takes the scanned part of the scan as the map', () => {
    const md = {
      Scan: {
        ScanSize: { width: '512', height: '512' },
        ScanArea: {
          left: '0.482421875',
          top: '0.49609375',
          right: '0.513671875',
          bottom: '0.52734375',
        },
      },
    };
    expect(scannedArea(md, fileName, 'stream')).toEqual({ width: 16, height: 16 });
    expect(() =>
      scannedArea(
        { Scan: { ScanSize: { width: '4', height: '4' }, ScanArea: { left: '2' } } },
        fileName,
        'stream',
      ),
    ).toThrow(/scan area left 2 is not a fraction/);
    expect(() => scannedArea({}, fileName, 'stream')).toThrow(/no scan size/);
  });

  it('titles images from the operations that made them, and lists quantified elements', () => {
    const op = (type: string, id: string, json: Record<string, unknown>): Operation => ({
      type,
      path: `/Operations/${type}/${id}`,
      json,
    });
    const math = op('MathematicsOperation', 'm', {
      mathematicsMode: 'Subtraction',
      dataPath: '/Data/Image/ac',
    });
    const titles = operationTitles([
      op('StemInputOperation', 'a', {
        dataPath: '/Data/Image/a',
        detector: 'DF4-A',
        outputs: [{ operation: math.path, inputIndex: '0' }],
      }),
      op('StemInputOperation', 'c', {
        dataPath: '/Data/Image/c',
        detector: 'DF4-C',
        outputs: [{ operation: math.path, inputIndex: '1' }],
      }),
      math,
      op('CameraInputOperation', 'k', { dataPath: '/Data/Image/k', cameraName: 'Ceta' }),
      op('SurfaceReconstructionOperation', 's', {
        dataPath: '/Data/Image/f',
        unfilteredDataPath: '/Data/Image/u',
        enableFilter: 'true',
      }),
    ]);
    expect(Object.fromEntries(titles)).toEqual({
      '/Data/Image/a': 'DF4-A',
      '/Data/Image/c': 'DF4-C',
      '/Data/Image/ac': 'A-C',
      '/Data/Image/k': 'Ceta',
      '/Data/Image/f': 'Filtered iDPC',
      '/Data/Image/u': 'iDPC',
    });
    expect(
      quantifiedElements([
        {
          colormixSelection: [
            { name: 'HAADF', stem: 'true' },
            { name: 'Nb' },
            { name: 'Fe' },
            { name: 'Xx' },
          ],
        },
      ]),
    ).toEqual(['Fe', 'Nb']);
  });
});
