/**
 * A pool of fitting workers. The engine submits jobs and receives results
 * through callbacks; a pool keeps each worker fed with a small queue, replaces
 * a worker that crashes or hangs and resubmits its pixels, and reports faults.
 */
import type { ClusterStatus } from '../api/types.js';
import type { PixelResult, PixelStart, WorkerInit } from './protocol.js';

export interface PoolJob {
  job: number;
  pixel: number;
  start: PixelStart;
}

export interface PoolEvents {
  /** A pixel's result. */
  onResult(job: number, result: PixelResult): void;
  /** A pixel the worker could not fit (bad data): the engine decides what to do. */
  onJobError(job: number, pixel: number, message: string): void;
  /** A worker crashed or hung and was replaced; its jobs were resubmitted. */
  onFault(message: string): void;
}

export interface WorkerPool {
  /** Number of workers (0 = in-process). */
  readonly size: number;
  /** How many jobs the pool wants in flight to keep every worker busy. */
  readonly capacity: number;
  /** Sends the model and data to every worker; resolves when all are ready. */
  init(init: WorkerInit, events: PoolEvents): Promise<void>;
  /** Queues jobs; results arrive through the events. */
  submit(jobs: readonly PoolJob[]): void;
  /** Jobs submitted and not yet answered. */
  readonly inFlight: number;
  /** Drops queued jobs not yet started and returns them (for stop()). */
  drain(): PoolJob[];
  /** Stops every worker. */
  close(): Promise<void>;
  /** A pool of other hosts' workers (the cluster): who they are and how fast they go. */
  readonly cluster?: ClusterStatus;
}
