/**
 * The packaged fit worker entry under a stand-in `process.parentPort` (as in
 * an Electron utility process): it serves core's worker protocol with the
 * real kernel and fits a pixel of the example, on parentPort itself or on a
 * port main hands over (the host's workers: electron/main/host/fit-workers.ts).
 */
import { once } from 'node:events';
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { domainExampleModel, makeDomainExample, workerInit, createKernel } from '@samfire/core';
import type { FromWorker } from '@samfire/core';
import { CONNECT_MESSAGE } from '@samfire/core/host';
import { startWorker } from '@samfire/core/node';

describe('electron/workers/fit-worker.ts', () => {
  it('answers init and a fit over process.parentPort', async () => {
    const sent: FromWorker[] = [];
    let deliver: (event: unknown) => void = () => undefined;
    const parentPort = {
      postMessage: (m: FromWorker) => sent.push(m),
      on: (_event: 'message', cb: (event: unknown) => void) => {
        deliver = cb;
      },
    };
    Object.defineProperty(process, 'parentPort', { value: parentPort, configurable: true });
    try {
      await import('../../electron/workers/fit-worker.js');
    } finally {
      Reflect.deleteProperty(process, 'parentPort');
    }
    const { signal } = makeDomainExample();
    const model = domainExampleModel(signal);
    const init = workerInit(model, {
      optional: [],
      goodness: { kind: 'redChisq', tolerance: 1 },
      fit: { bounded: true },
    });
    // Electron wraps each message in a MessageEvent: the payload is in `data`.
    deliver({ data: { type: 'init', init } });
    expect(sent).toEqual([{ type: 'ready' }]);
    deliver({ data: { type: 'fit', job: 1, pixel: 0, start: { components: [null, null, null] } } });
    const reply = sent[1]!;
    expect(reply.type).toBe('result');
    if (reply.type !== 'result') return;
    expect(reply.result.pixel).toBe(0);
    expect(reply.result.good).toBe(true);
    expect(Math.abs(reply.result.redChisq - 1)).toBeLessThan(1);
  });
});

describe('the worker entry on a port handed over by main', () => {
  it('moves the protocol to a transferred port, and leaves when the host’s end closes', async () => {
    const onParent: unknown[] = [];
    let deliver: (event: unknown) => void = () => undefined;
    const parentPort = {
      postMessage: (m: unknown) => onParent.push(m),
      on: (_event: 'message', cb: (event: unknown) => void) => (deliver = cb),
    };
    let exits = 0;
    startWorker(createKernel, {
      process: Object.assign(Object.create(process) as NodeJS.Process, { parentPort }),
      threadParent: null,
      exit: () => exits++,
    });
    const { port1: host, port2: worker } = new MessageChannel();
    deliver({ data: CONNECT_MESSAGE, ports: [worker] });
    // A second port is refused (closed): one conversation per worker.
    const stray = new MessageChannel();
    const strayClosed = once(stray.port1, 'close');
    deliver({ data: CONNECT_MESSAGE, ports: [stray.port2] });
    await strayClosed;

    const { signal } = makeDomainExample();
    const init = workerInit(domainExampleModel(signal), {
      optional: [],
      goodness: { kind: 'redChisq', tolerance: 1 },
      fit: { bounded: true },
    });
    const replies: unknown[] = [];
    const two = new Promise<void>((done) =>
      host.on('message', (m) => replies.push(m) === 2 && done()),
    );
    host.postMessage({ type: 'init', init });
    host.postMessage({ type: 'fit', job: 1, pixel: 0, start: { components: [null, null, null] } });
    await two;
    expect(replies[0]).toEqual({ type: 'ready' });
    expect(replies[1]).toMatchObject({ type: 'result', job: 1, result: { pixel: 0, good: true } });
    // Once connected, parentPort carries no protocol either way.
    deliver({ data: { type: 'fit', job: 2, pixel: 1, start: { components: [null, null, null] } } });
    await new Promise((r) => setTimeout(r, 50));
    expect(replies).toHaveLength(2);
    expect(onParent).toEqual([]);
    expect(exits).toBe(0);
    const closed = once(worker, 'close');
    host.close();
    await closed;
    expect(exits).toBe(1);
  });
});
