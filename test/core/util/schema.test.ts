/** The schema library: types and runtime checks from one declaration, errors naming the field. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  SchemaError,
  fail,
  finite,
  integer,
  list,
  literal,
  nullable,
  object,
  oneOf,
  optional,
  pair,
  partial,
  plainRecord,
  string,
  tagged,
} from '../../../core/src/util/schema.js';
import type { Infer } from '../../../core/src/util/schema.js';

const request = object(
  {
    name: string(10),
    count: integer(1, 5),
    scale: optional(finite({ positive: true })),
    tags: list(oneOf(['a', 'b']), 3),
    range: nullable(pair(finite())),
  },
  (v, where) => {
    if (v.range && v.range[0] > v.range[1]) fail(`${where}.range`, 'first above last');
  },
);

describe('schema', () => {
  it('returns a clean copy with absent optional fields left out', () => {
    const input = { name: 'x', count: 2, tags: ['a'], range: null };
    const out: Infer<typeof request> = request.check(input, 'req');
    expect(out).toEqual(input);
    expect(out).not.toBe(input);
    expect('scale' in out).toBe(false);
  });

  it.each<[unknown, string]>([
    [{ name: '', count: 1, tags: [], range: null }, 'req.name: must not be empty'],
    [
      { name: 'x'.repeat(11), count: 1, tags: [], range: null },
      'req.name: longer than 10 characters',
    ],
    [{ name: 'x', count: 9, tags: [], range: null }, 'req.count: must be between 1 and 5, got 9'],
    [
      { name: 'x', count: 1, scale: -1, tags: [], range: null },
      'req.scale: must be positive, got -1',
    ],
    [
      { name: 'x', count: 1, tags: ['c'], range: null },
      'req.tags[0]: expected one of a, b, got "c"',
    ],
    [
      { name: 'x', count: 1, tags: ['a', 'a', 'a', 'a'], range: null },
      'req.tags: more than 3 items',
    ],
    [
      { name: 'x', count: 1, tags: [], range: [1] },
      'req.range: expected [first, last], got 1 item(s)',
    ],
    [{ name: 'x', count: 1, tags: [], range: [2, 1] }, 'req.range: first above last'],
    [{ name: 'x', count: 1, tags: [], range: null, more: 1 }, "req: unexpected field 'more'"],
    [[1], 'req: expected an object, got a list'],
    [new Uint8Array(2), 'req: expected an object, got a Uint8Array'],
  ])('refuses %j: %s', (input, message) => {
    expect(() => request.check(input, 'req')).toThrow(SchemaError);
    expect(() => request.check(input, 'req')).toThrow(message);
  });

  it('tells tagged unions apart by their tag', () => {
    const shape = tagged('kind', {
      dot: object({ kind: literal('dot') }),
      box: object({ kind: literal('box'), side: finite() }),
    });
    expect(shape.check({ kind: 'box', side: 2 }, 'x')).toEqual({ kind: 'box', side: 2 });
    expect(() => shape.check({ kind: 'dot', side: 2 }, 'x')).toThrow("x: unexpected field 'side'");
    expect(() => shape.check({ kind: 'blob' }, 'x')).toThrow(
      'x.kind: expected one of dot, box, got "blob"',
    );
  });

  it('never lets a non-finite number or deep nesting through plain values', () => {
    expect(() => plainRecord.check({ a: [1, NaN] }, 'o')).toThrow(
      'o.a[1]: expected a finite number',
    );
    let deep: unknown = 1;
    for (let i = 0; i < 12; i++) deep = { d: deep };
    expect(() => plainRecord.check(deep, 'o')).toThrow('nested too deeply');
  });

  it('makes a patch of an object with every field optional, keeping the relation check', () => {
    const patch = partial(request);
    expect(patch.check({}, 'p')).toEqual({});
    expect(patch.check({ count: 3 }, 'p')).toEqual({ count: 3 });
    expect(() => patch.check({ count: 0 }, 'p')).toThrow('p.count: must be between 1 and 5');
  });

  it('accepts what it declares and refuses everything else, for any input (property)', () => {
    fc.assert(
      fc.property(fc.anything({ withTypedArray: true, withNullPrototype: true }), (x) => {
        try {
          const out = request.check(x, 'r');
          // Whatever passed has exactly the declared shape.
          expect(typeof out.name).toBe('string');
          expect(Number.isInteger(out.count)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(SchemaError);
          expect((e as Error).message.startsWith('r')).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
