import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Signal } from '@samfire/core';
import type { AxisSpec, DType, NumericArray } from '@samfire/core';

function nav(name: string, size: number): AxisSpec {
  return { name, size, offset: 0, scale: 1, units: '', navigate: true };
}

function sig(size: number, offset = 0, scale = 1): AxisSpec {
  return { name: 'Energy', size, offset, scale, units: 'eV', navigate: false };
}

describe('Signal construction', () => {
  it('accepts data that fill the axes shape and reports shape, pixels and channels', () => {
    const s = new Signal({
      data: new Float64Array(2 * 3 * 5),
      axes: [nav('y', 2), nav('x', 3), sig(5)],
    });
    expect(s.shape).toEqual([2, 3, 5]);
    expect(s.navigationShape).toEqual([2, 3]);
    expect(s.navigationSize).toBe(6);
    expect(s.channels).toBe(5);
    expect(s.dtype).toBe('float64');
  });

  it('rejects data of the wrong length, naming both lengths and the shape', () => {
    expect(
      () => new Signal({ data: new Float64Array(29), axes: [nav('y', 2), nav('x', 3), sig(5)] }),
    ).toThrow(/29 elements do not fill the axes' shape \[2, 3, 5\] \(30 elements\)/);
  });

  it('rejects a last axis that navigates', () => {
    expect(() => new Signal({ data: new Float64Array(15), axes: [sig(5), nav('x', 3)] })).toThrow(
      /last axis must be the signal axis/,
    );
  });

  it('rejects a signal axis before a navigation axis position', () => {
    expect(
      () =>
        new Signal({
          data: new Float64Array(75),
          axes: [nav('y', 3), sig(5), { ...sig(5), name: 'E2' }],
        }),
    ).toThrow(/axis 1 \('Energy'\) must be a navigation axis/);
  });

  it('rejects more than 3 navigation axes', () => {
    const axes = [nav('a', 1), nav('b', 1), nav('c', 1), nav('d', 1), sig(4)];
    expect(() => new Signal({ data: new Float64Array(4), axes })).toThrow(
      /expected 0 to 3 navigation axes and one signal axis, got 5 axes/,
    );
  });

  it('rejects a dtype the typed array cannot hold', () => {
    expect(
      () => new Signal({ data: new Float32Array(4), dtype: 'float64', axes: [sig(4)] }),
    ).toThrow(/a Float32Array cannot hold dtype 'float64'/);
    expect(() => new Signal({ data: new Int8Array(4), dtype: 'bool', axes: [sig(4)] })).toThrow(
      /Int8Array cannot hold dtype 'bool'/,
    );
    expect(new Signal({ data: new Uint8Array(4), dtype: 'bool', axes: [sig(4)] }).dtype).toBe(
      'bool',
    );
  });

  it('rejects a zero axis scale and a non-integer size, naming the axis', () => {
    expect(() => new Signal({ data: new Float64Array(4), axes: [sig(4, 0, 0)] })).toThrow(
      /axis 'Energy': scale must be finite and non-zero/,
    );
    expect(() => new Signal({ data: new Float64Array(4), axes: [nav('x', 1.5), sig(4)] })).toThrow(
      /axis 'x': size must be a positive integer/,
    );
  });
});

describe('pixel indexing (C order)', () => {
  it('pixelIndex is row-major: the last navigation axis varies fastest', () => {
    const s = new Signal({
      data: new Float64Array(2 * 3 * 4),
      axes: [nav('z', 2), nav('y', 3), nav('x', 4), sig(1)],
    });
    expect(s.pixelIndex([0, 0, 1])).toBe(1);
    expect(s.pixelIndex([0, 1, 0])).toBe(4);
    expect(s.pixelIndex([1, 0, 0])).toBe(12);
    expect(s.pixelIndex([1, 2, 3])).toBe(23);
    expect(s.pixelPosition(23)).toEqual([1, 2, 3]);
    expect(s.pixelPosition(6)).toEqual([0, 1, 2]);
  });

  it('pixelPosition and pixelIndex are inverse for every pixel of random shapes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 3 }),
        (shape) => {
          const axes = [...shape.map((n, d) => nav(`n${d}`, n)), sig(2)];
          const size = shape.reduce((a, b) => a * b, 1);
          const s = new Signal({ data: new Float64Array(size * 2), axes });
          for (let p = 0; p < size; p++) {
            const pos = s.pixelPosition(p);
            if (pos.length !== shape.length) return false;
            if (s.pixelIndex(pos) !== p) return false;
          }
          return true;
        },
      ),
      { seed: 42, numRuns: 100 },
    );
  });

  it('rejects positions outside the navigation shape or of the wrong rank', () => {
    const s = new Signal({ data: new Float64Array(12), axes: [nav('y', 2), nav('x', 3), sig(2)] });
    expect(() => s.pixelIndex([2, 0])).toThrow(
      /pixel \[2, 0\] is outside navigation shape \[2, 3\]/,
    );
    expect(() => s.pixelIndex([0, 0, 0])).toThrow(/expected 2 indices/);
    expect(() => s.pixelPosition(6)).toThrow(/pixel 6 is outside the navigation space \(0 to 5\)/);
    expect(() => s.readSpectrum(-1)).toThrow(/pixel -1 is outside/);
  });
});

describe('readSpectrum', () => {
  const values = [0, 1, 2, 3, 100, 7, 42, 5];
  const signedValues = [-128, -1, 0, 1, 127, -5, 42, 5];
  const cases: [string, NumericArray, number[], DType?][] = [
    ['Uint8Array', Uint8Array.from(values), values],
    [
      'bool (Uint8Array)',
      Uint8Array.from([0, 1, 1, 0, 1, 0, 0, 1]),
      [0, 1, 1, 0, 1, 0, 0, 1],
      'bool',
    ],
    ['Int8Array', Int8Array.from(signedValues), signedValues],
    [
      'Int16Array',
      Int16Array.from([-32768, 32767, 0, 1, -2, 3, 4, 5]),
      [-32768, 32767, 0, 1, -2, 3, 4, 5],
    ],
    ['Uint16Array', Uint16Array.from([65535, 0, 1, 2, 3, 4, 5, 6]), [65535, 0, 1, 2, 3, 4, 5, 6]],
    [
      'Int32Array',
      Int32Array.from([-2147483648, 2147483647, 0, 1, 2, 3, 4, 5]),
      [-2147483648, 2147483647, 0, 1, 2, 3, 4, 5],
    ],
    [
      'Uint32Array',
      Uint32Array.from([4294967295, 0, 1, 2, 3, 4, 5, 6]),
      [4294967295, 0, 1, 2, 3, 4, 5, 6],
    ],
    [
      'BigInt64Array',
      BigInt64Array.from([-(2n ** 53n) + 1n, 2n ** 53n - 1n, 0n, -1n, 2n, 3n, 4n, 5n]),
      [-(2 ** 53) + 1, 2 ** 53 - 1, 0, -1, 2, 3, 4, 5],
    ],
    [
      'BigUint64Array',
      BigUint64Array.from([2n ** 53n, 0n, 1n, 2n, 3n, 4n, 5n, 6n]),
      [2 ** 53, 0, 1, 2, 3, 4, 5, 6],
    ],
    [
      'Float32Array',
      Float32Array.from([0.5, -1.25, 3, 1e30, 0, 1, 2, 3]),
      [0.5, -1.25, 3, Math.fround(1e30), 0, 1, 2, 3],
    ],
    [
      'Float64Array',
      Float64Array.from([0.1, -1e300, 3, 4, 0, 1, 2, 3]),
      [0.1, -1e300, 3, 4, 0, 1, 2, 3],
    ],
  ];

  it.each(cases)('reads %s pixels as float64', (_label, data, expected, dtype) => {
    const s = new Signal({ data, axes: [nav('x', 2), sig(4)], ...(dtype ? { dtype } : {}) });
    const p0 = s.readSpectrum(0);
    const p1 = s.readSpectrum(1);
    expect(p0).toBeInstanceOf(Float64Array);
    expect(Array.from(p0)).toEqual(expected.slice(0, 4));
    expect(Array.from(p1)).toEqual(expected.slice(4, 8));
  });

  it('writes into a given buffer and returns it', () => {
    const s = new Signal({
      data: Int16Array.from([1, 2, 3, 4, 5, 6]),
      axes: [nav('x', 2), sig(3)],
    });
    const buf = new Float64Array(5).fill(-9);
    expect(s.readSpectrum(1, buf)).toBe(buf);
    expect(Array.from(buf)).toEqual([4, 5, 6, -9, -9]);
  });
});

describe('variance', () => {
  function variances(s: Signal, pixel: number): { weighted: boolean; v: number[] } {
    const spectrum = s.readSpectrum(pixel);
    const out = new Float64Array(s.channels);
    const weighted = s.readVariance(pixel, spectrum, out);
    return { weighted, v: Array.from(out) };
  }

  it('none: unweighted, every variance 1', () => {
    const s = new Signal({ data: Float64Array.from([5, 6, 7]), axes: [sig(3)] });
    expect(s.variance.kind).toBe('none');
    expect(variances(s, 0)).toEqual({ weighted: false, v: [1, 1, 1] });
  });

  it('Poisson: gain * counts + offset, a zero-count channel gets the floor (never 0)', () => {
    const s = new Signal({ data: Float64Array.from([0, 1, 10, 1000]), axes: [sig(4)] });
    s.estimatePoissonianNoiseVariance({ gain: 2, offset: 0.5 });
    // Default floor = gain: channel 0 has 0.5 < 2, so it gets 2.
    expect(s.variance).toEqual({ kind: 'poisson', gain: 2, offset: 0.5, floor: 2 });
    expect(variances(s, 0)).toEqual({ weighted: true, v: [2, 2.5, 20.5, 2000.5] });
  });

  it('Poisson defaults: gain 1, offset 0, floor 1 (a zero-count channel has variance 1)', () => {
    const s = new Signal({ data: Uint16Array.from([0, 3, 0, 9]), axes: [sig(4)] });
    s.estimatePoissonianNoiseVariance();
    expect(variances(s, 0).v).toEqual([1, 3, 1, 9]);
  });

  it('Poisson with an explicit floor and a negative offset: floored, never 0 or negative', () => {
    const s = new Signal({ data: Float64Array.from([0, 2, 4, 100]), axes: [sig(4)] });
    s.estimatePoissonianNoiseVariance({ gain: 1, offset: -3, floor: 0.25 });
    expect(variances(s, 0).v).toEqual([0.25, 0.25, 1, 97]);
  });

  it('array: one value per data element, read per pixel', () => {
    const s = new Signal({
      data: new Float64Array(6),
      axes: [nav('x', 2), sig(3)],
      variance: { kind: 'array', data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
    });
    expect(variances(s, 0)).toEqual({ weighted: true, v: [1, 2, 3] });
    expect(variances(s, 1)).toEqual({ weighted: true, v: [4, 5, 6] });
  });

  it('array: one spectrum is shared by every pixel', () => {
    const s = new Signal({ data: new Float64Array(9), axes: [nav('x', 3), sig(3)] });
    s.setVariance({ kind: 'array', data: Float64Array.from([0.5, 1.5, 2.5]) });
    for (const pixel of [0, 1, 2]) expect(variances(s, pixel).v).toEqual([0.5, 1.5, 2.5]);
  });

  it('constant: one value everywhere', () => {
    const s = new Signal({ data: new Float64Array(6), axes: [nav('x', 2), sig(3)] });
    s.setVariance({ kind: 'constant', value: 4.5 });
    expect(variances(s, 1)).toEqual({ weighted: true, v: [4.5, 4.5, 4.5] });
  });

  it('rejects bad variances and keeps the previous one', () => {
    const s = new Signal({ data: new Float64Array(6), axes: [nav('x', 2), sig(3)] });
    s.setVariance({ kind: 'constant', value: 2 });
    expect(() => s.setVariance({ kind: 'constant', value: 0 })).toThrow(
      /must be positive and finite, got 0/,
    );
    expect(() => s.setVariance({ kind: 'constant', value: -1 })).toThrow(/positive and finite/);
    expect(() => s.setVariance({ kind: 'constant', value: Infinity })).toThrow(
      /positive and finite/,
    );
    expect(() => s.setVariance({ kind: 'constant', value: NaN })).toThrow(/positive and finite/);
    expect(() => s.setVariance({ kind: 'array', data: new Float64Array(4) })).toThrow(
      /4 values match neither the data \(6\) nor one spectrum \(3\)/,
    );
    expect(() => s.setVariance({ kind: 'poisson', gain: 1, offset: 0, floor: 0 })).toThrow(
      /floor must be positive, got 0/,
    );
    expect(() => s.setVariance({ kind: 'poisson', gain: NaN, offset: 0, floor: 1 })).toThrow(
      /gain and offset must be finite/,
    );
    expect(() => s.estimatePoissonianNoiseVariance({ floor: -1 })).toThrow(
      /floor must be positive/,
    );
    expect(s.variance).toEqual({ kind: 'constant', value: 2 });
  });

  it('rejects a bad variance given to the constructor', () => {
    expect(
      () =>
        new Signal({
          data: new Float64Array(3),
          axes: [sig(3)],
          variance: { kind: 'constant', value: -2 },
        }),
    ).toThrow(/constant variance must be positive/);
  });
});
