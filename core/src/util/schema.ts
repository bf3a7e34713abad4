/**
 * A small schema library: a value's shape declared once, from which both
 * the TypeScript type (`Infer<typeof schema>`) and the runtime check come.
 * Used for every app-contract argument (core/src/api/contract.ts) and for
 * files we read back (SAMFire backups), so a field added to a type is
 * checked at run time without writing a second guard.
 *
 * A check takes `unknown` and a `where` ("fit.fitPixel", "backup.engine")
 * and returns the typed value, or throws a SchemaError whose message starts
 * with the path of the offending field: `fit.fitPixel.pixel: expected an
 * integer, got "3"`. Objects are strict: an unexpected field is refused (a
 * caller's mistake, or a tampered file).
 *
 * Written here rather than taken from a library (valibot, zod): the whole
 * contract needs about a dozen combinators, our messages name the method and
 * field in the form the app shows, and the renderer bundle stays small.
 */

/** A value that does not have the declared shape; the message names where. */
export class SchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaError';
  }
}

export interface Schema<T> {
  /** The checked value (a fresh object for objects: unknown input is never passed on as is). */
  check(x: unknown, where: string): T;
  /** Set on schemas made by `optional`: the field may be absent. */
  readonly optional?: true;
}

/** The type a schema checks for. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

/** A schema for a field that may be absent (`undefined`). */
export interface OptionalSchema<T> extends Schema<T | undefined> {
  readonly optional: true;
}

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never;
}[keyof S];
type Simplify<T> = { [K in keyof T]: T[K] } & {};
/** The object type of a shape: optional schemas become optional fields. */
export type InferShape<S extends Shape> = Simplify<
  { -readonly [K in keyof S as K extends OptionalKeys<S> ? never : K]: Infer<S[K]> } & {
    -readonly [K in keyof S as K extends OptionalKeys<S> ? K : never]?: Exclude<
      Infer<S[K]>,
      undefined
    >;
  }
>;

export function fail(where: string, what: string): never {
  throw new SchemaError(`${where}: ${what}`);
}

/** A short description of a wrong value for a message (never the whole of a long string). */
export function describeValue(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'a list';
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  if (typeof x === 'string') return x.length > 40 ? 'a long string' : JSON.stringify(x);
  if (typeof x === 'number') return String(x);
  return typeof x;
}

function schema<T>(check: (x: unknown, where: string) => T): Schema<T> {
  return { check };
}

/** A check written by hand, for the rare shape the combinators do not cover. */
export const custom = schema;

export const MAX_NAME = 200;
export const MAX_PATH = 4096;

/** A non-empty string of at most `max` characters. */
export function string(max = MAX_NAME): Schema<string> {
  return schema((x, where) => {
    if (typeof x !== 'string') fail(where, `expected a string, got ${describeValue(x)}`);
    if (x.length === 0) fail(where, 'must not be empty');
    if (x.length > max) fail(where, `longer than ${max} characters`);
    return x;
  });
}

/** Any string, the empty one included, of at most `max` characters. */
export function text(max = 100_000): Schema<string> {
  return schema((x, where) => {
    if (typeof x !== 'string') fail(where, `expected a string, got ${describeValue(x)}`);
    if (x.length > max) fail(where, `longer than ${max} characters`);
    return x;
  });
}

export const boolean: Schema<boolean> = schema((x, where) => {
  if (typeof x !== 'boolean') fail(where, `expected true or false, got ${describeValue(x)}`);
  return x;
});

/** A finite number, optionally with bounds (`positive`: > 0; `min`/`max`: inclusive). */
export function finite(
  limits: { positive?: boolean; min?: number; max?: number } = {},
): Schema<number> {
  return schema((x, where) => {
    if (typeof x !== 'number' || !Number.isFinite(x))
      fail(where, `expected a finite number, got ${describeValue(x)}`);
    if (limits.positive && !(x > 0)) fail(where, `must be positive, got ${x}`);
    if (limits.min !== undefined && x < limits.min)
      fail(
        where,
        limits.min === 0
          ? `must not be negative, got ${x}`
          : `must be at least ${limits.min}, got ${x}`,
      );
    if (limits.max !== undefined && x > limits.max)
      fail(where, `must be at most ${limits.max}, got ${x}`);
    return x;
  });
}

/** Any number, NaN and infinities included (data, not user input). */
export const number: Schema<number> = schema((x, where) => {
  if (typeof x !== 'number') fail(where, `expected a number, got ${describeValue(x)}`);
  return x;
});

/** An integer in [min, max]. */
export function integer(min = 0, max = Number.MAX_SAFE_INTEGER): Schema<number> {
  return schema((x, where) => {
    if (!Number.isInteger(x)) fail(where, `expected an integer, got ${describeValue(x)}`);
    const n = x as number;
    if (n < min || n > max) fail(where, `must be between ${min} and ${max}, got ${n}`);
    return n;
  });
}

/** One of the given strings. */
export function oneOf<const T extends string>(values: readonly T[], what?: string): Schema<T> {
  return schema((x, where) => {
    if (typeof x !== 'string' || !(values as readonly string[]).includes(x))
      fail(where, `expected ${what ?? `one of ${values.join(', ')}`}, got ${describeValue(x)}`);
    return x as T;
  });
}

/** Exactly this value (a union's tag). */
export function literal<const T extends string | number | boolean>(value: T): Schema<T> {
  return schema((x, where) => {
    if (x !== value) fail(where, `expected ${JSON.stringify(value)}, got ${describeValue(x)}`);
    return value;
  });
}

export const bytes: Schema<Uint8Array> = schema((x, where) => {
  if (!(x instanceof Uint8Array))
    fail(where, `expected bytes (a Uint8Array), got ${describeValue(x)}`);
  return x;
});

/** `null` or a value of `inner`. */
export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return schema((x, where) => (x === null ? null : inner.check(x, where)));
}

/** A field that may be absent. */
export function optional<T>(inner: Schema<T>): OptionalSchema<T> {
  return {
    optional: true,
    check: (x, where) => (x === undefined ? undefined : inner.check(x, where)),
  };
}

/** A list of at most `max` items (and at least `min`). */
export function list<T>(
  item: Schema<T>,
  max = 100_000,
  min = 0,
  tooFew = `expected at least ${min} item${min === 1 ? '' : 's'}`,
): Schema<T[]> {
  return schema((x, where) => {
    if (!Array.isArray(x)) fail(where, `expected a list, got ${describeValue(x)}`);
    if (x.length > max) fail(where, `more than ${max} items`);
    if (x.length < min) fail(where, tooFew);
    return x.map((v, i) => item.check(v, `${where}[${i}]`));
  });
}

/** A list of exactly two items. */
export function pair<T>(item: Schema<T>, what = '[first, last]'): Schema<[T, T]> {
  return schema((x, where) => {
    const items = list(item, 2).check(x, where);
    if (items.length !== 2) fail(where, `expected ${what}, got ${items.length} item(s)`);
    return [items[0]!, items[1]!];
  });
}

function plainObject(x: unknown, where: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x) || ArrayBuffer.isView(x))
    fail(where, `expected an object, got ${describeValue(x)}`);
  return x as Record<string, unknown>;
}

export interface ObjectSchema<S extends Shape> extends Schema<InferShape<S>> {
  readonly shape: S;
}

/**
 * An object with exactly these fields (absent optional ones left out of the
 * result; an unknown field refused). `refine` checks relations between
 * fields once each field is right (bmin <= bmax).
 */
export function object<S extends Shape>(
  shape: S,
  refine?: (value: InferShape<S>, where: string) => void,
): ObjectSchema<S> {
  const keys = Object.keys(shape);
  return {
    shape,
    check(x, where) {
      const o = plainObject(x, where);
      for (const k of Object.keys(o))
        if (!Object.hasOwn(shape, k)) fail(where, `unexpected field '${k}'`);
      const out: Record<string, unknown> = {};
      for (const k of keys) {
        const v = shape[k]!.check(o[k], `${where}.${k}`);
        if (v !== undefined) out[k] = v;
      }
      const value = out as InferShape<S>;
      refine?.(value, where);
      return value;
    },
  };
}

/** The same object with every field optional (a patch), keeping the relation check. */
export function partial<S extends Shape>(
  base: ObjectSchema<S>,
  refine?: (value: Partial<InferShape<S>>, where: string) => void,
): Schema<Partial<InferShape<S>>> {
  const shape: Shape = {};
  for (const [k, s] of Object.entries(base.shape)) shape[k] = s.optional ? s : optional(s);
  const inner = object(shape);
  return schema((x, where) => {
    const value = inner.check(x, where) as Partial<InferShape<S>>;
    refine?.(value, where);
    return value;
  });
}

type TaggedMembers<K extends string> = Record<
  string,
  ObjectSchema<Shape & Record<K, Schema<string>>>
>;

/**
 * A union told apart by the string field `tag` (`kind`): each member an
 * object schema whose tag is `literal(name)`. An unknown tag is refused with
 * `message` ("unknown image kind") or the list of tags.
 */
export function tagged<const K extends string, M extends TaggedMembers<K>>(
  tag: K,
  members: M,
  unknown?: (got: string) => string,
): Schema<{ [N in keyof M]: Infer<M[N]> }[keyof M]> {
  return schema((x, where) => {
    const value = plainObject(x, where)[tag];
    if (typeof value !== 'string' || !Object.hasOwn(members, value)) {
      const got = describeValue(value);
      fail(
        `${where}.${tag}`,
        unknown ? unknown(got) : `expected one of ${Object.keys(members).join(', ')}, got ${got}`,
      );
    }
    return members[value]!.check(x, where) as { [N in keyof M]: Infer<M[N]> }[keyof M];
  });
}

/** JSON-like data (strategy settings, component options): finite numbers, nesting at most 8 deep. */
export type PlainValue =
  null | boolean | number | string | PlainValue[] | { [key: string]: PlainValue };

function plainValueAt(x: unknown, where: string, depth: number): PlainValue {
  if (depth > 8) fail(where, 'nested too deeply');
  if (x === null || typeof x === 'boolean' || typeof x === 'string') return x;
  if (typeof x === 'number') return finite().check(x, where);
  if (Array.isArray(x)) {
    if (x.length > 10_000) fail(where, 'more than 10000 items');
    return x.map((v, i) => plainValueAt(v, `${where}[${i}]`, depth + 1));
  }
  return plainRecordAt(x, where, depth + 1);
}

function plainRecordAt(x: unknown, where: string, depth: number): { [key: string]: PlainValue } {
  const o = plainObject(x, where);
  const out: { [key: string]: PlainValue } = {};
  for (const [k, v] of Object.entries(o)) out[k] = plainValueAt(v, `${where}.${k}`, depth);
  return out;
}

export const plainValue: Schema<PlainValue> = schema((x, where) => plainValueAt(x, where, 0));
export const plainRecord: Schema<{ [key: string]: PlainValue }> = schema((x, where) =>
  plainRecordAt(x, where, 0),
);

/** A string-keyed record whose values all have one shape. */
export function recordOf<T>(value: Schema<T>, maxKeys = 10_000): Schema<{ [key: string]: T }> {
  return schema((x, where) => {
    const o = plainObject(x, where);
    const entries = Object.entries(o);
    if (entries.length > maxKeys) fail(where, `more than ${maxKeys} fields`);
    const out: { [key: string]: T } = {};
    for (const [k, v] of entries) out[k] = value.check(v, `${where}.${k}`);
    return out;
  });
}

/** Nothing: a call that takes no argument accepts `undefined` or `null` only. */
export const none: Schema<undefined> = schema((x, where) => {
  if (x !== undefined && x !== null) fail(where, `takes no argument, got ${describeValue(x)}`);
  return undefined;
});
