/**
 * What the engine and the cluster workers say to each other over NATS, on
 * top of the worker protocol (../../protocol.ts): subjects, the run
 * announcement and the heartbeat. Job and result messages are
 * `encodeMessage` bytes (codec.ts); announcements and heartbeats are JSON.
 *
 * One run = one JetStream stream `SAMFIRE_<run>` (work-queue retention,
 * file storage) with two subjects: jobs (consumer `workers`, shared by all
 * workers, explicit ack, a redelivery deadline) and results (consumer
 * `coordinator`, the engine's). The run's initial data is object `<run>` in
 * the object store bucket `samfire-runs` (chunked).
 */
import type { PixelStart } from '../../protocol.js';

export const DEFAULT_PREFIX = 'samfire';
export const DATA_BUCKET = 'samfire-runs';
export const WORKERS_CONSUMER = 'workers';
export const COORDINATOR_CONSUMER = 'coordinator';
/** Object store chunk size for the run's data. */
export const CHUNK_BYTES = 128 * 1024;

export interface RunSubjects {
  stream: string;
  jobs: string;
  results: string;
  events: string;
}

export function runSubjects(prefix: string, run: string): RunSubjects {
  return {
    stream: `SAMFIRE_${run}`,
    jobs: `${prefix}.run.${run}.jobs`,
    results: `${prefix}.run.${run}.results`,
    events: `${prefix}.run.${run}.events`,
  };
}

/** Coordinators announce their runs here (again every announceMs) ... */
export const announceSubject = (prefix: string): string => `${prefix}.runs.start`;
/** ... and their end here. */
export const endSubject = (prefix: string): string => `${prefix}.runs.end`;
/** Workers' heartbeats: `<prefix>.workers.<name>`. */
export const heartbeatSubject = (prefix: string, name: string): string =>
  `${prefix}.workers.${name}`;

export interface RunAnnouncement {
  run: string;
  /** The coordinator's host name, for the workers' logs. */
  host: string;
  /** Redelivery deadline of the jobs consumer. */
  ackWaitMs: number;
  /** Object name of the initial data in DATA_BUCKET. */
  object: string;
  /** Bytes of the initial data. */
  bytes: number;
}

export interface WorkerHeartbeat {
  name: string;
  host: string;
  pid: number;
  /** Kernels (threads) this worker runs. */
  concurrency: number;
  /** The run it serves, or null when idle. */
  run: string | null;
  /** 'bye': exiting cleanly. */
  state: 'idle' | 'loading' | 'fitting' | 'bye';
  /** Pixels fitted since it started. */
  pixels: number;
  /** Pixels per second over the last few seconds. */
  rate: number;
  /** Jobs it holds (fetched, not yet acknowledged). */
  inHand: number;
}

/** A job message: several pixels of one run. */
export interface JobBatch {
  jobs: { job: number; pixel: number; start: PixelStart }[];
}

/** A result message: one or more answers (FromWorker 'result' or 'error' messages). */
export interface ResultBatch {
  worker: string;
  /** Stream sequence of the job message answered. */
  seq: number;
  /**
   * How many times JetStream has delivered that job message (1 = first time;
   * more: the worker that held it before was lost, or handed it back).
   */
  delivery: number;
  items: unknown[];
}

export function isAnnouncement(x: unknown): x is RunAnnouncement {
  if (x === null || typeof x !== 'object') return false;
  const a = x as Record<string, unknown>;
  return (
    typeof a.run === 'string' &&
    /^[A-Za-z0-9]+$/.test(a.run) &&
    typeof a.object === 'string' &&
    typeof a.ackWaitMs === 'number' &&
    a.ackWaitMs > 0
  );
}

export function isHeartbeat(x: unknown): x is WorkerHeartbeat {
  if (x === null || typeof x !== 'object') return false;
  const h = x as Record<string, unknown>;
  return (
    typeof h.name === 'string' &&
    typeof h.host === 'string' &&
    typeof h.concurrency === 'number' &&
    (h.run === null || typeof h.run === 'string') &&
    typeof h.state === 'string'
  );
}

/** A worker name usable as a subject token. */
export function checkWorkerName(name: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name))
    throw new Error(
      `worker name '${name}' must be 1-64 letters, digits, '-' or '_' (it is a NATS subject token)`,
    );
  return name;
}
