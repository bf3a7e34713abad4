/** The Samfire constructor's options, with their defaults resolved in one place. */
import type { WorkerPool } from '../pool/pool.js';
import type { GoodnessTestSpec } from '../pool/protocol.js';
import type { BackupWriter, RunOrder } from './backup.js';
import type { Strategy } from './strategies/strategy.js';

/** The pixels one engine stored as good, and the goodness test that judged them. */
export interface AcceptedFits {
  /** 1 where a result of this engine's runs is stored (it passed `test`). */
  pixels: Uint8Array;
  test: GoodnessTestSpec;
}

export interface SamfireOptions {
  /** Fitting workers; 0 fits in the calling thread. @default max(1, cores - 1) */
  workers?: number;
  /**
   * The machine's core count, for the default `workers` (so core needs no
   * node:os). @default the registered core count (os.availableParallelism()
   * once a Node module of SAMFire is loaded: see setCoreCount), else
   * navigator.hardwareConcurrency where there is one, else 1
   */
  cores?: number;
  /** Refresh the active strategy from the seeds (the fits already stored) right away. @default true */
  setup?: boolean;
  /** Seed of the random tie-breaks between equal candidates. @default derived from the clock */
  randomSeed?: number;
  /**
   * The worker pool (for example the Node thread pool). Without one the
   * engine fits in the calling thread through an in-process pool, whatever
   * `workers` says. @default an in-process pool
   */
  pool?: WorkerPool;
  /** The strategies, in the order they run. @default [reduced chi-squared strategy, histogram strategy] */
  strategies?: readonly Strategy[];
  /**
   * 'pick': results are applied in the order pixels were picked, with a fixed
   * number of jobs handed out, so a seeded run gives the same maps with any
   * number of workers. 'arrival': results are applied as they arrive and the
   * pool is kept at its capacity (faster on uneven pixels, not reproducible).
   * @default 'pick'
   */
  order?: RunOrder;
  /**
   * Jobs handed out at once in 'pick' order. Fixed (not derived from the
   * workers) because it shapes the result; raise it to keep more than this
   * many workers busy. @default 16
   */
  window?: number;
  /** Where backups are written. @default none: backups are only emitted as 'backup' events */
  writer?: BackupWriter;
  /** Keep a log of what the engine does (see Samfire.log). @default false */
  log?: boolean;
  /** Longest wait for the pixels being fitted when stopping, in ms. @default 900 */
  stopTimeout?: number;
  /** Least time between two progress events, in ms. @default 100 */
  progressInterval?: number;
  /** Milliseconds clock. @default Date.now */
  now?: () => number;
  /**
   * Results another engine stored on this model, and the test that judged
   * them (its `accepted`): a new engine carrying on a run (other strategies
   * or workers) treats them as its own, so a changed goodness test clears
   * those that fail it at start(). @default none
   */
  accepted?: AcceptedFits;
}

export interface ResolvedSamfireOptions {
  workers: number;
  setup: boolean;
  randomSeed: number;
  pool: WorkerPool | null;
  strategies: readonly Strategy[] | null;
  order: RunOrder;
  window: number;
  writer: BackupWriter | null;
  log: boolean;
  stopTimeout: number;
  progressInterval: number;
  now: () => number;
  accepted: AcceptedFits | null;
}

let coreCount: (() => number) | null = null;

/**
 * Where the default `workers` learns the machine's core count. Pure code
 * cannot ask Node (no node:os here), and Node 20 has no navigator (it came
 * in Node 21), so the Node layers register os.availableParallelism() (see
 * samfire/node/cores.ts, loaded by the Node worker pool, the backup file
 * writer, the CLI and the host). null: navigator.hardwareConcurrency where
 * there is one (browsers, Electron's renderer, Node >= 21), else 1.
 */
export function setCoreCount(provider: (() => number) | null): void {
  coreCount = provider;
}

function wholePositive(n: unknown): number | null {
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : null;
}

function defaultCores(): number {
  const registered = coreCount ? wholePositive(coreCount()) : null;
  if (registered !== null) return registered;
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: unknown } }).navigator;
  return wholePositive(nav?.hardwareConcurrency) ?? 1;
}

function wholeNumber(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min)
    throw new Error(`SAMFire option '${name}' must be a whole number >= ${min}, got ${value}`);
  return value;
}

export function resolveSamfireOptions(options: SamfireOptions): ResolvedSamfireOptions {
  const now = options.now ?? Date.now;
  const cores = wholeNumber('cores', options.cores ?? defaultCores(), 1);
  const workers = wholeNumber('workers', options.workers ?? Math.max(1, cores - 1), 0);
  const order = options.order ?? 'pick';
  if (order !== 'pick' && order !== 'arrival') {
    throw new Error(`SAMFire option 'order' must be 'pick' or 'arrival', got '${String(order)}'`);
  }
  const randomSeed = options.randomSeed ?? Math.floor(now()) % 2147483647;
  if (!Number.isInteger(randomSeed))
    throw new Error(`SAMFire option 'randomSeed' must be an integer, got ${randomSeed}`);
  const stopTimeout = options.stopTimeout ?? 900;
  const progressInterval = options.progressInterval ?? 100;
  if (!(stopTimeout >= 0))
    throw new Error(`SAMFire option 'stopTimeout' must be >= 0, got ${stopTimeout}`);
  if (!(progressInterval >= 0))
    throw new Error(`SAMFire option 'progressInterval' must be >= 0, got ${progressInterval}`);
  return {
    workers,
    setup: options.setup ?? true,
    randomSeed,
    pool: options.pool ?? null,
    strategies: options.strategies ?? null,
    order,
    window: wholeNumber('window', options.window ?? 16, 1),
    writer: options.writer ?? null,
    log: options.log ?? false,
    stopTimeout,
    progressInterval,
    now,
    accepted: options.accepted ?? null,
  };
}
