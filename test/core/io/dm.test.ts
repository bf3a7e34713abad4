/**
 * DigitalMicrograph reading beyond the sample files: synthetic files built
 * tag by tag (dm-builder.ts), with the layout HyperSpy 1.7.3 gives the same
 * files (observed by loading them with HyperSpy) as the expected result.
 */
import { describe, expect, it } from 'vitest';
import { readDm, FileFormatError } from '@samfire/core';
import type { AxisSpec, NumericArray } from '@samfire/core';
import { parseDmFile } from '../../../core/src/io/dm-tags.js';
import { buildDm, imageFile, type BTag, type ImageSpec } from './dm-builder.js';

const seq = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => i);
const X = { origin: 1, scale: 2, units: 'nm' };
const Y = { origin: 0, scale: 3, units: 'µm' };
const E = { origin: 10, scale: 0.5, units: 'eV' };

type Ax = [
  name: string,
  size: number,
  navigate: boolean,
  offset: number,
  scale: number,
  units: string,
];
const axesOf = (axes: readonly AxisSpec[]): Ax[] =>
  axes.map((a) => [a.name, a.size, a.navigate, a.offset + 0, a.scale, a.units]);

function fileError(fn: () => unknown): FileFormatError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FileFormatError);
    return err as FileFormatError;
  }
  throw new Error('expected a FileFormatError');
}

const read = (spec: ImageSpec) => {
  const signals = readDm(imageFile(spec), 'synthetic.dm3');
  expect(signals.length).toBe(1);
  return signals[0]!;
};

describe('readDm lays data out as HyperSpy does', () => {
  const cases: {
    what: string;
    spec: ImageSpec;
    type: string;
    shape: number[];
    axes: Ax[];
    first: number[];
    binned: boolean;
    image?: boolean;
  }[] = [
    {
      what: 'EELS spectrum image: energy (DM slowest) moved last',
      spec: {
        dims: [4, 3, 5],
        dataType: 2,
        code: 6,
        data: seq(60),
        calibrations: [X, Y, E],
        signal: 'EELS',
        format: 'Spectrum image',
        thumbnail: true,
      },
      type: 'EELS',
      shape: [3, 4, 5],
      axes: [
        ['y', 3, true, 0, 3, 'µm'],
        ['x', 4, true, -2, 2, 'nm'],
        ['Energy loss', 5, false, -5, 0.5, 'eV'],
      ],
      first: [0, 12, 24, 36, 48, 1, 13],
      binned: true,
    },
    {
      what: 'X-ray spectrum image is EDS_TEM, axes named by position',
      spec: {
        dims: [4, 3, 5],
        dataType: 2,
        code: 6,
        data: seq(60),
        calibrations: [X, Y, E],
        signal: 'X-ray',
        format: 'Spectrum image',
        version: 4,
      },
      type: 'EDS_TEM',
      shape: [3, 4, 5],
      axes: [
        ['y', 3, true, 0, 3, 'µm'],
        ['x', 4, true, -2, 2, 'nm'],
        ['z', 5, false, -5, 0.5, 'eV'],
      ],
      first: [0, 12, 24],
      binned: true,
    },
    {
      what: 'EELS line scan: energy is DM fastest, already last',
      spec: {
        dims: [5, 4],
        dataType: 2,
        code: 6,
        data: seq(20),
        calibrations: [E, X],
        signal: 'EELS',
        format: 'Spectrum image',
      },
      type: 'EELS',
      shape: [4, 5],
      axes: [
        ['x', 4, true, -2, 2, 'nm'],
        ['Energy loss', 5, false, -5, 0.5, 'eV'],
      ],
      first: [0, 1, 2],
      binned: true,
    },
    {
      what: 'X-ray line scan with format Spectrum',
      spec: {
        dims: [5, 4],
        dataType: 2,
        code: 6,
        data: seq(20),
        calibrations: [E, X],
        signal: 'X-ray',
        format: 'Spectrum',
      },
      type: 'EDS_TEM',
      shape: [4, 5],
      axes: [
        ['y', 4, true, -2, 2, 'nm'],
        ['x', 5, false, -5, 0.5, 'eV'],
      ],
      first: [0, 1, 2],
      binned: true,
    },
    {
      what: 'a 2-D image keeps DM order (signalDimension 2)',
      spec: { dims: [4, 3], dataType: 2, code: 6, data: seq(12), calibrations: [X, Y] },
      type: '',
      shape: [3, 4],
      axes: [
        ['y', 3, true, 0, 3, 'µm'],
        ['x', 4, false, -2, 2, 'nm'],
      ],
      first: [0, 1, 2],
      binned: false,
      image: true,
    },
    {
      what: 'an image stack, and a 3-D EELS file without the Spectrum image format, are images',
      spec: {
        dims: [4, 3, 5],
        dataType: 2,
        code: 6,
        data: seq(60),
        calibrations: [X, Y, E],
        signal: 'EELS',
      },
      type: 'EELS',
      shape: [5, 3, 4],
      axes: [
        ['z', 5, true, -5, 0.5, 'eV'],
        ['y', 3, true, 0, 3, 'µm'],
        ['x', 4, false, -2, 2, 'nm'],
      ],
      first: [0, 1, 2],
      binned: false,
      image: true,
    },
    {
      what: 'a 4-D spectrum image',
      spec: {
        dims: [2, 3, 4, 5],
        dataType: 2,
        code: 6,
        data: seq(120),
        signal: 'EELS',
        format: 'Spectrum image',
      },
      type: 'EELS',
      shape: [4, 3, 2, 5],
      axes: [
        ['z', 4, true, 0, 1, ''],
        ['y', 3, true, 0, 1, ''],
        ['x', 2, true, 0, 1, ''],
        ['Energy loss', 5, false, 0, 1, ''],
      ],
      first: [0, 24, 48, 72, 96, 1],
      binned: true,
    },
    {
      what: 'dimensions of size 1 are dropped',
      spec: {
        dims: [5, 1],
        dataType: 2,
        code: 6,
        data: seq(5),
        calibrations: [E, X],
        signal: 'EELS',
        format: 'Spectrum',
      },
      type: 'EELS',
      shape: [5],
      axes: [['Energy loss', 5, false, -5, 0.5, 'eV']],
      first: [0, 1, 2, 3, 4],
      binned: true,
    },
    {
      what: 'a CL spectrum has a Wavelength axis',
      spec: {
        dims: [5],
        dataType: 2,
        code: 6,
        data: seq(5),
        calibrations: [{ origin: 0, scale: 1, units: 'nm' }],
        signal: 'CL',
        format: 'Spectrum',
      },
      type: 'CL',
      shape: [5],
      axes: [['Wavelength', 5, false, 0, 1, 'nm']],
      first: [0, 1, 2],
      binned: false,
    },
    {
      what: 'big-endian tag data',
      spec: {
        dims: [5],
        dataType: 2,
        code: 6,
        data: seq(5),
        calibrations: [E],
        signal: 'EELS',
        littleEndian: false,
      },
      type: 'EELS',
      shape: [5],
      axes: [['Energy loss', 5, false, -5, 0.5, 'eV']],
      first: [0, 1, 2, 3, 4],
      binned: true,
    },
  ];

  it.each(cases.map((c) => [c.what, c] as const))('%s', (_what, c) => {
    const s = read(c.spec);
    expect(s.signalType).toBe(c.type);
    expect(s.shape).toEqual(c.shape);
    expect(axesOf(s.axes)).toEqual(c.axes);
    expect(Array.from(s.data.slice(0, c.first.length), Number)).toEqual(c.first);
    expect(s.signalAxis.isBinned).toBe(c.binned);
    expect(s.metadata['signalDimension']).toBe(c.image ? 2 : undefined);
    expect(s.title).toBe('synthetic');
  });

  it('keeps the image tags as plain metadata', () => {
    const s = read({
      dims: [3],
      dataType: 2,
      code: 6,
      data: seq(3),
      signal: 'EELS',
      format: 'Spectrum',
    });
    expect(s.metadata['dm']).toEqual({ 'Meta Data': { Signal: 'EELS', Format: 'Spectrum' } });
  });
});

describe('readDm data types', () => {
  const types: [number, number, string, NumericArray][] = [
    [1, 2, 'int16', Int16Array.from([-3, 0, 30000])],
    [2, 6, 'float32', Float32Array.from([-1.5, 0, 3.25])],
    [6, 10, 'uint8', Uint8Array.from([0, 7, 255])],
    [7, 3, 'int32', Int32Array.from([-2147483648, 0, 2147483647])],
    [9, 9, 'int8', Int8Array.from([-128, 0, 127])],
    [10, 4, 'uint16', Uint16Array.from([0, 1, 65535])],
    [11, 5, 'uint32', Uint32Array.from([0, 1, 4294967295])],
    [12, 7, 'float64', Float64Array.from([-1e300, 0, Math.PI])],
    [14, 10, 'bool', Uint8Array.from([1, 0, 1])],
    [39, 11, 'int64', BigInt64Array.from([-(2n ** 63n), 0n, 2n ** 63n - 1n])],
    [40, 12, 'uint64', BigUint64Array.from([0n, 1n, 2n ** 64n - 1n])],
  ];
  it.each(types)(
    'DM data type %i (array of type %i) reads as %s, both byte orders, DM3 and DM4',
    (dataType, code, dtype, data) => {
      for (const version of [3, 4] as const) {
        for (const littleEndian of [true, false]) {
          const s = read({ dims: [3], dataType, code, data, version, littleEndian });
          expect(s.dtype).toBe(dtype);
          expect(Array.from(s.data as ArrayLike<number | bigint>)).toEqual(
            Array.from(data as ArrayLike<number | bigint>),
          );
        }
      }
    },
  );

  it.each([
    [3, 'complex64'],
    [13, 'complex128'],
    [5, 'packed complex'],
    [8, 'RGB'],
    [23, 'RGBA uint8'],
  ])('DM data type %i (%s) is refused by name', (dataType, name) => {
    const e = fileError(() => read({ dims: [2], dataType, code: 7, data: new Float64Array(2) }));
    expect(e.message).toBe(
      `synthetic.dm3: image 0: ${name} data (DM data type ${dataType}) are not supported; only real numbers can be fitted`,
    );
  });

  it('an unknown data type is refused', () => {
    expect(
      fileError(() => read({ dims: [2], dataType: 77, code: 10, data: new Uint8Array(2) })).message,
    ).toMatch(/unknown DM data type 77/);
  });
});

describe('readDm errors', () => {
  it('Data that do not match the dimensions', () => {
    const e = fileError(() => read({ dims: [4], dataType: 2, code: 6, data: seq(3) }));
    expect(e.message).toBe(
      'synthetic.dm3: image 0: Data holds 12 bytes but 4 float32 values need 16',
    );
  });

  it('a file without images', () => {
    const bytes = buildDm([{ name: 'Other', code: 3, value: 1 }]);
    expect(fileError(() => readDm(bytes, 'x.dm3')).message).toBe(
      'x.dm3: no ImageList tag group: the file holds no image',
    );
  });

  it('not a DM file', () => {
    expect(
      fileError(() => readDm(new TextEncoder().encode('this is a text file, not DM'), 'x.dm3'))
        .message,
    ).toMatch(/not a DigitalMicrograph 3\/4 file/);
  });

  it('truncated files name the byte where the data ran out', () => {
    const bytes = imageFile({ dims: [4], dataType: 2, code: 6, data: seq(4) });
    for (const cut of [18, 20, 40, bytes.length - 30]) {
      expect(fileError(() => readDm(bytes.subarray(0, cut), 'cut.dm3')).message).toMatch(
        /^cut\.dm3: (truncated|tag group claims).* at byte \d+$/,
      );
    }
  });

  it('deep nesting is refused, not recursed into', () => {
    let tag: BTag = { name: 'leaf', code: 3, value: 1 };
    for (let i = 0; i < 200; i++) tag = { name: 'g', group: [tag] };
    expect(fileError(() => parseDmFile(buildDm([tag]), 'deep.dm3')).message).toMatch(
      /nested deeper than 64/,
    );
  });

  it('absurd counts and sizes fail before allocating', () => {
    const arrayOf = (count: number, version: 3 | 4 = 3): Uint8Array =>
      buildDm([{ name: 'Data', info: [20, 7, count], payload: new Uint8Array(8) }], version);
    expect(fileError(() => parseDmFile(arrayOf(0xffffffff), 'big.dm3')).message).toMatch(
      /truncated value of tag 'Data' \(needs 34359738360 bytes/,
    );
    expect(fileError(() => parseDmFile(arrayOf(2 ** 52, 4), 'big.dm4')).message).toMatch(
      /truncated/,
    );
    const words = buildDm([{ name: 'T', info: [3], payload: new Uint8Array(4) }]);
    // Patch the info-word count of tag T (after "%%%%") to 2^32 - 1.
    const at = words.indexOf(0x25) + 4;
    words.set([0xff, 0xff, 0xff, 0xff], at);
    expect(fileError(() => parseDmFile(words, 'w.dm3')).message).toMatch(
      /truncated type of tag 'T' \(claims 4294967295 type words\)/,
    );
    const groups = buildDm([{ name: 'G', group: [] }]);
    groups.set([0xff, 0xff, 0xff, 0xff], groups.length - 12);
    expect(fileError(() => parseDmFile(groups, 'g.dm3')).message).toMatch(
      /tag group claims 4294967295 tags/,
    );
  });

  it('unknown tag and data types', () => {
    expect(
      fileError(() =>
        parseDmFile(buildDm([{ name: 'T', info: [99], payload: new Uint8Array(0) }]), 't.dm3'),
      ).message,
    ).toMatch(/tag 'T' has unknown data type 99/);
    const bytes = buildDm([{ name: 'T', code: 3, value: 1 }]);
    bytes[18] = 7; // the first tag type byte, after the 12-byte header and 6-byte group header
    expect(fileError(() => parseDmFile(bytes, 't.dm3')).message).toMatch(
      /unknown tag type 7 for tag 'T'/,
    );
  });
});
