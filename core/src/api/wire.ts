/**
 * Binary frames for transports without structured clone (the WebSocket of
 * browser mode). JSON alone would turn a Float64Array into an object of
 * strings and NaN into null; here typed arrays travel as raw bytes after a
 * JSON header, and non-finite numbers as tagged values.
 *
 * Frame: uint32 (little endian) header length, the UTF-8 JSON header, zero
 * padding to a multiple of 8, then each typed array's bytes, each starting on
 * a multiple of 8 so it can be viewed without a copy.
 */

const TAG = '__wire';

const ARRAY_TYPES = {
  Float64Array,
  Float32Array,
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  BigInt64Array,
  BigUint64Array,
} as const;

type ArrayTypeName = keyof typeof ARRAY_TYPES;
type AnyTypedArray = InstanceType<(typeof ARRAY_TYPES)[ArrayTypeName]>;

function arrayTypeName(x: unknown): ArrayTypeName | null {
  if (!ArrayBuffer.isView(x) || x instanceof DataView) return null;
  const name = x.constructor.name;
  return Object.hasOwn(ARRAY_TYPES, name) ? (name as ArrayTypeName) : null;
}

const align8 = (n: number): number => Math.ceil(n / 8) * 8;

export function encodeFrame(value: unknown): Uint8Array<ArrayBuffer> {
  const blobs: { bytes: Uint8Array; offset: number }[] = [];
  let size = 0;
  const header = JSON.stringify(value, function (this: unknown, _key, v: unknown) {
    if (typeof v === 'number' && !Number.isFinite(v)) return { [TAG]: 'number', value: String(v) };
    if (typeof v === 'bigint') return { [TAG]: 'bigint', value: v.toString() };
    if (v === undefined) return undefined;
    const type = arrayTypeName(v);
    if (type) {
      const a = v as AnyTypedArray;
      const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
      const offset = size;
      blobs.push({ bytes, offset });
      size = align8(size + bytes.byteLength);
      return { [TAG]: 'array', type, offset, length: a.length };
    }
    if (v instanceof ArrayBuffer) throw new Error('wire: send a typed array, not an ArrayBuffer');
    return v;
  });
  const text = new TextEncoder().encode(header ?? 'null');
  const start = align8(4 + text.byteLength);
  const out = new Uint8Array(start + size);
  new DataView(out.buffer).setUint32(0, text.byteLength, true);
  out.set(text, 4);
  for (const b of blobs) out.set(b.bytes, start + b.offset);
  return out;
}

export function decodeFrame(frame: Uint8Array): unknown {
  if (frame.byteLength < 4) throw new Error('wire: frame too short');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const length = view.getUint32(0, true);
  if (4 + length > frame.byteLength) throw new Error('wire: header longer than the frame');
  const text = new TextDecoder().decode(frame.subarray(4, 4 + length));
  const start = align8(4 + length);
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, TAG)) return v;
    const t = v as Record<string, unknown>;
    switch (t[TAG]) {
      case 'number':
        return Number(t.value);
      case 'bigint':
        return BigInt(String(t.value));
      case 'array': {
        const type = t.type;
        if (typeof type !== 'string' || !Object.hasOwn(ARRAY_TYPES, type))
          throw new Error('wire: unknown array type');
        const Ctor = ARRAY_TYPES[type as ArrayTypeName];
        const offset = Number(t.offset);
        const n = Number(t.length);
        const bytes = n * Ctor.BYTES_PER_ELEMENT;
        if (
          !Number.isInteger(offset) ||
          !Number.isInteger(n) ||
          offset < 0 ||
          n < 0 ||
          start + offset + bytes > frame.byteLength
        ) {
          throw new Error('wire: array outside the frame');
        }
        // Copy into a fresh, aligned buffer: the frame's own buffer may be shared or unaligned.
        const copy = frame.slice(start + offset, start + offset + bytes);
        return new Ctor(copy.buffer, 0, n);
      }
      default:
        return v;
    }
  });
}

/** Room a frame has beyond the upload limit for its JSON header and padding. */
export const FRAME_MARGIN = 16 * 1024 * 1024;

/** The default upload limit of browser mode (--max-upload). */
export const DEFAULT_MAX_UPLOAD = 1024 * 1024 * 1024;

/** A byte count for people: '1.5 MiB'. */
export function sizeText(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${bytes} bytes` : `${v.toFixed(1)} ${units[u]}`;
}

/** What both ends say when a call carries more than browser mode accepts. */
export function uploadTooLarge(bytes: number, limit: number): string {
  const suggestion = Math.ceil((bytes * 1.25) / 1048576);
  return (
    `the upload (${sizeText(bytes)}) is larger than browser mode's limit of ${sizeText(limit)}; ` +
    `start browser mode again with --max-upload=${suggestion}MiB (or more) to raise it`
  );
}

/** Bytes of the typed arrays in a value (a call's argument), a few levels deep. */
export function payloadBytes(value: unknown, depth = 0): number {
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (depth > 4 || typeof value !== 'object' || value === null) return 0;
  let n = 0;
  for (const v of Array.isArray(value) ? value : Object.values(value))
    n += payloadBytes(v, depth + 1);
  return n;
}
