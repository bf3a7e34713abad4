/**
 * The host's WorkerSpawner when it runs in an Electron utility process: each
 * worker is a utility process that main forks on request and connects to us
 * with a MessagePort (see ../fit-worker-broker.ts). The handle buffers what
 * the pool sends until the port arrives, then speaks the worker protocol on
 * the port; NodeWorkerPool keeps its crash, hang and requeue logic as is.
 *
 * `kill` asks main to kill the process; `exited` resolves when main reports
 * the exit. Main's report is the one exit signal: it follows every end of the
 * process (crash, kill, 'stop'), and carries the exit code. A closing port
 * says less, so it is not watched.
 */
import type { ElectronParentPort } from '../../pool/node/ports.js';
import type { WorkerHandle, WorkerListeners, WorkerSpawner } from '../../pool/node/spawn.js';
import { portPayload, transferredPort } from '../../pool/node/transferred-port.js';
import type { TransferredPort } from '../../pool/node/transferred-port.js';
import { assertNever } from '../../pool/protocol.js';
import type { ToWorker } from '../../pool/protocol.js';
import { isBrokerNotice } from '../fit-worker-broker.js';
import type { BrokerNotice, BrokerRequest } from '../fit-worker-broker.js';

interface RemoteWorker {
  readonly listeners: WorkerListeners;
  port: TransferredPort | null;
  /** What the pool sent before the port arrived (its init). */
  readonly outbox: ToWorker[];
  pid: number | null;
  gone(reason: string): void;
}

/**
 * One spawner per host process: it listens on `parent` for main's notices
 * (RPC calls on the same port are left to host-process.ts) and serves every
 * pool the host creates, so ids stay unique.
 */
export function utilityWorkerSpawner(parent: ElectronParentPort): WorkerSpawner {
  const workers = new Map<number, RemoteWorker>();
  let nextId = 1;
  const request = (message: BrokerRequest): void => parent.postMessage(message);

  const connect = (worker: RemoteWorker, port: TransferredPort, pid: number | null): void => {
    worker.port = port;
    worker.pid = pid;
    port.on('message', (event) => worker.listeners.message(portPayload(event)));
    port.start();
    for (const message of worker.outbox.splice(0)) port.postMessage(message);
  };

  const onNotice = (notice: BrokerNotice, event: unknown): void => {
    const worker = workers.get(notice.id);
    switch (notice.type) {
      case 'fit-worker:port': {
        const port = transferredPort(event);
        // A port for a worker we no longer know (or a second one) has nobody to talk to.
        if (!worker || worker.port || !port) port?.close();
        else connect(worker, port, notice.pid);
        return;
      }
      case 'fit-worker:exit':
        if (!worker) return;
        workers.delete(notice.id);
        worker.port?.close();
        worker.port = null;
        worker.gone(notice.reason);
        return;
      default:
        assertNever(notice);
    }
  };

  parent.on('message', (event) => {
    const data = portPayload(event);
    if (isBrokerNotice(data)) onNotice(data, event);
  });

  return (_index, listeners): WorkerHandle => {
    const id = nextId++;
    let resolveExited: () => void = () => undefined;
    const exited = new Promise<void>((resolve) => (resolveExited = resolve));
    const worker: RemoteWorker = {
      listeners,
      port: null,
      outbox: [],
      pid: null,
      gone: (reason) => {
        resolveExited();
        listeners.exit(reason);
      },
    };
    workers.set(id, worker);
    request({ type: 'fit-worker:spawn', id });
    return {
      get label() {
        return `utility process ${worker.pid ?? '(starting)'}`;
      },
      send: (message) => {
        if (!workers.has(id)) return; // gone: the pool hears of it through exit
        if (worker.port) worker.port.postMessage(message);
        else worker.outbox.push(message);
      },
      kill: () => {
        if (workers.has(id)) request({ type: 'fit-worker:kill', id });
      },
      exited,
    };
  };
}
