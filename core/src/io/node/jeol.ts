/** JEOL .pts spectrum images from disk, streamed through a FileSource. */
import type { Signal } from '../../model/signal.js';
import { readPts } from '../jeol/pts.js';
import type { ReadOptions } from '../source.js';
import { withFileSource } from './file-source.js';

/** The spectrum image of the .pts file at `path` (complete sweeps summed). */
export async function readPtsFile(path: string, options: ReadOptions = {}): Promise<Signal[]> {
  return [await withFileSource(path, (source) => readPts(source, options))];
}
