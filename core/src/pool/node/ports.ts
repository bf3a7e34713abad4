/**
 * Adapters from the three ways a fit worker can be started to the one
 * `WorkerPort` that runWorker speaks, and the detection of which applies.
 *
 * - Electron utility process: `process.parentPort`, whose 'message' events
 *   carry the payload in `.data` (an Electron MessageEvent), or a port in
 *   `.ports` to talk on instead (see electronPort).
 * - worker_threads: `parentPort` from node:worker_threads.
 * - child_process.fork: `process.send` / `process.on('message')`; the parent
 *   must fork with `serialization: 'advanced'` so typed arrays survive.
 */
import { parentPort as threadParentPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { FromWorker } from '../protocol.js';
import { runWorker } from './worker-host.js';
import type { KernelFactory, WorkerPort } from './worker-host.js';
import { transferredPort } from './transferred-port.js';
import type { TransferredPort } from './transferred-port.js';

/** The part of Electron's `process.parentPort` a worker uses (core cannot import electron). */
export interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: unknown) => void): unknown;
}

/** The part of a forked child's `process` a worker uses. */
export interface ForkedProcess {
  send?: (message: unknown, callback: (error: Error | null) => void) => boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  disconnect?: () => void;
  connected?: boolean;
}

export function isElectronParentPort(x: unknown): x is ElectronParentPort {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof Reflect.get(x, 'postMessage') === 'function' &&
    typeof Reflect.get(x, 'on') === 'function'
  );
}

/** Electron wraps each message in a MessageEvent; anything else is passed on for the guard to reject. */
function electronPayload(event: unknown): unknown {
  return typeof event === 'object' && event !== null && 'data' in event ? event.data : event;
}

/**
 * `exit` ends the utility process on 'stop': Electron keeps it alive while
 * parentPort listens, and there is no close() to call on parentPort.
 *
 * The protocol runs on parentPort itself, unless a message brings a port
 * (`event.ports[0]`): the service host cannot fork utility processes, so main
 * forks its workers and hands each a MessageChannelMain port to the host
 * (electron/main/host/fit-workers.ts). From then on the worker talks only on
 * that port, and leaves when the host's end closes (the host died: nobody
 * will send 'stop').
 */
export function electronPort(parent: ElectronParentPort, exit: () => void): WorkerPort {
  let channel: TransferredPort | null = null;
  return {
    postMessage: (message) => (channel ?? parent).postMessage(message),
    onMessage: (listener) => {
      parent.on('message', (event) => {
        const port = transferredPort(event);
        if (!port) {
          if (!channel) listener(electronPayload(event));
          return;
        }
        if (channel) {
          port.close(); // one conversation per worker
          return;
        }
        channel = port;
        port.on('message', (e) => listener(electronPayload(e)));
        port.on('close', exit);
        port.start();
      });
    },
    close: exit,
  };
}

export function threadPort(parent: MessagePort): WorkerPort {
  return {
    postMessage: (message) => parent.postMessage(message),
    onMessage: (listener) => {
      parent.on('message', listener);
    },
    // Closing the port empties the thread's event loop, so it exits with code 0.
    close: () => parent.close(),
  };
}

export function forkPort(proc: ForkedProcess): WorkerPort {
  const send = proc.send;
  if (!send)
    throw new Error(
      'fit worker: this process has no IPC channel (start it with child_process.fork)',
    );
  // Disconnecting while sends are still queued crashes Node 20's IPC code and
  // loses them, so close() waits for the last send to be flushed.
  let pending = 0;
  let closing = false;
  const disconnect = (): void => {
    if (proc.connected !== false) proc.disconnect?.();
  };
  const sent = (): void => {
    pending--;
    if (closing && pending === 0) disconnect();
  };
  return {
    postMessage: (message: FromWorker) => {
      pending++;
      send.call(proc, message, sent);
    },
    onMessage: (listener) => {
      proc.on('message', listener);
    },
    close: () => {
      closing = true;
      if (pending === 0) disconnect();
    },
  };
}

/** Where the worker is running; the defaults are this process's own. */
export interface WorkerEnvironment {
  process: ForkedProcess;
  threadParent: MessagePort | null;
  exit: () => void;
}

const defaultEnvironment = (): WorkerEnvironment => ({
  process,
  threadParent: threadParentPort,
  exit: () => process.exit(0),
});

/**
 * Which host started this worker; null when it was not started as a worker
 * at all. `process.parentPort` exists only in an Electron utility process, so
 * it is checked first: it is the one unambiguous mark (a process forked by a
 * test runner, or an Electron child, may also carry an IPC `process.send`).
 */
export function detectPort(env: WorkerEnvironment = defaultEnvironment()): WorkerPort | null {
  const electron = Reflect.get(env.process, 'parentPort');
  if (isElectronParentPort(electron)) return electronPort(electron, env.exit);
  if (env.threadParent) return threadPort(env.threadParent);
  if (typeof env.process.send === 'function') return forkPort(env.process);
  return null;
}

/** The whole body of a worker entry file: find the port and serve the protocol on it. */
export function startWorker(createKernel: KernelFactory, env?: WorkerEnvironment): void {
  const port = detectPort(env);
  if (!port) {
    throw new Error(
      'fit worker: start this file as a worker thread, a forked child process (child_process.fork) or an Electron utility process',
    );
  }
  runWorker(port, createKernel);
}
