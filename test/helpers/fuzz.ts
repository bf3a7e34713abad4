/**
 * Shared pieces of the readers' fuzz tests: byte mutations of real files
 * (edits, overwritten 32-bit words, truncation) and the property every case
 * must hold: it reads or fails with a FileFormatError naming the file, within
 * a time bound, without allocating much.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { FileFormatError } from '@samfire/core';

/** Each case must settle within this (a hang fails the property instead of the whole run). */
export const CASE_MS = 5000;

export async function settles(
  names: readonly string[],
  read: () => Promise<unknown>,
  maxBytes = 96 * 2 ** 20,
): Promise<void> {
  const start = performance.now();
  const buffersBefore = process.memoryUsage().arrayBuffers;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no result after ${CASE_MS} ms: a hang`)), CASE_MS);
  });
  try {
    await Promise.race([read(), timeout]);
  } catch (err) {
    if (!(err instanceof FileFormatError)) {
      throw new Error(`expected a FileFormatError, got ${String(err)}`, { cause: err });
    }
    expect(names).toContain(err.fileName);
    expect(err.message.startsWith(`${err.fileName}: `)).toBe(true);
  } finally {
    clearTimeout(timer);
  }
  expect(performance.now() - start).toBeLessThan(CASE_MS);
  expect(process.memoryUsage().arrayBuffers - buffersBefore).toBeLessThan(maxBytes);
}

const position = fc.noBias(fc.integer({ min: 0, max: 0x7fffffff }));
export const arbMutation = fc.oneof(
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
    nearStart: fc.boolean(),
    value: fc.constantFrom(
      0,
      1,
      2,
      3,
      4,
      0xff,
      0xffff,
      0x10000,
      0x7fffffff,
      0xffffffff,
      0x40000000,
    ),
    littleEndian: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
);
export type Mutation = typeof arbMutation extends fc.Arbitrary<infer T> ? T : never;

/** A mutated copy of `src`; `headBytes` is the span 'near the start' edits fall in. */
export function mutate(src: Uint8Array, m: Mutation, headBytes = 8192): Uint8Array {
  if (m.kind === 'truncate') return src.slice(0, m.at % (src.length + 1));
  const out = src.slice();
  const span = m.nearStart ? Math.min(headBytes, out.length) : out.length;
  if (m.kind === 'word') {
    if (span >= 4) new DataView(out.buffer).setUint32(m.at % (span - 3), m.value, m.littleEndian);
    return out;
  }
  for (const [where, value] of m.edits) if (span > 0) out[where % span] = value;
  return out;
}
