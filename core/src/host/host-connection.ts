/**
 * The shell's side of the service host: starts it through an injected
 * spawner (Electron: utilityProcess.fork; Node: child_process.fork), proxies
 * HostApi calls and events over RPC, and when the host dies unexpectedly,
 * fails the calls in flight, reports the crash, starts a new host and asks it
 * to restore the last session from its backup.
 */
import { hostEvents, hostMethods } from '../api/channels.js';
import type { HostApi } from '../api/host-api.js';
import { RpcClient, buildApi } from '../api/rpc.js';
import type { RpcCall } from '../api/rpc.js';
import type { Listener, Unsubscribe } from '../api/samfire-api.js';
import type { HostStatus } from '../api/types.js';
import { HOST_CONTROL, HOST_READY_EVENT } from './host-protocol.js';
import type { RestoreOutcome } from './host-protocol.js';
import { Listeners } from './listeners.js';

/** One running host process, as the spawner gives it. */
export interface HostChannel {
  post(message: RpcCall): void;
  onMessage(cb: (message: unknown) => void): void;
  /** Called once when the process is gone; `reason` reads like "exited with code 1". */
  onExit(cb: (reason: string) => void): void;
  kill(): void;
  /** The process id, when there is one (diagnostics, tests). */
  readonly pid?: number | undefined;
}

/** Starts a host; `restore` asks it to reopen the last session (after a crash). */
export type HostSpawner = (restore: boolean) => HostChannel;

export interface HostConnectionOptions {
  /** Restarts allowed within `restartWindowMs` before giving up. @default 3 */
  maxRestarts?: number;
  restartWindowMs?: number;
  /** Waits for the host's ready event at most this long. @default 20000 */
  readyTimeoutMs?: number;
  now?: () => number;
}

export class HostConnection {
  readonly api: HostApi;
  readonly status = new Listeners<HostStatus>();
  readonly #spawn: HostSpawner;
  readonly #options: Required<HostConnectionOptions>;
  readonly #restarts: number[] = [];
  #client: RpcClient;
  #channel: HostChannel | null = null;
  #ready: Promise<void> = Promise.resolve();
  #closed = false;
  readonly #events = new Map<string, Listeners<unknown>>();

  constructor(spawn: HostSpawner, options: HostConnectionOptions = {}) {
    this.#spawn = spawn;
    this.#options = {
      maxRestarts: options.maxRestarts ?? 3,
      restartWindowMs: options.restartWindowMs ?? 60_000,
      readyTimeoutMs: options.readyTimeoutMs ?? 20_000,
      now: options.now ?? Date.now,
    };
    this.#client = new RpcClient(() => undefined);
    this.api = buildApi<HostApi>(
      hostMethods,
      hostEvents,
      (service, method, arg) => this.call(service, method, arg),
      (service, event, cb) => this.subscribe(service, event, cb),
    );
  }

  /** Starts the first host. */
  start(): Promise<void> {
    this.#launch(false);
    return this.#ready;
  }

  /** The current process (for tests and diagnostics). */
  get channel(): HostChannel | null {
    return this.#channel;
  }

  async call(service: string, method: string, arg?: unknown): Promise<unknown> {
    if (this.#closed) throw new Error('the service host is closed');
    await this.#ready;
    return this.#client.call(service, method, arg);
  }

  subscribe(service: string, event: string, cb: Listener<unknown>): Unsubscribe {
    const key = `${service}.${event}`;
    let l = this.#events.get(key);
    if (!l) this.#events.set(key, (l = new Listeners()));
    return l.on(cb);
  }

  close(): void {
    this.#closed = true;
    this.#client.rejectAll('the service host was closed');
    this.#channel?.kill();
    this.#channel = null;
  }

  #launch(restore: boolean): void {
    const channel = this.#spawn(restore);
    this.#channel = channel;
    const client = new RpcClient((m) => channel.post(m));
    this.#client = client;
    let markReady: () => void = () => undefined;
    let failReady: (e: Error) => void = () => undefined;
    this.#ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    // Nobody may be awaiting it yet; a failure is also reported as a status.
    this.#ready.catch(() => undefined);
    const timer = setTimeout(
      () => failReady(new Error('the service host did not start in time')),
      this.#options.readyTimeoutMs,
    );
    channel.onMessage((m) => {
      if (typeof m === 'object' && m !== null && Reflect.get(m, 'type') === 'event') {
        const service = Reflect.get(m, 'service');
        const event = Reflect.get(m, 'event');
        if (service === HOST_CONTROL && event === HOST_READY_EVENT) {
          clearTimeout(timer);
          markReady();
          return;
        }
        this.#events.get(`${String(service)}.${String(event)}`)?.emit(Reflect.get(m, 'payload'));
        return;
      }
      client.receive(m);
    });
    channel.onExit((reason) => {
      clearTimeout(timer);
      if (this.#channel !== channel) return;
      this.#channel = null;
      failReady(new Error(`the service host ${reason}`));
      client.rejectAll(`the service host ${reason}; it is being restarted`);
      if (!this.#closed) this.#crashed(reason);
    });
  }

  #crashed(reason: string): void {
    const now = this.#options.now();
    while (this.#restarts.length > 0 && now - this.#restarts[0]! > this.#options.restartWindowMs)
      this.#restarts.shift();
    if (this.#restarts.length >= this.#options.maxRestarts) {
      this.status.emit({
        state: 'crashed',
        message: `The fitting service ${reason} ${this.#restarts.length + 1} times in a row; restart the app.`,
        restored: false,
      });
      return;
    }
    this.#restarts.push(now);
    this.status.emit({
      state: 'crashed',
      message: `The fitting service ${reason}; restarting it.`,
      restored: false,
    });
    this.#launch(true);
    void this.call(HOST_CONTROL, 'restoreSession').then(
      (value) => {
        const r = value as RestoreOutcome;
        this.status.emit({
          state: 'restarted',
          message: r.run
            ? 'The fitting service was restarted; the run was restored from its last backup. Press Resume to continue.'
            : r.dataset
              ? 'The fitting service was restarted and the dataset reopened; results since the last backup are lost.'
              : 'The fitting service was restarted.',
          restored: r.dataset,
        });
      },
      (e: unknown) =>
        this.status.emit({
          state: 'restarted',
          message: `The fitting service was restarted but could not restore the session: ${e instanceof Error ? e.message : String(e)}`,
          restored: false,
        }),
    );
  }
}
