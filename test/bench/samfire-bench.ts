/**
 * `npm run bench` (tsx test/bench/samfire-bench.ts): our SAMFire against
 * HyperSpy 1.7.3's, side by side, on the same data with the same settings.
 *
 * Cases: domain-structured spectrum images from our generator (the
 * construction of ../shared/tools/hyperspy/hs_make_case.py) at 7x15x400,
 * 32x32x1024 and 128x128x1024 (--large adds 256x256x1024), and the real EDS
 * map ../shared/data/real/eds-agcu-50x50-seed.hspy. Each of our runs is a
 * child process (samfire-run.ts), so its peak memory (RSS, worker threads
 * included) is its own: 1 and 2 workers in the deterministic 'pick' order,
 * and 2 workers in 'arrival' order. Where /usr/bin/python3 has HyperSpy,
 * py/hs_bench.py runs HyperSpy's SAMFire on the same files (2 workers;
 * 128x128 and larger only with --hyperspy-large: it takes hours).
 *
 * Prints one table and the targets, and writes bench-results/samfire-bench.json.
 *
 * Options:
 *   --large              add 256x256x1024 (65,536 pixels)
 *   --hyperspy-large     run HyperSpy on 128x128 (and 256x256) too
 *   --no-hyperspy        skip HyperSpy
 *   --hyperspy-workers L HyperSpy's worker counts, comma separated (default 2)
 *   --only LIST          cases to run, by substring: e.g. --only 32x32,eds
 *   --skip-1-worker      skip the 1-worker runs on cases above 32x32 (quick looks)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { readHspy } from '@samfire/core/node';
import {
  domainCase,
  edsCase,
  median,
  RESULTS,
  type BenchCase,
  type DomainTruthFile,
} from './bench-cases.js';
import { SHARED } from '../helpers/reference.js';
import type { RunMaps } from './samfire-run.js';

const { values: args } = parseArgs({
  options: {
    large: { type: 'boolean', default: false },
    'hyperspy-large': { type: 'boolean', default: false },
    'no-hyperspy': { type: 'boolean', default: false },
    'hyperspy-workers': { type: 'string', default: '2' },
    only: { type: 'string' },
    'skip-1-worker': { type: 'boolean', default: false },
    'no-linear': { type: 'boolean', default: false },
  },
});

const PYTHON = '/usr/bin/python3';
const HERE = new URL('.', import.meta.url).pathname;
const MB = 1024 * 1024;
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

function hasHyperspy(): boolean {
  if (args['no-hyperspy']) return false;
  const r = spawnSync(PYTHON, ['-c', 'import hyperspy; print(hyperspy.__version__)'], {
    encoding: 'utf8',
  });
  return r.status === 0 && r.stdout.trim() !== '';
}

interface RunResult {
  program: 'ours' | 'hyperspy';
  workers: number;
  order?: 'pick' | 'arrival';
  pixels: number;
  pixelsFitted: number;
  seconds: number;
  peakRssBytes: number;
  maps: RunMaps;
  phases?: unknown;
  cpuSeconds?: number;
  firstResultSeconds?: number;
  poolStartSeconds?: number;
  poolPrepared?: boolean;
}

interface Row {
  case: string;
  program: string;
  workers: number;
  order: string;
  pixels: number;
  pixelsFitted: number;
  seconds: number;
  pixelsPerSecond: number;
  /** Pooled median relative parameter error (vs truth, or vs HyperSpy's maps for real data). */
  medianRelativeError: number;
  /** Per parameter median relative error. */
  errors: Record<string, number>;
  peakMemoryMB: number;
  datasetMB: number;
  /** Our pixels/s over HyperSpy's (2 workers) in this run; null without a HyperSpy run. */
  timesHyperspy: number | null;
  /** CPU time of the run (ours: all threads of the process). */
  cpuSeconds: number | null;
  /** Ours: from start() to the first result. */
  firstResultSeconds: number | null;
  /** Ours: workers started and given the data before start() (not in `seconds`, as HyperSpy's pool). */
  poolStartSeconds: number | null;
  /** Ours: cpuSeconds / seconds, the cores the run actually got. */
  coresUsed: number | null;
}

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

/**
 * Our runs use the code as it ships (JavaScript, as the CLI and the app run
 * it), compiled once per bench into bench-results/build: run through tsx,
 * every module (h5wasm's 4 MB loader among them) goes through its
 * transformer, which alone added ~630 MB of resident memory to a run.
 */
const RUNNER = `${RESULTS}/build/test/bench/samfire-run.js`;

function buildRunner(): void {
  log('compiling the runner and the fit worker (tsc -p test/bench/tsconfig.build.json)...');
  execFileSync(process.execPath, [TSC, '-p', `${HERE}tsconfig.build.json`], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

function runOurs(c: BenchCase, workers: number, order: 'pick' | 'arrival'): RunResult {
  const out = `${RESULTS}/run-ours.json`;
  const caseArg = c.kind === 'eds' ? (c.fixedLines ? 'eds-fixed' : 'eds') : c.dir;
  execFileSync(
    process.execPath,
    [RUNNER, '--case', caseArg, '--workers', String(workers), '--order', order, '--out', out],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
      maxBuffer: 1 << 26,
      env: { ...process.env, SAMFIRE_SHARED: SHARED },
    },
  );
  return JSON.parse(readFileSync(out, 'utf8')) as RunResult;
}

function runHyperspy(c: BenchCase, workers: number): RunResult {
  const out = `${RESULTS}/run-hyperspy.json`;
  const source = c.kind === 'eds' ? c.file : c.dir;
  const kind = c.kind === 'eds' && c.fixedLines ? 'eds-fixed' : c.kind;
  const r = spawnSync(PYTHON, [`${HERE}py/hs_bench.py`, kind, source, String(workers), out], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`HyperSpy run failed:\n${r.stderr.slice(-3000)}`);
  return JSON.parse(readFileSync(out, 'utf8')) as RunResult;
}

/** Reference maps per case: the truth (domain) or HyperSpy's stored result (real data). */
interface Reference {
  maps: Record<string, ArrayLike<number>>;
  /** Pixels where the reference holds (HyperSpy's fitted pixels for real data). */
  valid: (pixel: number) => boolean;
  /** Pixels where a parameter has a reference value (l2 only where present). */
  has: (name: string, pixel: number) => boolean;
}

async function referenceFor(c: BenchCase): Promise<Reference> {
  if (c.kind === 'domain') {
    const t = JSON.parse(readFileSync(`${c.dir}/truth.json`, 'utf8')) as DomainTruthFile;
    return {
      maps: t.maps,
      valid: () => true,
      has: (name, pixel) => !name.startsWith('l2.') || t.l2Present[pixel] === 1,
    };
  }
  const file = await readHspy(c.reference);
  const index = file.modelNames.findIndex((names) => names.includes('samfire'));
  const model = file.model(index < 0 ? 0 : index, 'samfire');
  const maps: Record<string, Float64Array> = {};
  for (const comp of model.components) {
    for (const p of comp.parameters) {
      if (!p.free) continue;
      for (let j = 0; j < p.length; j++) {
        const name = p.length > 1 ? `${p.fullName}[${j}]` : p.fullName;
        maps[name] = Float64Array.from(
          { length: model.signal.navigationSize },
          (_, i) => p.map.values[i * p.length + j]!,
        );
      }
    }
  }
  const red = model.redChisq;
  return { maps, valid: (i) => Number.isFinite(red[i]!), has: () => true };
}

/** A run's own maps as the reference (its fitted pixels). */
function runReference(run: RunResult): Reference {
  const marker = run.maps.marker;
  return {
    maps: Object.fromEntries(
      Object.entries(run.maps.params).map(([k, v]) => [k, v.map((x) => x ?? NaN)]),
    ),
    valid: (i) => marker[i]! <= -1,
    has: () => true,
  };
}

function errorsOf(run: RunResult, ref: Reference): { pooled: number; per: Record<string, number> } {
  const all: number[] = [];
  const per: Record<string, number> = {};
  const marker = run.maps.marker;
  for (const [name, values] of Object.entries(run.maps.params)) {
    const truth = ref.maps[name];
    if (!truth) continue;
    const rel: number[] = [];
    for (let i = 0; i < marker.length; i++) {
      if (!(marker[i]! <= -1) || !ref.valid(i) || !ref.has(name, i)) continue;
      const t = truth[i]!;
      const v = values[i];
      if (v === null || v === undefined) continue;
      rel.push(Math.abs(v - t) / Math.max(Math.abs(t), 1e-12));
    }
    per[name] = median(rel);
    for (const r of rel) all.push(r);
  }
  return { pooled: median(all), per };
}

const wanted = (name: string): boolean =>
  !args.only || args.only.split(',').some((k) => name.includes(k.trim()));
const sizes: [number, number, number][] = [
  [7, 15, 400],
  [32, 32, 1024],
  [128, 128, 1024],
  ...(args.large ? ([[256, 256, 1024]] as [number, number, number][]) : []),
];
// Generated (once; cached in bench-results/cases) only when wanted.
const cases: BenchCase[] = [
  ...sizes
    .filter(([r, c, n]) => wanted(`domain ${r}x${c}x${n}`))
    .map(([r, c, n]) => domainCase(r, c, n)),
  ...(wanted('eds') || wanted(edsCase().name) ? [edsCase()] : []),
  ...(wanted('eds') || wanted(edsCase(true).name) ? [edsCase(true)] : []),
];

mkdirSync(RESULTS, { recursive: true });
const hyperspy = hasHyperspy();
if (!hyperspy) log('HyperSpy not found (or --no-hyperspy): our runs only');
const hyperspyWorkers = args['hyperspy-workers'].split(',').map(Number);
const rows: Row[] = [];
const loadStart = loadavg();
const started = new Date().toISOString();
buildRunner();

for (const c of cases) {
  const ref = await referenceFor(c);
  const pixels = c.kind === 'domain' ? c.rows * c.cols : 2500;
  const big = pixels > 32 * 32;
  const caseRows: Row[] = [];
  const results: RunResult[] = [];
  const add = (r: RunResult): void => {
    results.push(r);
    const e = errorsOf(r, ref);
    const row: Row = {
      case: c.name,
      program: r.program === 'ours' ? 'SAMFire Studio' : `HyperSpy 1.7.3`,
      workers: r.workers,
      order: r.order ?? '-',
      pixels: r.pixels,
      pixelsFitted: r.pixelsFitted,
      seconds: r.seconds,
      pixelsPerSecond: r.pixelsFitted / r.seconds,
      medianRelativeError: e.pooled,
      errors: e.per,
      peakMemoryMB: r.peakRssBytes / MB,
      datasetMB: c.bytes / MB,
      timesHyperspy: null,
      cpuSeconds: r.cpuSeconds ?? null,
      firstResultSeconds: r.firstResultSeconds ?? null,
      poolStartSeconds: r.poolStartSeconds ?? null,
      coresUsed: r.cpuSeconds === undefined ? null : r.cpuSeconds / r.seconds,
    };
    caseRows.push(row);
    log(
      `${row.case}: ${row.program} ${row.workers} worker(s) ${row.order}: ${row.pixelsFitted}/${row.pixels} in ${row.seconds.toFixed(2)} s, ${row.pixelsPerSecond.toFixed(1)} px/s, peak ${row.peakMemoryMB.toFixed(0)} MB`,
    );
  };
  const runs: [number, 'pick' | 'arrival'][] = [
    ...(big && args['skip-1-worker'] ? [] : ([[1, 'pick']] as [number, 'pick'][])),
    [2, 'pick'],
    [2, 'arrival'],
  ];
  for (const [w, order] of runs) add(runOurs(c, w, order));
  const hsAllowed = c.kind === 'eds' || pixels <= 32 * 32 || args['hyperspy-large'];
  if (hyperspy && hsAllowed) for (const w of hyperspyWorkers) add(runHyperspy(c, w));
  if (c.kind === 'eds' && c.fixedLines) {
    // No stored result for this variant: HyperSpy's maps of this run are the reference.
    const hs = results.find((r) => r.program === 'hyperspy');
    caseRows.forEach((row, i) => {
      const e = hs ? errorsOf(results[i]!, runReference(hs)) : { pooled: NaN, per: {} };
      row.medianRelativeError = e.pooled;
      row.errors = e.per;
    });
  }
  const hs2 =
    caseRows.find((r) => r.program.startsWith('HyperSpy') && r.workers === 2) ??
    caseRows.find((r) => r.program.startsWith('HyperSpy'));
  for (const r of caseRows) {
    if (hs2 && r.program === 'SAMFire Studio')
      r.timesHyperspy = r.pixelsPerSecond / hs2.pixelsPerSecond;
  }
  rows.push(...caseRows);
}

// --- the table ----------------------------------------------------------------
const header = [
  'case',
  'program',
  'workers',
  'order',
  'pixels fitted',
  'seconds',
  'pixels/s',
  'median rel. error',
  'peak memory',
  'x HyperSpy',
];
const cells = rows.map((r) => [
  r.case,
  r.program,
  String(r.workers),
  r.order,
  `${r.pixelsFitted}/${r.pixels}`,
  r.seconds.toFixed(2),
  r.pixelsPerSecond.toFixed(1),
  Number.isFinite(r.medianRelativeError) ? r.medianRelativeError.toExponential(2) : '-',
  `${r.peakMemoryMB.toFixed(0)} MB`,
  r.timesHyperspy === null ? '-' : `${r.timesHyperspy.toFixed(1)}x`,
]);
const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
const line = (row: string[]): string =>
  `| ${row.map((c, i) => (i < 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
console.log(line(header));
console.log(
  `|${widths.map((w, i) => (i < 4 ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|')}|`,
);
for (const row of cells) console.log(line(row));
console.log(
  '\nmedian rel. error: pooled median over the free parameters and fitted pixels of |fit - reference| / |reference|;' +
    " reference = the truth (domain cases; l2 only where present) or HyperSpy's stored result (real EDS map, pixels both fitted).",
);

// --- targets ----------------------------------------------------------------
interface Check {
  target: string;
  met: boolean | null;
  detail: string;
}
const checks: Check[] = [];
const find = (name: string, program: string, workers: number, order?: string): Row | undefined =>
  rows.find(
    (r) =>
      r.case === name &&
      r.program.startsWith(program) &&
      r.workers === workers &&
      (order === undefined || r.order === order),
  );
const d32 = 'domain 32x32x1024';
const ours32 = find(d32, 'SAMFire', 2, 'pick');
const hs32 = find(d32, 'HyperSpy', 2);
if (ours32 && hs32) {
  const ratio = ours32.pixelsPerSecond / hs32.pixelsPerSecond;
  const met =
    ratio >= 100 &&
    ours32.pixelsFitted >= hs32.pixelsFitted &&
    ours32.medianRelativeError <= hs32.medianRelativeError;
  checks.push({
    target: '>= 100x HyperSpy on 32x32x1024, 2 workers, no more unfitted, no larger error',
    met,
    detail: `${ratio.toFixed(1)}x; fitted ${ours32.pixelsFitted} vs ${hs32.pixelsFitted}; error ${ours32.medianRelativeError.toExponential(2)} vs ${hs32.medianRelativeError.toExponential(2)}`,
  });
}
const ours256 = find('domain 256x256x1024', 'SAMFire', 2, 'pick');
const arr256 = find('domain 256x256x1024', 'SAMFire', 2, 'arrival');
if (ours256) {
  const best = Math.min(ours256.seconds, arr256?.seconds ?? Infinity);
  checks.push({
    target: '256x256x1024 in <= 120 s with 2 workers',
    met: best <= 120,
    detail: `pick ${ours256.seconds.toFixed(1)} s${arr256 ? `, arrival ${arr256.seconds.toFixed(1)} s` : ''}`,
  });
}
for (const c of cases) {
  const one = find(c.name, 'SAMFire', 1, 'pick');
  const two = find(c.name, 'SAMFire', 2, 'pick');
  const arrival = find(c.name, 'SAMFire', 2, 'arrival');
  if (one && two && c.kind === 'domain' && c.rows * c.cols >= 32 * 32) {
    const s = two.pixelsPerSecond / one.pixelsPerSecond;
    checks.push({
      target: `2 workers >= 1.8x one worker (${c.name}, pick order)`,
      met: s >= 1.8,
      detail: `${s.toFixed(2)}x (cores the runs got: ${one.coresUsed?.toFixed(2) ?? '?'} and ${two.coresUsed?.toFixed(2) ?? '?'}; CPU per pixel ${((1000 * (one.cpuSeconds ?? NaN)) / one.pixelsFitted).toFixed(2)} and ${((1000 * (two.cpuSeconds ?? NaN)) / two.pixelsFitted).toFixed(2)} ms)`,
    });
  }
  if (two && arrival) {
    const r = two.pixelsPerSecond / Math.max(two.pixelsPerSecond, arrival.pixelsPerSecond);
    checks.push({
      target: `deterministic (pick) within 15% of the fastest mode (${c.name}, 2 workers)`,
      met: r >= 0.85,
      detail: `pick ${two.pixelsPerSecond.toFixed(0)} px/s, arrival ${arrival.pixelsPerSecond.toFixed(0)} px/s`,
    });
  }
}
for (const r of rows) {
  if (r.program !== 'SAMFire Studio') continue;
  const limit = 1.5 * r.datasetMB + 300;
  checks.push({
    target: `peak memory <= 1.5 x dataset + 300 MB (${r.case}, ${r.workers} worker(s) ${r.order})`,
    met: r.peakMemoryMB <= limit,
    detail: `${r.peakMemoryMB.toFixed(0)} MB of ${limit.toFixed(0)} MB (dataset ${r.datasetMB.toFixed(0)} MB)`,
  });
}
console.log('\nTargets:');
for (const ch of checks)
  console.log(
    `  [${ch.met === null ? '?' : ch.met ? 'met' : 'NOT met'}] ${ch.target}: ${ch.detail}`,
  );

const loadEnd = loadavg();
console.log(
  `\nmachine: ${cpus().length} cores, node ${process.version}; load average at start ${loadStart[0]!.toFixed(2)}, at end ${loadEnd[0]!.toFixed(2)} (other work on the machine skews timings)`,
);
writeFileSync(
  `${RESULTS}/samfire-bench.json`,
  `${JSON.stringify(
    {
      started,
      node: process.version,
      cores: cpus().length,
      loadAverage: { start: loadStart, end: loadEnd },
      hyperspy,
      rows,
      checks,
    },
    null,
    1,
  )}\n`,
);
log(`wrote ${RESULTS}/samfire-bench.json`);

// The linear whole-map fit's benchmark (linear-bench.ts) is part of `npm run bench`.
if (!args['no-linear']) {
  const linear = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@samfire/source',
      `${HERE}linear-bench.ts`,
      ...(args['no-hyperspy'] ? ['--no-hyperspy'] : []),
    ],
    { stdio: 'inherit' },
  );
  if (linear.status !== 0) process.exitCode = 1;
}
