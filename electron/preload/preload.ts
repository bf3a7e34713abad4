/**
 * The preload: exposes SamfireApi, and nothing else, as `window.samfire`.
 * Each method invokes its service's channel with the method name and one
 * argument (main checks both); events arrive on one channel and are fanned
 * out to subscribers. Sandboxed, so this file is bundled with the channel
 * lists it needs and imports only `electron`.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { apiEvents, apiMethods, eventChannel, serviceChannels, buildApi } from '@samfire/core/api';
import type { Listener, SamfireApi, ServiceName, Unsubscribe } from '@samfire/core/api';

const listeners = new Map<string, Set<Listener<unknown>>>();

ipcRenderer.on(eventChannel, (_event, message: unknown) => {
  if (typeof message !== 'object' || message === null) return;
  const { service, event, payload } = message as {
    service?: unknown;
    event?: unknown;
    payload?: unknown;
  };
  for (const cb of listeners.get(`${String(service)}.${String(event)}`) ?? []) cb(payload);
});

function subscribe(service: string, event: string, cb: Listener<unknown>): Unsubscribe {
  const key = `${service}.${event}`;
  let set = listeners.get(key);
  if (!set) listeners.set(key, (set = new Set()));
  set.add(cb);
  return () => void set.delete(cb);
}

const api = buildApi<SamfireApi>(
  apiMethods,
  apiEvents,
  (service, method, arg) =>
    ipcRenderer.invoke(serviceChannels[service as ServiceName], method, arg),
  subscribe,
) satisfies SamfireApi;

contextBridge.exposeInMainWorld('samfire', api);
