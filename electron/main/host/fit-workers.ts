/**
 * Main's half of the service host's fitting workers
 * (core/src/host/fit-worker-broker.ts). Only main can call
 * utilityProcess.fork, so the host asks here for each worker: we fork the fit
 * worker entry as a utility process, connect it to the host with a
 * MessageChannelMain (VS Code's UtilityProcess.connect pattern: one port to
 * each side, so the fitting traffic never passes through main), report its
 * exit, and kill it when the host asks, when the host goes, or when the app
 * quits.
 *
 * The host is trusted no further than its messages: they are guarded, they
 * name only ids (the script is ours), and the number of live workers is capped.
 */
import { MessageChannelMain, utilityProcess } from 'electron';
import type { MessagePortMain, UtilityProcess } from 'electron';
import { CONNECT_MESSAGE, isBrokerRequest } from '@samfire/core/host';
import type { BrokerNotice } from '@samfire/core/host';

/** The host utility process, as far as the broker talks to it. */
export interface HostEndpoint {
  postMessage(message: BrokerNotice, transfer?: MessagePortMain[]): void;
}

export interface FitWorkerBrokerOptions {
  /** The bundled fit worker entry (a path, as utilityProcess.fork wants). */
  script: string;
  /**
   * Live workers at most. The API allows 256 workers, and a replaced worker
   * may still be exiting while its successor starts. @default 512
   */
  maxWorkers?: number;
}

interface Forked {
  readonly child: UtilityProcess;
  /** Set when we killed it: the exit is then reported as a kill, whatever the code. */
  killed: boolean;
}

export const FIT_WORKER_SERVICE_NAME = 'SAMFire fitting worker';

export class FitWorkerBroker {
  readonly #host: HostEndpoint;
  readonly #script: string;
  readonly #maxWorkers: number;
  readonly #workers = new Map<number, Forked>();
  #closed = false;

  constructor(host: HostEndpoint, options: FitWorkerBrokerOptions) {
    this.#host = host;
    this.#script = options.script;
    this.#maxWorkers = options.maxWorkers ?? 512;
  }

  /** Live workers (diagnostics, tests). */
  get size(): number {
    return this.#workers.size;
  }

  /** Handles a message from the host if it is a broker request; returns whether it was. */
  receive(message: unknown): boolean {
    if (!isBrokerRequest(message)) return false;
    if (message.type === 'fit-worker:spawn') this.#spawn(message.id);
    else this.#kill(message.id);
    return true;
  }

  /** Kills every worker and stops answering: the host is gone or the app is quitting. */
  close(): void {
    this.#closed = true;
    for (const id of [...this.#workers.keys()]) this.#kill(id);
  }

  #notify(message: BrokerNotice, transfer?: MessagePortMain[]): void {
    // Posting to a host that has exited would throw; its replacement has its own broker.
    if (!this.#closed) this.#host.postMessage(message, transfer);
  }

  #spawn(id: number): void {
    const refuse = (why: string): void =>
      this.#notify({ type: 'fit-worker:exit', id, reason: `could not start (${why})` });
    // A reused id is a host bug; answering it would end the live worker's handle.
    if (this.#closed || this.#workers.has(id)) return;
    if (this.#workers.size >= this.#maxWorkers)
      return refuse(`already ${this.#maxWorkers} fitting workers`);
    let child: UtilityProcess;
    try {
      child = utilityProcess.fork(this.#script, [], {
        serviceName: FIT_WORKER_SERVICE_NAME,
        stdio: 'inherit',
      });
    } catch (e) {
      return refuse(e instanceof Error ? e.message : String(e));
    }
    const forked: Forked = { child, killed: false };
    this.#workers.set(id, forked);
    // The pid exists only once the process has spawned; the host labels faults with it.
    child.once('spawn', () => {
      const { port1: hostEnd, port2: workerEnd } = new MessageChannelMain();
      child.postMessage(CONNECT_MESSAGE, [workerEnd]);
      this.#notify({ type: 'fit-worker:port', id, pid: child.pid ?? null }, [hostEnd]);
    });
    // 'exit' follows every end, a failed start included.
    child.once('exit', (code) => {
      this.#workers.delete(id);
      const reason = forked.killed ? 'was killed' : `exited with code ${code}`;
      this.#notify({ type: 'fit-worker:exit', id, reason });
    });
  }

  #kill(id: number): void {
    const forked = this.#workers.get(id);
    if (!forked || forked.killed) return;
    forked.killed = true;
    forked.child.kill();
  }
}
