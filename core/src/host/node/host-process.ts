/**
 * Entry of the service host process: serves HostApi over the RPC messages of
 * api/rpc.ts on whichever channel it was started with. The same file runs as
 * an Electron utility process (`process.parentPort`, messages wrapped in
 * MessageEvents) and as a Node child process (`child_process.fork` with
 * 'advanced' serialisation, so typed arrays survive).
 *
 * Arguments: --backup-dir=PATH (crash backups), --worker-script=URL (the fit
 * worker entry of a bundled app), --restore (reopen the last session).
 *
 * Fit workers: in a utility process, utility processes that main forks for
 * us (only main can fork them; see ./utility-workers.ts); otherwise worker
 * threads.
 */
import { hostEvents } from '../../api/channels.js';
import { hostGuards } from '../../api/guards.js';
import { dispatchCall, forwardEvents, isRpcMessage, toRpcError } from '../../api/rpc.js';
import type { RpcMessage } from '../../api/rpc.js';
import { isElectronParentPort } from '../../pool/node/ports.js';
import type { ElectronParentPort } from '../../pool/node/ports.js';
import { workerScript } from '../../pool/node/worker-script.js';
import { createHost } from '../host.js';
import type { Host } from '../host.js';
import { HOST_CONTROL, HOST_READY_EVENT } from '../host-protocol.js';
import { nodeHostDeps } from './node-deps.js';
import { utilityWorkerSpawner } from './utility-workers.js';

export interface HostPort {
  post(message: RpcMessage): void;
  onMessage(cb: (message: unknown) => void): void;
}

interface ParentPortLike {
  postMessage(message: unknown): void;
  on(event: 'message', cb: (event: unknown) => void): unknown;
}

/** The channel this process was started with, or null when it was started some other way. */
export function detectHostPort(proc: NodeJS.Process = process): HostPort | null {
  const parent = Reflect.get(proc, 'parentPort') as ParentPortLike | undefined;
  if (parent && typeof parent.postMessage === 'function' && typeof parent.on === 'function') {
    return {
      post: (m) => parent.postMessage(m),
      onMessage: (cb) =>
        void parent.on('message', (e) =>
          cb(typeof e === 'object' && e !== null && 'data' in e ? e.data : e),
        ),
    };
  }
  if (typeof proc.send === 'function') {
    const send = proc.send.bind(proc);
    return { post: (m) => void send(m), onMessage: (cb) => void proc.on('message', cb) };
  }
  return null;
}

export interface HostArgs {
  backupDir: string | null;
  workerScript: URL | null;
  restore: boolean;
}

export function parseHostArgs(argv: readonly string[]): HostArgs {
  const value = (name: string): string | null => {
    const hit = argv.find((a) => a.startsWith(`--${name}=`));
    return hit ? hit.slice(name.length + 3) : null;
  };
  const script = value('worker-script');
  return {
    backupDir: value('backup-dir'),
    workerScript: script ? new URL(script) : null,
    restore: argv.includes('--restore'),
  };
}

/** Serves `host` on `port` until the process ends. */
export function serveHost(host: Host, port: HostPort): void {
  forwardEvents(host, hostEvents, (e) => port.post(e));
  port.onMessage((raw) => {
    if (!isRpcMessage(raw) || raw.type !== 'call') return;
    const call = raw;
    if (call.service === HOST_CONTROL) {
      const reply =
        call.method === 'restoreSession' ? host.restoreSession() : Promise.resolve(true);
      reply.then(
        (value) => port.post({ type: 'reply', id: call.id, ok: true, value }),
        (e: unknown) => port.post({ type: 'reply', id: call.id, ok: false, error: toRpcError(e) }),
      );
      return;
    }
    void dispatchCall(host, hostGuards, call).then((reply) => port.post(reply));
  });
  port.post({ type: 'event', service: HOST_CONTROL, event: HOST_READY_EVENT, payload: null });
}

/** Electron's `process.parentPort`: it exists only in a utility process. */
export function utilityParentPort(proc: NodeJS.Process = process): ElectronParentPort | null {
  const parent: unknown = Reflect.get(proc, 'parentPort');
  return isElectronParentPort(parent) ? parent : null;
}

/** The whole body of a host entry file (node/host-entry.ts, electron/workers/host-entry.ts). */
export function runHostProcess(argv: readonly string[]): Host {
  const port = detectHostPort();
  if (!port)
    throw new Error('host process: start this file with child_process.fork or utilityProcess.fork');
  const args = parseHostArgs(argv);
  const script = args.workerScript;
  const parent = utilityParentPort();
  const host = createHost(
    nodeHostDeps({
      backupDir: args.backupDir,
      ...(script ? { workerScript: workerScript(script) } : {}),
      ...(parent ? { spawnWorker: utilityWorkerSpawner(parent) } : {}),
    }),
  );
  serveHost(host, port);
  return host;
}
