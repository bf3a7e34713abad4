/**
 * `samfire demo`: the built-in example end to end. Builds the domain case
 * (7x15 pixels of 400 channels: two peaks swap places inside a disc and a
 * third peak is absent there), fits the seed pixel (0, 0) from the model's
 * guesses, then runs SAMFire with the third peak optional, as HyperSpy's own
 * SAMFire test does. Options as `samfire run`, plus --size ROWSxCOLSxCHANNELS
 * (default 7x15x400) and --out to save the result.
 */
import { stderr, stdout } from 'node:process';
import { domainExampleModel, makeDomainExample } from '../examples/domain.js';
import { writeHspy } from '../io/node/hspy.js';
import { fitReport, fitSummary } from '../report/fit-report.js';
import { parseArgs } from './args.js';
import { defaultWorkers, executeRun, resultLine } from './execute-run.js';
import { RUN_VALUED } from './run.js';
import { parseRunSettings } from './run-settings.js';

export async function runDemo(args: string[]): Promise<number> {
  const { options } = parseArgs(args, [...RUN_VALUED, 'size'], ['bounded', 'quiet']);
  const size = /^(\d+)x(\d+)x(\d+)$/.exec(
    (options.get('size') as string | undefined) ?? '7x15x400',
  );
  if (!size)
    throw new Error(
      `--size must be ROWSxCOLSxCHANNELS, e.g. 32x32x1024, got '${String(options.get('size'))}'`,
    );
  const [rows, cols, channels] = [Number(size[1]), Number(size[2]), Number(size[3])];
  if (rows < 1 || cols < 1 || channels < 16)
    throw new Error('--size needs at least 1x1 pixels and 16 channels');
  if (!options.has('optional')) options.set('optional', 'l2');
  if (!options.has('radii')) options.set('radii', '1');
  if (!options.has('random-seed')) options.set('random-seed', '1');
  const settings = parseRunSettings(options, defaultWorkers());
  settings.bounded = true;
  const { signal, truth } = makeDomainExample({ rows, cols, channels });
  const model = domainExampleModel(signal);
  model.component('l2').activeIsMultidimensional = true;
  const seed = model.fit([0, 0], {
    optimizer: settings.optimizer,
    lossFunction: settings.lossFunction,
  });
  if (!options.has('quiet')) stderr.write(`seed pixel:\n${fitReport(fitSummary(model, seed))}\n\n`);
  const summary = await executeRun(model, settings, stderr);
  let within = 0;
  let fitted = 0;
  const marker = model.signal.navigationSize;
  for (let i = 0; i < marker; i++) {
    if (!(model.redChisq[i]! === model.redChisq[i]!)) continue;
    fitted++;
    const ok = ['g.A', 'g.centre', 'g.sigma', 'l1.A', 'l1.centre', 'l1.gamma'].every((n) => {
      const v = model.parameter(n).map.values[i]!;
      const t = truth.maps[n]![i]!;
      return Math.abs(v - t) <= 0.1 * Math.abs(t);
    });
    if (ok) within++;
  }
  const out = options.get('out');
  if (typeof out === 'string') await writeHspy(out, signal, { samfire: model });
  stdout.write(
    `${resultLine(signal.title, summary)}; ${within}/${fitted} fitted pixels within 10% of the truth` +
      (typeof out === 'string' ? `; wrote ${out}` : '') +
      '\n',
  );
  return 0;
}
