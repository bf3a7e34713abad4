/**
 * `samfire export FILE --model NAME --map MAP --out PATH [--format csv|npy]`:
 * a result map of a stored model as CSV or .npy (format from --format or the
 * output's extension). `--list` prints the map names.
 */
import { extname } from 'node:path';
import { stdout } from 'node:process';
import { mapToCsv, mapToNpy, resultMap, resultMapNames } from '../io/export.js';
import { readHspy } from '../io/node/hspy.js';
import { writeFileAtomic } from '../io/node/read-file.js';
import { parseArgs } from './args.js';
import { checkDistinct } from './same-file.js';

export async function runExport(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, ['model', 'map', 'out', 'format'], ['list']);
  if (positional.length !== 1)
    throw new Error('export needs one FILE (a .hspy with a stored model)');
  const name = options.get('model');
  if (typeof name !== 'string') throw new Error('export needs --model NAME');
  const file = await readHspy(positional[0]!);
  const index = file.modelNames.findIndex((names) => names.includes(name));
  const model = file.model(index < 0 ? 0 : index, name);
  if (options.has('list')) {
    stdout.write(`${resultMapNames(model).join('\n')}\n`);
    return 0;
  }
  const mapName = options.get('map');
  const out = options.get('out');
  if (typeof mapName !== 'string') throw new Error('export needs --map NAME (see --list)');
  if (typeof out !== 'string') throw new Error('export needs --out PATH');
  const format =
    (options.get('format') as string | undefined) ?? extname(out).slice(1).toLowerCase();
  if (format !== 'csv' && format !== 'npy')
    throw new Error(`--format must be csv or npy, got '${format}'`);
  await checkDistinct([
    ['the input', positional[0]!],
    ['--out', out],
  ]);
  const map = resultMap(model, mapName);
  await writeFileAtomic(out, format === 'csv' ? mapToCsv(map) : mapToNpy(map));
  stdout.write(`wrote ${mapName} (${map.shape.join('x') || '1'}) to ${out}\n`);
  return 0;
}
