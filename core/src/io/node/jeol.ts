/**
 * JEOL files from disk: .pts spectrum images streamed through a FileSource,
 * .img/.map images and .EDS spectra read whole, and .asw projects opening
 * every file they list.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import { FileFormatError, signalFromFile } from '../errors.js';
import type { Signal } from '../../model/signal.js';
import { readJeolEds } from '../jeol/eds.js';
import { readJeolImage } from '../jeol/img.js';
import { parsePtsTree, readPts, type PtsReadOptions } from '../jeol/pts.js';
import { withFileSource } from './file-source.js';

/** The spectrum image of the .pts file at `path` (complete sweeps summed, unless the options say otherwise). */
export async function readPtsFile(path: string, options: PtsReadOptions = {}): Promise<Signal[]> {
  return [await withFileSource(path, (source) => readPts(source, options))];
}

/** Images, spectra and projects are small files; no real one comes near this. */
const MAX_SMALL_BYTES = 64 << 20;

async function smallFile(path: string): Promise<Uint8Array> {
  const name = basename(path);
  return withFileSource(path, async (source) => {
    if (source.size > MAX_SMALL_BYTES) {
      throw new FileFormatError(name, `${source.size} bytes is too large for this JEOL file`);
    }
    return (await source.read(0, source.size)).slice();
  });
}

/** The image of the JEOL .img or .map file at `path`. */
export async function readJeolImageFile(path: string): Promise<Signal[]> {
  return [readJeolImage(await smallFile(path), basename(path))];
}

/** The spectrum of the JEOL .EDS file at `path`. */
export async function readJeolEdsFile(path: string): Promise<Signal[]> {
  return [readJeolEds(await smallFile(path), basename(path))];
}

/** What an .asw project opens, by extension (its .apb files are not read, as in HyperSpy 1.7.3). */
const LISTED = new Set(['.img', '.map', '.pts', '.eds']);

/** The project stores paths in the Windows code page of Japanese systems (Shift JIS). */
function decodePath(latin1Text: string): string {
  const bytes = Uint8Array.from(latin1Text, (c) => c.charCodeAt(0) & 0xff);
  try {
    return new TextDecoder('shift_jis').decode(bytes);
  } catch {
    return latin1Text;
  }
}

/** The files an .asw project lists that are read (images, maps, spectra), in its order, as paths beside it. */
export function aswFiles(bytes: Uint8Array, name: string, dir: string): string[] {
  const tree = parsePtsTree(bytes, name, 12);
  const out: string[] = [];
  for (const v of tree.values()) {
    if (typeof v !== 'string' || !LISTED.has(extname(v).toLowerCase())) continue;
    const parts = decodePath(v)
      .split(/[\\/]+/)
      .filter((p) => p !== '' && p !== '.');
    const path = join(dir, ...parts);
    if (!out.includes(path)) out.push(path);
  }
  return out;
}

/** The .pts files an .asw project lists. */
export function aswPtsFiles(bytes: Uint8Array, name: string, dir: string): string[] {
  return aswFiles(bytes, name, dir).filter((p) => /\.pts$/i.test(p));
}

/** Read through a project, the pixel size is the single-precision value (as HyperSpy 1.7.3 gives it). */
function singlePrecisionPixels(s: Signal, name: string): Signal {
  return signalFromFile(name, {
    data: s.data,
    dtype: s.dtype,
    axes: s.axes.map((a) =>
      a.name === 'x' || a.name === 'y' ? { ...a, scale: Math.fround(a.scale) } : { ...a },
    ),
    title: s.title,
    signalType: s.signalType,
    metadata: s.metadata,
  });
}

/**
 * Every image, map, spectrum image and spectrum an .asw project lists, in
 * its order (as HyperSpy 1.7.3 returns them); the options apply to its .pts
 * maps. A listed file that is missing is a FileFormatError naming the
 * project and the file (HyperSpy raises FileNotFoundError).
 */
export async function readAswFile(path: string, options: PtsReadOptions = {}): Promise<Signal[]> {
  const name = basename(path);
  const listed = aswFiles(await smallFile(path), name, dirname(path));
  if (listed.length === 0) throw new FileFormatError(name, 'the project lists no image or map');
  const signals: Signal[] = [];
  for (const file of listed) {
    if (!existsSync(file)) {
      throw new FileFormatError(
        name,
        `the file '${relative(dirname(path), file)}' it lists is missing`,
      );
    }
    const ext = extname(file).toLowerCase();
    const read =
      ext === '.pts'
        ? await readPtsFile(file, options)
        : ext === '.eds'
          ? await readJeolEdsFile(file)
          : await readJeolImageFile(file);
    signals.push(...read.map((s) => singlePrecisionPixels(s, basename(file))));
  }
  return signals;
}
