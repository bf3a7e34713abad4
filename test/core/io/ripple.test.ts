import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FileFormatError, readRipple, writeRipple, DTYPES, allocate, Signal } from '@samfire/core';
import type { DType } from '@samfire/core';

const names = { rpl: 't.rpl', raw: 't.raw' };

function rpl(keys: Record<string, string | number>): string {
  return (
    ';test header\nkey\tvalue\n' +
    Object.entries(keys)
      .map(([k, v]) => `${k}\t${v}`)
      .join('\n') +
    '\n'
  );
}

const base = { width: 3, height: 2, depth: 4, offset: 0, 'record-by': 'vector' };

/** `values` encoded by DataView, independent of the reader's own decoding. */
function encode(values: number[], type: string, length: number, le: boolean): Uint8Array {
  const out = new Uint8Array(values.length * length);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => {
    const at = i * length;
    const key = `${type}/${length}`;
    if (key === 'signed/1') v.setInt8(at, x);
    else if (key === 'unsigned/1') v.setUint8(at, x);
    else if (key === 'signed/2') v.setInt16(at, x, le);
    else if (key === 'unsigned/2') v.setUint16(at, x, le);
    else if (key === 'signed/4') v.setInt32(at, x, le);
    else if (key === 'unsigned/4') v.setUint32(at, x, le);
    else if (key === 'signed/8') v.setBigInt64(at, BigInt(x), le);
    else if (key === 'unsigned/8') v.setBigUint64(at, BigInt(x), le);
    else if (key === 'float/4') v.setFloat32(at, x, le);
    else v.setFloat64(at, x, le);
  });
  return out;
}

function fileError(fn: () => unknown): FileFormatError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FileFormatError);
    return err as FileFormatError;
  }
  throw new Error('expected a FileFormatError');
}

describe('readRipple', () => {
  const types: [string, number, DType][] = [
    ['signed', 1, 'int8'],
    ['unsigned', 1, 'uint8'],
    ['signed', 2, 'int16'],
    ['unsigned', 2, 'uint16'],
    ['signed', 4, 'int32'],
    ['unsigned', 4, 'uint32'],
    ['signed', 8, 'int64'],
    ['unsigned', 8, 'uint64'],
    ['float', 4, 'float32'],
    ['float', 8, 'float64'],
  ];
  const values = Array.from({ length: 24 }, (_, i) => (i % 2 === 0 ? i : 100 - i));

  it.each(
    types.flatMap(([t, n, d]) =>
      ['little-endian', 'big-endian', 'dont-care'].map((o) => [t, n, d, o] as const),
    ),
  )('data-type %s, data-length %i (%s), byte-order %s', (type, length, dtype, order) => {
    const le = order !== 'big-endian';
    const raw = encode(values, type, length, le);
    const s = readRipple(
      rpl({ ...base, 'data-type': type, 'data-length': length, 'byte-order': order }),
      raw,
      names,
    );
    expect(s.dtype).toBe(dtype);
    expect(s.shape).toEqual([2, 3, 4]);
    expect(Array.from(s.data, Number)).toEqual(values);
  });

  it('honours the offset into the raw file', () => {
    const raw = new Uint8Array([9, 9, 9, 1, 2, 3]);
    const s = readRipple(
      rpl({
        width: 1,
        height: 1,
        depth: 3,
        offset: 3,
        'data-type': 'unsigned',
        'data-length': 1,
        'record-by': 'vector',
      }),
      raw,
      names,
    );
    expect(Array.from(s.data as ArrayLike<number>)).toEqual([1, 2, 3]);
  });

  it('calibrates from the header, names default to height/width/depth, ev-per-chan as a fallback scale', () => {
    const s = readRipple(
      rpl({
        ...base,
        'data-type': 'float',
        'data-length': 4,
        'ev-per-chan': 5,
        'width-origin': -1,
        'width-scale': 0.25,
        'width-units': 'nm',
        signal: 'EDS_SEM',
        title: 'map',
      }),
      new Uint8Array(96),
      names,
    );
    expect(s.axes.map((a) => a.name)).toEqual(['height', 'width', 'depth']);
    expect(s.axes[1]).toMatchObject({ offset: -1, scale: 0.25, units: 'nm', navigate: true });
    expect(s.signalAxis).toMatchObject({
      offset: 0,
      scale: 5,
      units: '',
      navigate: false,
      isBinned: true,
    });
    expect(s.signalType).toBe('EDS_SEM');
    expect(s.title).toBe('map');
  });

  it('reads record-by image as stacked images (depth, height, width) and keeps extra keys', () => {
    const raw = encode(values, 'unsigned', 2, true);
    const s = readRipple(
      rpl({
        ...base,
        'record-by': 'image',
        'data-type': 'unsigned',
        'data-length': 2,
        'byte-order': 'little-endian',
        'beam-energy': 200,
      }),
      raw,
      names,
    );
    expect(s.shape).toEqual([4, 2, 3]);
    expect(s.axes.map((a) => a.name)).toEqual(['depth', 'height', 'width']);
    expect(s.metadata['signalDimension']).toBe(2);
    expect(s.metadata['ripple']).toEqual({ 'beam-energy': '200' });
    expect(Array.from(s.data as ArrayLike<number>)).toEqual(values);
  });

  it('reads dont-care as one image when depth is 1, as vectors otherwise', () => {
    const img = readRipple(
      rpl({
        ...base,
        depth: 1,
        'record-by': 'dont-care',
        'data-type': 'unsigned',
        'data-length': 1,
      }),
      new Uint8Array(6),
      names,
    );
    expect(img.shape).toEqual([2, 3]);
    expect(img.metadata['signalDimension']).toBe(2);
    const vec = readRipple(
      rpl({ ...base, 'record-by': 'dont-care', 'data-type': 'unsigned', 'data-length': 1 }),
      new Uint8Array(24),
      names,
    );
    expect(vec.shape).toEqual([2, 3, 4]);
    expect(vec.metadata['signalDimension']).toBeUndefined();
  });

  it('errors name the file at fault', () => {
    const ok = { ...base, 'data-type': 'unsigned', 'data-length': 2 };
    const short = fileError(() => readRipple(rpl(ok), new Uint8Array(47), names));
    expect(short.fileName).toBe('t.raw');
    expect(short.message).toMatch(/^t\.raw: .*3 x 2 x 4 uint16 .*48 bytes.*47/);
    expect(
      fileError(() =>
        readRipple(
          rpl({ ...ok, 'data-type': 'float', 'data-length': 2 }),
          new Uint8Array(48),
          names,
        ),
      ).message,
    ).toBe("t.rpl: unsupported data-type 'float' with data-length 2");
    expect(
      fileError(() => readRipple(rpl({ ...ok, 'byte-order': 'middle' }), new Uint8Array(48), names))
        .message,
    ).toMatch(/unknown byte-order 'middle'/);
    expect(
      fileError(() => readRipple(rpl({ ...ok, 'record-by': 'row' }), new Uint8Array(48), names))
        .message,
    ).toMatch(/unknown record-by 'row'/);
    expect(
      fileError(() => readRipple(rpl({ ...ok, width: 'three' }), new Uint8Array(48), names))
        .message,
    ).toMatch(/'width' must be a non-negative integer, got 'three'/);
    expect(
      fileError(() => readRipple(rpl({ ...ok, depth: 0 }), new Uint8Array(48), names)).message,
    ).toMatch(/'depth' must be at least 1/);
    const noHeight: Record<string, string | number> = { ...ok };
    delete noHeight['height'];
    expect(fileError(() => readRipple(rpl(noHeight), new Uint8Array(48), names)).message).toMatch(
      /no 'height'/,
    );
    expect(fileError(() => readRipple('hello', new Uint8Array(48), names)).message).toMatch(
      /not a Ripple header/,
    );
    expect(
      fileError(() => readRipple(rpl({ ...ok, 'depth-scale': 'wide' }), new Uint8Array(48), names))
        .message,
    ).toMatch(/'depth-scale' must be a number/);
  });

  it('a header claiming absurd dimensions errors without allocating', () => {
    const huge = {
      ...base,
      width: 1e9,
      height: 1e9,
      depth: 1e9,
      'data-type': 'float',
      'data-length': 8,
    };
    expect(fileError(() => readRipple(rpl(huge), new Uint8Array(48), names)).message).toMatch(
      /1000000000 x 1000000000/,
    );
  });
});

describe('writeRipple', () => {
  const arbSignal = fc
    .record({
      dtype: fc.constantFrom<DType>(...DTYPES),
      nav: fc.array(fc.integer({ min: 2, max: 4 }), { maxLength: 2 }),
      channels: fc.integer({ min: 1, max: 6 }),
      offset: fc.double({ min: -1e3, max: 1e3, noNaN: true }).map((v) => v + 0),
      scale: fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
      image: fc.boolean(),
      seed: fc.integer({ min: 0, max: 255 }),
    })
    .map(({ dtype, nav, channels, offset, scale, image, seed }) => {
      const shape = [...nav, channels];
      const n = shape.reduce((a, b) => a * b, 1);
      const data = allocate(dtype, n);
      const raw = new Uint8Array(data.buffer);
      for (let i = 0; i < raw.length; i++)
        raw[i] = dtype === 'bool' ? (seed + i) & 1 : (seed * 7 + i * 13) & 0xff;
      return new Signal({
        data,
        dtype,
        axes: shape.map((size, i) => ({
          name: `axis ${i}`,
          size,
          offset: offset * i + 0,
          scale: scale + i,
          units: i === shape.length - 1 ? 'eV' : 'nm',
          navigate: i < shape.length - 1,
        })),
        title: 'round trip',
        signalType: 'EELS',
        metadata:
          image && shape.length >= 2
            ? { signalDimension: 2, ripple: { 'beam-energy': '300' } }
            : { ripple: { 'beam-energy': '300' } },
      });
    });

  it('round-trips signals of every dtype, vectors and images', () => {
    fc.assert(
      fc.property(arbSignal, (s) => {
        const { rpl: text, raw } = writeRipple(s);
        const back = readRipple(text, raw, names);
        expect(back.dtype).toBe(s.dtype === 'bool' ? 'uint8' : s.dtype);
        expect(back.shape).toEqual(s.shape);
        expect(new Uint8Array(back.data.buffer)).toEqual(new Uint8Array(s.data.buffer));
        back.axes.forEach((a, i) => {
          const o = s.axes[i]!;
          expect(a).toMatchObject({
            name: o.name,
            size: o.size,
            offset: o.offset,
            scale: o.scale,
            units: o.units,
            navigate: o.navigate,
          });
        });
        expect(back.title).toBe('round trip');
        expect(back.signalType).toBe('EELS');
        expect(back.metadata['signalDimension']).toBe(s.metadata['signalDimension']);
        expect(back.metadata['ripple']).toEqual({ 'beam-energy': '300' });
      }),
      { numRuns: 300, seed: 5 },
    );
  });

  it('writes the sample files back as HyperSpy wrote them (same keys and values)', () => {
    const dir = new URL('../../../../shared/data/io/ripple/', import.meta.url);
    const name = 'test_ripple_sdim-1_ndim-2_uint16_meta';
    const original = readFileSync(new URL(`${name}.rpl`, dir), 'utf8');
    const s = readRipple(original, readFileSync(new URL(`${name}.raw`, dir)), names);
    const { rpl: text, raw } = writeRipple(s);
    expect(raw).toEqual(new Uint8Array(readFileSync(new URL(`${name}.raw`, dir))));
    const keys = (t: string): Map<string, number | string> =>
      new Map(
        t
          .split('\n')
          .filter((l) => l.includes('\t') && !l.startsWith(';') && !l.startsWith('key'))
          .map((l) => {
            const [k, v] = l.split('\t') as [string, string];
            return [k, v !== '' && Number.isFinite(Number(v)) ? Number(v) : v];
          }),
      );
    const want = keys(original);
    want.set('byte-order', 'little-endian');
    expect(keys(text)).toEqual(want);
  });

  it('refuses more than three dimensions', () => {
    const s = new Signal({
      data: new Float64Array(16),
      axes: [2, 2, 2, 2].map((size, i) => ({
        name: '',
        size,
        offset: 0,
        scale: 1,
        units: '',
        navigate: i < 3,
      })),
    });
    expect(() => writeRipple(s)).toThrow(/at most 3 dimensions/);
  });
});
