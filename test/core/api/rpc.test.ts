/** The RPC: calls reach the implementation only through the guard table; errors come back as plain data. */
import { describe, expect, it } from 'vitest';
import {
  apiEvents,
  apiMethods,
  apiGuards,
  RpcClient,
  buildApi,
  dispatchCall,
  forwardEvents,
} from '@samfire/core/api';
import type { SamfireApi } from '@samfire/core/api';
import { Listeners } from '@samfire/core/host';

const progress = new Listeners<unknown>();
const impl = {
  dataset: { spectrum: async ({ pixel }: { pixel: number }) => ({ pixel, x: Float64Array.of(1) }) },
  fit: { onProgress: progress.on },
};

describe('rpc', () => {
  it('dispatches a checked call and answers errors as data', async () => {
    const ok = await dispatchCall(impl, apiGuards, {
      type: 'call',
      id: 1,
      service: 'dataset',
      method: 'spectrum',
      arg: { pixel: 2 },
    });
    expect(ok).toEqual({
      type: 'reply',
      id: 1,
      ok: true,
      value: { pixel: 2, x: Float64Array.of(1) },
    });
    const bad = await dispatchCall(impl, apiGuards, {
      type: 'call',
      id: 2,
      service: 'dataset',
      method: 'spectrum',
      arg: { pixel: -2 },
    });
    expect(bad).toMatchObject({ ok: false, error: { name: 'ApiInputError' } });
    const unknown = await dispatchCall(impl, apiGuards, {
      type: 'call',
      id: 3,
      service: 'dataset',
      method: 'constructor',
      arg: undefined,
    });
    expect(unknown).toMatchObject({
      ok: false,
      error: { message: "unknown method 'dataset.constructor'" },
    });
    const missing = await dispatchCall(impl, apiGuards, {
      type: 'call',
      id: 4,
      service: 'model',
      method: 'state',
      arg: undefined,
    });
    expect(missing).toMatchObject({
      ok: false,
      error: { message: "'model.state' is not implemented" },
    });
  });

  it('builds a client API whose calls and events go through a transport', async () => {
    let server: (m: unknown) => void = () => undefined;
    const client = new RpcClient(
      (call) => void dispatchCall(impl, apiGuards, call).then((r) => server(r)),
    );
    server = (m) => client.receive(m);
    forwardEvents(impl, apiEvents, (e) => client.receive(e));
    const api = buildApi<SamfireApi>(
      apiMethods,
      apiEvents,
      (s, m, a) => client.call(s, m, a),
      (s, e, cb) => client.subscribe(s, e, cb),
    );
    await expect(api.dataset.spectrum({ pixel: 5 })).resolves.toMatchObject({ pixel: 5 });
    await expect(api.dataset.spectrum({ pixel: 1.5 })).rejects.toThrow(/expected an integer/);
    const seen: unknown[] = [];
    const off = api.fit.onProgress((p) => seen.push(p));
    progress.emit({ pixelsDone: 3 });
    off();
    progress.emit({ pixelsDone: 4 });
    expect(seen).toEqual([{ pixelsDone: 3 }]);
    const pending = api.dataset.spectrum({ pixel: 1 });
    client.rejectAll('gone');
    await expect(pending).rejects.toThrow('gone');
  });
});
