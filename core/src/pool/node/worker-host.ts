/**
 * The worker side of the protocol, written once against a minimal port so the
 * same logic runs in a worker thread, a forked child process and an Electron
 * utility process (see ports.ts for the three adapters).
 *
 * Messages are handled one at a time, in order: a fit is synchronous, so a
 * worker fits the jobs its host queued for it back to back, and the host can
 * tell which pixel is running (the oldest one it has not heard back about).
 */
import { describeMessage, isToWorker } from '../guards.js';
import { assertNever } from '../protocol.js';
import type { FromWorker, PixelResult, PixelStart, ToWorker, WorkerInit } from '../protocol.js';

/** What a worker needs from its transport. Incoming messages are `unknown`: they are checked here. */
export interface WorkerPort {
  postMessage(message: FromWorker): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Ends the conversation so the worker can exit (after flushing what it has posted). */
  close(): void;
}

/** Fits pixels of the model and data it was built with. */
export interface PixelKernel {
  fit(pixel: number, start: PixelStart): PixelResult;
}

export type KernelFactory = (init: WorkerInit) => PixelKernel;

/**
 * `error` messages with this job id are about the worker, not a pixel (a
 * failed init, a malformed message): the protocol has no separate variant.
 */
export const WORKER_ERROR_JOB = -1;

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Kernel errors usually name the pixel already ("pixel (3, 4): ..."); add the index when not. */
function pixelErrorText(pixel: number, e: unknown): string {
  const text = errorText(e);
  return /\bpixel\b/i.test(text) ? text : `pixel ${pixel}: ${text}`;
}

export function runWorker(port: WorkerPort, createKernel: KernelFactory): void {
  let kernel: PixelKernel | null = null;
  let stopped = false;

  const workerError = (message: string): void => {
    port.postMessage({ type: 'error', job: WORKER_ERROR_JOB, pixel: WORKER_ERROR_JOB, message });
  };

  const handle = (message: ToWorker): void => {
    switch (message.type) {
      case 'init':
        // A second init replaces the kernel (a new run on the same worker).
        kernel = null;
        try {
          kernel = createKernel(message.init);
        } catch (e) {
          workerError(`worker init failed: ${errorText(e)}`);
          return;
        }
        port.postMessage({ type: 'ready' });
        return;
      case 'fit': {
        const { job, pixel } = message;
        if (!kernel) {
          port.postMessage({
            type: 'error',
            job,
            pixel,
            message: `pixel ${pixel}: the worker got a fit before init`,
          });
          return;
        }
        let result: PixelResult;
        try {
          result = kernel.fit(pixel, message.start);
        } catch (e) {
          port.postMessage({ type: 'error', job, pixel, message: pixelErrorText(pixel, e) });
          return;
        }
        port.postMessage({ type: 'result', job, result });
        return;
      }
      case 'stop':
        stopped = true;
        kernel = null;
        port.close();
        return;
      default:
        assertNever(message);
    }
  };

  port.onMessage((message) => {
    if (stopped) return;
    if (!isToWorker(message)) {
      workerError(`worker received ${describeMessage(message)}; ignored it`);
      return;
    }
    handle(message);
  });
}
