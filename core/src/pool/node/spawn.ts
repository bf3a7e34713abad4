/**
 * Starts one worker, as a thread or as a child process, behind one small
 * handle, so the pool's bookkeeping does not care which it is.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ToWorker } from '../protocol.js';
import { forkExecArgv, threadStart } from './worker-script.js';
import type { WorkerScript } from './worker-script.js';

export type WorkerKind = 'thread' | 'process';

export interface WorkerListeners {
  message(message: unknown): void;
  /** Called once, when the worker is gone for whatever reason; `reason` reads "exited with code 1". */
  exit(reason: string): void;
}

export interface WorkerHandle {
  /** "thread 3" or "process 12345", for messages. */
  readonly label: string;
  /**
   * The underlying Worker or ChildProcess, for diagnostics and tests: talk to
   * it through send(). Absent for a worker reached through a port (a
   * WorkerSpawner's), which this process does not own.
   */
  readonly raw?: Worker | ChildProcess;
  send(message: ToWorker): void;
  /** Ends the worker now, even in the middle of a fit (a hang included). */
  kill(): void;
  /** Resolves once the worker has exited. */
  readonly exited: Promise<void>;
}

/**
 * Starts worker `index` on any transport (an Electron utility process behind
 * a MessagePort, say). The pool's default is spawnWorker(kind, script, ...).
 */
export type WorkerSpawner = (index: number, listeners: WorkerListeners) => WorkerHandle;

export function spawnWorker(
  kind: WorkerKind,
  script: WorkerScript,
  listeners: WorkerListeners,
): WorkerHandle {
  return kind === 'thread' ? spawnThread(script, listeners) : spawnProcess(script, listeners);
}

/** Calls `exit` once, and resolves the handle's `exited`. */
function exitOnce(listeners: WorkerListeners): {
  exited: Promise<void>;
  report(reason: string): void;
} {
  let resolve: () => void = () => {};
  const exited = new Promise<void>((r) => (resolve = r));
  let done = false;
  return {
    exited,
    report(reason) {
      if (done) return;
      done = true;
      resolve();
      listeners.exit(reason);
    },
  };
}

function spawnThread(script: WorkerScript, listeners: WorkerListeners): WorkerHandle {
  const start = threadStart(script);
  const worker = new Worker(start.filename, start.options);
  const gone = exitOnce(listeners);
  // 'error' (an uncaught exception in the worker) is followed by 'exit';
  // keep its text for the exit reason.
  let lastError = '';
  worker.on('message', (m: unknown) => listeners.message(m));
  worker.on('messageerror', (e) => {
    lastError = `a message could not be deserialised: ${e.message}`;
    void worker.terminate();
  });
  worker.on('error', (e) => (lastError = e.message));
  worker.on('exit', (code) =>
    gone.report(`exited with code ${code}${lastError ? ` (${lastError})` : ''}`),
  );
  return {
    label: `thread ${worker.threadId}`,
    raw: worker,
    send: (message) => worker.postMessage(message),
    kill: () => void worker.terminate(),
    exited: gone.exited,
  };
}

function spawnProcess(script: WorkerScript, listeners: WorkerListeners): WorkerHandle {
  // 'advanced' serialisation (the structured clone algorithm) keeps typed
  // arrays typed; the default JSON would turn them into plain objects.
  const child = fork(fileURLToPath(script.url), [], {
    execArgv: forkExecArgv(script),
    serialization: 'advanced',
  });
  const gone = exitOnce(listeners);
  child.on('message', (m: unknown) => listeners.message(m));
  child.on('exit', (code, signal) =>
    gone.report(signal ? `was killed by ${signal}` : `exited with code ${code}`),
  );
  // 'error' fires when the process could not be spawned (then no 'exit'
  // follows) or could not be killed or messaged (then 'exit' follows).
  child.on('error', (e) => {
    if (child.pid === undefined) gone.report(`could not start (${e.message})`);
  });
  return {
    label: `process ${child.pid ?? '?'}`,
    raw: child,
    send: (message) => {
      // A send to a process that just died fails; its 'exit' reports that.
      if (child.connected) child.send(message, () => {});
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    exited: gone.exited,
  };
}
