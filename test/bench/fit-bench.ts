/**
 * `npm run bench:fit`: single-pixel fits per second of `lm` and `mljs` on the
 * 12 reference pixels of ../shared/data/reference/pixel-fits.json, from the
 * `near` and `default` starts, on one core. Also reports how many fits reach
 * HyperSpy's chisq. Floor for `lm`: 2000 fits/s from the near starts.
 * Writes bench-results/fit-bench.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Model } from '@samfire/core';
import { domainSignal, pixelFits, type PixelFit } from '../helpers/reference.js';

const signal = domainSignal();
const fits = pixelFits();

function makeModels(refs: PixelFit[]): Model[] {
  return refs.map((ref) => {
    const model = new Model(signal, [
      { kind: 'Gaussian', name: 'g' },
      { kind: 'Lorentzian', name: 'l1' },
      { kind: 'Lorentzian', name: 'l2' },
    ]);
    model.component('l2').active = ref.l2_active;
    return model;
  });
}

interface Row {
  optimizer: string;
  start: string;
  fits: number;
  seconds: number;
  fitsPerSecond: number;
  meanEvaluations: number;
  reachedReference: string;
}

function run(optimizer: 'lm' | 'mljs', start: 'near' | 'default', minSeconds: number): Row {
  const refs = fits.filter((f) => f.start_kind === start);
  const models = makeModels(refs);
  const entries = refs.map((ref) => Object.entries(ref.start));
  const fitOnce = (i: number): { evaluations: number; chisq: number } => {
    const model = models[i]!;
    for (const [name, value] of entries[i]!) model.parameter(name).value = value;
    const r = model.fit(refs[i]!.pixel, { optimizer });
    return { evaluations: r.evaluations, chisq: r.chisq };
  };
  // Warm up the JIT, then time whole passes over the pixels.
  for (let k = 0; k < 3; k++) for (let i = 0; i < refs.length; i++) fitOnce(i);
  let count = 0;
  let evaluations = 0;
  let reached = 0;
  const t0 = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < refs.length; i++) {
      const r = fitOnce(i);
      evaluations += r.evaluations;
      if (count < refs.length && r.chisq <= refs[i]!.chisq * (1 + 1e-6)) reached++;
      count++;
    }
    elapsed = (performance.now() - t0) / 1000;
  } while (elapsed < minSeconds);
  return {
    optimizer,
    start,
    fits: count,
    seconds: elapsed,
    fitsPerSecond: count / elapsed,
    meanEvaluations: evaluations / count,
    reachedReference: `${reached}/${refs.length}`,
  };
}

const quick = process.argv.includes('--quick');
const rows: Row[] = [];
for (const optimizer of ['lm', 'mljs'] as const) {
  for (const start of ['near', 'default'] as const) {
    rows.push(run(optimizer, start, quick ? 0.3 : optimizer === 'lm' ? 3 : 2));
  }
}
const header = [
  'optimizer',
  'start',
  'fits',
  'seconds',
  'fits/s',
  'evaluations/fit',
  'reached HyperSpy chisq',
];
const table = rows.map((r) => [
  r.optimizer,
  r.start,
  String(r.fits),
  r.seconds.toFixed(2),
  r.fitsPerSecond.toFixed(0),
  r.meanEvaluations.toFixed(1),
  r.reachedReference,
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
console.log('Single-pixel fits, 400 channels, 9 (or 6) free parameters, one core');
console.log(line(header));
for (const row of table) console.log(line(row));
const lmNear = rows.find((r) => r.optimizer === 'lm' && r.start === 'near')!;
console.log(
  `lm near: ${lmNear.fitsPerSecond.toFixed(0)} fits/s (floor 2000): ${lmNear.fitsPerSecond >= 2000 ? 'OK' : 'BELOW FLOOR'}`,
);
mkdirSync('bench-results', { recursive: true });
writeFileSync(
  'bench-results/fit-bench.json',
  JSON.stringify({ rows, node: process.version }, null, 1),
);
