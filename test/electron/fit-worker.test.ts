/**
 * The packaged fit worker entry under a stand-in `process.parentPort` (as in
 * an Electron utility process): it serves core's worker protocol with the
 * real kernel and fits a pixel of the example.
 */
import { describe, expect, it } from 'vitest';
import { domainExampleModel, makeDomainExample } from '../../core/src/examples/domain.js';
import type { FromWorker } from '../../core/src/pool/protocol.js';
import { workerInit } from '../../core/src/samfire/worker-init.js';

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
