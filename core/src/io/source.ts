/**
 * What every streaming reader is given: random access to the file's bytes
 * (so a 1 GiB file is never read whole), progress, cancellation, and where to
 * put the decoded cube (ordinary memory, or SharedArrayBuffers for a run on
 * worker threads). Pure: the Node file-backed source is in node/file-source.ts.
 */
import { allocate, DTYPE_SIZE, type DType, type NumericArray } from '../model/dtype.js';
import { FileFormatError } from './errors.js';

/** Random-access bytes of one file. */
export interface ByteSource {
  /** The file's name (no directory), for error messages. */
  readonly name: string;
  /** Its size in bytes. */
  readonly size: number;
  /**
   * `length` bytes from `offset`. Asking past the end is a FileFormatError
   * naming the file ("truncated: wanted bytes 100..200 of 150"). The bytes
   * may be a view of a shared buffer: copy them to keep them past the next read.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** Progress of one read: `done` of `total` units (bytes read or pixels decoded), and what is being done. */
export interface ReadProgress {
  done: number;
  total: number;
  stage?: string;
}

/** Options every reader takes, beside its format's own. */
export interface ReadOptions {
  /** Called now and then (at most every few MB or % of the work) while reading. */
  onProgress?: (progress: ReadProgress) => void;
  /** Aborting it makes the read reject with an AbortError soon (between blocks). */
  signal?: AbortSignal;
  /**
   * Put large arrays (the data cube, an array variance) over SharedArrayBuffers,
   * for runs on worker threads (see io/shared-array.ts).
   * @default false
   */
  sharedMemory?: boolean;
}

/** The ByteSource of bytes already in memory (tests, uploads, pure callers). */
export function bytesSource(bytes: Uint8Array, name: string): ByteSource {
  return {
    name,
    size: bytes.length,
    read(offset, length) {
      checkRange(name, bytes.length, offset, length);
      return Promise.resolve(bytes.subarray(offset, offset + length));
    },
  };
}

/** Throws the FileFormatError for a read outside a file of `size` bytes. */
export function checkRange(name: string, size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new FileFormatError(name, `invalid read of ${length} bytes at offset ${offset}`);
  }
  if (offset + length > size) {
    throw new FileFormatError(
      name,
      `truncated: wanted bytes ${offset}..${offset + length} of a ${size}-byte file`,
    );
  }
}

/** Rejects with the abort reason when `signal` has been aborted (call between blocks). */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof Error) throw reason;
    const err = new Error('the read was cancelled');
    err.name = 'AbortError';
    throw err;
  }
}

/** The most elements of one cube a reader may allocate (2^31 - 1 is typed arrays' limit on some engines). */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/**
 * Allocates the decoded cube of `length` elements after checking it is
 * possible at all: a forged header (a cube of terabytes) becomes a clear
 * FileFormatError before any allocation. `limitBytes` caps what a file of its
 * size can plausibly decode into (readers pass e.g. a compression bound).
 */
export function allocateCube(
  name: string,
  dtype: DType,
  length: number,
  options: { sharedMemory?: boolean; limitBytes?: number; what?: string } = {},
): NumericArray {
  const bytes = checkCube(name, length, DTYPE_SIZE[dtype], options);
  if (!options.sharedMemory) return allocate(dtype, length);
  const buffer = new SharedArrayBuffer(bytes);
  return typedOver(dtype, buffer, length);
}

/**
 * The checks of allocateCube, for readers whose library allocates (h5wasm):
 * throws the same FileFormatErrors, else returns the cube's size in bytes.
 */
export function checkCube(
  name: string,
  length: number,
  bytesPerElement: number,
  options: { limitBytes?: number; what?: string } = {},
): number {
  const what = options.what ?? 'the data';
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new FileFormatError(name, `${what}: invalid size ${length}`);
  }
  const bytes = length * bytesPerElement;
  if (length > MAX_ELEMENTS) {
    throw new FileFormatError(
      name,
      `${what} would hold ${length} values (${formatBytes(bytes)}), more than can be held in memory`,
    );
  }
  if (options.limitBytes !== undefined && bytes > options.limitBytes) {
    throw new FileFormatError(
      name,
      `${what} would take ${formatBytes(bytes)}, more than a file of this size can hold (${formatBytes(options.limitBytes)} at most): the header is damaged`,
    );
  }
  return bytes;
}

function typedOver(dtype: DType, buffer: SharedArrayBuffer, length: number): NumericArray {
  switch (dtype) {
    case 'bool':
    case 'uint8':
      return new Uint8Array(buffer, 0, length);
    case 'int8':
      return new Int8Array(buffer, 0, length);
    case 'int16':
      return new Int16Array(buffer, 0, length);
    case 'uint16':
      return new Uint16Array(buffer, 0, length);
    case 'int32':
      return new Int32Array(buffer, 0, length);
    case 'uint32':
      return new Uint32Array(buffer, 0, length);
    case 'int64':
      return new BigInt64Array(buffer, 0, length);
    case 'uint64':
      return new BigUint64Array(buffer, 0, length);
    case 'float32':
      return new Float32Array(buffer, 0, length);
    case 'float64':
      return new Float64Array(buffer, 0, length);
  }
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}
