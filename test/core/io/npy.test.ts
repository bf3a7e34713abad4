import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FileFormatError, readNpy, signalFromNpy, writeNpy, DTYPES, allocate } from '@samfire/core';
import type { DType } from '@samfire/core';

/** Files written by numpy 1.x (`np.save` / `np.lib.format.write_array`), base64. */
const NUMPY = {
  be_i4:
    'k05VTVBZAQB2AHsnZGVzY3InOiAnPmk0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMsIDQpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAQAAAAIAAAADAAAABAAAAAUAAAAGAAAABwAAAAgAAAAJAAAACgAAAAsAAAAMAAAADQAAAA4AAAAPAAAAEAAAABEAAAASAAAAEwAAABQAAAAVAAAAFgAAABc=',
  fortran_f8:
    'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMywgNCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAAAAAAAAAChAAAAAAAAAEEAAAAAAAAAwQAAAAAAAACBAAAAAAAAANEAAAAAAAADwPwAAAAAAACpAAAAAAAAAFEAAAAAAAAAxQAAAAAAAACJAAAAAAAAANUAAAAAAAAAAQAAAAAAAACxAAAAAAAAAGEAAAAAAAAAyQAAAAAAAACRAAAAAAAAANkAAAAAAAAAIQAAAAAAAAC5AAAAAAAAAHEAAAAAAAAAzQAAAAAAAACZAAAAAAAAAN0A=',
  v2_u2:
    'k05VTVBZAgB0AAAAeydkZXNjcic6ICc8dTInLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAEAAgADAAQABQA=',
  v3_f4:
    'k05VTVBZAwB0AAAAeydkZXNjcic6ICc8ZjQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMywpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAMA/AAAAwAAAUEA=',
  bool: 'k05VTVBZAQB2AHsnZGVzY3InOiAnfGIxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAE=',
  be_f8_fortran:
    'k05VTVBZAQB2AHsnZGVzY3InOiAnPmY4JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAEAIAAAAAAAAP/AAAAAAAABAEAAAAAAAAEAAAAAAAAAAQBQAAAAAAAA=',
  u8: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPHU4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAP//////////h0trXVTcKwA=',
  i8: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAgP////////9/+/////////8=',
  c16: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGMxNicsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgxLCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAADwPwAAAAAAAABA',
  rec: 'k05VTVBZAQB2AHsnZGVzY3InOiBbKCdhJywgJzxmOCcpXSwgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAAAAAAAAAAAA',
  scalar:
    'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAIQA==',
  // np.save of np.arange(6, dtype='<f8').reshape(2, 3), np.array([-1, 0, 7], 'i1'),
  // np.arange(4, dtype='<u8').reshape(1, 1, 2, 2): what writeNpy must produce byte for byte.
  save_f8:
    'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAAAAAAAAAPA/AAAAAAAAAEAAAAAAAAAIQAAAAAAAABBAAAAAAAAAFEA=',
  save_i1:
    'k05VTVBZAQB2AHsnZGVzY3InOiAnfGkxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr/AAc=',
  save_u8:
    'k05VTVBZAQB2AHsnZGVzY3InOiAnPHU4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDEsIDEsIDIsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAAEAAAAAAAAAAgAAAAAAAAADAAAAAAAAAA==',
};

const bytes = (b64: string): Uint8Array => new Uint8Array(Buffer.from(b64, 'base64'));
const seq = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

function expectFileError(fn: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(FileFormatError);
  expect((caught as FileFormatError).fileName).toBe('x.npy');
  expect((caught as Error).message).toMatch(/^x\.npy: /);
  expect((caught as Error).message).toMatch(pattern);
}

describe('readNpy reads files written by numpy', () => {
  it('big-endian int32 in C order', () => {
    const a = readNpy(bytes(NUMPY.be_i4), 'x.npy');
    expect(a.dtype).toBe('int32');
    expect(a.shape).toEqual([2, 3, 4]);
    expect(Array.from(a.data as Int32Array)).toEqual(seq(24));
  });

  it('Fortran order, converted to C order', () => {
    const a = readNpy(bytes(NUMPY.fortran_f8), 'x.npy');
    expect(a.dtype).toBe('float64');
    expect(a.shape).toEqual([2, 3, 4]);
    expect(Array.from(a.data as Float64Array)).toEqual(seq(24));
  });

  it('big-endian and Fortran order together', () => {
    const a = readNpy(bytes(NUMPY.be_f8_fortran), 'x.npy');
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data as Float64Array)).toEqual(seq(6));
  });

  it('format versions 2.0 and 3.0', () => {
    const v2 = readNpy(bytes(NUMPY.v2_u2), 'x.npy');
    expect(v2.dtype).toBe('uint16');
    expect(v2.shape).toEqual([2, 3]);
    expect(Array.from(v2.data as Uint16Array)).toEqual(seq(6));
    const v3 = readNpy(bytes(NUMPY.v3_f4), 'x.npy');
    expect(v3.dtype).toBe('float32');
    expect(Array.from(v3.data as Float32Array)).toEqual([1.5, -2, 3.25]);
  });

  it('bool and 64-bit integers at their extremes', () => {
    const b = readNpy(bytes(NUMPY.bool), 'x.npy');
    expect(b.dtype).toBe('bool');
    expect(Array.from(b.data as Uint8Array)).toEqual([1, 0, 1]);
    const u = readNpy(bytes(NUMPY.u8), 'x.npy');
    expect(Array.from(u.data as BigUint64Array)).toEqual([0n, 2n ** 64n - 1n, 12345678901234567n]);
    const i = readNpy(bytes(NUMPY.i8), 'x.npy');
    expect(Array.from(i.data as BigInt64Array)).toEqual([-(2n ** 63n), 2n ** 63n - 1n, -5n]);
  });

  it('a 0-d array has shape []', () => {
    const a = readNpy(bytes(NUMPY.scalar), 'x.npy');
    expect(a.shape).toEqual([]);
    expect(Array.from(a.data as Float64Array)).toEqual([3]);
  });
});

describe('readNpy errors name the file and the problem', () => {
  it('complex and structured dtypes', () => {
    expectFileError(() => readNpy(bytes(NUMPY.c16), 'x.npy'), /unsupported dtype '<c16'/);
    expectFileError(() => readNpy(bytes(NUMPY.rec), 'x.npy'), /structured dtypes/);
  });

  it('not an npy file, an unknown version, a truncated header or data', () => {
    expectFileError(
      () => readNpy(new TextEncoder().encode('hello world, not numpy'), 'x.npy'),
      /magic/,
    );
    const v9 = bytes(NUMPY.save_f8);
    v9[6] = 9;
    expectFileError(() => readNpy(v9, 'x.npy'), /version 9/);
    expectFileError(() => readNpy(bytes(NUMPY.save_f8).subarray(0, 60), 'x.npy'), /header claims/);
    expectFileError(
      () => readNpy(bytes(NUMPY.save_f8).subarray(0, 150), 'x.npy'),
      /needs 48 data bytes but the file has 22/,
    );
  });

  it('a header claiming an absurd shape fails before allocating', () => {
    // Rewrite the header of a one-element file in place (numpy pads it with spaces).
    const withShape = (shape: string): Uint8Array => {
      const file = writeNpy(new Float64Array(1), [1]);
      const header =
        `{'descr': '<f8', 'fortran_order': False, 'shape': ${shape}, }`.padEnd(117, ' ') + '\n';
      file.set(new TextEncoder().encode(header), 10);
      return file;
    };
    expectFileError(
      () => readNpy(withShape('(100000, 100000)'), 'x.npy'),
      /needs 80000000000 data bytes but the file has 8/,
    );
    expectFileError(
      () => readNpy(withShape('(1000000, 1000000, 1000000)'), 'x.npy'),
      /implausibly large/,
    );
    expectFileError(
      () => readNpy(withShape('(4611686018427387904,)'), 'x.npy'),
      /invalid dimension/,
    );
    expectFileError(() => readNpy(withShape('(-1,)'), 'x.npy'), /invalid dimension -1/);
  });
});

describe('writeNpy', () => {
  it('writes the same bytes as numpy', () => {
    expect(writeNpy(Float64Array.from(seq(6)), [2, 3])).toEqual(bytes(NUMPY.save_f8));
    expect(writeNpy(Int8Array.from([-1, 0, 7]), [3])).toEqual(bytes(NUMPY.save_i1));
    expect(writeNpy(BigUint64Array.from([0n, 1n, 2n, 3n]), [1, 1, 2, 2])).toEqual(
      bytes(NUMPY.save_u8),
    );
  });

  it('rejects data that do not fill the shape', () => {
    expect(() => writeNpy(new Float64Array(5), [2, 3])).toThrow(
      /5 elements do not fill shape \(2, 3\)/,
    );
  });

  it('round-trips every dtype and rank', () => {
    const dtype = fc.constantFrom<DType>(...DTYPES);
    const shape = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 5 });
    fc.assert(
      fc.property(dtype, shape, fc.integer(), (dt, sh, seed) => {
        const n = sh.reduce((a, b) => a * b, 1);
        const data = allocate(dt, n);
        const raw = new Uint8Array(data.buffer);
        for (let i = 0; i < raw.length; i++) raw[i] = (seed * 31 + i * 17) & 0xff;
        if (dt === 'bool') data.forEach((_, i) => ((data as Uint8Array)[i] = raw[i]! & 1));
        const back = readNpy(writeNpy(data, sh, dt), 'x.npy');
        expect(back.dtype).toBe(dt);
        expect(back.shape).toEqual(sh);
        expect(
          new Uint8Array(back.data.buffer, back.data.byteOffset, back.data.byteLength),
        ).toEqual(raw);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});

describe('signalFromNpy', () => {
  it('makes the last axis the signal axis, uncalibrated', () => {
    const s = signalFromNpy(writeNpy(Float32Array.from(seq(24)), [2, 3, 4]), 'dir/cube.npy');
    expect(s.shape).toEqual([2, 3, 4]);
    expect(s.dtype).toBe('float32');
    expect(s.axes.map((a) => a.navigate)).toEqual([true, true, false]);
    expect(s.axes.every((a) => a.offset === 0 && a.scale === 1 && a.units === '')).toBe(true);
    expect(s.title).toBe('cube');
    expect(s.readSpectrum(5)).toEqual(Float64Array.from([20, 21, 22, 23]));
  });

  it('keeps bool data as bool', () => {
    expect(signalFromNpy(bytes(NUMPY.bool), 'x.npy').dtype).toBe('bool');
  });

  it('refuses ranks a signal cannot have, and empty axes', () => {
    expectFileError(() => signalFromNpy(bytes(NUMPY.scalar), 'x.npy'), /1 to 4 dimensions.*has 0/);
    expectFileError(
      () => signalFromNpy(writeNpy(new Uint8Array(32), [2, 2, 2, 2, 2]), 'x.npy'),
      /has 5/,
    );
    expectFileError(
      () => signalFromNpy(writeNpy(new Uint8Array(0), [3, 0]), 'x.npy'),
      /size must be a positive integer/,
    );
  });
});
