/**
 * `samfire info FILE [--json]`: what a data file holds, signal by signal, in
 * the fields of ../shared/data/io/manifest.json (title, signal type, dtype,
 * shape, axes, sum, min, max and the SHA-256 of the data bytes in C order,
 * little-endian), so a file can be checked against what HyperSpy reads.
 * Any format readSignalFile knows. A file that cannot be read gives one line
 * on stderr and exit code 1; bad usage exit code 2.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { stderr, stdout } from 'node:process';
import { encodeLittleEndian } from '../io/binary.js';
import { readSignalFile } from '../io/node/read-file.js';
import { readAsFloat64 } from '../model/dtype.js';
import type { AxisSpec } from '../model/axis.js';
import type { Signal } from '../model/signal.js';
import { parseArgs } from './args.js';

const USAGE = 'usage: samfire info FILE [--json]\n';

/** An axis in `samfire info --json`: the model's axis shape (model/axis.ts) without the binned flag. */
export type AxisInfo = Omit<AxisSpec, 'isBinned' | 'values'> & {
  /** A non-uniform axis: its first and last values (offset and scale are then its first value and mean step). */
  range?: [number, number];
};

export interface SignalInfo {
  title: string;
  signal_type: string;
  dtype: string;
  shape: number[];
  axes: AxisInfo[];
  sum: number;
  min: number;
  max: number;
  sha256: string;
}

/** Sum, min and max over every element (NaN if any element is NaN, as numpy reports). */
function statistics(signal: Signal): { sum: number; min: number; max: number } {
  const block = 1 << 16;
  const buf = new Float64Array(block);
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  let nan = false;
  const n = signal.data.length;
  for (let start = 0; start < n; start += block) {
    const count = Math.min(block, n - start);
    readAsFloat64(signal.data, start, count, buf);
    for (let i = 0; i < count; i++) {
      const v = buf[i]!;
      if (Number.isNaN(v)) nan = true;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return nan ? { sum: NaN, min: NaN, max: NaN } : { sum, min, max };
}

/** The manifest's description of one signal. */
export function signalInfo(signal: Signal): SignalInfo {
  // An image read into our one-signal-axis Signal: report both image axes as signal axes, as HyperSpy does.
  const image = signal.metadata['signalDimension'] === 2;
  const last = signal.axes.length - 1;
  return {
    title: signal.title,
    signal_type: signal.signalType,
    dtype: signal.dtype,
    shape: signal.shape,
    axes: signal.axes.map((a, i) => ({
      name: a.name,
      size: a.size,
      navigate: image ? i < last - 1 : a.navigate,
      units: a.units,
      offset: a.offset,
      scale: a.scale,
      ...(a.values ? { range: [a.values[0]!, a.values[a.size - 1]!] as [number, number] } : {}),
    })),
    ...statistics(signal),
    sha256: createHash('sha256').update(encodeLittleEndian(signal.data)).digest('hex'),
  };
}

function formatText(file: string, infos: readonly SignalInfo[]): string {
  const lines = [`${file}: ${infos.length} signal${infos.length === 1 ? '' : 's'}`];
  infos.forEach((s, i) => {
    const type = s.signal_type === '' ? '' : ` (${s.signal_type})`;
    lines.push(`[${i}] '${s.title}'${type} ${s.dtype} [${s.shape.join(', ')}]`);
    s.axes.forEach((a, k) => {
      const units = a.units === '' ? '' : ` ${a.units}`;
      const extent = a.range
        ? `${a.size} non-uniform from ${a.range[0]} to ${a.range[1]}${units}`
        : `${a.size} x ${a.scale}${units} from ${a.offset}`;
      lines.push(
        `    axis ${k} ${a.name === '' ? '(unnamed)' : a.name}: ${extent}, ${a.navigate ? 'navigation' : 'signal'}`,
      );
    });
    lines.push(`    sum ${s.sum}  min ${s.min}  max ${s.max}`);
    lines.push(`    sha256 ${s.sha256}`);
  });
  return `${lines.join('\n')}\n`;
}

/** JSON without NaN (which JSON lacks): NaN becomes null. */
function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v: unknown) => (typeof v === 'number' && Number.isNaN(v) ? null : v),
    1,
  );
}

function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

export async function runInfo(args: string[]): Promise<number> {
  let file: string;
  let json: boolean;
  try {
    const { positional, options } = parseArgs(args, [], ['json']);
    if (positional.length !== 1)
      throw new Error(positional.length === 0 ? 'no file given' : 'give one file');
    file = positional[0]!;
    json = options.has('json');
  } catch (err) {
    stderr.write(`samfire info: ${oneLine(err)}\n${USAGE}`);
    return 2;
  }
  let signals: Signal[];
  try {
    signals = await readSignalFile(file);
  } catch (err) {
    stderr.write(`samfire info: ${oneLine(err)}\n`);
    return 1;
  }
  const infos = signals.map(signalInfo);
  stdout.write(
    json
      ? `${toJson({ file: basename(file), signals: infos })}\n`
      : formatText(basename(file), infos),
  );
  return 0;
}
