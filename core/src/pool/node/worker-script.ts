/**
 * Which file a pool starts as a worker, and how.
 *
 * fitWorkerScript() decides from this module's own URL, the one thing that
 * always tells the two cases apart:
 * - compiled (core/dist/pool/node/worker-script.js): run fit-worker.js from
 *   the same folder, as is;
 * - TypeScript sources (vitest, tsx: core/src/pool/node/worker-script.ts):
 *   run fit-worker.ts through tsx, which also maps the sources' `.js` import
 *   specifiers to their `.ts` files.
 * Electron, or a bundler that moves files, passes its own WorkerScript.
 *
 * How tsx gets in differs by kind (Node 20):
 * - fork: `--import tsx` in execArgv, with the `@samfire/source` export
 *   condition, so that `@samfire/core/*` resolves to the sources there too
 *   (core/package.json's exports).
 * - worker_threads: loader flags in a Worker's execArgv are ignored in Node
 *   20 (nodejs/node#47747, fixed in 22), and tsx's `--import` entry only
 *   registers itself on the main thread. So the thread starts a tiny eval'd
 *   bootstrap that calls tsx's register() in the thread, then imports the
 *   entry. A thread inherits its parent's execArgv, `--conditions` included.
 */
import type { WorkerOptions } from 'node:worker_threads';

export interface WorkerScript {
  /** The entry file. */
  url: URL;
  /** A TypeScript entry, to be run through tsx. */
  typescript: boolean;
}

export function workerScript(url: URL): WorkerScript {
  return { url, typescript: url.pathname.endsWith('.ts') };
}

/** The fit worker entry (fit-worker.ts or .js) next to this module, as explained above. */
export function fitWorkerScript(moduleUrl: string = import.meta.url): WorkerScript {
  const extension = new URL(moduleUrl).pathname.endsWith('.ts') ? 'ts' : 'js';
  return workerScript(new URL(`./fit-worker.${extension}`, moduleUrl));
}

/** The export condition under which `@samfire/core/*` resolves to core's TypeScript sources. */
export const SOURCE_CONDITION = '@samfire/source';

/** Node flags for a child process that runs a TypeScript entry from the sources. */
export const TYPESCRIPT_EXEC_ARGV: readonly string[] = [
  '--import',
  'tsx',
  `--conditions=${SOURCE_CONDITION}`,
];

/** Node flags for a forked worker. */
export function forkExecArgv(script: WorkerScript): string[] {
  return script.typescript ? [...TYPESCRIPT_EXEC_ARGV] : [];
}

const TSX_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.tsxApi).then((tsx) => { tsx.register(); return import(workerData.entry); });
`;

/** What to pass to `new Worker(filename, options)` for a worker thread. */
export function threadStart(script: WorkerScript): {
  filename: URL | string;
  options: WorkerOptions;
} {
  if (!script.typescript) return { filename: script.url, options: {} };
  // Resolved here, where the package resolution works, with ESM conditions
  // (tsx's CommonJS build of this API cannot register ESM hooks).
  const tsxApi = import.meta.resolve('tsx/esm/api');
  return {
    filename: TSX_BOOTSTRAP,
    options: { eval: true, workerData: { tsxApi, entry: script.url.href } },
  };
}
