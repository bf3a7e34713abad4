/**
 * The EDS spectrum stream of Thermo Fisher Velox .emd files
 * (`Data/SpectrumStream/<uuid>/Data`), decoded into a spectrum image. Pure:
 * values in, counts out; the HDF5 access is in ../node/velox-read.ts.
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
 * The decoder adds each event to the cube it is given (so several detector
 * segments can be summed into one cube, stream after stream): with the frames
 * summed the cube is `pixels x channels`, else `frames x pixels x channels`,
 * with `channels = bincount / rebin`. Integer cubes wrap on overflow as
 * numpy's counters do (a uint16 map summing more than 65535 counts in one
 * channel of one pixel).
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

/**
 * A decoder for one stream, fed in blocks (`decode`), in order. It may start
 * at the beginning of a frame (`start`) when the file says where frames
 * begin, so the frames before `firstFrame` need not be read.
 */
export class StreamDecoder {
  readonly #out: CountArray;
  readonly #fileName: string;
  readonly #what: string;
  readonly #channels: number;
  readonly #bincount: number;
  readonly #pixelsPerFrame: number;
  readonly #sumFrames: boolean;
  readonly #startPixel: number;
  readonly #endPixel: number;
  /** Channel -> output channel for events; -1 for the end of a pixel and for values that are not channels. */
  readonly #table: Int32Array;
  /** Absolute pixel (frame * pixelsPerFrame + pixel in the frame) of the next event. */
  #pixel = 0;
  /** Entries consumed, counted from the start of the stream. */
  #position = 0;
  #events = 0;
  #markers = 0;

  /**
   * `out` is the cube (cubeLength(layout) elements, zeroed or holding the
   * counts of the streams decoded before); `what` names the stream in errors.
   */
  constructor(layout: StreamLayout, out: CountArray, fileName: string, what: string) {
    checkLayout(layout);
    if (out.length !== cubeLength(layout)) {
      throw new Error(
        `the cube has ${out.length} elements, the layout needs ${cubeLength(layout)}`,
      );
    }
    this.#out = out;
    this.#fileName = fileName;
    this.#what = what;
    this.#channels = layout.bincount / layout.rebin;
    this.#bincount = layout.bincount;
    this.#pixelsPerFrame = layout.pixelsPerFrame;
    this.#sumFrames = layout.sumFrames;
    this.#startPixel = layout.firstFrame * layout.pixelsPerFrame;
    this.#endPixel = layout.lastFrame * layout.pixelsPerFrame;
    const table = new Int32Array(END_OF_PIXEL + 1).fill(-1);
    for (let c = 0; c < layout.bincount; c++) table[c] = Math.floor(c / layout.rebin);
    this.#table = table;
  }

  /** Continue at entry `position`, the first of pixel 0 of frame `frame` (before any decode). */
  start(position: number, frame: number): void {
    if (this.#position !== 0 || this.#pixel !== 0) {
      throw new Error('internal: StreamDecoder.start after decoding began');
    }
    this.#position = position;
    this.#pixel = frame * this.#pixelsPerFrame;
  }

  /** Whether the last frame wanted has ended (the rest of the stream need not be read). */
  get done(): boolean {
    return this.#pixel >= this.#endPixel;
  }

  /** Entries consumed so far, from the start of the stream. */
  get position(): number {
    return this.#position;
  }

  /** Events added to the cube. */
  get events(): number {
    return this.#events;
  }

  /** Pixels ended so far (end-of-pixel entries seen, counted from the start of the stream). */
  get pixelsEnded(): number {
    return this.#pixel;
  }

  /**
   * Adds the events of the next `values` to the cube. Returns the entries
   * used: all of them, or fewer when the last frame wanted ended inside the
   * block. A value that is neither a channel nor the end of a pixel is a
   * FileFormatError naming the stream and the entry.
   */
  decode(values: Uint16Array): number {
    const out = this.#out;
    const table = this.#table;
    const channels = this.#channels;
    const perFrame = this.#pixelsPerFrame;
    const start = this.#startPixel;
    const end = this.#endPixel;
    const n = values.length;
    let pixel = this.#pixel;
    if (pixel >= end) return 0;
    let markers = this.#markers;
    let events = 0;
    // Output offset of the current pixel's spectrum, or -1 while before the first frame wanted.
    let base = this.#base(pixel);
    let i = 0;
    for (; i < n; i++) {
      const v = values[i]!;
      const c = table[v]!;
      if (c >= 0) {
        if (base >= 0) {
          out[base + c]!++;
          events++;
        }
        continue;
      }
      if (v !== END_OF_PIXEL) {
        this.#pixel = pixel;
        throw new FileFormatError(
          this.#fileName,
          `${this.#what}: entry ${this.#position + i} is ${v}, neither one of the ${this.#bincount} channels nor the end of a pixel (${END_OF_PIXEL})`,
        );
      }
      pixel++;
      markers++;
      if (pixel >= end) {
        i++;
        break;
      }
      if (pixel < start) continue;
      base = this.#sumFrames ? (pixel % perFrame) * channels : (pixel - start) * channels;
    }
    this.#pixel = pixel;
    this.#markers = markers;
    this.#position += i;
    this.#events += events;
    return i;
  }

  #base(pixel: number): number {
    if (pixel < this.#startPixel || pixel >= this.#endPixel) return -1;
    const local = this.#sumFrames ? pixel % this.#pixelsPerFrame : pixel - this.#startPixel;
    return local * this.#channels;
  }
}

/** End-of-pixel entries in `values` (to count the frames of a stream whose file does not say). */
export function countPixelEnds(values: Uint16Array): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === END_OF_PIXEL) n++;
  return n;
}
