/** runWorker and the port adapters in-process, with recording ports and the fake kernel. */
import { describe, expect, it, vi } from 'vitest';
import type { FromWorker } from '@samfire/core';
import { detectPort, startWorker, runWorker } from '@samfire/core/node';
import type { ForkedProcess, WorkerEnvironment, WorkerPort } from '@samfire/core/node';
import { command, createFakeKernel, FIT, THROW } from '../fixtures/fake-kernel.js';
import { tinyInit } from '../helpers.js';

function recordingPort(): {
  port: WorkerPort;
  posted: FromWorker[];
  deliver(m: unknown): void;
  closed: () => boolean;
} {
  const posted: FromWorker[] = [];
  let listener: (m: unknown) => void = () => {};
  let closed = false;
  return {
    port: {
      postMessage: (m) => posted.push(m),
      onMessage: (cb) => (listener = cb),
      close: () => (closed = true),
    },
    posted,
    deliver: (m) => listener(m),
    closed: () => closed,
  };
}

describe('runWorker', () => {
  it('builds the kernel once per init, fits, reports kernel errors with the pixel, stops', () => {
    const { port, posted, deliver, closed } = recordingPort();
    const factory = vi.fn(createFakeKernel);
    runWorker(port, factory);
    deliver({ type: 'init', init: tinyInit(3) });
    deliver({ type: 'fit', job: 1, pixel: 1, start: command(FIT) });
    deliver({ type: 'fit', job: 2, pixel: 2, start: command(THROW) });
    expect(factory).toHaveBeenCalledTimes(1);
    expect(posted.map((m) => m.type)).toEqual(['ready', 'result', 'error']);
    expect(posted[1]).toMatchObject({
      job: 1,
      result: { pixel: 1, values: Float64Array.of(1, 10) },
    });
    expect(posted[2]).toEqual({
      type: 'error',
      job: 2,
      pixel: 2,
      message: 'pixel 2: fake kernel: bad data here',
    });
    deliver({ type: 'stop' });
    expect(closed()).toBe(true);
    deliver({ type: 'fit', job: 3, pixel: 0, start: command(FIT) });
    expect(posted).toHaveLength(3);
  });

  it('reports a failed init and a fit before init, naming what went wrong', () => {
    const { port, posted, deliver } = recordingPort();
    runWorker(port, createFakeKernel);
    deliver({ type: 'fit', job: 5, pixel: 4, start: command(FIT) });
    deliver({ type: 'init', init: tinyInit(3, 'refuse') });
    expect(posted).toEqual([
      { type: 'error', job: 5, pixel: 4, message: 'pixel 4: the worker got a fit before init' },
      {
        type: 'error',
        job: -1,
        pixel: -1,
        message: 'worker init failed: fake kernel: refusing to start',
      },
    ]);
  });

  it('rejects malformed messages without throwing', () => {
    const { port, posted, deliver } = recordingPort();
    runWorker(port, createFakeKernel);
    for (const junk of [
      null,
      42,
      { type: 'init' },
      { type: 'fit', job: 1, pixel: 'a', start: { components: [] } },
      { type: 'launch' },
    ]) {
      deliver(junk);
    }
    expect(posted.map((m) => m.type === 'error' && m.job)).toEqual([-1, -1, -1, -1, -1]);
  });
});

describe('detectPort', () => {
  const noProcess: ForkedProcess = { on: () => undefined };

  it('serves the protocol on a stand-in Electron process.parentPort', () => {
    const posted: unknown[] = [];
    let listener: (event: unknown) => void = () => {};
    const parentPort = {
      postMessage: (m: unknown) => posted.push(m),
      on: (_event: 'message', cb: (event: unknown) => void) => (listener = cb),
    };
    const exit = vi.fn();
    // A utility process's `process` also has on('message'); parentPort must win.
    const env: WorkerEnvironment = {
      process: { ...noProcess, parentPort } as ForkedProcess,
      threadParent: null,
      exit,
    };
    startWorker(createFakeKernel, env);
    listener({ data: { type: 'init', init: tinyInit(2) }, ports: [] });
    listener({ data: { type: 'fit', job: 9, pixel: 1, start: command(FIT) }, ports: [] });
    expect(posted).toMatchObject([
      { type: 'ready' },
      { type: 'result', job: 9, result: { pixel: 1 } },
    ]);
    listener({ data: { type: 'stop' }, ports: [] });
    expect(exit).toHaveBeenCalledOnce();
  });

  it('uses fork IPC when there is process.send, and disconnects only after the last send is flushed', () => {
    const callbacks: ((e: Error | null) => void)[] = [];
    const disconnect = vi.fn();
    const proc: ForkedProcess = {
      send: (_m, cb) => callbacks.push(cb) > 0,
      on: () => undefined,
      disconnect,
      connected: true,
    };
    const port = detectPort({ process: proc, threadParent: null, exit: vi.fn() });
    if (!port) throw new Error('expected a port');
    port.postMessage({ type: 'ready' });
    port.close();
    expect(disconnect).not.toHaveBeenCalled();
    callbacks[0]?.(null);
    expect(disconnect).toHaveBeenCalledOnce();
  });

  it('finds no port outside a worker, and startWorker says how to start one', () => {
    const env: WorkerEnvironment = { process: noProcess, threadParent: null, exit: vi.fn() };
    expect(detectPort(env)).toBeNull();
    expect(() => startWorker(createFakeKernel, env)).toThrow(
      /worker thread, a forked child process/,
    );
  });
});
