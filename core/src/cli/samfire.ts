#!/usr/bin/env node
/**
 * The `samfire` command line: run, eds, demo, info, export, convert (see USAGE).
 */
import { argv, exit, stderr, stdout } from 'node:process';
import { CONVERT_USAGE, runConvert } from './convert.js';
import { runDemo } from './demo.js';
import { EDS_USAGE, runEds } from './eds.js';
import { runExport } from './export.js';
import { runInfo } from './info.js';
import { runClusterDemo } from './cluster-demo.js';
import { POOL_USAGE, NATS_USAGE } from './pool-option.js';
import { runRun } from './run.js';
import { runWorker } from './worker.js';

const USAGE = `usage: samfire <command> [options]

commands:
  run INPUT --model NAME --out OUTPUT [options]
      SAMFire on a .hspy file holding a stored model with its seed pixels fitted
      --workers N            fitting workers (default: cores - 1; 0 fits in this thread)
      --strategies LIST      local,global (default), local or global
      --radii R              local strategy radius in pixels (default 3)
      --bins RULE            global strategy bins: fd (default), scott, sturges or a number
      --test KIND            goodness test: redchisq (default), deviance (Poisson deviance
                             per degree of freedom, for counts), aic, aicc or bic
      --tolerance T          goodness tolerance (default 1 for redchisq and deviance)
      --optional NAMES       components switched on or off per pixel by AICc (comma separated)
      --bounded              honour the parameters' bounds
      --optimizer NAME       lm (default) or mljs
      --loss KIND            ls (least squares, default) or ml-poisson (Poisson maximum
                             likelihood, for counts; lm only)
      --random-seed S        reproducible pixel order and maps
      --save-every N --backup FILE   back up every N results (atomic; a crash loses at most N)
      --resume FILE          continue from a backup
      --summary FILE.json    write a summary (pixels, time, rate, medians)
${POOL_USAGE}
${EDS_USAGE}  demo [run options] [--size RxCxN] [--out FILE.hspy] [--quiet]
      the built-in example: fit its seed pixel, then SAMFire
  info FILE [--json]
      what is in a file (DM3/DM4, Ripple, EMSA, NumPy, HyperSpy)
  export FILE --model NAME (--list | --map MAP --out PATH [--format csv|npy])
      a result map (g.A, g.A.std, redChisq, active:l2, ...) as CSV or .npy
${CONVERT_USAGE}  worker --nats URL [--concurrency N] [--name NAME] [--max-in-flight M] [--quiet]
      a cluster worker: fits the pixels of the runs started with --pool nats
      (N kernels, default: the cores; M job messages in hand, default 2N)
${NATS_USAGE}
  cluster-demo [--workers N] [--size RxCxN] [--keep]
      a local nats-server with JetStream, two workers, and the demo run on them
  help
      show this help
`;

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case 'run':
      return runRun(rest);
    case 'eds':
      return runEds(rest);
    case 'demo':
      return runDemo(rest);
    case 'info':
      return runInfo(rest);
    case 'export':
      return runExport(rest);
    case 'convert':
      return runConvert(rest);
    case 'worker':
      return runWorker(rest);
    case 'cluster-demo':
      return runClusterDemo(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      stderr.write(`samfire: unknown command '${command}'\n${USAGE}`);
      return 2;
  }
}

main(argv.slice(2)).then(
  (code) => exit(code),
  (error: unknown) => {
    stderr.write(`samfire: ${error instanceof Error ? error.message : String(error)}\n`);
    exit(1);
  },
);
