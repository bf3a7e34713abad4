/**
 * The host's side of utility-process workers (core/src/host/node/utility-workers.ts)
 * against a scripted main: what it asks for, how it buffers until the port
 * arrives, what it ignores, how exits and kills travel; and the host
 * process's choice between it and worker threads.
 */
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import {
  utilityParentPort,
  nodeHostDeps,
  utilityWorkerSpawner,
  NodeWorkerPool,
} from '@samfire/core/node';
import type { WorkerListeners } from '@samfire/core/node';

/** The host's parentPort, with main played by the test. */
function scriptedMain(): {
  requests: unknown[];
  parentPort: { postMessage(m: unknown): void; on(e: 'message', l: (e: unknown) => void): void };
  tell(data: unknown, ports?: MessagePort[]): void;
} {
  const requests: unknown[] = [];
  let listener: (event: unknown) => void = () => undefined;
  return {
    requests,
    parentPort: {
      postMessage: (m) => requests.push(m),
      on: (_e, l) => (listener = l),
    },
    tell: (data, ports = []) => listener({ data, ports }),
  };
}

function recorder(): WorkerListeners & { messages: unknown[]; exits: string[] } {
  const messages: unknown[] = [];
  const exits: string[] = [];
  return { messages, exits, message: (m) => messages.push(m), exit: (r) => exits.push(r) };
}

const nextMessage = (port: MessagePort): Promise<unknown> =>
  new Promise((resolve) => port.once('message', resolve));

describe('utilityWorkerSpawner (host side)', () => {
  it('asks main for a worker, buffers until its port arrives, then talks on the port', async () => {
    const main = scriptedMain();
    const spawn = utilityWorkerSpawner(main.parentPort);
    const listeners = recorder();
    const handle = spawn(0, listeners);
    expect(main.requests).toEqual([{ type: 'fit-worker:spawn', id: 1 }]);
    expect(handle.label).toBe('utility process (starting)');
    expect(handle.raw).toBeUndefined();
    handle.send({ type: 'stop' });

    const { port1: hostEnd, port2: workerEnd } = new MessageChannel();
    try {
      const buffered = nextMessage(workerEnd);
      main.tell({ type: 'fit-worker:port', id: 1, pid: 321 }, [hostEnd]);
      expect(await buffered).toEqual({ type: 'stop' });
      expect(handle.label).toBe('utility process 321');
      const reply = { type: 'ready' };
      workerEnd.postMessage(reply);
      await new Promise((r) => setTimeout(r, 20));
      expect(listeners.messages).toEqual([reply]);
    } finally {
      workerEnd.close();
    }
  });

  it('kills through main, and exits once when main reports the exit', async () => {
    const main = scriptedMain();
    const spawn = utilityWorkerSpawner(main.parentPort);
    const listeners = recorder();
    const handle = spawn(0, listeners);
    handle.kill();
    expect(main.requests.at(-1)).toEqual({ type: 'fit-worker:kill', id: 1 });
    main.tell({ type: 'fit-worker:exit', id: 1, reason: 'was killed' });
    main.tell({ type: 'fit-worker:exit', id: 1, reason: 'exited with code 0' });
    await handle.exited;
    expect(listeners.exits).toEqual(['was killed']);
    // A gone worker is not killed again, and what is sent to it is dropped.
    handle.kill();
    handle.send({ type: 'stop' });
    expect(main.requests).toHaveLength(2);
  });

  it('ignores RPC and malformed notices, and closes a port nobody asked for', async () => {
    const main = scriptedMain();
    const spawn = utilityWorkerSpawner(main.parentPort);
    const listeners = recorder();
    spawn(0, listeners);
    for (const noise of [
      { type: 'call', id: 1, service: 'file', method: 'openExample' },
      { type: 'fit-worker:exit', id: 1 },
      { type: 'fit-worker:exit', id: '1', reason: 'x' },
      { type: 'fit-worker:port', id: 1, pid: 'x' },
      null,
    ])
      main.tell(noise);
    // A port notice without a port changes nothing either.
    main.tell({ type: 'fit-worker:port', id: 1, pid: 5 });
    expect(listeners.exits).toEqual([]);
    const stray = new MessageChannel();
    const closed = new Promise((r) => stray.port2.once('close', r));
    main.tell({ type: 'fit-worker:port', id: 99, pid: 5 }, [stray.port1]);
    await closed;
  });

  it('ids stay unique across the pools of one host', () => {
    const main = scriptedMain();
    const spawn = utilityWorkerSpawner(main.parentPort);
    spawn(0, recorder());
    spawn(0, recorder());
    expect(main.requests).toEqual([
      { type: 'fit-worker:spawn', id: 1 },
      { type: 'fit-worker:spawn', id: 2 },
    ]);
  });
});

describe('the host picks its fitting workers', () => {
  it('knows a utility process by process.parentPort', () => {
    const parentPort = { postMessage: () => undefined, on: () => undefined };
    const inElectron = Object.assign(Object.create(process) as NodeJS.Process, { parentPort });
    expect(utilityParentPort(inElectron)).toBe(parentPort);
    expect(utilityParentPort(process)).toBeNull();
  });

  it('builds its pools on the spawner it is given (in Electron)', async () => {
    const main = scriptedMain();
    const deps = nodeHostDeps({
      backupDir: null,
      spawnWorker: utilityWorkerSpawner(main.parentPort),
    });
    const pool = deps.createPool(2);
    expect(pool).toBeInstanceOf(NodeWorkerPool);
    const started = pool!.init(
      {
        model: {
          components: [],
          axis: { name: 'E', size: 1, offset: 0, scale: 1, units: '', navigate: false },
          channelSwitches: Uint8Array.of(1),
        },
        pixels: 1,
        data: Float64Array.of(1),
        variance: { kind: 'none' },
        maps: [],
        optional: [],
        goodness: { kind: 'reduced-chisq', tolerance: 1 },
        fit: {},
      },
      { onResult: () => undefined, onJobError: () => undefined, onFault: () => undefined },
    );
    await vi.waitFor(() =>
      expect(main.requests).toEqual([
        { type: 'fit-worker:spawn', id: 1 },
        { type: 'fit-worker:spawn', id: 2 },
      ]),
    );
    const closed = pool!.close();
    await expect(started).rejects.toThrow(/closed while starting/);
    main.tell({ type: 'fit-worker:exit', id: 1, reason: 'was killed' });
    main.tell({ type: 'fit-worker:exit', id: 2, reason: 'was killed' });
    await closed;
    expect(main.requests.slice(2)).toEqual([
      { type: 'fit-worker:kill', id: 1 },
      { type: 'fit-worker:kill', id: 2 },
    ]);
  });
});
