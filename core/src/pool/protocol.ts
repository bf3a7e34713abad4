/**
 * The worker protocol: typed, structured-clone friendly messages (plain data
 * and typed arrays, no functions), the same for every pool: in-process,
 * Node worker threads or child processes, Electron utility processes, and a
 * future remote backend.
 *
 * A worker receives the model and the data once (`init`); per pixel only the
 * job id, the pixel index and the candidate starting values travel (`fit`),
 * and only the result comes back.
 */
import type { PixelResult, PixelStart, WorkerInit } from '../kernel/protocol.js';

// The data the messages carry is the kernel's (kernel/protocol.ts).
export type {
  ComponentSpec,
  GoodnessTestSpec,
  ModelSpec,
  ParameterSpecData,
  PixelResult,
  PixelStart,
  TwinSpec,
  WorkerFitOptions,
  WorkerInit,
} from '../kernel/protocol.js';

export type ToWorker =
  | { type: 'init'; init: WorkerInit }
  | { type: 'fit'; job: number; pixel: number; start: PixelStart }
  | { type: 'stop' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'result'; job: number; result: PixelResult }
  | { type: 'error'; job: number; pixel: number; message: string };

export function assertNever(x: never): never {
  throw new Error(`unexpected message ${JSON.stringify(x)}`);
}
