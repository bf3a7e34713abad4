/**
 * FEI TIA files from disk: a .ser series streamed through a FileSource, or
 * an .emi with every series beside it (`NAME_1.ser`, `NAME_2.ser`, ...), each
 * with the .emi's metadata, as HyperSpy 1.7.3 opens them.
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { Signal } from '../../model/signal.js';
import { FileFormatError } from '../errors.js';
import type { ReadOptions } from '../source.js';
import { emiMetadata, emiObjects } from '../tia/emi.js';
import { readSer } from '../tia/ser.js';
import { withFileSource } from './file-source.js';

/** An .emi is a small project file; no real one comes near this. */
const MAX_EMI_BYTES = 256 << 20;

/** The signal of the .ser file at `path` (without the .emi's metadata, as HyperSpy). */
export async function readSerFile(path: string, options: ReadOptions = {}): Promise<Signal[]> {
  return [await withFileSource(path, (source) => readSer(source, options))];
}

/** The .ser files of the .emi at `path`, in series order. */
export async function emiSeries(path: string): Promise<string[]> {
  const dir = dirname(path);
  const stem = basename(path, extname(path));
  const names = await readdir(dir).catch(() => [] as string[]);
  const found: { n: number; name: string }[] = [];
  const prefix = `${stem}_`.toLowerCase();
  for (const n of names) {
    const lower = n.toLowerCase();
    if (!lower.startsWith(prefix) || !lower.endsWith('.ser')) continue;
    const number = lower.slice(prefix.length, -4);
    if (/^\d+$/.test(number)) found.push({ n: Number(number), name: n });
  }
  return found.sort((a, b) => a.n - b.n).map((f) => join(dir, f.name));
}

/** Every series of the .emi at `path`, with the .emi's metadata. */
export async function readEmiFile(path: string, options: ReadOptions = {}): Promise<Signal[]> {
  const name = basename(path);
  const bytes = await withFileSource(path, async (source) => {
    if (source.size > MAX_EMI_BYTES) {
      throw new FileFormatError(name, `${source.size} bytes is too large for a TIA .emi file`);
    }
    return source.read(0, source.size);
  });
  const objects = emiObjects(bytes);
  const series = await emiSeries(path);
  if (series.length === 0) {
    const stem = basename(path, extname(path));
    throw new FileFormatError(name, `no series '${stem}_1.ser' was found next to it`);
  }
  const signals: Signal[] = [];
  for (let k = 0; k < series.length; k++) {
    const onProgress = options.onProgress;
    signals.push(
      await withFileSource(series[k]!, (source) =>
        readSer(source, {
          ...options,
          metadata: emiMetadata(objects, k),
          ...(onProgress
            ? {
                onProgress: (p) =>
                  onProgress({
                    done: k * 1000 + Math.round((1000 * p.done) / Math.max(1, p.total)),
                    total: series.length * 1000,
                    stage: `reading ${basename(series[k]!)}`,
                  }),
              }
            : {}),
        }),
      ),
    );
  }
  return signals;
}

/** Reads an .emi or .ser by its extension. */
export function readTiaFile(path: string, options: ReadOptions = {}): Promise<Signal[]> {
  return extname(path).toLowerCase() === '.emi'
    ? readEmiFile(path, options)
    : readSerFile(path, options);
}
