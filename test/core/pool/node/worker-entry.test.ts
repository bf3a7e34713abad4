/**
 * The worker entry under each of its three hosts, speaking the real protocol
 * to a real thread / child process. The entry here serves the fake kernel
 * (fixtures/fake-worker.ts); it runs the same startWorker() as fit-worker.ts.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isFromWorker } from '@samfire/core';
import type { FromWorker, ToWorker } from '@samfire/core';
import { command, FIT, THROW } from '../fixtures/fake-kernel.js';
import { electronShim, fakeWorker, launchProcess, launchThread, tinyInit } from '../helpers.js';
import type { Launched } from '../helpers.js';

function parse(messages: unknown[]): FromWorker[] {
  return messages.map((m) => {
    if (!isFromWorker(m)) throw new Error(`not a protocol message: ${JSON.stringify(m)}`);
    return m;
  });
}

/** init, two fits (one failing), stop: the whole conversation, then a clean exit. */
async function conversation(worker: Launched): Promise<void> {
  const send = (m: ToWorker): void => worker.send(m);
  send({ type: 'init', init: tinyInit(4) });
  expect(parse(await worker.next())).toEqual([{ type: 'ready' }]);
  send({ type: 'fit', job: 7, pixel: 2, start: command(FIT) });
  send({ type: 'fit', job: 8, pixel: 3, start: command(THROW) });
  const [result, error] = parse(await worker.next(2));
  expect(result).toMatchObject({ type: 'result', job: 7, result: { pixel: 2, good: true } });
  // Typed arrays arrive typed (fork needs 'advanced' serialisation for this).
  if (result?.type !== 'result') throw new Error('expected a result');
  expect(result.result.values).toEqual(Float64Array.of(2, 20));
  expect(result.result.active).toBeInstanceOf(Uint8Array);
  expect(error).toEqual({
    type: 'error',
    job: 8,
    pixel: 3,
    message: 'pixel 3: fake kernel: bad data here',
  });
  send({ type: 'stop' });
  expect(await worker.exited).toBe(0);
}

describe('fit worker entry', () => {
  it('serves the protocol in a worker thread', async () => {
    await conversation(launchThread(fakeWorker));
  });

  it('serves the protocol in a forked child process', async () => {
    await conversation(launchProcess(fakeWorker));
  });

  it('serves the protocol on an Electron-style process.parentPort ({ data } events)', async () => {
    await conversation(launchProcess(electronShim, [fileURLToPath(fakeWorker.url)]));
  });

  it('answers a malformed message with a worker error and keeps serving', async () => {
    const worker = launchThread(fakeWorker);
    try {
      worker.send({ type: 'fit', job: 1 });
      expect(parse(await worker.next())).toEqual([
        {
          type: 'error',
          job: -1,
          pixel: -1,
          message: "worker received a malformed 'fit' message; ignored it",
        },
      ]);
      worker.send({ type: 'init', init: tinyInit(1) });
      expect(parse(await worker.next())).toEqual([{ type: 'ready' }]);
    } finally {
      worker.kill();
      await worker.exited;
    }
  });
});
