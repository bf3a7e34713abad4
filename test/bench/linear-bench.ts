/**
 * The linear whole-map fit (core/src/linear/) against HyperSpy 1.7.3's
 * `m.multifit(optimizer="lstsq")` on the same model and data, in one run:
 *
 * - the real EDS map (../shared/data/real/eds-agcu-50x50-seed.hspy) with
 *   the EDS model of Al, Ag (and Cu, with no line in range), calibrated on
 *   the sum spectrum, then its lines fixed: unweighted and Poisson-weighted
 *   (variance max(counts, 1));
 * - a synthetic 256x256x2048 map (uint16 Poisson counts from an EDS model
 *   of 8 elements, 1.0-9.0 keV), unweighted and weighted; HyperSpy's
 *   weighted fit (pixel by pixel) runs on the first rows only (--hs-rows)
 *   and is reported as pixels/s.
 *
 * Both programs read the same .hspy files (written here, with the model);
 * test/bench/py/hs_linear_bench.py is the HyperSpy side. Reported: pixels/s,
 * the ratio to HyperSpy, and the fraction of the memory-bandwidth limit of
 * reading the cube once (the cube's bytes over the best of three sums of
 * the whole cube in this process, measured in the same run). Ours run in
 * this thread (unweighted) or on the linear thread pool's two worker
 * threads (weighted: the per-pixel normal equations), best of three (the
 * pool started once, before timing; the cube copied to shared memory on
 * the first fit, also before timing).
 *
 *   npm run bench:linear [-- --no-hyperspy] [-- --no-synthetic] [-- --hs-rows 2]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import {
  Signal,
  buildEdsModel,
  calibrate,
  edsCalibration,
  edsFamilyComponents,
  fitLinear,
} from '@samfire/core';
import type { LinearFitResult, Model } from '@samfire/core';
import { LinearThreadPool, readHspy, writeHspy } from '@samfire/core/node';
import { SHARED } from '../helpers/reference.js';
import { mulberry32 } from '../helpers/random.js';

const { values: args } = parseArgs({
  options: {
    'no-hyperspy': { type: 'boolean', default: false },
    'no-synthetic': { type: 'boolean', default: false },
    'hs-rows': { type: 'string', default: '2' },
  },
});

const PYTHON = '/usr/bin/python3';
const HERE = new URL('.', import.meta.url).pathname;
const RESULTS = 'bench-results';
const DIR = `${RESULTS}/linear`;
mkdirSync(DIR, { recursive: true });

interface Row {
  case: string;
  weighting: string;
  /** Threads our fit ran on. */
  threads: number;
  pixels: number;
  channels: number;
  free: number;
  oursSeconds: number;
  oursPixelsPerSecond: number;
  hyperspyPixels: number | null;
  hyperspySeconds: number | null;
  hyperspyPixelsPerSecond: number | null;
  ratio: number | null;
  cubeBytes: number;
  readBandwidthGBs: number;
  /** Time to read the cube once at the measured bandwidth over our time. */
  bandwidthFraction: number;
  /** Max |ours - HyperSpy| / |HyperSpy| of the first family's amplitude over the first pixels. */
  agreement: number | null;
}

function log(s: string): void {
  process.stderr.write(`${s}\n`);
}

/** Best of three sums over the whole cube: the bandwidth of reading it once, GB/s. */
function readBandwidth(data: ArrayLike<number>): number {
  let best = Infinity;
  let sink = 0;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    let s = 0;
    for (let i = 0; i < data.length; i++) s += data[i]!;
    sink += s;
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  if (sink === -1) log('');
  return (data as unknown as { byteLength: number }).byteLength / best / 1e9;
}

/** Threads of the weighted fits. */
const WEIGHTED_THREADS = 2;
const pool = new LinearThreadPool(WEIGHTED_THREADS);

async function bestOf(n: number, fn: () => Promise<void>): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < n; r++) {
    const t0 = performance.now();
    await fn();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

interface HsOut {
  seconds: number;
  pixels: number;
  channels: number;
  free: number;
  A: Record<string, (number | null)[]>;
}

const hyperspy =
  !args['no-hyperspy'] &&
  spawnSync(PYTHON, ['-c', 'import hyperspy'], { encoding: 'utf8' }).status === 0;

function runHyperspy(file: string, mode: string, rows?: number): HsOut | null {
  if (!hyperspy) return null;
  const r = spawnSync(
    PYTHON,
    [`${HERE}py/hs_linear_bench.py`, file, 'eds', mode, ...(rows ? [String(rows)] : [])],
    { encoding: 'utf8', maxBuffer: 256 << 20 },
  );
  if (r.status !== 0) {
    log(`HyperSpy failed on ${file} ${mode}: ${r.stderr.split('\n').slice(-4).join(' ')}`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as HsOut;
}

/** Ours against HyperSpy's family amplitude: HyperSpy's A is the main line's, ours the family's. */
function agreement(model: Model, hs: HsOut | null): number | null {
  if (!hs) return null;
  const family = edsFamilyComponents(model)[0]!;
  const theirs = Object.entries(hs.A).find(([k]) => k.startsWith(family.name.split('_')[0]!));
  if (!theirs) return null;
  // The ratio main-line A / family A is the main line's weight: constant when the fits agree.
  const a = family.parameter('A').map.values;
  const ratios = theirs[1]
    .map((v, i) => (v === null ? NaN : v / a[i]!))
    .filter((r) => Number.isFinite(r));
  const mid = ratios.slice().sort((x, y) => x - y)[ratios.length >> 1]!;
  return Math.max(...ratios.map((r) => Math.abs(r - mid) / mid));
}

const rows: Row[] = [];

async function measure(
  name: string,
  model: Model,
  file: string,
  bandwidth: number,
  hsRows?: number,
): Promise<void> {
  const signal = model.signal;
  const bytes = (signal.data as unknown as { byteLength: number }).byteLength;
  for (const weighted of [false, true]) {
    const fit = (): Promise<LinearFitResult> =>
      weighted ? pool.fit(model, { weighted }) : Promise.resolve(fitLinear(model, { weighted }));
    let result = await fit();
    const seconds = await bestOf(3, async () => {
      result = await fit();
    });
    const hs = runHyperspy(
      file,
      weighted ? 'weighted' : 'unweighted',
      weighted ? hsRows : undefined,
    );
    const ours = result.pixels / seconds;
    const hsRate = hs ? hs.pixels / hs.seconds : null;
    const limit = bytes / (bandwidth * 1e9);
    const row: Row = {
      case: name,
      weighting: result.weighting,
      threads: result.threads,
      pixels: result.pixels,
      channels: model.fittedChannels,
      free: result.parameters.length,
      oursSeconds: seconds,
      oursPixelsPerSecond: ours,
      hyperspyPixels: hs?.pixels ?? null,
      hyperspySeconds: hs?.seconds ?? null,
      hyperspyPixelsPerSecond: hsRate,
      ratio: hsRate ? ours / hsRate : null,
      cubeBytes: bytes,
      readBandwidthGBs: bandwidth,
      bandwidthFraction: limit / seconds,
      agreement: agreement(model, hs),
    };
    rows.push(row);
    log(
      `${name} ${row.weighting} (${row.threads} thread${row.threads > 1 ? 's' : ''}): ours ${ours.toFixed(0)} px/s (${seconds.toFixed(3)} s), HyperSpy ${hsRate?.toFixed(1) ?? '-'} px/s on ${hs?.pixels ?? '-'} px, ratio ${row.ratio?.toFixed(1) ?? '-'}, ${(100 * row.bandwidthFraction).toFixed(1)}% of reading the cube once (${bandwidth.toFixed(2)} GB/s)`,
    );
  }
}

// --- the real map ----------------------------------------------------------
{
  const signal = (await readHspy(`${SHARED}data/real/eds-agcu-50x50-seed.hspy`)).signals[0]!;
  const model = buildEdsModel(signal, { elements: ['Al', 'Ag', 'Cu'], range: [1.2, 3.6] });
  calibrate(model);
  model.assignCurrentValuesToAll();
  signal.estimatePoissonianNoiseVariance(); // max(counts, 1), as the file's
  const file = `${DIR}/eds-agcu.hspy`;
  await writeHspy(file, signal, { eds: model });
  await measure('real EDS 50x50x2048', model, file, readBandwidth(signal.data as Float64Array));
}

// --- the synthetic map -----------------------------------------------------
if (!args['no-synthetic']) {
  const side = 256;
  const channels = 2048;
  const file = `${DIR}/synthetic-256x256x2048.hspy`;
  const elements = ['Mg', 'Al', 'Si', 'K', 'Ca', 'Ti', 'Mn', 'Fe'];
  // HyperSpy's EDS model needs the beam energy in the metadata.
  const metadata = { Acquisition_instrument: { SEM: { beam_energy: 20 } } };
  const hasBeamEnergy = (sig: Signal): boolean =>
    JSON.stringify(sig.metadata).includes('"beam_energy":20');
  let signal: Signal | null = existsSync(file) ? (await readHspy(file)).signals[0]! : null;
  // A cached map from before the metadata was written is made again.
  if (signal && !hasBeamEnergy(signal)) signal = null;
  if (!signal) {
    log('making the synthetic map (cached in bench-results/linear/)');
    const axes = [
      { name: 'y', size: side, offset: 0, scale: 1, units: 'px', navigate: true },
      { name: 'x', size: side, offset: 0, scale: 1, units: 'px', navigate: true },
      {
        name: 'Energy',
        size: channels,
        offset: -0.2,
        scale: 0.01,
        units: 'keV',
        navigate: false,
        isBinned: true,
      },
    ];
    const nav = side * side;
    const one = new Signal({ data: new Float64Array(channels), axes: [axes[2]!] });
    const gen = buildEdsModel(one, {
      elements,
      range: [1.0, 9.0],
      beamEnergy: 20,
      initialAmplitudes: false,
    });
    gen.parameter('background.coefficients').setValues([0, -30, 600]);
    const families = edsFamilyComponents(gen);
    const data = new Uint16Array(nav * channels);
    const mean = new Float64Array(channels);
    const rand = mulberry32(17);
    for (let p = 0; p < nav; p++) {
      const y = Math.floor(p / side);
      const x = p % side;
      families.forEach((f, i) => {
        f.parameter('A').value =
          400 + 300 * Math.sin((x + 13 * i) / 40) * Math.cos(y / 50) + 10 * i;
      });
      gen.evaluate(mean);
      for (let c = 0; c < channels; c++) {
        // Poisson by inversion (means here are below a few hundred).
        const lambda = Math.max(0, mean[c]!);
        let k = 0;
        if (lambda > 0) {
          if (lambda < 30) {
            const limit = Math.exp(-lambda);
            let prod = rand();
            while (prod > limit) {
              k++;
              prod *= rand();
            }
          } else {
            const u = rand() || 1e-12;
            const v = rand();
            k = Math.max(
              0,
              Math.round(
                lambda +
                  Math.sqrt(lambda) * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v),
              ),
            );
          }
        }
        data[p * channels + c] = k;
      }
    }
    signal = new Signal({ data, axes, signalType: 'EDS_SEM', title: 'synthetic EDS', metadata });
    const model = buildEdsModel(signal, { elements, range: [1.0, 9.0], beamEnergy: 20 });
    model.assignCurrentValuesToAll();
    await writeHspy(file, signal, { eds: model });
  }
  const model = buildEdsModel(signal, { elements, range: [1.0, 9.0], beamEnergy: 20 });
  edsCalibration(model); // lines fixed at the axis's calibration (the truth here)
  model.assignCurrentValuesToAll();
  signal.estimatePoissonianNoiseVariance();
  await measure(
    `synthetic ${side}x${side}x${channels}`,
    model,
    file,
    readBandwidth(signal.data as Uint16Array),
    Number(args['hs-rows']),
  );
}

await pool.close();
const load = loadavg();
log(
  `machine: ${cpus().length} cores, node ${process.version}, load average ${load[0]!.toFixed(2)}`,
);
const table = [
  '| case | weights | threads | pixels | channels | free | ours px/s | HyperSpy px/s (pixels) | ratio | % of reading the cube once |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.case} | ${r.weighting} | ${r.threads} | ${r.pixels} | ${r.channels} | ${r.free} | ${r.oursPixelsPerSecond.toFixed(0)} | ${r.hyperspyPixelsPerSecond?.toFixed(1) ?? '-'} (${r.hyperspyPixels ?? '-'}) | ${r.ratio?.toFixed(1) ?? '-'} | ${(100 * r.bandwidthFraction).toFixed(1)} (${r.readBandwidthGBs.toFixed(2)} GB/s) |`,
  ),
];
console.log(table.join('\n'));
writeFileSync(
  `${RESULTS}/linear-bench.json`,
  `${JSON.stringify({ node: process.version, cores: cpus().length, loadAverage: load, rows }, null, 1)}\n`,
);
log(`wrote ${RESULTS}/linear-bench.json`);
