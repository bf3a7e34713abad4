/**
 * Builds small synthetic DigitalMicrograph files for tests (the sample files
 * cover neither spectrum images, big-endian data nor every data type). Only
 * what the tests need: groups, scalars, arrays and UTF-16 text.
 */
import type { NumericArray } from '@samfire/core';

export type BTag =
  | { name: string; group: BTag[] }
  | { name: string; code: number; value: number }
  | { name: string; code: number; array: NumericArray }
  | { name: string; text: string }
  /** Raw type words and payload, to write anything (e.g. hostile headers). */
  | { name: string; info: number[]; payload: Uint8Array };

const SIZE: Record<number, number> = {
  2: 2,
  3: 4,
  4: 2,
  5: 4,
  6: 4,
  7: 8,
  8: 1,
  9: 1,
  10: 1,
  11: 8,
  12: 8,
};

class Out {
  chunks: number[] = [];
  u8(v: number): void {
    this.chunks.push(v & 0xff);
  }
  bytes(b: Uint8Array): void {
    for (const x of b) this.chunks.push(x);
  }
  be(v: number, n: number): void {
    const b = new Uint8Array(n);
    const view = new DataView(b.buffer);
    if (n === 2) view.setUint16(0, v, false);
    else if (n === 4) view.setUint32(0, v, false);
    else view.setBigUint64(0, BigInt(v), false);
    this.bytes(b);
  }
}

function scalarBytes(code: number, value: number, le: boolean): Uint8Array {
  const b = new Uint8Array(SIZE[code]!);
  const v = new DataView(b.buffer);
  switch (code) {
    case 2:
      v.setInt16(0, value, le);
      break;
    case 3:
      v.setInt32(0, value, le);
      break;
    case 4:
      v.setUint16(0, value, le);
      break;
    case 5:
      v.setUint32(0, value, le);
      break;
    case 6:
      v.setFloat32(0, value, le);
      break;
    case 7:
      v.setFloat64(0, value, le);
      break;
    case 8:
    case 10:
      v.setUint8(0, value);
      break;
    case 9:
      v.setInt8(0, value);
      break;
    case 11:
      v.setBigInt64(0, BigInt(value), le);
      break;
    case 12:
      v.setBigUint64(0, BigInt(value), le);
      break;
  }
  return b;
}

function arrayBytes(a: NumericArray, le: boolean): Uint8Array {
  const size = a.BYTES_PER_ELEMENT;
  const b = new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.length * size));
  if (!le) {
    for (let i = 0; i < b.length; i += size) b.subarray(i, i + size).reverse();
  }
  return b;
}

export function buildDm(root: BTag[], version: 3 | 4 = 3, littleEndian = true): Uint8Array {
  const w = version === 4 ? 8 : 4;
  const body = new Out();
  const group = (tags: BTag[]): void => {
    body.u8(0);
    body.u8(0);
    body.be(tags.length, w);
    for (const t of tags) tag(t);
  };
  const tag = (t: BTag): void => {
    const inner = new Out();
    const saved = body.chunks;
    body.chunks = inner.chunks;
    let type = 21;
    if ('group' in t) {
      type = 20;
      group(t.group);
    } else {
      let info: number[];
      let payload: Uint8Array;
      if ('info' in t) {
        info = t.info;
        payload = t.payload;
      } else if ('text' in t) {
        info = [20, 4, t.text.length];
        payload = arrayBytes(
          Uint16Array.from(t.text, (c) => c.charCodeAt(0)),
          littleEndian,
        );
      } else if ('array' in t) {
        info = [20, t.code, t.array.length];
        payload = arrayBytes(t.array, littleEndian);
      } else {
        info = [t.code];
        payload = scalarBytes(t.code, t.value, littleEndian);
      }
      body.bytes(new TextEncoder().encode('%%%%'));
      body.be(info.length, w);
      for (const x of info) body.be(x, w);
      body.bytes(payload);
    }
    body.chunks = saved;
    body.u8(type);
    const name = new TextEncoder().encode(t.name);
    body.be(name.length, 2);
    body.bytes(name);
    if (version === 4) body.be(inner.chunks.length, 8);
    for (const x of inner.chunks) body.chunks.push(x);
  };
  group(root);
  const head = new Out();
  head.be(version, 4);
  head.be(body.chunks.length + (version === 4 ? 8 : 4), version === 4 ? 8 : 4);
  head.be(littleEndian ? 1 : 0, 4);
  const out = new Uint8Array(head.chunks.length + body.chunks.length + 8);
  out.set(head.chunks, 0);
  out.set(body.chunks, head.chunks.length);
  return out;
}

export interface ImageSpec {
  /** DM order: fastest-varying dimension first (x, y, then z or energy). */
  dims: number[];
  dataType: number;
  /** Array element code of the Data tag. */
  code: number;
  data: NumericArray;
  calibrations?: { origin: number; scale: number; units: string }[];
  signal?: string;
  format?: string;
  name?: string;
  version?: 3 | 4;
  littleEndian?: boolean;
  /** Put an RGBA thumbnail first and list it under Thumbnails, as DM does. */
  thumbnail?: boolean;
}

export function imageFile(spec: ImageSpec): Uint8Array {
  const cal = spec.calibrations ?? spec.dims.map(() => ({ origin: 0, scale: 1, units: '' }));
  const meta: BTag[] = [];
  if (spec.signal !== undefined) meta.push({ name: 'Signal', text: spec.signal });
  if (spec.format !== undefined) meta.push({ name: 'Format', text: spec.format });
  const image = (
    name: string,
    dims: number[],
    dataType: number,
    code: number,
    data: NumericArray,
    tags: BTag[],
  ): BTag => ({
    name: '',
    group: [
      {
        name: 'ImageData',
        group: [
          {
            name: 'Calibrations',
            group: [
              {
                name: 'Dimension',
                group: dims.map((_, i) => ({
                  name: '',
                  group: [
                    { name: 'Origin', code: 6, value: cal[i]?.origin ?? 0 },
                    { name: 'Scale', code: 6, value: cal[i]?.scale ?? 1 },
                    { name: 'Units', text: cal[i]?.units ?? '' },
                  ],
                })),
              },
            ],
          },
          { name: 'Data', code, array: data },
          { name: 'DataType', code: 3, value: dataType },
          { name: 'Dimensions', group: dims.map((d) => ({ name: '', code: 5, value: d })) },
        ],
      },
      { name: 'ImageTags', group: tags },
      { name: 'Name', text: name },
    ],
  });
  const list: BTag[] = [];
  if (spec.thumbnail) list.push(image('thumb', [2, 2], 23, 5, new Uint32Array(4), []));
  list.push(
    image(
      spec.name ?? 'synthetic',
      spec.dims,
      spec.dataType,
      spec.code,
      spec.data,
      meta.length ? [{ name: 'Meta Data', group: meta }] : [],
    ),
  );
  const root: BTag[] = [{ name: 'ImageList', group: list }];
  if (spec.thumbnail) {
    root.push({
      name: 'Thumbnails',
      group: [{ name: '', group: [{ name: 'ImageIndex', code: 5, value: 0 }] }],
    });
  }
  return buildDm(root, spec.version ?? 3, spec.littleEndian ?? true);
}
