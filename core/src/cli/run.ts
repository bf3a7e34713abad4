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
import { checkDistinct } from './same-file.js';

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
  'loss',
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
  // Nothing the run writes may be its input, or another of its outputs.
  await checkDistinct([
    ['the input', input],
    ['--out', out],
    ['--backup', settings.backup],
    ['--summary', settings.summary],
  ]);
  // Worker threads read the spectra (and an array variance) in place: no copy per run.
  const file = await readHspy(input, { sharedMemory: settings.workers > 0 });
  const index = file.modelNames.findIndex((names) => names.includes(name));
  const model = file.model(index < 0 ? 0 : index, name);
  checkOptional(model, settings.optional);
  const summary = await executeRun(model, settings, stderr);
  stderr.write(`writing ${out}\n`);
  try {
    await writeHspy(out, model.signal, { [name]: model });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(
      settings.backup && summary.backupError === null
        ? `${why}; the fitted pixels are kept in the backup ${settings.backup}: make room, then run again with --resume ${settings.backup} to write them`
        : `${why}; the fitted pixels are lost (with --backup FILE a run keeps them when its output cannot be written)`,
      { cause: e },
    );
  }
  stdout.write(`${resultLine(model.signal.title || input, summary)}; wrote ${out}\n`);
  if (summary.backupError !== null) {
    stderr.write(`samfire: ${summary.backupError}; the results are in ${out}\n`);
    return 1;
  }
  return 0;
}
