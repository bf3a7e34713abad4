/**
 * Decoding Bruker's hypermap stream (`EDSDatabase/SpectrumData0`, 1, ...) into
 * a spectrum-image cube, block by block, with bounded memory.
 *
 * The stream (all little-endian), as these files show it:
 * - a 0x1a0-byte header: the number of lines (height) and of pixels per line
 *   (width) as uint32s at 0 and 4, the channel capacity (uint32) at 8;
 * - then each line: the number of pixels it stores (uint32; empty pixels are
 *   left out), then each stored pixel: its x (uint32), its channel count
 *   (uint16), 6 bytes, the packing flag (uint16), the size of the packed
 *   spectrum (uint16), the number of extra pulses (uint16), the data size
 *   (uint16), 2 bytes, then the data:
 *   - flag 1, a pulse list: one 12-bit channel number per X-ray, read as a
 *     bit string most significant bit first over uint16 words;
 *   - flags 2 and 3, instructive packing: pairs (instruction, count) for
 *     consecutive channels: 0 = `count` empty channels; 1, 2, 4 = a base of
 *     1, 2 or 4 bytes then `count` values of 4, 8 or 16 bits added to it;
 *     the packed part ends with the byte size of the extra pulses (uint32)
 *     and the extra pulses follow as uint16 channel numbers, one count each.
 * Worked out from the files themselves, checked against what HyperSpy 1.7.3
 * makes of every test file (identical arrays).
 *
 * Counts are summed per output pixel (`downsample` x `downsample` input
 * pixels). Reading goes in two passes over the stream: the scan adds them
 * into a band of uint32 accumulators for one output row (the sums computed
 * exactly, a sum beyond uint32 is an error) to find the largest count, for
 * the smallest dtype that holds it (HyperSpy's choice) and for a complete
 * check of the stream before anything large is allocated; the fill adds
 * them straight into the cube, which then cannot wrap around.
 */
import type { NumericArray } from '../../model/dtype.js';
import { FileFormatError } from '../errors.js';

export const STREAM_HEADER = 0x1a0;
const PIXEL_HEADER = 22;
/** The largest count a channel of the cube may hold (uint32). */
const MAX_COUNT = 0xffffffff;

export interface StreamLayout {
  height: number;
  width: number;
  /** The channel capacity the stream declares (4096 in every file seen). */
  capacity: number;
}

/** The map size the stream's header declares (the first STREAM_HEADER bytes). */
export function streamLayout(head: Uint8Array, name: string, what: string): StreamLayout {
  if (head.length < 12) throw new FileFormatError(name, `${what}: truncated stream header`);
  const u32 = (at: number): number =>
    (head[at]! | (head[at + 1]! << 8) | (head[at + 2]! << 16) | (head[at + 3]! << 24)) >>> 0;
  return { height: u32(0), width: u32(4), capacity: u32(8) };
}

export interface DecodeSpec {
  /** The file's name, for errors. */
  name: string;
  /** 'EDSDatabase/SpectrumData0', for errors. */
  what: string;
  height: number;
  width: number;
  /** Channels of the cube: counts in higher channels are dropped. */
  channels: number;
  downsample: number;
  /**
   * Every pixel is stored once (a scan found each line's pixels in increasing
   * order): a fill without downsampling may then store counts instead of adding them.
   */
  distinctPixels?: boolean;
}

type Counts = Uint8Array | Uint16Array | Uint32Array;

/** The largest count the smallest unsigned type holding `max` holds (255, 65535 or 2^32 - 1). */
export function dtypeLimit(max: number): number {
  return max <= 0xff ? 0xff : max <= 0xffff ? 0xffff : MAX_COUNT;
}

/** One pass over a hypermap stream, fed with consecutive pieces of it. */
export class HypermapDecoder {
  readonly spec: DecodeSpec;
  readonly outWidth: number;
  readonly outHeight: number;
  /** Scan: whether every line stored its pixels in increasing order (each pixel once). */
  ordered = true;
  #lastX = -1;
  /**
   * The largest count (after downsampling); after a scan, at least the largest
   * count of the pixels it decoded, and in the same dtype range as the largest
   * of all (see dtypeLimit).
   */
  max = 0;
  /**
   * Where counts are added: in the scan, a band of uint32 accumulators for one
   * output row (cleared as each row is done); when filling, the cube itself
   * (its dtype holds the largest sum, found by the scan).
   */
  readonly #target: Counts;
  readonly #scan: boolean;
  /** Filling without downsampling: each channel is written once by the packed spectrum, into zeros. */
  readonly #fresh: boolean;
  #tail: Uint8Array = new Uint8Array(0);
  #headerDone = false;
  /** The line being read, its stored pixels left, and the output row it adds to. */
  #line = 0;
  #pixelsLeft = -1;
  #bandRow = 0;
  /** Scan: per output pixel of the band, one past the highest channel written (0: untouched). */
  readonly #reach: Int32Array;
  /** Scan: the output pixels of the band written so far. */
  readonly #touched: Int32Array;
  #touchedCount = 0;

  /**
   * `cube` null: scan (check the stream, find the largest count); otherwise
   * add the counts into it (zero-filled, of a dtype that holds the scan's `max`).
   */
  constructor(spec: DecodeSpec, cube: NumericArray | null) {
    this.spec = spec;
    this.outWidth = Math.ceil(spec.width / spec.downsample);
    this.outHeight = Math.ceil(spec.height / spec.downsample);
    this.#scan = cube === null;
    this.#fresh = cube !== null && spec.downsample === 1 && spec.distinctPixels === true;
    if (
      cube !== null &&
      !(cube instanceof Uint8Array || cube instanceof Uint16Array || cube instanceof Uint32Array)
    ) {
      throw new Error('a hypermap decodes into uint8, uint16 or uint32');
    }
    this.#target = cube ?? new Uint32Array(this.outWidth * spec.channels);
    this.#reach = new Int32Array(this.#scan ? this.outWidth : 0);
    this.#touched = new Int32Array(this.#scan ? this.outWidth : 0);
  }

  fail(problem: string): never {
    throw new FileFormatError(this.spec.name, `${this.spec.what}: ${problem}`);
  }

  get done(): boolean {
    return this.#line >= this.spec.height;
  }

  /** Decodes what `piece` completes; a record cut at its end waits for the next piece. */
  push(piece: Uint8Array): void {
    let buf: Uint8Array;
    if (this.#tail.length === 0) buf = piece;
    else {
      buf = new Uint8Array(this.#tail.length + piece.length);
      buf.set(this.#tail);
      buf.set(piece, this.#tail.length);
    }
    const used = this.#decode(buf);
    this.#tail = used < buf.length ? buf.slice(used) : new Uint8Array(0);
  }

  /** After the last piece: the stream must have held every line. */
  finish(): void {
    if (!this.#headerDone) this.fail('the stream ends inside its header');
    if (!this.done) {
      this.fail(
        `the stream ends at line ${this.#line} of ${this.spec.height}: the file is truncated`,
      );
    }
    this.#flush();
  }

  /**
   * Scan: clears the band for the next output row, only where it was written
   * (the pixels touched, up to their highest channel), so that a sparse map
   * costs what its counts cost, not what its cube does.
   */
  #flush(): void {
    const count = this.#touchedCount;
    const band = this.#target;
    const channels = this.spec.channels;
    for (let t = 0; t < count; t++) {
      const px = this.#touched[t]!;
      band.fill(0, px * channels, px * channels + this.#reach[px]!);
      this.#reach[px] = 0;
    }
    this.#touchedCount = 0;
  }

  /** After a pixel: the largest count so far, and (scan) where the band was written. */
  #done(px: number, reach: number, max: number, x: number): void {
    if (max > this.max) {
      if (max > MAX_COUNT) {
        this.fail(
          `pixel (${x}, ${this.#line}): a channel counts ${max}, more than ${MAX_COUNT}: the data are damaged`,
        );
      }
      this.max = max;
    }
    if (!this.#scan) return;
    const r = this.#reach[px]!;
    if (r === 0) this.#touched[this.#touchedCount++] = px;
    if (reach > r) this.#reach[px] = reach;
  }

  /** Decodes the complete records at the start of `b`; returns the bytes used. */
  #decode(b: Uint8Array): number {
    const n = b.length;
    let p = 0;
    if (!this.#headerDone) {
      if (n < STREAM_HEADER) return 0;
      p = STREAM_HEADER;
      this.#headerDone = true;
    }
    const { width, height, channels, downsample } = this.spec;
    const target = this.#target;
    while (this.#line < height) {
      if (this.#pixelsLeft < 0) {
        if (p + 4 > n) return p;
        const count = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
        if (count > width) {
          this.fail(`line ${this.#line} stores ${count} pixels, but a line has ${width}`);
        }
        const row = Math.floor(this.#line / downsample);
        if (row !== this.#bandRow) {
          if (this.#scan) this.#flush();
          this.#bandRow = row;
        }
        this.#pixelsLeft = count;
        this.#lastX = -1;
        p += 4;
      }
      while (this.#pixelsLeft > 0) {
        if (p + PIXEL_HEADER > n) return p;
        const x = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
        const flag = b[p + 12]! | (b[p + 13]! << 8);
        const packed = b[p + 14]! | (b[p + 15]! << 8);
        const pulses = b[p + 16]! | (b[p + 17]! << 8);
        const dataSize = b[p + 18]! | (b[p + 19]! << 8);
        let extra = 0;
        let size: number;
        if (flag === 1) size = PIXEL_HEADER + dataSize;
        else if (flag === 2 || flag === 3) {
          if (packed < 4)
            this.fail(`pixel (${x}, ${this.#line}): packed spectrum of ${packed} bytes`);
          const at = p + PIXEL_HEADER + packed - 4;
          if (at + 4 > n) return p;
          extra = (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
          if (extra !== 2 * pulses) {
            this.fail(
              `pixel (${x}, ${this.#line}): ${pulses} extra pulses but ${extra} bytes for them`,
            );
          }
          size = PIXEL_HEADER + packed + extra;
        } else {
          this.fail(`pixel (${x}, ${this.#line}): unknown packing ${flag}`);
        }
        if (p + size > n) return p;
        if (x >= width) this.fail(`line ${this.#line} stores pixel ${x}, but a line has ${width}`);
        if (x <= this.#lastX) this.ordered = false;
        this.#lastX = x;
        const px = Math.floor(x / downsample);
        const base = (this.#scan ? px : this.#bandRow * this.outWidth + px) * channels;
        const data = p + PIXEL_HEADER;
        let reach: number;
        let max: number;
        if (flag === 1) {
          if (pulses * 12 > dataSize * 8) {
            this.fail(
              `pixel (${x}, ${this.#line}): ${pulses} 12-bit pulses cannot fit in ${dataSize} bytes`,
            );
          }
          if (this.#scan && downsample === 1 && pulses <= dtypeLimit(this.max)) {
            // No channel of this pixel can count more than its pulses: it cannot change
            // the dtype, so the scan need not decode it (the fill will).
            p += size;
            this.#pixelsLeft--;
            continue;
          }
          const r = this.#pulses12(b, data, pulses, base);
          reach = r % 0x10000;
          max = Math.floor(r / 0x10000);
        } else {
          const r = this.#instructive(b, data, data + packed - 4, base, x);
          reach = r.reach;
          max = r.max;
          const q = data + packed;
          for (let k = 0; k < pulses; k++) {
            const ch = b[q + 2 * k]! | (b[q + 2 * k + 1]! << 8);
            if (ch < channels) {
              const v = target[base + ch]! + 1;
              target[base + ch] = v;
              if (v > max) max = v;
              if (ch >= reach) reach = ch + 1;
            }
          }
        }
        this.#done(px, reach, max, x);
        p += size;
        this.#pixelsLeft--;
      }
      this.#pixelsLeft = -1;
      this.#line++;
    }
    return p;
  }

  /**
   * `count` 12-bit channel numbers, a bit string over uint16 words (most
   * significant bit first), each adding one count. Returns the reach (one
   * past the highest channel) + 65536 x the largest count, to stay allocation-free.
   */
  #pulses12(b: Uint8Array, at: number, count: number, base: number): number {
    const t = this.#target;
    const channels = this.spec.channels;
    let k = 0;
    let q = at;
    let top = -1;
    let max = 0;
    let v = 0;
    for (; k + 4 <= count; k += 4, q += 6) {
      const w0 = b[q]! | (b[q + 1]! << 8);
      const w1 = b[q + 2]! | (b[q + 3]! << 8);
      const w2 = b[q + 4]! | (b[q + 5]! << 8);
      const c0 = w0 >> 4;
      const c1 = ((w0 & 0xf) << 8) | (w1 >> 8);
      const c2 = ((w1 & 0xff) << 4) | (w2 >> 12);
      const c3 = w2 & 0xfff;
      if (c0 < channels) {
        v = t[base + c0]! + 1;
        t[base + c0] = v;
        if (v > max) max = v;
        if (c0 > top) top = c0;
      }
      if (c1 < channels) {
        v = t[base + c1]! + 1;
        t[base + c1] = v;
        if (v > max) max = v;
        if (c1 > top) top = c1;
      }
      if (c2 < channels) {
        v = t[base + c2]! + 1;
        t[base + c2] = v;
        if (v > max) max = v;
        if (c2 > top) top = c2;
      }
      if (c3 < channels) {
        v = t[base + c3]! + 1;
        t[base + c3] = v;
        if (v > max) max = v;
        if (c3 > top) top = c3;
      }
    }
    for (; k < count; k++) {
      const bit = k * 12;
      const wi = at + ((bit >> 4) << 1);
      const off = bit & 15;
      const w0 = b[wi]! | (b[wi + 1]! << 8);
      let c: number;
      if (off <= 4) c = (w0 >> (4 - off)) & 0xfff;
      else {
        const w1 = b[wi + 2]! | (b[wi + 3]! << 8);
        c = ((w0 << (off - 4)) | (w1 >> (20 - off))) & 0xfff;
      }
      if (c < channels) {
        v = t[base + c]! + 1;
        t[base + c] = v;
        if (v > max) max = v;
        if (c > top) top = c;
      }
    }
    return top + 1 + max * 0x10000;
  }

  /** Instructions in b[at, end): channels from 0 up, added at `base`; the reach and the largest count. */
  #instructive(
    b: Uint8Array,
    at: number,
    end: number,
    base: number,
    x: number,
  ): { reach: number; max: number } {
    const t = this.#target;
    const channels = this.spec.channels;
    // Filled without downsampling, a pixel's channels are each written once, over zeros
    // (the scan has checked the largest count): plain stores, no running maximum.
    const fresh = this.#fresh;
    let ch = 0;
    let q = at;
    let max = 0;
    let v = 0;
    while (q < end && ch < channels) {
      if (q + 2 > end) this.#cut(x);
      const op = b[q]!;
      const count = b[q + 1]!;
      q += 2;
      switch (op) {
        case 0:
          ch += count;
          break;
        case 1: {
          const bytes = (count + 1) >> 1;
          if (q + 1 + bytes > end) this.#cut(x);
          const g = b[q]!;
          q++;
          const stop = Math.min(count, channels - ch);
          const o = base + ch;
          if (fresh) {
            for (let k = 0; k < stop; k++) {
              const byte = b[q + (k >> 1)]!;
              t[o + k] = (k & 1 ? byte >> 4 : byte & 15) + g;
            }
          } else {
            for (let k = 0; k < stop; k++) {
              const byte = b[q + (k >> 1)]!;
              v = t[o + k]! + (k & 1 ? byte >> 4 : byte & 15) + g;
              t[o + k] = v;
              if (v > max) max = v;
            }
          }
          ch += count;
          q += bytes;
          break;
        }
        case 2: {
          if (q + 2 + count > end) this.#cut(x);
          const g = b[q]! | (b[q + 1]! << 8);
          q += 2;
          const stop = Math.min(count, channels - ch);
          const o = base + ch;
          if (fresh) for (let k = 0; k < stop; k++) t[o + k] = b[q + k]! + g;
          else {
            for (let k = 0; k < stop; k++) {
              v = t[o + k]! + b[q + k]! + g;
              t[o + k] = v;
              if (v > max) max = v;
            }
          }
          ch += count;
          q += count;
          break;
        }
        case 4: {
          if (q + 4 + 2 * count > end) this.#cut(x);
          const g = (b[q]! | (b[q + 1]! << 8) | (b[q + 2]! << 16) | (b[q + 3]! << 24)) >>> 0;
          q += 4;
          const stop = Math.min(count, channels - ch);
          const o = base + ch;
          if (fresh) {
            for (let k = 0; k < stop; k++)
              t[o + k] = (b[q + 2 * k]! | (b[q + 2 * k + 1]! << 8)) + g;
          } else {
            for (let k = 0; k < stop; k++) {
              v = t[o + k]! + (b[q + 2 * k]! | (b[q + 2 * k + 1]! << 8)) + g;
              t[o + k] = v;
              if (v > max) max = v;
            }
          }
          ch += count;
          q += 2 * count;
          break;
        }
        default:
          this.fail(
            `pixel (${x}, ${this.#line}): unknown packing instruction ${op} at channel ${ch}`,
          );
      }
    }
    return { reach: Math.min(ch, channels), max };
  }

  #cut(x: number): never {
    this.fail(`pixel (${x}, ${this.#line}): its packed spectrum ends inside an instruction`);
  }
}
