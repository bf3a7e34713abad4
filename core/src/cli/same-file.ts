/**
 * Refusing to write over a command's input: two paths name the same file
 * when they are the same inode (symlinks followed, hard links included), or,
 * for a file not yet created, the same name in the same real folder.
 */
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

async function identity(path: string): Promise<string> {
  const info = await stat(path).catch(() => null);
  if (info) return `inode ${info.dev}:${info.ino}`;
  const dir = await realpath(dirname(resolve(path))).catch(() => dirname(resolve(path)));
  return `path ${join(dir, basename(path))}`;
}

export async function sameFile(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([identity(a), identity(b)]);
  return x === y;
}

/**
 * Throws when two of the named files are one, e.g. `--out` and the input.
 * `files` lists [what, path] pairs in order of importance; nulls are skipped.
 */
export async function checkDistinct(files: readonly [string, string | null][]): Promise<void> {
  const given = files.filter((f): f is [string, string] => f[1] !== null);
  for (let i = 0; i < given.length; i++) {
    for (let j = i + 1; j < given.length; j++) {
      const [whatA, a] = given[i]!;
      const [whatB, b] = given[j]!;
      if (await sameFile(a, b)) {
        throw new Error(
          `${whatB} ${b} is the same file as ${whatA} ${a}: choose another name (nothing was written)`,
        );
      }
    }
  }
}
