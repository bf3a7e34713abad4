/**
 * `samfire demo`: the built-in example end to end. Builds the domain case,
 * fits the seed pixel (0, 0) from the model's guesses, then fits every pixel.
 */
import { stderr, stdout } from 'node:process';
import { domainExampleModel, makeDomainExample } from '../examples/domain.js';
import { isOptimizerName } from '../optimiser/index.js';
import { fitReport, fitSummary } from '../report/fit-report.js';
import { parseArgs } from './args.js';

export async function runDemo(args: string[]): Promise<number> {
  const { options } = parseArgs(args, ['optimizer'], ['json']);
  const optimizer = (options.get('optimizer') as string | undefined) ?? 'lm';
  if (!isOptimizerName(optimizer))
    throw new Error(`--optimizer must be lm or mljs, got '${optimizer}'`);
  const { signal, truth } = makeDomainExample();
  const model = domainExampleModel(signal);
  const l2 = model.component('l2');
  l2.activeIsMultidimensional = true;

  const seed = model.fit([0, 0], { optimizer });
  stderr.write(`${fitReport(fitSummary(model, seed))}\n\n`);

  // Sweep the map in raster order, each pixel starting from its left (or
  // upper) neighbour's result: the simple strategy SAMFire improves upon.
  const t0 = performance.now();
  const [rows, cols] = signal.navigationShape as [number, number];
  let good = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (r === 0 && c === 0) continue;
      model.fetchStoredValues(c > 0 ? [r, c - 1] : [r - 1, c]);
      l2.active = true;
      model.fit([r, c], { optimizer, bounded: true });
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const errors: Record<string, number> = {};
  for (const name of ['g.A', 'g.centre', 'g.sigma', 'l1.A', 'l1.centre', 'l1.gamma']) {
    const fitted = model.parameter(name).map.values;
    const t = truth.maps[name]!;
    const rel = Array.from(fitted, (v, i) => Math.abs(v - t[i]!) / Math.abs(t[i]!)).sort(
      (a, b) => a - b,
    );
    errors[name] = rel[Math.floor(rel.length / 2)]!;
  }
  for (const v of model.redChisq) if (Math.abs(v - 1) < 1) good++;
  const pixels = signal.navigationSize;
  const summary = {
    pixels,
    good,
    seconds,
    pixelsPerSecond: (pixels - 1) / seconds,
    optimizer,
    medianRelativeError: errors,
  };
  if (options.has('json')) stdout.write(`${JSON.stringify(summary, null, 1)}\n`);
  else {
    stdout.write(
      `${signal.title}: ${good}/${pixels} pixels pass the reduced chi-squared test (|redChisq - 1| < 1) in ${seconds.toFixed(2)} s ` +
        `(${summary.pixelsPerSecond.toFixed(0)} pixels/s, ${optimizer}); median relative error vs truth: ` +
        Object.entries(errors)
          .map(([k, v]) => `${k} ${(100 * v).toFixed(2)}%`)
          .join(', ') +
        '\n',
    );
  }
  return 0;
}
