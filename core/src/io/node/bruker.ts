/**
 * Bruker files from disk: .bcf hypermaps streamed through a FileSource with
 * node:zlib inflating, .spx spectra read whole (they are small XML files).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Signal } from '../../model/signal.js';
import { readBcf, type BcfOptions } from '../bruker/bcf.js';
import { readSpx } from '../bruker/spx.js';
import { FileFormatError } from '../errors.js';
import type { ReadOptions } from '../source.js';
import { withFileSource } from './file-source.js';
import { nodeInflate } from './inflate.js';

/** The images and spectrum images of the .bcf file at `path` (HyperSpy's options in `options`). */
export function readBcfFile(
  path: string,
  options: BcfOptions & ReadOptions = {},
): Promise<Signal[]> {
  return withFileSource(path, (source) => readBcf(source, { inflate: nodeInflate, ...options }));
}

/** The spectrum of the .spx file at `path`. */
export async function readSpxFile(path: string, options: ReadOptions = {}): Promise<Signal[]> {
  const name = basename(path);
  let bytes: Buffer;
  try {
    bytes = await readFile(path, options.signal ? { signal: options.signal } : {});
  } catch (err) {
    if (err instanceof Error && err.name === 'AbortError') throw err;
    throw new FileFormatError(
      name,
      `cannot read: ${err instanceof Error ? err.message : String(err)}`,
      {
        cause: err,
      },
    );
  }
  return [
    await readSpx(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), name, {
      inflate: nodeInflate,
    }),
  ];
}
