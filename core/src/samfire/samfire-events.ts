/** The events a Samfire emits, as plain data a UI can forward over IPC. */
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

export interface SamfireEvents {
  progress: ProgressEvent;
  pixelDone: { pixel: number; good: boolean };
  strategyChanged: { index: number; name: string; flavour: StrategyFlavour };
  plot: StrategyPlot;
  backup: { filename: string; backup: SamfireBackup };
  stopped: { count: number; done: number; left: number };
  finished: { count: number; done: number; left: number };
  error: { message: string; pixel?: number };
}
