/**
 * Browser mode's file access by path: the page may name files (a path
 * field, a file browser) only inside folders the user chose, on the command
 * line (`--folder PATH`) or in the page, remembered in a settings file with
 * the recent list.
 *
 * The policy, for every path the page sends:
 * - a string of at most 4096 characters, absolute, with no NUL or other
 *   control character and no `..` segment (whatever the separator);
 * - resolved with realpath (symlinks followed, `.` and doubled separators
 *   gone), it must be a chosen folder or lie inside one (also resolved with
 *   realpath): a symlink that leads out is refused like an absolute path
 *   elsewhere;
 * - a file to open must be a regular file with a readable extension.
 * Percent signs are not decoded: paths travel as strings, so `%2e%2e` is a
 * name like any other (and must still resolve inside a folder).
 * Every refusal is a FolderAccessError whose message names the path and the
 * rule, ready to show.
 */
import { mkdir, readFile, readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, sep } from 'node:path';
import type { FolderEntry, FolderListing } from '../../api/types.js';
import { writeFileAtomic } from '../../io/node/read-file.js';

export class FolderAccessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FolderAccessError';
  }
}

const MAX_PATH = 4096;
/** Entries listed per folder at most (the rest are counted, not listed). */
export const MAX_ENTRIES = 2000;

/** Whether a character is a control character (C0 or DEL). */
const isControl = (ch: string): boolean => {
  const c = ch.charCodeAt(0);
  return c < 0x20 || c === 0x7f;
};

/** A short, safe rendering of a path for messages. */
function shown(path: string): string {
  const clean = Array.from(path, (ch) => (isControl(ch) ? '?' : ch)).join('');
  return clean.length > 120 ? `${clean.slice(0, 117)}...` : clean;
}

/** The checks on the text itself, before the file system is asked. */
export function checkPathText(path: unknown): string {
  if (typeof path !== 'string' || path.length === 0)
    throw new FolderAccessError('a path must be a non-empty text');
  if (path.length > MAX_PATH)
    throw new FolderAccessError(`the path is longer than ${MAX_PATH} characters`);
  if (Array.from(path).some(isControl))
    throw new FolderAccessError(`'${shown(path)}': a path may not hold control characters`);
  if (!isAbsolute(path))
    throw new FolderAccessError(
      `'${shown(path)}': give the full path (starting with ${sep}), or pick the file in the list`,
    );
  if (path.split(/[\\/]/).includes('..'))
    throw new FolderAccessError(`'${shown(path)}': a path may not go up with '..'`);
  return path;
}

/** Whether `real` is `folder` or inside it (both real paths). */
export function isInside(real: string, folder: string): boolean {
  if (real === folder) return true;
  const prefix = folder.endsWith(sep) ? folder : folder + sep;
  return real.startsWith(prefix);
}

async function real(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new FolderAccessError(`'${shown(path)}' does not exist`);
    if (code === 'EACCES')
      throw new FolderAccessError(`'${shown(path)}' cannot be read (permission denied)`);
    throw new FolderAccessError(`'${shown(path)}' cannot be resolved (${code ?? String(e)})`);
  }
}

/**
 * The real path of `path` if it lies inside one of `folders` (real paths),
 * else a FolderAccessError naming the path and the folders.
 */
export async function resolveInside(path: unknown, folders: readonly string[]): Promise<string> {
  const text = checkPathText(path);
  if (folders.length === 0)
    throw new FolderAccessError(
      'no folder is open to the browser: add one (or start with --folder PATH) first',
    );
  const resolved = await real(text);
  if (!folders.some((f) => isInside(resolved, f)))
    throw new FolderAccessError(
      `'${shown(text)}' is outside the folders open to the browser (${folders.map(shown).join(', ')})${resolved !== text ? `: it leads to '${shown(resolved)}'` : ''}`,
    );
  return resolved;
}

export interface BrowserSettings {
  folders: string[];
  recent: string[];
}

/** The user's folders and recent files, kept in a JSON settings file (written atomically). */
export class FolderAccess {
  #folders: string[] = [];
  #recent: string[] = [];
  readonly #file: string | null;
  readonly #extensions: ReadonlySet<string>;

  private constructor(file: string | null, extensions: readonly string[]) {
    this.#file = file;
    this.#extensions = new Set(extensions.map((e) => e.toLowerCase()));
  }

  /**
   * Loads the settings file (a missing or unreadable one starts empty) and
   * adds the folders given on the command line (refused with a message when
   * they are not folders).
   */
  static async open(options: {
    settingsFile: string | null;
    folders?: readonly string[];
    extensions: readonly string[];
  }): Promise<FolderAccess> {
    const access = new FolderAccess(options.settingsFile, options.extensions);
    if (options.settingsFile) {
      const text = await readFile(options.settingsFile, 'utf8').catch(() => null);
      if (text !== null) {
        try {
          const s = JSON.parse(text) as Partial<BrowserSettings>;
          const strings = (v: unknown): string[] =>
            Array.isArray(v) ? v.filter((p): p is string => typeof p === 'string') : [];
          // Remembered folders are checked again: one deleted since is dropped.
          for (const f of strings(s.folders)) {
            const r = await access.#folder(f).catch(() => null);
            if (r && !access.#folders.includes(r)) access.#folders.push(r);
          }
          access.#recent = strings(s.recent).slice(0, 10);
        } catch {
          // A damaged settings file: start empty (it is rewritten on the next change).
        }
      }
    }
    for (const f of options.folders ?? []) {
      const r = await access.#folder(f);
      if (!access.#folders.includes(r)) access.#folders.push(r);
    }
    return access;
  }

  get folders(): string[] {
    return [...this.#folders];
  }

  get recent(): string[] {
    return [...this.#recent];
  }

  /** The real path of a folder to add; refuses files, the root and anything that does not exist. */
  async #folder(path: unknown): Promise<string> {
    const text = checkPathText(path);
    const r = await real(text);
    const info = await stat(r);
    if (!info.isDirectory()) throw new FolderAccessError(`'${shown(text)}' is not a folder`);
    if (dirname(r) === r)
      throw new FolderAccessError(
        `'${shown(text)}' is the whole file system: choose a folder in it`,
      );
    return r;
  }

  async add(path: unknown): Promise<string[]> {
    const r = await this.#folder(path);
    if (!this.#folders.includes(r)) this.#folders.push(r);
    await this.save();
    return this.folders;
  }

  async remove(path: unknown): Promise<string[]> {
    const text = checkPathText(path);
    this.#folders = this.#folders.filter((f) => f !== text);
    await this.save();
    return this.folders;
  }

  /** A file to open: inside a folder, a regular file, with a readable extension. */
  async file(path: unknown): Promise<string> {
    const r = await resolveInside(path, this.#folders);
    const info = await stat(r);
    if (!info.isFile()) throw new FolderAccessError(`'${shown(String(path))}' is not a file`);
    if (!this.#extensions.has(extname(r).toLowerCase()))
      throw new FolderAccessError(
        `'${basename(r)}' is not a file SAMFire Studio reads (${[...this.#extensions].join(', ')})`,
      );
    return r;
  }

  /**
   * A folder's sub-folders and readable files (inside the chosen folders
   * only; entries that lead out through a symlink are left out), folders
   * first, by name. `null`: the chosen folders themselves.
   */
  async list(path: unknown): Promise<FolderListing> {
    if (path === null) {
      return {
        path: null,
        parent: null,
        entries: this.#folders.map((f) => ({ name: f, path: f, kind: 'folder', bytes: 0 })),
        more: 0,
      };
    }
    const dir = await resolveInside(path, this.#folders);
    const info = await stat(dir);
    if (!info.isDirectory())
      throw new FolderAccessError(`'${shown(String(path))}' is not a folder`);
    const names = await readdir(dir, { withFileTypes: true });
    const entries: FolderEntry[] = [];
    let more = 0;
    for (const d of names.sort((a, b) => a.name.localeCompare(b.name))) {
      if (d.name.startsWith('.')) continue;
      const full = join(dir, d.name);
      let target = full;
      let kind: 'folder' | 'file' | null = d.isDirectory() ? 'folder' : d.isFile() ? 'file' : null;
      let bytes = 0;
      if (d.isSymbolicLink() || kind === 'file') {
        const r = await realpath(full).catch(() => null);
        if (!r || !this.#folders.some((f) => isInside(r, f))) continue;
        const s = await stat(r).catch(() => null);
        if (!s) continue;
        target = r;
        kind = s.isDirectory() ? 'folder' : s.isFile() ? 'file' : null;
        bytes = s.isFile() ? s.size : 0;
      }
      if (kind === null) continue;
      if (kind === 'file' && !this.#extensions.has(extname(target).toLowerCase())) continue;
      if (entries.length >= MAX_ENTRIES) {
        more++;
        continue;
      }
      entries.push({ name: d.name, path: full, kind, bytes });
    }
    entries.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'folder' ? -1 : 1));
    const up = dirname(dir);
    const parent = up !== dir && this.#folders.some((f) => isInside(up, f)) ? up : null;
    return { path: dir, parent, entries, more };
  }

  /** Remembers the recent list (the shell's, newest first). */
  async setRecent(paths: readonly string[]): Promise<void> {
    this.#recent = paths.slice(0, 10);
    await this.save();
  }

  async save(): Promise<void> {
    if (!this.#file) return;
    const settings: BrowserSettings = { folders: this.#folders, recent: this.#recent };
    const file = this.#file;
    await mkdir(dirname(file), { recursive: true }).catch(() => undefined);
    await writeFileAtomic(file, `${JSON.stringify(settings, null, 2)}\n`).catch((e: unknown) =>
      console.error(`could not save the browser settings to ${file}: ${String(e)}`),
    );
  }
}
