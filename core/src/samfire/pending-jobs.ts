/**
 * Pixels handed out to the pool and not yet applied, in pick order. A job
 * settles when its result (or error) arrives; the engine applies settled
 * jobs either in pick order (reproducible) or in arrival order.
 */
import type { PixelResult, PixelStart } from '../pool/protocol.js';

export interface PendingJob {
  pixel: number;
  start: PixelStart;
  /** The pixel's marker before it was picked (given back on a stop in arrival order). */
  priority: number;
  /** The pool's job id while submitted; null when (re)submission is due. */
  job: number | null;
  result: PixelResult | null;
  error: string | null;
}

export function isSettled(job: PendingJob): boolean {
  return job.result !== null || job.error !== null;
}

export class PendingJobs {
  #order: PendingJob[] = [];
  readonly #byJob = new Map<number, PendingJob>();
  #arrived: PendingJob[] = [];

  get size(): number {
    return this.#order.length;
  }

  entries(): readonly PendingJob[] {
    return this.#order;
  }

  add(job: PendingJob): void {
    this.#order.push(job);
  }

  submitted(entry: PendingJob, job: number): void {
    entry.job = job;
    this.#byJob.set(job, entry);
  }

  /** Records an answer; returns false for a job that is not pending (late, or from an earlier run). */
  settle(job: number, result: PixelResult | null, error: string | null): boolean {
    const entry = this.#byJob.get(job);
    if (!entry || isSettled(entry)) return false;
    this.#byJob.delete(job);
    entry.result = result;
    entry.error = error;
    this.#arrived.push(entry);
    return true;
  }

  /** Removes and returns the oldest pick if it has settled. */
  shiftSettledHead(): PendingJob | null {
    const head = this.#order[0];
    if (!head || !isSettled(head)) return null;
    this.#order.shift();
    this.#arrived = this.#arrived.filter((e) => e !== head);
    return head;
  }

  /** Removes and returns the earliest arrival. */
  shiftArrived(): PendingJob | null {
    const entry = this.#arrived.shift();
    if (!entry) return null;
    this.#order = this.#order.filter((e) => e !== entry);
    return entry;
  }

  /** Drops the job of `pixel` (its result came by another way); false when there is none. */
  removePixel(pixel: number): boolean {
    const entry = this.#order.find((e) => e.pixel === pixel);
    if (!entry) return false;
    this.#order = this.#order.filter((e) => e !== entry);
    this.#arrived = this.#arrived.filter((e) => e !== entry);
    if (entry.job !== null) this.#byJob.delete(entry.job);
    return true;
  }

  /** Jobs that have no answer and are not submitted. */
  unsubmitted(): PendingJob[] {
    return this.#order.filter((e) => e.job === null && !isSettled(e));
  }

  /** Forgets the pool's job ids: unanswered jobs are due for resubmission, late answers are ignored. */
  forgetJobs(): void {
    for (const entry of this.#byJob.values()) entry.job = null;
    this.#byJob.clear();
  }

  /** Removes every pending job and returns them in pick order. */
  clear(): PendingJob[] {
    const all = this.#order;
    this.#order = [];
    this.#arrived = [];
    this.#byJob.clear();
    return all;
  }
}
