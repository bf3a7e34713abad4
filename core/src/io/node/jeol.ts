/** JEOL .pts spectrum images from disk, streamed through a FileSource, and .asw projects listing them. */
import { existsSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { FileFormatError } from '../errors.js';
import type { Signal } from '../../model/signal.js';
import { parsePtsTree, readPts } from '../jeol/pts.js';
import type { ReadOptions } from '../source.js';
import { withFileSource } from './file-source.js';

/** The spectrum image of the .pts file at `path` (complete sweeps summed). */
export async function readPtsFile(path: string, options: ReadOptions = {}): Promise<Signal[]> {
  return [await withFileSource(path, (source) => readPts(source, options))];
}

/** An .asw project is a small file; no real one comes near this. */
const MAX_ASW_BYTES = 64 << 20;

/** The .pts files an .asw project lists, as paths beside it (its paths are Windows-style). */
export function aswPtsFiles(bytes: Uint8Array, name: string, dir: string): string[] {
  const tree = parsePtsTree(bytes, name, 12);
  const out: string[] = [];
  for (const v of tree.values()) {
    if (typeof v !== 'string' || !/\.pts$/i.test(v)) continue;
    const parts = v.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
    const path = join(dir, ...parts);
    if (!out.includes(path)) out.push(path);
  }
  return out;
}

/**
 * The spectrum images of the .pts files an .asw project lists. A listed
 * file that is missing is a FileFormatError naming the project and the file
 * (HyperSpy 1.7.3 raises FileNotFoundError). The images (.img, .map) are not read.
 */
export async function readAswFile(path: string, options: ReadOptions = {}): Promise<Signal[]> {
  const name = basename(path);
  const bytes = await withFileSource(path, async (source) => {
    if (source.size > MAX_ASW_BYTES) {
      throw new FileFormatError(name, `${source.size} bytes is too large for a JEOL .asw file`);
    }
    return source.read(0, source.size);
  });
  const listed = aswPtsFiles(bytes, name, dirname(path));
  if (listed.length === 0) throw new FileFormatError(name, 'the project lists no .pts map');
  const signals: Signal[] = [];
  for (const pts of listed) {
    if (!existsSync(pts)) {
      throw new FileFormatError(
        name,
        `the map '${relative(dirname(path), pts)}' it lists is missing`,
      );
    }
    signals.push(...(await readPtsFile(pts, options)));
  }
  return signals;
}
