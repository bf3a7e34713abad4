/**
 * Messages between the engine and cluster workers as bytes: the protocol's
 * plain data as JSON, its typed arrays (spectra, maps, results) as raw bytes
 * after it, so that floats travel exactly (no decimal round trip) and large
 * arrays cost a copy, not a text conversion.
 *
 * Layout: a 4-byte little-endian length of the JSON text, the JSON (UTF-8),
 * zero padding to a multiple of 8, then each array's bytes, each padded to a
 * multiple of 8. In the JSON an array is {"$a": kind, "o": byte offset into
 * the binary part, "n": element count}. The decoder copies each array into
 * its own buffer (aligned, and independent of the message's memory). A
 * non-finite number (NaN, +-Infinity, which JSON lacks) is {"$n": "NaN"}.
 */

type Typed =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

const KINDS = {
  f64: Float64Array,
  f32: Float32Array,
  i32: Int32Array,
  u32: Uint32Array,
  i16: Int16Array,
  u16: Uint16Array,
  i8: Int8Array,
  u8: Uint8Array,
} as const;
type Kind = keyof typeof KINDS;

const KIND_LIST = Object.entries(KINDS) as [Kind, (typeof KINDS)[Kind]][];

/** The kind of a typed array the codec carries (each class is its own: no subclassing among them). */
function kindOf(v: unknown): Kind | null {
  for (const [kind, Class] of KIND_LIST) if (v instanceof Class) return kind;
  return null;
}

const pad8 = (n: number): number => (n + 7) & ~7;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeMessage(value: unknown): Uint8Array {
  const arrays: Typed[] = [];
  let offset = 0;
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) return { $n: String(v) };
    const kind = kindOf(v);
    if (kind === null) return v;
    const a = v as Typed;
    const ref = { $a: kind, o: offset, n: a.length };
    arrays.push(a);
    offset += pad8(a.byteLength);
    return ref;
  });
  const text = encoder.encode(json);
  const head = pad8(4 + text.length);
  const out = new Uint8Array(head + offset);
  new DataView(out.buffer).setUint32(0, text.length, true);
  out.set(text, 4);
  let at = head;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += pad8(a.byteLength);
  }
  return out;
}

export class MessageFormatError extends Error {}

export function decodeMessage(bytes: Uint8Array): unknown {
  if (bytes.length < 4) throw new MessageFormatError(`message of ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(0, true);
  if (4 + length > bytes.length)
    throw new MessageFormatError(`header of ${length} bytes in a ${bytes.length}-byte message`);
  const head = pad8(4 + length);
  const json = decoder.decode(bytes.subarray(4, 4 + length));
  return JSON.parse(json, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object') return v;
    if ('$n' in v) {
      const n = (v as { $n: unknown }).$n;
      if (n === 'NaN') return Number.NaN;
      if (n === 'Infinity') return Number.POSITIVE_INFINITY;
      if (n === '-Infinity') return Number.NEGATIVE_INFINITY;
      throw new MessageFormatError(`bad number ${JSON.stringify(v)}`);
    }
    if (!('$a' in v)) return v;
    const ref = v as { $a: unknown; o: unknown; n: unknown };
    const Ctor = typeof ref.$a === 'string' ? KINDS[ref.$a as Kind] : undefined;
    if (!Ctor || !Number.isInteger(ref.o) || !Number.isInteger(ref.n))
      throw new MessageFormatError(`bad array reference ${JSON.stringify(v)}`);
    const o = ref.o as number;
    const n = ref.n as number;
    const size = n * Ctor.BYTES_PER_ELEMENT;
    if (o < 0 || n < 0 || head + o + size > bytes.length)
      throw new MessageFormatError(`array of ${size} bytes at ${o} past the message's end`);
    const out = new Ctor(n);
    new Uint8Array(out.buffer).set(bytes.subarray(head + o, head + o + size));
    return out;
  });
}
