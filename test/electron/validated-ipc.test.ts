/** IPC registration and validation: sender, method allowlist and payload guards, before any service runs. */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { serviceChannels } from '@samfire/core/api';
import type { SamfireApi } from '@samfire/core/api';

type Handler = (event: unknown, method: unknown, arg: unknown) => Promise<unknown>;
const stub = vi.hoisted(() => ({ handlers: new Map<string, Handler>() }));

vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, h: Handler) => stub.handlers.set(channel, h),
    removeHandler: (channel: string) => stub.handlers.delete(channel),
  },
}));

const { registerApi, senderProblem } = await import('../../electron/main/ipc/validated-ipc.js');

const APP = 'file:///app/out/renderer/index.html';
const contents = { id: 1 };
const trusted = { contents: () => contents as never, isAppUrl: (u: string) => u === APP };
const good = { sender: contents, senderFrame: { parent: null, url: APP } };

function fakeApi() {
  const spectrum = vi.fn(async ({ pixel }: { pixel: number }) => ({ pixel }));
  const openExample = vi.fn(async () => ({ kind: 'cancelled' as const }));
  const api = { dataset: { spectrum }, file: { openExample } } as unknown as SamfireApi;
  return { api, spectrum, openExample };
}

beforeEach(() => stub.handlers.clear());

describe('validated IPC', () => {
  it('registers one handler per service channel, and removes them', () => {
    const off = registerApi(fakeApi().api, trusted);
    expect([...stub.handlers.keys()].sort()).toEqual(Object.values(serviceChannels).sort());
    off();
    expect(stub.handlers.size).toBe(0);
  });

  it('passes a good request from the app window to the service', async () => {
    const f = fakeApi();
    registerApi(f.api, trusted);
    await expect(
      stub.handlers.get('samfire:dataset')!(good, 'spectrum', { pixel: 4 }),
    ).resolves.toEqual({ pixel: 4 });
    expect(f.spectrum).toHaveBeenCalledWith({ pixel: 4 });
  });

  it.each([
    [
      'another window',
      { sender: { id: 2 }, senderFrame: { parent: null, url: APP } },
      /not the app window/,
    ],
    ['a sub-frame', { sender: contents, senderFrame: { parent: {}, url: APP } }, /sub-frame/],
    [
      'a foreign page',
      { sender: contents, senderFrame: { parent: null, url: 'https://evil.example/' } },
      /not the app/,
    ],
    ['a destroyed frame', { sender: contents, senderFrame: null }, /frame is gone/],
  ])('refuses %s before any service runs', async (_name, event, message) => {
    const f = fakeApi();
    registerApi(f.api, trusted);
    await expect(
      stub.handlers.get('samfire:dataset')!(event, 'spectrum', { pixel: 1 }),
    ).rejects.toThrow(message);
    expect(f.spectrum).not.toHaveBeenCalled();
  });

  it.each([
    ['an unknown method', 'constructor', { pixel: 1 }, /unknown method 'dataset.constructor'/],
    ['a prototype name', '__proto__', undefined, /unknown method/],
    [
      'a wrong field type',
      'spectrum',
      { pixel: 'x' },
      /dataset.spectrum.pixel: expected an integer/,
    ],
    ['a negative pixel', 'spectrum', { pixel: -1 }, /between 0 and/],
    ['an extra field', 'spectrum', { pixel: 1, path: '/etc/passwd' }, /unexpected field 'path'/],
    ['no argument', 'spectrum', undefined, /expected an object/],
  ])('refuses %s', async (_name, method, arg, message) => {
    const f = fakeApi();
    registerApi(f.api, trusted);
    await expect(stub.handlers.get('samfire:dataset')!(good, method, arg)).rejects.toThrow(message);
    expect(f.spectrum).not.toHaveBeenCalled();
  });

  it('refuses an argument to a call that takes none', async () => {
    const f = fakeApi();
    registerApi(f.api, trusted);
    await expect(
      stub.handlers.get('samfire:file')!(good, 'openExample', { path: '/x' }),
    ).rejects.toThrow(/takes no argument/);
    await expect(
      stub.handlers.get('samfire:file')!(good, 'openExample', undefined),
    ).resolves.toEqual({ kind: 'cancelled' });
  });

  it('names the problem of a sender', () => {
    expect(senderProblem(good as never, trusted)).toBeNull();
    expect(
      senderProblem({ sender: contents, senderFrame: { parent: null, url: APP } } as never, {
        ...trusted,
        contents: () => null,
      }),
    ).toBe('not the app window');
  });
});
