/**
 * The cluster's message codec: plain data and typed arrays of every kind it
 * carries come back equal, floats to the bit (NaN and infinities too), each
 * array in its own aligned buffer; a damaged message is refused.
 */
import { describe, expect, it } from 'vitest';
// Internal: the codec is not part of an entry point.
import {
  decodeMessage,
  encodeMessage,
  MessageFormatError,
} from '../../../../../core/src/pool/node/nats/codec.js';

describe('the cluster message codec', () => {
  it('round-trips every typed array kind, with its class, length and bits', () => {
    const message = {
      kind: 'result',
      pixel: 17,
      f64: new Float64Array([1.5, NaN, -Infinity, 5e-324]),
      f32: new Float32Array([0.1, -2]),
      i32: new Int32Array([-7, 2 ** 31 - 1]),
      u32: new Uint32Array([2 ** 32 - 1]),
      i16: new Int16Array([-32768]),
      u16: new Uint16Array([65535, 3]),
      i8: new Int8Array([-128, 5, 6]),
      u8: new Uint8Array([255]),
      nested: [{ std: new Float64Array([Infinity]) }, NaN, null, 'text'],
    };
    const back = decodeMessage(encodeMessage(message)) as typeof message;
    for (const key of ['f64', 'f32', 'i32', 'u32', 'i16', 'u16', 'i8', 'u8'] as const) {
      expect(back[key].constructor, key).toBe(message[key].constructor);
      expect(Array.from(back[key]), key).toEqual(Array.from(message[key]));
      expect(back[key].byteOffset % 8, `${key} aligned`).toBe(0);
    }
    expect(Object.is(back.f64[1], NaN)).toBe(true);
    expect(back.f64[3]).toBe(5e-324);
    const [first, nan, nothing, text] = back.nested as [
      { std: Float64Array },
      number,
      null,
      string,
    ];
    expect(first.std).toBeInstanceOf(Float64Array);
    expect(Array.from(first.std)).toEqual([Infinity]);
    expect(Object.is(nan, NaN)).toBe(true);
    expect([nothing, text]).toEqual([null, 'text']);
  });

  it('refuses a truncated message', () => {
    const bytes = encodeMessage({ a: new Float64Array(4) });
    expect(() => decodeMessage(bytes.subarray(0, bytes.length - 9))).toThrow(MessageFormatError);
  });
});
