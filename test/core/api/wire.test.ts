/** Binary frames for the WebSocket: typed arrays and non-finite numbers survive the round trip. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from '@samfire/core/api';

describe('wire frames', () => {
  it('round-trips typed arrays, NaN, infinities and nested plain data', () => {
    const value = {
      type: 'reply',
      id: 3,
      value: {
        x: Float64Array.of(0, 1.5, NaN, -Infinity),
        flags: Uint8Array.of(1, 0, 1),
        odd: Uint8Array.of(7),
        list: [Int32Array.of(-1, 2), { n: NaN, inf: Infinity, s: 'é', nul: null }],
        sub: new Float64Array(new ArrayBuffer(64), 8, 3).fill(2),
      },
    };
    const back = decodeFrame(encodeFrame(value)) as typeof value;
    expect(back.value.x).toBeInstanceOf(Float64Array);
    expect(Array.from(back.value.x)).toEqual([0, 1.5, NaN, -Infinity]);
    expect(back.value.flags).toEqual(Uint8Array.of(1, 0, 1));
    expect(back.value.list[0]).toEqual(Int32Array.of(-1, 2));
    expect(back.value.list[1]).toEqual({ n: NaN, inf: Infinity, s: 'é', nul: null });
    expect(Array.from(back.value.sub)).toEqual([2, 2, 2]);
  });

  it('round-trips any float64 array exactly', () => {
    fc.assert(
      fc.property(fc.float64Array({ maxLength: 50 }), fc.uint8Array({ maxLength: 9 }), (f, u) => {
        const back = decodeFrame(encodeFrame({ f, u })) as { f: Float64Array; u: Uint8Array };
        expect(Array.from(back.f)).toEqual(Array.from(f));
        expect(Array.from(back.u)).toEqual(Array.from(u));
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('refuses frames whose arrays point outside the frame', () => {
    const frame = encodeFrame({ a: Float64Array.of(1, 2) });
    expect(() => decodeFrame(frame.subarray(0, frame.length - 8))).toThrow(/outside the frame/);
    expect(() => decodeFrame(new Uint8Array(2))).toThrow(/too short/);
  });
});
