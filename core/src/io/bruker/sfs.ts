/**
 * AidAim Software's single-file system (SFS), the container of Bruker's
 * .bcf (and .pan) files: a virtual file system inside one file, read here
 * through a ByteSource so that a 1 GiB map is never read whole.
 *
 * Layout (public-domain notes by P. Jokubauskas, in NeXLSpectrum.jl):
 * - bytes 0..8 'AAMVHFSS'; at 0x124 the version (float32), at 0x128 the
 *   chunk size; at 0x140 the chunk holding the file tree, the number of tree
 *   items and the number of chunks (uint32 each, little-endian).
 * - the file is divided into chunks of `chunkSize` bytes from offset 0x118;
 *   each chunk starts with a 32-byte header whose first uint32 is the next
 *   chunk of a chained structure (tree, pointer table); the rest is data.
 * - the tree: 512-byte items, floor(usable / 512) per chunk: at 0 the chunk
 *   of the item's pointer table, at 4 its size (uint64), at 40 the parent
 *   item (int32, -1 at the root), at 220 a directory flag, at 224 the name
 *   (NUL-terminated).
 * - a file's pointer table lists the chunk of every `usable`-byte piece of
 *   its contents, as uint32s packed over the table's own chained chunks.
 *
 * Internal files may be compressed ('AACS'): a 0x80-byte header (at 12 the
 * number of blocks), then blocks of [compressed size, decompressed size,
 * checksum, offset of the next block] (uint32 each) followed by one zlib
 * stream, so the contents can be inflated block by block with bounded memory.
 * Inflating is injected (Inflate): the platform's DecompressionStream by
 * default, node:zlib from the Node layer, which is faster.
 */
import { concatBytes } from '../binary.js';
import { FileFormatError } from '../errors.js';
import { throwIfAborted, type ByteSource } from '../source.js';

/**
 * Decompresses one zlib stream into at most `maxSize` bytes (rejecting one
 * that would inflate to more: a forged header cannot make it allocate more).
 */
export type Inflate = (compressed: Uint8Array, maxSize: number) => Promise<Uint8Array>;

/** Inflate with the web platform's DecompressionStream (Node 18+, browsers): pure. */
export const webInflate: Inflate = async (compressed, maxSize) => {
  const stream = new DecompressionStream('deflate');
  const writer = stream.writable.getWriter();
  // Errors surface on the readable side; these only keep them from being unhandled.
  writer.write(compressed).catch(() => undefined);
  writer.close().catch(() => undefined);
  const reader = stream.readable.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { value, done } = (await reader.read()) as { value?: Uint8Array; done: boolean };
    if (done) break;
    if (value === undefined) continue;
    if (n + value.length > maxSize) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`it inflates to more than ${maxSize} bytes`);
    }
    parts.push(value);
    n += value.length;
  }
  return concatBytes(parts, n);
};

const MAGIC = 'AAMVHFSS';
/** Where chunk 0 starts. */
const CHUNK_BASE = 0x118;
const CHUNK_HEADER = 32;
const ITEM_SIZE = 0x200;
/** The largest single read of contiguous chunks. */
const MAX_READ = 8 * 1024 * 1024;

export interface SfsEntry {
  /** Index in the tree. */
  index: number;
  name: string;
  /** Path from the root, '/'-separated: 'EDSDatabase/HeaderData'. */
  path: string;
  isDirectory: boolean;
  /** Stored size in bytes (compressed, if the contents are). */
  size: number;
  parent: number;
  /** Chunk holding the start of the pointer table. */
  tableChunk: number;
}

function u32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

/** Progress of a streamed read: stored bytes consumed so far of the total. */
export type BlockProgress = (doneBytes: number, totalBytes: number) => void;

export class SfsContainer {
  readonly source: ByteSource;
  readonly version: number;
  readonly chunkSize: number;
  readonly chunkCount: number;
  readonly entries: readonly SfsEntry[];
  readonly #tables = new Map<number, Promise<Uint32Array>>();

  private constructor(
    source: ByteSource,
    version: number,
    chunkSize: number,
    chunkCount: number,
    entries: SfsEntry[],
  ) {
    this.source = source;
    this.version = version;
    this.chunkSize = chunkSize;
    this.chunkCount = chunkCount;
    this.entries = entries;
  }

  get usable(): number {
    return this.chunkSize - CHUNK_HEADER;
  }

  fail(problem: string): never {
    throw new FileFormatError(this.source.name, problem);
  }

  /** Opens the container: checks the header and reads the file tree. */
  static async open(source: ByteSource): Promise<SfsContainer> {
    const name = source.name;
    const fail = (problem: string): never => {
      throw new FileFormatError(name, problem);
    };
    if (source.size < 0x150) {
      const head = await source.read(0, Math.min(8, source.size));
      if (String.fromCharCode(...head) !== MAGIC)
        fail('not a Bruker .bcf file (no AidAim SFS signature)');
      fail(`truncated: a ${source.size}-byte file cannot hold the SFS header`);
    }
    const h = await source.read(0, 0x150);
    if (String.fromCharCode(...h.subarray(0, 8)) !== MAGIC) {
      fail('not a Bruker .bcf file (no AidAim SFS signature)');
    }
    const version = new DataView(h.buffer, h.byteOffset + 0x124, 4).getFloat32(0, true);
    const chunkSize = u32(h, 0x128);
    const treeChunk = u32(h, 0x140);
    const itemCount = u32(h, 0x144);
    const chunkCount = u32(h, 0x148);
    if (chunkSize < ITEM_SIZE + CHUNK_HEADER || chunkSize > 1 << 24) {
      fail(`SFS: implausible chunk size ${chunkSize}`);
    }
    const fileChunks = Math.floor((source.size - CHUNK_BASE) / chunkSize);
    if (chunkCount === 0 || chunkCount > fileChunks + 1) {
      fail(
        `SFS: the header lists ${chunkCount} chunks of ${chunkSize} bytes but the file (${source.size} bytes) holds ${fileChunks}: it is truncated or damaged`,
      );
    }
    const perChunk = Math.floor((chunkSize - CHUNK_HEADER) / ITEM_SIZE);
    const treeChunks = Math.ceil(itemCount / perChunk);
    if (itemCount === 0 || treeChunks > chunkCount) {
      fail(`SFS: implausible number of files (${itemCount})`);
    }
    const container = new SfsContainer(source, version, chunkSize, chunkCount, []);
    const entries: SfsEntry[] = [];
    let chunk = treeChunk;
    for (let t = 0; t < treeChunks; t++) {
      const bytes = await container.readChunk(chunk, 'the file tree');
      const items = Math.min(perChunk, itemCount - t * perChunk);
      for (let k = 0; k < items; k++) {
        const o = CHUNK_HEADER + k * ITEM_SIZE;
        const lo = u32(bytes, o + 4);
        const hi = u32(bytes, o + 8);
        const size = hi * 2 ** 32 + lo;
        const parent = u32(bytes, o + 40) | 0;
        const isDirectory = bytes[o + 220] !== 0;
        let end = o + 224;
        while (end < o + ITEM_SIZE && bytes[end] !== 0) end++;
        const itemName = String.fromCharCode(...bytes.subarray(o + 224, end));
        const index = entries.length;
        if (!Number.isSafeInteger(size)) fail(`SFS: file '${itemName}' has an invalid size`);
        entries.push({
          index,
          name: itemName,
          path: itemName,
          isDirectory,
          size,
          parent,
          tableChunk: u32(bytes, o),
        });
      }
      chunk = u32(bytes, 0);
    }
    // Paths: parents come before children in the files seen, but do not rely on it.
    for (const e of entries) {
      const parts = [e.name];
      let p = e.parent;
      for (let guard = 0; p >= 0 && guard < entries.length; guard++) {
        const parent = entries[p];
        if (!parent) fail(`SFS: file '${e.name}' has a parent (${p}) that does not exist`);
        parts.unshift(parent!.name);
        p = parent!.parent;
      }
      if (p >= 0) fail(`SFS: the parents of '${e.name}' form a loop`);
      e.path = parts.join('/');
    }
    (container as { entries: readonly SfsEntry[] }).entries = entries;
    return container;
  }

  /** The file at `path` ('EDSDatabase/HeaderData'), if there is one. */
  find(path: string): SfsEntry | undefined {
    return this.entries.find((e) => !e.isDirectory && e.path === path);
  }

  /** Byte offset of chunk `k` in the file. */
  chunkOffset(k: number, what: string): number {
    if (!Number.isInteger(k) || k < 0 || k >= this.chunkCount) {
      this.fail(`SFS: ${what} points to chunk ${k}, outside the ${this.chunkCount} chunks`);
    }
    return CHUNK_BASE + k * this.chunkSize;
  }

  async readChunk(k: number, what: string): Promise<Uint8Array> {
    const at = this.chunkOffset(k, what);
    return (await this.source.read(at, this.chunkSize)).slice();
  }

  /** The chunk of every piece of `entry`'s contents (read once, then cached). */
  table(entry: SfsEntry): Promise<Uint32Array> {
    let t = this.#tables.get(entry.index);
    if (!t) {
      t = this.#readTable(entry);
      this.#tables.set(entry.index, t);
    }
    return t;
  }

  async #readTable(entry: SfsEntry): Promise<Uint32Array> {
    const usable = this.usable;
    const pieces = Math.ceil(entry.size / usable);
    if (pieces > this.chunkCount) {
      this.fail(`SFS: '${entry.path}' claims ${entry.size} bytes, more than the file holds`);
    }
    const table = new Uint32Array(pieces);
    const perChunk = Math.floor(usable / 4);
    let chunk = entry.tableChunk;
    for (let done = 0; done < pieces;) {
      const bytes = await this.readChunk(chunk, `the chunk table of '${entry.path}'`);
      const n = Math.min(perChunk, pieces - done);
      for (let k = 0; k < n; k++) table[done + k] = u32(bytes, CHUNK_HEADER + 4 * k);
      done += n;
      chunk = u32(bytes, 0);
    }
    for (let k = 0; k < pieces; k++) this.chunkOffset(table[k]!, `'${entry.path}'`);
    return table;
  }

  /** `length` stored bytes of `entry` from `offset` (as stored: compressed if it is). */
  async readStored(entry: SfsEntry, offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0 || length < 0 || offset + length > entry.size) {
      this.fail(
        `SFS: '${entry.path}' is ${entry.size} bytes long; bytes ${offset}..${offset + length} were asked for`,
      );
    }
    const table = await this.table(entry);
    const usable = this.usable;
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const logical = offset + done;
      const first = Math.floor(logical / usable);
      const within = logical - first * usable;
      // A run of physically consecutive chunks is one read.
      const want = length - done;
      const chunksNeeded = Math.ceil((within + want) / usable);
      let run = 1;
      const maxRun = Math.max(1, Math.floor(MAX_READ / this.chunkSize));
      while (run < chunksNeeded && run < maxRun && table[first + run] === table[first]! + run)
        run++;
      const take = Math.min(want, run * usable - within);
      const start = this.chunkOffset(table[first]!, `'${entry.path}'`) + CHUNK_HEADER + within;
      const lastChunk = first + Math.ceil((within + take) / usable) - 1;
      const end =
        this.chunkOffset(table[lastChunk]!, `'${entry.path}'`) +
        CHUNK_HEADER +
        (within + take - (lastChunk - first) * usable);
      const bytes = await this.source.read(start, end - start);
      // Copy the data parts, skipping the chunk headers between them.
      let src = 0;
      let left = take;
      let room = usable - within;
      while (left > 0) {
        const n = Math.min(left, room);
        out.set(bytes.subarray(src, src + n), done);
        done += n;
        left -= n;
        src += n + CHUNK_HEADER;
        room = usable;
      }
    }
    return out;
  }

  /** Opens `entry`'s contents for reading block by block (decompressing AACS). */
  async openContents(entry: SfsEntry, inflate: Inflate): Promise<ContentsReader> {
    const head = await this.readStored(entry, 0, Math.min(entry.size, 0x80));
    if (head.length >= 4 && String.fromCharCode(...head.subarray(0, 4)) === 'AACS') {
      if (entry.size < 0x80) this.fail(`'${entry.path}': truncated compression header`);
      return new AacsReader(this, entry, inflate, u32(head, 12), u32(head, 4));
    }
    return new StoredReader(this, entry);
  }

  /** The whole decompressed contents of a (small) file, at most `limit` bytes. */
  async readFile(
    entry: SfsEntry,
    inflate: Inflate,
    limit: number,
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    const reader = await this.openContents(entry, inflate);
    const parts: Uint8Array[] = [];
    let n = 0;
    for (;;) {
      throwIfAborted(signal);
      const block = await reader.next();
      if (block === null) break;
      n += block.length;
      if (n > limit) this.fail(`'${entry.path}' decompresses to more than ${limit} bytes`);
      parts.push(block);
    }
    return concatBytes(parts, n);
  }
}

/** Sequential access to one internal file's (decompressed) contents. */
export interface ContentsReader {
  /** Stored bytes of the file (what progress counts). */
  readonly storedSize: number;
  /** Stored bytes consumed so far. */
  readonly storedDone: number;
  /** The next block of contents, or null at the end. The block is the caller's. */
  next(): Promise<Uint8Array | null>;
}

class StoredReader implements ContentsReader {
  readonly storedSize: number;
  storedDone = 0;
  readonly #sfs: SfsContainer;
  readonly #entry: SfsEntry;

  constructor(sfs: SfsContainer, entry: SfsEntry) {
    this.#sfs = sfs;
    this.#entry = entry;
    this.storedSize = entry.size;
  }

  async next(): Promise<Uint8Array | null> {
    if (this.storedDone >= this.storedSize) return null;
    const n = Math.min(4 * 1024 * 1024, this.storedSize - this.storedDone);
    const out = await this.#sfs.readStored(this.#entry, this.storedDone, n);
    this.storedDone += n;
    return out;
  }
}

/** AACS blocks, with the next blocks read and inflated ahead while the caller works. */
class AacsReader implements ContentsReader {
  readonly storedSize: number;
  storedDone = 0x80;
  readonly #sfs: SfsContainer;
  readonly #entry: SfsEntry;
  readonly #inflate: Inflate;
  readonly #blocks: number;
  readonly #blockLimit: number;
  #nextBlock = 0;
  #at = 0x80;
  readonly #queue: { data: Promise<Uint8Array>; end: number }[] = [];
  static readonly LOOKAHEAD = 3;

  constructor(
    sfs: SfsContainer,
    entry: SfsEntry,
    inflate: Inflate,
    blocks: number,
    blockSize: number,
  ) {
    this.#sfs = sfs;
    this.#entry = entry;
    this.#inflate = inflate;
    this.#blocks = blocks;
    // Blocks are at most the declared block size (512 KiB in every file seen); never trust more than 64 MiB.
    this.#blockLimit = Math.min(Math.max(blockSize, 1 << 16), 1 << 26);
    this.storedSize = entry.size;
    const maxBlocks = Math.ceil((entry.size - 0x80) / 17);
    if (blocks > maxBlocks) {
      sfs.fail(`'${entry.path}': ${blocks} compressed blocks cannot fit in ${entry.size} bytes`);
    }
  }

  async #load(): Promise<void> {
    const sfs = this.#sfs;
    const entry = this.#entry;
    const k = this.#nextBlock;
    if (this.#at + 16 > entry.size) {
      sfs.fail(`'${entry.path}': truncated at compressed block ${k} of ${this.#blocks}`);
    }
    const h = await sfs.readStored(entry, this.#at, 16);
    const stored = u32(h, 0);
    const size = u32(h, 4);
    if (stored === 0 || this.#at + 16 + stored > entry.size) {
      sfs.fail(
        `'${entry.path}': compressed block ${k} of ${this.#blocks} (${stored} bytes at ${this.#at}) runs past the end of the file`,
      );
    }
    if (size === 0 || size > this.#blockLimit) {
      sfs.fail(
        `'${entry.path}': compressed block ${k} claims an implausible size of ${size} bytes`,
      );
    }
    const compressed = await sfs.readStored(entry, this.#at + 16, stored);
    const name = sfs.source.name;
    const data = this.#inflate(compressed, size).then(
      (out) => {
        if (out.length !== size) {
          throw new FileFormatError(
            name,
            `'${entry.path}': compressed block ${k} inflates to ${out.length} bytes, not the ${size} it declares`,
          );
        }
        return out;
      },
      (err: unknown) => {
        throw new FileFormatError(
          name,
          `'${entry.path}': compressed block ${k} is damaged (${err instanceof Error ? err.message : String(err)})`,
          { cause: err },
        );
      },
    );
    // Rejections are handled when the block is taken; this keeps one queued ahead from counting as unhandled.
    data.catch(() => undefined);
    this.#at += 16 + stored;
    this.#nextBlock++;
    this.#queue.push({ data, end: this.#at });
  }

  async next(): Promise<Uint8Array | null> {
    while (this.#queue.length < AacsReader.LOOKAHEAD && this.#nextBlock < this.#blocks) {
      await this.#load();
    }
    const item = this.#queue.shift();
    if (!item) return null;
    const data = await item.data;
    this.storedDone = item.end;
    return data;
  }
}
