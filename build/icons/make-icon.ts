/**
 * Draws the app icon (a dark rounded square with a fitted peak over a grid of
 * pixels) and writes it as PNG: `tsx build/icons/make-icon.ts`. Kept so the
 * icon can be remade at any size without an image editor.
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const raw = new Uint8Array(height * (width * 4 + 1));
  for (let y = 0; y < height; y++)
    raw.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const parts = [
    new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array()),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function drawIcon(size: number): Uint8Array {
  const px = new Uint8Array(size * size * 4);
  const radius = size * 0.18;
  const blend = (i: number, r: number, g: number, b: number, a: number): void => {
    px[i] = px[i]! * (1 - a) + r * a;
    px[i + 1] = px[i + 1]! * (1 - a) + g * a;
    px[i + 2] = px[i + 2]! * (1 - a) + b * a;
    px[i + 3] = Math.max(px[i + 3]!, a * 255);
  };
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      // Rounded square, anti-aliased edge.
      const dx = Math.max(radius - x, 0, x - (size - 1 - radius));
      const dy = Math.max(radius - y, 0, y - (size - 1 - radius));
      const inside = Math.min(1, Math.max(0, radius - Math.hypot(dx, dy) + 0.5));
      if (inside <= 0) continue;
      blend(i, 29, 32, 40, inside);
      // A faint 8x8 grid of pixels (the spectrum image).
      const cell = size / 8;
      const gx = (x % cell) / cell;
      const gy = (y % cell) / cell;
      if (gx < 0.06 || gy < 0.06) blend(i, 70, 76, 90, 0.5 * inside);
      // The fitted peak: a Gaussian curve drawn as a thick line, with a glow under it.
      const u = x / size;
      const curve =
        0.82 -
        0.62 * Math.exp(-((u - 0.5) ** 2) / (2 * 0.09 ** 2)) -
        0.12 * Math.exp(-((u - 0.22) ** 2) / (2 * 0.05 ** 2));
      const d = Math.abs(y / size - curve);
      const line = Math.min(1, Math.max(0, (0.028 - d) * size * 0.5 + 0.5));
      if (y / size > curve && y / size < 0.86) blend(i, 255, 138, 76, 0.22 * inside);
      if (line > 0) blend(i, 255, 138, 76, line * inside);
    }
  }
  return encodePng(size, size, px);
}

if (process.argv[1]?.endsWith('make-icon.ts')) {
  const dir = new URL('./', import.meta.url);
  writeFileSync(new URL('icon.png', dir), drawIcon(512));
  writeFileSync(new URL('../../renderer/public/favicon.png', dir), drawIcon(64));
}
