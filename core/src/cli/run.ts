/**
 * `samfire run INPUT --model NAME --out OUTPUT [options]`: SAMFire on a
 * HyperSpy file holding a stored model whose seed pixels are fitted; the
 * result goes to OUTPUT (.hspy) under the same model name, readable by
 * HyperSpy's `s.models.restore(NAME)`.
 */
import { stderr, stdout } from 'node:process';
import { readHspy } from '../io/node/hspy.js';
import { writeHspy } from '../io/node/hspy.js';
import { parseArgs } from './args.js';
import { defaultWorkers, executeRun, resultLine } from './execute-run.js';
import { checkOptional, parseRunSettings } from './run-settings.js';

export const RUN_VALUED = [
  'model',
  'out',
  'workers',
  'strategies',
  'radii',
  'bins',
  'test',
  'tolerance',
  'optional',
  'optimizer',
  'random-seed',
  'save-every',
  'backup',
  'resume',
  'summary',
];

export async function runRun(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, RUN_VALUED, ['bounded']);
  if (positional.length !== 1)
    throw new Error('run needs one INPUT file (a .hspy with a stored model)');
  const input = positional[0]!;
  const name = options.get('model');
  const out = options.get('out');
  if (typeof name !== 'string') throw new Error('run needs --model NAME (the stored model to fit)');
  if (typeof out !== 'string') throw new Error('run needs --out OUTPUT.hspy');
  const settings = parseRunSettings(options, defaultWorkers());
  // Worker threads read the spectra (and an array variance) in place: no copy per run.
  const file = await readHspy(input, { sharedMemory: settings.workers > 0 });
  const index = file.modelNames.findIndex((names) => names.includes(name));
  const model = file.model(index < 0 ? 0 : index, name);
  checkOptional(model, settings.optional);
  const summary = await executeRun(model, settings, stderr);
  stderr.write(`writing ${out}\n`);
  await writeHspy(out, model.signal, { [name]: model });
  stdout.write(`${resultLine(model.signal.title || input, summary)}; wrote ${out}\n`);
  return 0;
}
