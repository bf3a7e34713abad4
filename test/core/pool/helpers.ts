/** Shared bits of the pool tests: a small init, an event recorder, entry launchers. */
import { fork } from 'node:child_process';
import type { ChildProcess, Serializable } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PoolEvents, PoolJob, PixelResult, PixelStart, WorkerInit } from '@samfire/core';
import { forkExecArgv, threadStart, workerScript } from '@samfire/core/node';
import type { WorkerScript } from '@samfire/core/node';
import { command, FIT } from './fixtures/fake-kernel.js';

export const fakeWorker: WorkerScript = workerScript(
  new URL('./fixtures/fake-worker.ts', import.meta.url),
);
export const electronShim: WorkerScript = workerScript(
  new URL('./fixtures/electron-shim.ts', import.meta.url),
);

/** A 3-channel, `pixels`-pixel init whose data value at (pixel, 0) is 10 * pixel. */
export function tinyInit(pixels: number, optimizer = 'lm'): WorkerInit {
  const channels = 3;
  return {
    model: {
      components: [],
      axis: { name: 'E', size: channels, offset: 0, scale: 1, units: 'eV', navigate: false },
      channelSwitches: new Uint8Array(channels).fill(1),
    },
    pixels,
    data: Float64Array.from({ length: pixels * channels }, (_, i) =>
      i % channels === 0 ? 10 * (i / channels) : 0,
    ),
    variance: { kind: 'none' },
    maps: [],
    optional: [],
    goodness: { kind: 'reduced-chisq', tolerance: 1 },
    fit: { optimizer },
  };
}

export function jobs(
  pixels: readonly number[],
  start: (pixel: number) => PixelStart = () => command(FIT),
): PoolJob[] {
  return pixels.map((pixel) => ({ job: 1000 + pixel, pixel, start: start(pixel) }));
}

/** Records what a pool reports and waits for a number of answers. */
export class Recorder implements PoolEvents {
  readonly results = new Map<number, PixelResult[]>();
  readonly errors: { job: number; pixel: number; message: string }[] = [];
  readonly faults: string[] = [];
  #waiters: { n: number; resolve(): void }[] = [];

  get answers(): number {
    let n = this.errors.length;
    for (const list of this.results.values()) n += list.length;
    return n;
  }

  onResult(job: number, result: PixelResult): void {
    this.results.set(job, [...(this.results.get(job) ?? []), result]);
    this.#wake();
  }

  onJobError(job: number, pixel: number, message: string): void {
    this.errors.push({ job, pixel, message });
    this.#wake();
  }

  onFault(message: string): void {
    this.faults.push(message);
  }

  /** Resolves once `n` answers (results + job errors) have arrived; rejects after `ms`. */
  until(n: number, ms = 15_000): Promise<void> {
    if (this.answers >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `timed out with ${this.answers} of ${n} answers; faults: ${this.faults.join(' | ')}`,
            ),
          ),
        ms,
      );
      this.#waiters.push({
        n,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  #wake(): void {
    const due = this.#waiters.filter((w) => this.answers >= w.n);
    this.#waiters = this.#waiters.filter((w) => this.answers < w.n);
    for (const w of due) w.resolve();
  }
}

/** A worker entry started by hand (not through the pool), speaking raw messages. */
export interface Launched {
  send(message: Serializable): void;
  /** The next `n` messages. */
  next(n?: number): Promise<unknown[]>;
  /** The exit code (a signal name if killed). */
  exited: Promise<number | string>;
  kill(): void;
}

function collect(onMessage: (cb: (m: unknown) => void) => void): Launched['next'] {
  const inbox: unknown[] = [];
  let waiter: (() => void) | null = null;
  onMessage((m) => {
    inbox.push(m);
    waiter?.();
  });
  return async (n = 1) => {
    while (inbox.length < n) await new Promise<void>((resolve) => (waiter = resolve));
    return inbox.splice(0, n);
  };
}

export function launchThread(script: WorkerScript): Launched {
  const start = threadStart(script);
  const worker = new Worker(start.filename, start.options);
  return {
    send: (m) => worker.postMessage(m),
    next: collect((cb) => worker.on('message', cb)),
    exited: new Promise((resolve) => worker.on('exit', resolve)),
    kill: () => void worker.terminate(),
  };
}

export function launchProcess(script: WorkerScript, args: string[] = []): Launched {
  const child: ChildProcess = fork(fileURLToPath(script.url), args, {
    execArgv: forkExecArgv(script),
    serialization: 'advanced',
  });
  return {
    send: (m) => child.send(m),
    next: collect((cb) => child.on('message', cb)),
    exited: new Promise((resolve) =>
      child.on('exit', (code, signal) => resolve(signal ?? code ?? -1)),
    ),
    kill: () => void child.kill('SIGKILL'),
  };
}
