/**
 * `npm run bench:io` (tsx test/bench/io-bench.ts): our file readers against
 * HyperSpy 1.7.3 loading the same files in the same run, in MB/s of decoded
 * data (the cube's bytes over the best of N reads).
 *
 * Cases: every module in ./io-cases (see io-cases/README.md). Ours run in
 * this process through tsx (the readers' code is plain TypeScript, so what
 * tsx runs is what tsc would emit, and the time of a read does not include
 * any transform: one untimed read first, then the best of N). HyperSpy runs
 * in one /usr/bin/python3 process per case (py/hs_io_bench.py), timed
 * inside Python around hs.load (interpreter and HyperSpy start-up
 * excluded), best of N as well.
 *
 * Options: --only NAME[,NAME], --repeats N (default 5), --no-hyperspy,
 * --large (cases add larger synthetic files). Prints one table and a
 * per-format summary; writes bench-results/io-bench.json.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { IoCase } from './io-case.js';

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    repeats: { type: 'string', default: '5' },
    'no-hyperspy': { type: 'boolean', default: false },
    large: { type: 'boolean', default: false },
  },
});

const PYTHON = '/usr/bin/python3';
const HERE = fileURLToPath(new URL('.', import.meta.url));
const RESULTS = 'bench-results';
const MB = 1e6;
const repeats = Math.max(1, Number(args.repeats));
if (args.large) process.env['IO_BENCH_LARGE'] = '1';

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

function hyperspyVersion(): string | null {
  if (args['no-hyperspy']) return null;
  const r = spawnSync(PYTHON, ['-c', 'import hyperspy; print(hyperspy.__version__)'], {
    encoding: 'utf8',
  });
  return r.status === 0 ? r.stdout.trim() : null;
}

async function loadCases(): Promise<IoCase[]> {
  const dir = join(HERE, 'io-cases');
  const only = args.only?.split(',').map((s) => s.trim());
  const cases: IoCase[] = [];
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.ts'))
    .sort()) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { default: IoCase };
    if (!only || only.includes(mod.default.name)) cases.push(mod.default);
  }
  return cases;
}

interface Timing {
  best: number;
  times: number[];
  bytes: number;
}

async function timeOurs(c: IoCase, path: string): Promise<Timing> {
  await c.read(path); // untimed: JIT warm-up, file in the page cache
  const times: number[] = [];
  let bytes = 0;
  for (let k = 0; k < repeats; k++) {
    const t = performance.now();
    bytes = (await c.read(path)).bytes;
    times.push((performance.now() - t) / 1000);
  }
  return { best: Math.min(...times), times, bytes };
}

function timeHyperspy(c: IoCase, paths: string[]): (Timing | { error: string })[] {
  mkdirSync(RESULTS, { recursive: true });
  const jobs = join(RESULTS, `io-bench-jobs-${c.name}.json`);
  writeFileSync(jobs, JSON.stringify(paths.map((path) => ({ path, expr: c.hyperspy, repeats }))));
  const out = execFileSync(PYTHON, [join(HERE, 'py', 'hs_io_bench.py'), jobs], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  return JSON.parse(out) as (Timing | { error: string })[];
}

interface Row {
  case: string;
  format: string;
  file: string;
  fileMB: number;
  cubeMB: number;
  oursSeconds: number;
  oursMBs: number;
  hyperspySeconds: number | null;
  hyperspyMBs: number | null;
  hyperspyError?: string;
  ratio: number | null;
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

async function main(): Promise<void> {
  const version = hyperspyVersion();
  log(version ? `HyperSpy ${version} (${PYTHON})` : 'HyperSpy: not run');
  const rows: Row[] = [];
  for (const c of await loadCases()) {
    const files = await c.files();
    log(`${c.name}: ${files.length} files, best of ${repeats}`);
    const hs = version ? timeHyperspy(c, files) : files.map(() => ({ error: 'not run' }));
    for (let i = 0; i < files.length; i++) {
      const path = files[i]!;
      const ours = await timeOurs(c, path);
      const h = hs[i]!;
      const hsOk = 'best' in h;
      if (hsOk && h.bytes !== ours.bytes) {
        log(`  ${basename(path)}: HyperSpy's data are ${h.bytes} bytes, ours ${ours.bytes}`);
      }
      const row: Row = {
        case: c.name,
        format: c.format,
        file: basename(path),
        fileMB: statSync(path).size / MB,
        cubeMB: ours.bytes / MB,
        oursSeconds: ours.best,
        oursMBs: ours.bytes / MB / ours.best,
        hyperspySeconds: hsOk ? h.best : null,
        hyperspyMBs: hsOk ? h.bytes / MB / h.best : null,
        ratio: hsOk ? h.best / ours.best : null,
      };
      if (!hsOk) row.hyperspyError = h.error;
      rows.push(row);
      log(
        `  ${row.file}: ours ${row.oursMBs.toFixed(0)} MB/s${row.ratio ? `, ${row.ratio.toFixed(1)}x HyperSpy` : ''}`,
      );
    }
  }

  const header = [
    pad('format', 12),
    pad('file', 50),
    pad('file MB', 8, true),
    pad('cube MB', 8, true),
    pad('ours s', 9, true),
    pad('ours MB/s', 10, true),
    pad('HS s', 9, true),
    pad('HS MB/s', 9, true),
    pad('ours/HS', 8, true),
  ].join(' ');
  const lines = [header, '-'.repeat(header.length)];
  for (const r of rows) {
    lines.push(
      [
        pad(r.format, 12),
        pad(r.file.slice(0, 50), 50),
        pad(r.fileMB.toFixed(1), 8, true),
        pad(r.cubeMB.toFixed(1), 8, true),
        pad(r.oursSeconds.toFixed(4), 9, true),
        pad(r.oursMBs.toFixed(0), 10, true),
        pad(r.hyperspySeconds === null ? '-' : r.hyperspySeconds.toFixed(4), 9, true),
        pad(r.hyperspyMBs === null ? '-' : r.hyperspyMBs.toFixed(0), 9, true),
        pad(r.ratio === null ? '-' : `${r.ratio.toFixed(1)}x`, 8, true),
      ].join(' '),
    );
  }
  lines.push('');
  // Per format: decoded MB over the summed best times, ours and HyperSpy's, over the files both read.
  const formats = [...new Set(rows.map((r) => r.format))];
  const summary = formats.map((format) => {
    const both = rows.filter((r) => r.format === format && r.hyperspySeconds !== null);
    const mb = both.reduce((n, r) => n + r.cubeMB, 0);
    const ours = both.reduce((n, r) => n + r.oursSeconds, 0);
    const theirs = both.reduce((n, r) => n + r.hyperspySeconds!, 0);
    const ratios = both.map((r) => r.ratio!);
    const geo = ratios.length
      ? Math.exp(ratios.reduce((n, x) => n + Math.log(x), 0) / ratios.length)
      : null;
    return {
      format,
      files: both.length,
      oursMBs: ours > 0 ? mb / ours : null,
      hyperspyMBs: theirs > 0 ? mb / theirs : null,
      ratioTotal: ours > 0 && theirs > 0 ? theirs / ours : null,
      ratioGeometricMean: geo,
      ratioMin: ratios.length ? Math.min(...ratios) : null,
      goalMet: ratios.length ? Math.min(...ratios) >= 5 : null,
    };
  });
  for (const s of summary) {
    lines.push(
      s.files === 0
        ? `${s.format}: no HyperSpy timing`
        : `${s.format}: ours ${s.oursMBs!.toFixed(0)} MB/s, HyperSpy ${s.hyperspyMBs!.toFixed(0)} MB/s over ${s.files} files: ${s.ratioTotal!.toFixed(1)}x in total, ${s.ratioGeometricMean!.toFixed(1)}x geometric mean, ${s.ratioMin!.toFixed(1)}x at least (goal 5x: ${s.goalMet ? 'met' : 'NOT met'})`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(
    join(RESULTS, 'io-bench.json'),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        hyperspy: version,
        repeats,
        node: process.version,
        rows,
        summary,
      },
      null,
      1,
    ),
  );
}

await main();
