/**
 * One benchmark run of our SAMFire, in a process of its own so that its peak
 * memory (RSS of the process, worker threads included) is its own:
 *
 *   tsx test/bench/samfire-run.ts --case DIR|eds|eds-fixed --workers N --order pick|arrival --out FILE.json
 *
 * Loads the case (a domain case's data.npy straight into shared memory; the
 * EDS map from its .hspy), fits the seed pixel like HyperSpy's scripts, runs
 * SAMFire with HyperSpy's settings for the case and writes the timing, the
 * peak memory and the fitted maps (for the error columns) to FILE.json.
 *
 * Imports core by path, not through `@samfire/core`: tsc compiles it with
 * core's sources into bench-results/build, to run as plain JavaScript
 * (samfire-bench.ts), where a package import would reach core/dist instead.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { domainExampleModel } from '../../core/src/examples/domain.js';
import { readHspy } from '../../core/src/io/node/hspy.js';
import type { Model } from '../../core/src/model/model.js';
import { Signal } from '../../core/src/model/signal.js';
import { NodeWorkerPool } from '../../core/src/pool/node/thread-pool.js';
import type { WorkerFitOptions } from '../../core/src/pool/protocol.js';
import { Samfire } from '../../core/src/samfire/engine.js';
import { workerInit } from '../../core/src/samfire/worker-init.js';
import { RedChisqTest } from '../../core/src/goodness/red-chisq-test.js';
import { HistogramStrategy } from '../../core/src/samfire/strategies/global/histogram-strategy.js';
import { RedChisqStrategy } from '../../core/src/samfire/strategies/local/red-chisq-strategy.js';
import type { Strategy } from '../../core/src/samfire/strategies/strategy.js';
import { edsCase, readNpyShared, type DomainCase } from './bench-cases.js';
import { PreparedPool } from './prepared-pool.js';

export interface RunMaps {
  marker: number[];
  /** Fitted maps by "component.parameter" ("[j]" for multi-valued), flat over pixels. */
  params: Record<string, number[]>;
  /** Per-pixel active flags of optional components (1/0), by component name. */
  active: Record<string, number[]>;
}

export interface RunOutput {
  program: 'ours';
  workers: number;
  order: 'pick' | 'arrival';
  pixels: number;
  pixelsFitted: number;
  seconds: number;
  cpuSeconds: number;
  /** From start() to the first result: mostly the workers starting up. */
  firstResultSeconds: number;
  seedSeconds: number;
  loadSeconds: number;
  /** Workers started and given the model and data, before start() (not in `seconds`). */
  poolStartSeconds: number;
  /** Whether start() found the prepared workers (false: their start-up is in `seconds`). */
  poolPrepared: boolean;
  peakRssBytes: number;
  rssAfterLoad: number;
  phases: { strategy: string; atSeconds: number; count: number }[];
  maps: RunMaps;
}

const { values } = parseArgs({
  options: {
    case: { type: 'string' },
    workers: { type: 'string', default: '2' },
    order: { type: 'string', default: 'pick' },
    out: { type: 'string' },
    seed: { type: 'string', default: '1' },
    /** Extra fit options as JSON (ftol, xtol, initialDamping, ...), for experiments. */
    fit: { type: 'string', default: '{}' },
    /** Jobs handed out at once in pick order (the engine's default when absent). */
    window: { type: 'string' },
    /** Time the workers' start-up too (by default they start before start(), as HyperSpy's do). */
    'cold-start': { type: 'boolean', default: false },
    /** Stop the run after this many seconds (profiling a slow case). */
    'max-seconds': { type: 'string' },
  },
});
const workers = Number(values.workers);
const order = values.order === 'arrival' ? 'arrival' : 'pick';
if (!values.case || !values.out) throw new Error('samfire-run needs --case and --out');

const t0 = performance.now();
let model: Model;
let strategies: Strategy[];
let tolerance: number;
let optional: string[];
let seedSeconds = 0;
if (values.case === 'eds' || values.case === 'eds-fixed') {
  const c = edsCase(values.case === 'eds-fixed');
  // As `samfire run` reads it: large arrays straight into shared memory for the threads.
  const file = await readHspy(c.file, { sharedMemory: workers > 0 });
  const index = file.modelNames.findIndex((names) => names.includes(c.model));
  model = file.model(index < 0 ? 0 : index, c.model);
  if (c.fixedLines) {
    // The lines' energies and widths fixed at the seed's values: only amplitudes free.
    for (const comp of model.components)
      for (const p of comp.parameters)
        if (p.name === 'centre' || p.name === 'sigma') p.free = false;
  }
  // HyperSpy's defaults, as its reference run (hs_eds_ref.py): the local
  // strategy (radius 3) then the global one, tolerance 0.8, bounded.
  strategies = [new RedChisqStrategy(), new HistogramStrategy()];
  tolerance = c.tolerance;
  optional = [];
} else {
  const c = JSON.parse(readFileSync(`${values.case}/case.json`, 'utf8')) as DomainCase;
  const { data } = readNpyShared(`${c.dir}/data.npy`);
  const signal = new Signal({
    data,
    axes: [
      { name: 'y', size: c.rows, offset: 0, scale: 1, units: 'px', navigate: true },
      { name: 'x', size: c.cols, offset: 0, scale: 1, units: 'px', navigate: true },
      { name: 'Energy', size: c.channels, offset: 0, scale: c.scale, units: 'eV', navigate: false },
    ],
    title: c.name,
    signalType: '',
  });
  signal.estimatePoissonianNoiseVariance({ gain: 1, offset: 0, floor: 0.1 });
  model = domainExampleModel(signal);
  model.component('l2').activeIsMultidimensional = true;
  const s0 = performance.now();
  model.fit([0, 0]); // the seed pixel, unbounded from the guesses, as hs_make_case.py
  seedSeconds = (performance.now() - s0) / 1000;
  strategies = [new RedChisqStrategy({ radii: 1 })];
  tolerance = 1;
  optional = ['l2'];
}
const loadSeconds = (performance.now() - t0) / 1000 - seedSeconds;

let t1 = 0;
const fitOptions: WorkerFitOptions = {
  ...(JSON.parse(values.fit) as WorkerFitOptions),
  bounded: true,
};
const pool =
  workers > 0 ? new PreparedPool(new NodeWorkerPool({ workers, kind: 'thread' })) : undefined;
const samf = new Samfire(model, {
  workers,
  ...(pool ? { pool } : {}),
  strategies,
  order,
  randomSeed: Number(values.seed),
  ...(values.window ? { window: Number(values.window) } : {}),
});
const goodness = new RedChisqTest(tolerance);
samf.metadata.goodnessTest = goodness;
samf.optionalComponents = optional;
if (pool && !values['cold-start']) {
  // As HyperSpy's create_samfire(): the workers are started and given the
  // model and data before start(), which then finds them ready (the engine's
  // init must match this one exactly, else the pool starts afresh).
  for (const i of samf.optionalComponents) model.components[i]!.activeIsMultidimensional = true;
  await pool.prepare(
    workerInit(model, {
      optional: samf.optionalComponents,
      goodness: goodness.spec(),
      fit: fitOptions,
    }),
  );
}
samf.on('error', (e) => process.stderr.write(`samfire: ${e.message}\n`));
const phases: { strategy: string; atSeconds: number; count: number }[] = [];
samf.on('strategyChanged', (e) =>
  phases.push({ strategy: e.name, atSeconds: (performance.now() - t1) / 1000, count: samf.count }),
);
const rssAfterLoad = process.memoryUsage().rss;
let firstResultSeconds = NaN;
samf.on('pixelDone', () => {
  if (Number.isNaN(firstResultSeconds)) firstResultSeconds = (performance.now() - t1) / 1000;
});
t1 = performance.now();
const cpu0 = process.cpuUsage();
const limit = values['max-seconds'] === undefined ? null : Number(values['max-seconds']);
const timer = limit === null ? null : setTimeout(() => void samf.stop(), limit * 1000);
try {
  await samf.start(fitOptions);
} finally {
  if (timer) clearTimeout(timer);
  await samf.close();
}
const seconds = (performance.now() - t1) / 1000;
const cpu = process.cpuUsage(cpu0);
/** CPU time of the whole process (all threads) during the run: robust to other load on the machine. */
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const peakRssBytes = process.resourceUsage().maxRSS * 1024;

const marker = samf.metadata.marker;
const params: Record<string, number[]> = {};
const active: Record<string, number[]> = {};
for (const c of model.components) {
  for (const p of c.parameters) {
    if (!p.free) continue;
    for (let j = 0; j < p.length; j++) {
      const name = p.length > 1 ? `${p.fullName}[${j}]` : p.fullName;
      params[name] = Array.from(
        { length: marker.length },
        (_, i) => p.map.values[i * p.length + j]!,
      );
    }
  }
  if (c.activeMap) active[c.name] = Array.from(c.activeMap);
}
let fitted = 0;
for (const v of marker) if (v <= -1) fitted++;
const out: RunOutput = {
  program: 'ours',
  workers,
  order,
  pixels: marker.length,
  pixelsFitted: fitted,
  seconds,
  cpuSeconds,
  firstResultSeconds,
  seedSeconds,
  loadSeconds,
  poolStartSeconds: pool?.prepareSeconds ?? 0,
  poolPrepared: pool?.reused ?? false,
  peakRssBytes,
  rssAfterLoad,
  phases,
  maps: { marker: Array.from(marker), params, active },
};
writeFileSync(values.out, JSON.stringify(out));
