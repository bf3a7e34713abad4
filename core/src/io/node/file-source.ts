/** A ByteSource over a file on disk: reads what is asked, never the whole file. */
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { FileFormatError } from '../errors.js';
import { checkRange, type ByteSource } from '../source.js';

export interface FileSource extends ByteSource {
  close(): Promise<void>;
}

export async function openFileSource(path: string): Promise<FileSource> {
  const name = basename(path);
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new FileFormatError(
      name,
      `cannot open: ${err instanceof Error ? err.message : String(err)}`,
      {
        cause: err,
      },
    );
  }
  const { size } = await handle.stat();
  return {
    name,
    size,
    async read(offset, length) {
      checkRange(name, size, offset, length);
      const out = new Uint8Array(length);
      let at = 0;
      while (at < length) {
        const { bytesRead } = await handle.read(out, at, length - at, offset + at);
        if (bytesRead === 0) {
          throw new FileFormatError(name, `the file ended early, at byte ${offset + at}`);
        }
        at += bytesRead;
      }
      return out;
    },
    close: () => handle.close(),
  };
}

/** Runs `fn` on the file's source and closes it whatever happens. */
export async function withFileSource<T>(
  path: string,
  fn: (source: FileSource) => Promise<T>,
): Promise<T> {
  const source = await openFileSource(path);
  try {
    return await fn(source);
  } finally {
    await source.close().catch(() => undefined);
  }
}
