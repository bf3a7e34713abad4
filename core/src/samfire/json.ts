/**
 * Plain JSON data, and typed arrays encoded into it. JSON has no NaN or
 * infinities, which maps are full of (std of fixed parameters, unfitted
 * pixels): those travel as the strings "NaN", "Infinity" and "-Infinity",
 * which Number() reads back exactly.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type EncodedFloats = (number | string)[];

export function encodeFloats(values: ArrayLike<number>): EncodedFloats {
  const out: EncodedFloats = new Array<number | string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out[i] = Number.isFinite(v) ? v : String(v);
  }
  return out;
}

export function decodeFloats(
  values: readonly (number | string)[],
  what: string,
  length?: number,
): Float64Array {
  if (!Array.isArray(values)) throw new Error(`${what}: expected a list of numbers`);
  if (length !== undefined && values.length !== length) {
    throw new Error(`${what}: ${values.length} values, expected ${length}`);
  }
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const x = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
    if (typeof v === 'string' && Number.isNaN(x) && v !== 'NaN') {
      throw new Error(`${what}: value ${i} is '${v}', not a number`);
    }
    out[i] = x;
  }
  return out;
}

export function encodeBytes(values: Uint8Array): number[] {
  return Array.from(values);
}

export function decodeBytes(values: readonly number[], what: string, length?: number): Uint8Array {
  if (!Array.isArray(values)) throw new Error(`${what}: expected a list of 0/1 flags`);
  if (length !== undefined && values.length !== length) {
    throw new Error(`${what}: ${values.length} flags, expected ${length}`);
  }
  return Uint8Array.from(values, (v) => (v ? 1 : 0));
}
