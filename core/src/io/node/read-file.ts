/**
 * Reading signal files from disk and writing files safely. The parsing is
 * done by the pure readers in core/src/io; this layer only finds the bytes
 * (and companion files such as a Ripple .raw), picks the reader by
 * extension, and turns I/O failures into FileFormatErrors naming the file.
 */
import { randomBytes } from 'node:crypto';
import { constants as bufferConstants } from 'node:buffer';
import { open, readFile, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { Signal } from '../../model/signal.js';
import { readDm } from '../dm.js';
import { FileFormatError } from '../errors.js';
import { readMsa } from '../msa.js';
import { signalFromNpy } from '../npy.js';
import { readRipple } from '../ripple.js';
import type { ReadOptions } from '../source.js';
import { hitWriteFault, writeFaultFor } from './write-faults.js';
import { readBcfFile, readSpxFile } from './bruker.js';
import { readHspy } from './hspy-read.js';
import { readVelox } from './velox-read.js';
import { readAswFile, readJeolEdsFile, readJeolImageFile, readPtsFile } from './jeol.js';
import { readEmiFile, readSerFile } from './tia.js';

/**
 * Reads the file at `path` (already checked to exist and be non-empty).
 * Readers of large formats stream through a FileSource (./file-source.ts),
 * report progress, stop when `options.signal` aborts, and put the cube in
 * shared memory when asked (see ../source.ts).
 */
export type FileReader = (path: string, options: ReadOptions) => Promise<Signal[]>;

const readers = new Map<string, FileReader>();

/**
 * Registers (or replaces) the reader for file extensions such as '.hspy'.
 * Readers living in other modules (the HDF5 one) add themselves here.
 */
export function registerReader(extensions: readonly string[], reader: FileReader): void {
  for (const ext of extensions) readers.set(ext.toLowerCase(), reader);
}

/** The extensions with a registered reader, e.g. for an open-file dialog filter. */
export function readableExtensions(): string[] {
  return [...readers.keys()].sort();
}

/** Every signal in the file at `path`, chosen by extension. Errors are FileFormatErrors naming the file. */
export async function readSignalFile(path: string, options: ReadOptions = {}): Promise<Signal[]> {
  const name = basename(path);
  const ext = extname(path).toLowerCase();
  const reader = readers.get(ext);
  if (reader === undefined) {
    throw new FileFormatError(
      name,
      `unknown file type '${ext || '(none)'}'; readable types are ${readableExtensions().join(', ')}`,
    );
  }
  await checkSize(path);
  return reader(path, options);
}

/**
 * Writes `contents` to `path` so that readers see the old file or the new
 * one, never half of it: write a temporary file in the same directory (so
 * the rename stays on one file system), flush it to disk, rename it over
 * the target. The temporary file is removed if anything fails.
 */
export async function writeFileAtomic(
  path: string,
  contents: Uint8Array | string | readonly Uint8Array[],
): Promise<void> {
  const dir = dirname(path);
  const name = basename(path);
  const temp = join(dir, `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  // Large files come as chunks (the HDF5 writer's), written in order without joining them.
  const chunks =
    typeof contents === 'string'
      ? [Buffer.from(contents, 'utf8')]
      : contents instanceof Uint8Array
        ? [contents]
        : contents;
  let total = 0;
  for (const chunk of chunks) total += chunk.length;
  const fault = writeFaultFor(name, total);
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(temp, 'wx');
    let written = 0;
    if (fault && fault.at === 0 && total > 0) await hitWriteFault(fault, name, 0, total);
    for (const chunk of chunks) {
      for (let at = 0; at < chunk.length;) {
        // Stop at the fault's byte, if it falls in this chunk.
        const end =
          fault && fault.at > written && fault.at < written + chunk.length - at
            ? at + fault.at - written
            : chunk.length;
        const { bytesWritten } = await handle.write(chunk, at, end - at);
        at += bytesWritten;
        written += bytesWritten;
        if (fault && written === fault.at && fault.at < total)
          await hitWriteFault(fault, name, written, total);
      }
    }
    await handle.sync();
    if (fault && fault.at >= total) await hitWriteFault(fault, name, written, total);
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw new WriteError(path, err, temp);
  }
  // Make the rename itself durable; directories cannot be opened for sync on Windows.
  if (process.platform !== 'win32') {
    const d = await open(dir, 'r').catch(() => undefined);
    await d?.sync().catch(() => undefined);
    await d?.close().catch(() => undefined);
  }
  await removeStaleTemps(dir, name);
}

/** A failed write, saying which file and why in words to act on ("the disk is full"). */
export class WriteError extends Error {
  readonly path: string;
  /** The system error code (ENOSPC, EACCES, ...), if any. */
  readonly code: string | undefined;
  /** The problem without the file, for callers that say which file in their own words. */
  readonly problem: string;

  constructor(path: string, cause: unknown, temp?: string) {
    const code = (cause as NodeJS.ErrnoException | null)?.code;
    const raw = cause instanceof Error ? cause.message : String(cause);
    const problem = writeProblem(code, temp ? raw.replaceAll(temp, path) : raw);
    super(`cannot write ${path}: ${problem}`, { cause });
    this.name = 'WriteError';
    this.path = path;
    this.code = code;
    this.problem = problem;
  }
}

function writeProblem(code: string | undefined, raw: string): string {
  switch (code) {
    case 'ENOSPC':
      return 'the disk is full (ENOSPC: no space left on device)';
    case 'EDQUOT':
      return 'the disk quota is used up (EDQUOT)';
    case 'EROFS':
      return 'the file system is read-only (EROFS)';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'ENOENT':
      return 'its folder does not exist (ENOENT)';
    default:
      return raw;
  }
}

/**
 * Temporary files of earlier writes to the same target by processes that no
 * longer exist (killed mid-write) are removed after a successful write.
 */
async function removeStaleTemps(dir: string, name: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const prefix = `.${name}.`;
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const m = /^(\d+)\.[0-9a-f]{12}\.tmp$/.exec(n.slice(prefix.length));
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processExists(pid)) continue;
    await unlink(join(dir, n)).catch(() => undefined);
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, as another user's.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function checkSize(path: string): Promise<number> {
  const name = basename(path);
  const info = await stat(path).catch((err: unknown) => {
    throw new FileFormatError(name, `cannot open: ${describe(err)}`, { cause: err });
  });
  if (!info.isFile()) throw new FileFormatError(name, 'not a regular file');
  if (info.size === 0) throw new FileFormatError(name, 'the file is empty');
  if (info.size > bufferConstants.MAX_LENGTH) {
    throw new FileFormatError(
      name,
      `the file (${info.size} bytes) is larger than can be read into memory`,
    );
  }
  return info.size;
}

async function bytesOf(path: string): Promise<Uint8Array> {
  try {
    const buf = await readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (err) {
    throw new FileFormatError(basename(path), `cannot read: ${describe(err)}`, { cause: err });
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The .raw file next to a .rpl: same stem, any case of the extension. */
async function findRaw(rplPath: string): Promise<string> {
  const dir = dirname(rplPath);
  const stem = basename(rplPath, extname(rplPath));
  const exact = join(dir, `${stem}.raw`);
  if (
    await stat(exact).then(
      (s) => s.isFile(),
      () => false,
    )
  )
    return exact;
  const names = await readdir(dir).catch(() => [] as string[]);
  const match = names.find((n) => n.toLowerCase() === `${stem}.raw`.toLowerCase());
  if (match === undefined) {
    throw new FileFormatError(
      basename(rplPath),
      `its data file '${stem}.raw' was not found next to it`,
    );
  }
  return join(dir, match);
}

registerReader(['.npy'], async (path) => [signalFromNpy(await bytesOf(path), basename(path))]);
registerReader(['.msa', '.ems'], async (path) => [readMsa(await bytesOf(path), basename(path))]);
registerReader(['.dm3', '.dm4'], async (path) => readDm(await bytesOf(path), basename(path)));
registerReader(['.rpl'], async (path) => {
  const rawPath = await findRaw(path);
  const [rpl, raw] = await Promise.all([bytesOf(path), bytesOf(rawPath)]);
  return [readRipple(rpl, raw, { rpl: basename(path), raw: basename(rawPath) })];
});
registerReader(['.hspy', '.hdf5'], async (path, options) => [
  ...(await readHspy(path, options)).signals,
]);
registerReader(['.bcf'], readBcfFile);
registerReader(['.spx'], readSpxFile);
registerReader(['.emd'], readVelox);
registerReader(['.emi'], readEmiFile);
registerReader(['.ser'], readSerFile);
registerReader(['.pts'], readPtsFile);
registerReader(['.asw'], readAswFile);
registerReader(['.img', '.map'], readJeolImageFile);
registerReader(['.eds'], readJeolEdsFile);
