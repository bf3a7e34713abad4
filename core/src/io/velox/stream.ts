/**
 * The EDS spectrum stream of Thermo Fisher Velox .emd files
 * (`Data/SpectrumStream/<uuid>/Data`), decoded into a spectrum image. Pure:
 * entries in, counts out; the HDF5 access is in ../node/velox-read.ts.
 *
 * The encoding, as found in the files (and checked against what HyperSpy
 * 1.7.3 makes of them, as a black box): the stream is one uint16 per entry,
 * in acquisition order. An entry below the `bincount` of the acquisition
 * settings is one X-ray event, its value the channel it was counted in; the
 * entry 0xFFFF ends the current pixel. Pixels follow the scan, row by row
 * (x fastest) over the `width x height` pixels of the spectrum image, then
 * frame after frame; the first pixel starts at entry 0 (so a stream starting
 * with 0xFFFF begins with an empty pixel). Events after the end of the last
 * frame (the detector runs on while the scan stops) are not part of the map;
 * a last frame cut short by a stopped acquisition keeps the pixels it has.
 *
 * Decoding order. Summing F frames in stream order visits every pixel's
 * spectrum F times, a whole cube apart, so nearly every event would miss the
 * cache. Instead the decoder keeps a cursor in each frame (of each detector
 * segment, when they are summed too) and walks the map a block of pixels at
 * a time: every cursor adds its events for that block into a small scratch
 * cube that stays in cache, which is then copied into the cube in one
 * sequential write (what memory is fastest at). The cursors need where each
 * frame starts: the file's frame location table, or a counting pass
 * (FrameLocator).
 *
 * With the frames summed the cube is `pixels x channels`, else
 * `frames x pixels x channels`, with `channels = bincount / rebin`. Integer
 * cubes wrap on overflow as numpy's counters do (a uint16 map summing more
 * than 65535 counts in one channel of one pixel).
 */
import type { NumericArray } from '../../model/dtype.js';
import { FileFormatError } from '../errors.js';

/** The entry that ends a pixel. */
export const END_OF_PIXEL = 0xffff;

export interface StreamLayout {
  /** Pixels of one frame (width x height of the spectrum image). */
  pixelsPerFrame: number;
  /** Channels of the detector (the acquisition's `bincount`); entries below it are events. */
  bincount: number;
  /** First frame decoded (0-based). */
  firstFrame: number;
  /** Frame after the last one decoded. */
  lastFrame: number;
  /** Sum the frames into one spectrum image, or keep a frame axis. */
  sumFrames: boolean;
  /** Channels summed into one (a divisor of `bincount`); 1 keeps every channel. */
  rebin: number;
}

/** Cubes the decoder can count into (64-bit integers are not among them). */
export type CountArray = Exclude<NumericArray, BigInt64Array | BigUint64Array>;

/** Checks a layout; the problems are the caller's (options) or the file's, so plain Errors. */
export function checkLayout(layout: StreamLayout): void {
  const { pixelsPerFrame, bincount, firstFrame, lastFrame, rebin } = layout;
  const positive = (v: number): boolean => Number.isSafeInteger(v) && v > 0;
  if (!positive(pixelsPerFrame)) throw new Error(`pixels per frame ${pixelsPerFrame} is invalid`);
  if (!positive(bincount) || bincount >= END_OF_PIXEL) {
    throw new Error(`bincount ${bincount} is invalid (1 to ${END_OF_PIXEL - 1} channels)`);
  }
  if (!positive(rebin) || bincount % rebin !== 0) {
    throw new Error(`rebin ${rebin} does not divide the ${bincount} channels`);
  }
  if (!Number.isSafeInteger(firstFrame) || firstFrame < 0 || !Number.isSafeInteger(lastFrame)) {
    throw new Error(`frames ${firstFrame} to ${lastFrame} are invalid`);
  }
  if (lastFrame <= firstFrame) throw new Error(`no frame between ${firstFrame} and ${lastFrame}`);
}

/** Elements of the cube a layout decodes into. */
export function cubeLength(layout: StreamLayout): number {
  const frames = layout.sumFrames ? 1 : layout.lastFrame - layout.firstFrame;
  return frames * layout.pixelsPerFrame * (layout.bincount / layout.rebin);
}

/** Random access to the entries of one stream (the node layer reads them from HDF5). */
export interface StreamSource {
  readonly length: number;
  /** Entries `at` to `at + n` (within the stream); the array may be reused by the next call. */
  read(at: number, n: number): Uint16Array;
}

/** A source over entries in memory (tests, small streams). */
export function arraySource(values: Uint16Array): StreamSource {
  return { length: values.length, read: (at, n) => values.subarray(at, at + n) };
}

/**
 * Where each frame of a stream starts, found by counting end-of-pixel
 * entries, fed the stream in order in blocks of any size.
 */
export class FrameLocator {
  readonly #pixelsPerFrame: number;
  readonly #starts: number[] = [0];
  #position = 0;
  #pixels = 0;

  constructor(pixelsPerFrame: number) {
    this.#pixelsPerFrame = pixelsPerFrame;
  }

  feed(values: Uint16Array): void {
    const perFrame = this.#pixelsPerFrame;
    let pixels = this.#pixels;
    for (let i = 0; i < values.length; i++) {
      if (values[i] === END_OF_PIXEL && ++pixels % perFrame === 0) {
        this.#starts.push(this.#position + i + 1);
      }
    }
    this.#pixels = pixels;
    this.#position += values.length;
  }

  /** Pixels ended so far. */
  get pixelsEnded(): number {
    return this.#pixels;
  }

  /**
   * Start of every frame with at least one entry: frame 0 at 0, then after
   * every `pixelsPerFrame` pixel ends (a frame that would start at the very
   * end of the stream is not listed).
   */
  get starts(): number[] {
    const s = [...this.#starts];
    if (s.length > 1 && s[s.length - 1] === this.#position) s.pop();
    return s;
  }
}

/** One frame of one stream, for the decoder: where it starts, and where the next frame does. */
export interface FrameRun {
  source: StreamSource;
  /** Names the stream in errors ("spectrum stream <uuid>"). */
  what: string;
  /** Frame number (from 0 in the file). */
  frame: number;
  /** First entry of the frame. */
  start: number;
  /** The next frame's first entry, or the stream's end for its last frame (`bounded` false). */
  end: number;
  /** Whether `end` is where the next frame starts (so the frame must end exactly there). */
  bounded: boolean;
}

interface Cursor {
  run: FrameRun;
  /** Index of the frame in the cube (0 when the frames are summed). */
  slot: number;
  /** Entries of the run, windowed: buffer[k] is entry windowStart + k. */
  buffer: Uint16Array;
  windowStart: number;
  windowEnd: number;
  position: number;
  /** Next pixel of the frame to decode. */
  pixel: number;
  done: boolean;
}

/**
 * Decodes frame runs into a cube, a block of pixels at a time (see the
 * header). `step` decodes the next block for every run and says whether
 * anything is left; feed it until it returns false.
 */
export class MapDecoder {
  readonly #out: CountArray;
  readonly #fileName: string;
  readonly #channels: number;
  readonly #bincount: number;
  readonly #pixelsPerFrame: number;
  readonly #table: Int32Array;
  readonly #cursors: Cursor[];
  /** The cursors by cube frame (one group when the frames are summed). */
  readonly #slots: Cursor[][];
  readonly #frameSize: number;
  #scratch: CountArray | null = null;
  #next = 0;
  #entries = 0;

  /**
   * `out` holds cubeLength(layout) zeros, and is filled; `runs` are the
   * frames to decode (those of `layout`'s range, of one or more streams, all
   * summed into the cube); each run reads its stream `window` entries at a
   * time.
   */
  constructor(
    layout: StreamLayout,
    out: CountArray,
    fileName: string,
    runs: readonly FrameRun[],
    window: number,
  ) {
    checkLayout(layout);
    if (out.length !== cubeLength(layout)) {
      throw new Error(
        `the cube has ${out.length} elements, the layout needs ${cubeLength(layout)}`,
      );
    }
    this.#out = out;
    this.#fileName = fileName;
    this.#channels = layout.bincount / layout.rebin;
    this.#bincount = layout.bincount;
    this.#pixelsPerFrame = layout.pixelsPerFrame;
    const table = new Int32Array(END_OF_PIXEL + 1).fill(-1);
    for (let c = 0; c < layout.bincount; c++) table[c] = Math.floor(c / layout.rebin);
    this.#table = table;
    const frameSize = layout.pixelsPerFrame * this.#channels;
    this.#frameSize = frameSize;
    const size = Math.max(1, Math.floor(window));
    this.#cursors = runs.map((run) => {
      if (run.frame < layout.firstFrame || run.frame >= layout.lastFrame) {
        throw new Error(`internal: frame ${run.frame} is outside the layout's frames`);
      }
      if (!(run.start >= 0 && run.start <= run.end && run.end <= run.source.length)) {
        throw new Error(`internal: frame ${run.frame} spans entries ${run.start} to ${run.end}`);
      }
      return {
        run,
        slot: layout.sumFrames ? 0 : run.frame - layout.firstFrame,
        buffer: new Uint16Array(Math.min(size, Math.max(1, run.end - run.start))),
        windowStart: run.start,
        windowEnd: run.start,
        position: run.start,
        pixel: 0,
        done: run.start === run.end,
      };
    });
    const slots = new Map<number, Cursor[]>();
    for (const c of this.#cursors) slots.set(c.slot, [...(slots.get(c.slot) ?? []), c]);
    this.#slots = [...slots.values()];
  }

  /** Entries decoded so far, over every run. */
  get entries(): number {
    return this.#entries;
  }

  /** Decodes the next `pixels` pixels of every run; false once the map is complete. */
  step(pixels: number): boolean {
    const block = Math.max(1, Math.floor(pixels));
    const from = this.#next;
    const end = Math.min(this.#pixelsPerFrame, from + block);
    const n = (end - from) * this.#channels;
    if (this.#scratch === null || this.#scratch.length < n) {
      const Ctor = this.#out.constructor as new (length: number) => CountArray;
      this.#scratch = new Ctor(n);
    }
    const scratch = this.#scratch;
    let active = false;
    for (const group of this.#slots) {
      let touched = false;
      for (const cursor of group) {
        if (cursor.done) continue;
        if (!touched) scratch.fill(0, 0, n);
        touched = true;
        this.#advance(cursor, from, end, scratch);
        if (!cursor.done) active = true;
      }
      if (touched) {
        const at = group[0]!.slot * this.#frameSize + from * this.#channels;
        this.#out.set(scratch.subarray(0, n), at);
      }
    }
    this.#next = end;
    return active && this.#next < this.#pixelsPerFrame;
  }

  /** Decodes `cursor` up to (not including) pixel `until` of its frame, into the block from pixel `from`. */
  #advance(cursor: Cursor, from: number, until: number, out: CountArray): void {
    const table = this.#table;
    const channels = this.#channels;
    const run = cursor.run;
    let pixel = cursor.pixel;
    let base = (pixel - from) * channels;
    let position = cursor.position;
    while (pixel < until) {
      if (position >= cursor.windowEnd) {
        if (position >= run.end) break;
        this.#refill(cursor, position);
      }
      const buffer = cursor.buffer;
      const offset = cursor.windowStart;
      const stop = cursor.windowEnd - offset;
      let i = position - offset;
      for (; i < stop; i++) {
        const v = buffer[i]!;
        const c = table[v]!;
        if (c >= 0) {
          out[base + c]!++;
          continue;
        }
        if (v !== END_OF_PIXEL) {
          throw new FileFormatError(
            this.#fileName,
            `${run.what}: entry ${offset + i} is ${v}, neither one of the ${this.#bincount} channels nor the end of a pixel (${END_OF_PIXEL})`,
          );
        }
        pixel++;
        base += channels;
        if (pixel >= until) {
          i++;
          break;
        }
      }
      this.#entries += offset + i - position;
      position = offset + i;
    }
    cursor.pixel = pixel;
    cursor.position = position;
    if (pixel >= this.#pixelsPerFrame) {
      cursor.done = true;
      if (run.bounded && position !== run.end) this.#inconsistent(run, position);
    } else if (position >= run.end) {
      cursor.done = true;
      // Only the stream's last frame may be cut short.
      if (run.bounded) this.#inconsistent(run, position);
    }
  }

  #refill(cursor: Cursor, position: number): void {
    const n = Math.min(cursor.buffer.length, cursor.run.end - position);
    cursor.buffer.set(cursor.run.source.read(position, n));
    cursor.windowStart = position;
    cursor.windowEnd = position + n;
  }

  #inconsistent(run: FrameRun, position: number): never {
    throw new FileFormatError(
      this.#fileName,
      `${run.what}: frame ${run.frame} ends at entry ${position}, but the next frame is said to start at entry ${run.end}`,
    );
  }
}

/** End-of-pixel entries in `values`. */
export function countPixelEnds(values: Uint16Array): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === END_OF_PIXEL) n++;
  return n;
}
