/** The preload exposes exactly SamfireApi as window.samfire: each method invokes its service channel; events fan out. */
import { describe, expect, it, vi } from 'vitest';
import { apiEvents, apiMethods, eventChannel } from '@samfire/core/api';
import type { SamfireApi } from '@samfire/core/api';

const stub = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  invoke: vi.fn(async (..._args: unknown[]) => 'answer'),
  listeners: new Map<string, (event: unknown, message: unknown) => void>(),
}));

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, value: unknown) => stub.exposed.set(key, value),
  },
  ipcRenderer: {
    invoke: stub.invoke,
    on: (channel: string, cb: (event: unknown, message: unknown) => void) =>
      stub.listeners.set(channel, cb),
  },
}));

await import('../../electron/preload/preload.js');
const api = stub.exposed.get('samfire') as SamfireApi;

describe('preload', () => {
  it('exposes one object, samfire, with every method and event of SamfireApi and nothing else', () => {
    expect([...stub.exposed.keys()]).toEqual(['samfire']);
    for (const [service, methods] of Object.entries(apiMethods)) {
      const s = (api as unknown as Record<string, Record<string, unknown>>)[service]!;
      const events = apiEvents[service as keyof typeof apiEvents] as readonly string[];
      expect(Object.keys(s).sort()).toEqual([...methods, ...events].sort());
      for (const k of Object.keys(s)) expect(typeof s[k]).toBe('function');
    }
  });

  it('invokes the service channel with the method name and one argument', async () => {
    await expect(api.dataset.spectrum({ pixel: 3 })).resolves.toBe('answer');
    expect(stub.invoke).toHaveBeenCalledWith('samfire:dataset', 'spectrum', { pixel: 3 });
    await api.file.openExample();
    expect(stub.invoke).toHaveBeenLastCalledWith('samfire:file', 'openExample', undefined);
  });

  it('delivers events to subscribers until they unsubscribe', () => {
    const seen: unknown[] = [];
    const off = api.fit.onProgress((p) => seen.push(p));
    const deliver = stub.listeners.get(eventChannel)!;
    deliver({}, { service: 'fit', event: 'onProgress', payload: { pixelsDone: 1 } });
    deliver({}, { service: 'fit', event: 'onPlot', payload: 'other' });
    off();
    deliver({}, { service: 'fit', event: 'onProgress', payload: { pixelsDone: 2 } });
    expect(seen).toEqual([{ pixelsDone: 1 }]);
  });
});
