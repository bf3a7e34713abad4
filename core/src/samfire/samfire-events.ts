/** The events a Samfire emits, as plain data a UI can forward over IPC. */
import type { GoodnessTestSpec } from '../pool/protocol.js';
import type { SamfireBackup } from './backup.js';
import type { StrategyFlavour, StrategyPlot } from './strategies/strategy.js';

export interface ProgressEvent {
  /** Pixels fitted and good (marker <= -1). */
  done: number;
  /** Candidates known now (marker > 0); grows as the engine learns. */
  left: number;
  /** Results received so far. */
  count: number;
  /** Results per second in this run. */
  rate: number;
  /** Seconds to fit the pixels left at the current rate (Infinity before the first result). */
  eta: number;
}

/**
 * start() (or refreshDatabase) after the goodness test changed: the pixels
 * marked done were tested again with the current test.
 */
export interface RetestEvent {
  /** The current test. */
  test: GoodnessTestSpec;
  /** The test that had judged them. */
  previous: GoodnessTestSpec;
  /** Pixels tested again: those marked done and the engine's own stored results. */
  tested: number;
  /** Those that fail the current test: no longer done, fitted again by the run. */
  failed: number[];
  /** The current test's statistic of each failed fit (as `failed`; NaN without a stored fit). */
  statistics: number[];
  /** How many of the failed fits were this engine's results, and so cleared (the others were stored by hand or loaded, and are kept). */
  cleared: number;
}

export interface SamfireEvents {
  progress: ProgressEvent;
  pixelDone: { pixel: number; good: boolean };
  strategyChanged: { index: number; name: string; flavour: StrategyFlavour };
  plot: StrategyPlot;
  backup: { filename: string; backup: SamfireBackup };
  stopped: { count: number; done: number; left: number };
  finished: { count: number; done: number; left: number };
  error: { message: string; pixel?: number };
  retested: RetestEvent;
}
