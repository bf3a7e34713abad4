/**
 * The preload: exposes SamfireApi, and nothing else, as `window.samfire`.
 * Each method invokes its service's channel with the method name and one
 * argument (main checks both); events arrive on one channel and are fanned
 * out to subscribers. Sandboxed, so this file is bundled with the channel
 * lists it needs and imports only `electron`.
 */
import { contextBridge, ipcRenderer } from 'electron';
import {
  apiEvents,
  apiMethods,
  eventChannel,
  serviceChannels,
  buildApi,
  KeyedListeners,
  reportLater,
} from '@samfire/core/api';
import type { Listener, SamfireApi, ServiceName, Unsubscribe } from '@samfire/core/api';

const listeners = new KeyedListeners<string, unknown>(reportLater);

ipcRenderer.on(eventChannel, (_event, message: unknown) => {
  if (typeof message !== 'object' || message === null) return;
  const { service, event, payload } = message as {
    service?: unknown;
    event?: unknown;
    payload?: unknown;
  };
  listeners.emit(`${String(service)}.${String(event)}`, payload);
});

function subscribe(service: string, event: string, cb: Listener<unknown>): Unsubscribe {
  return listeners.on(`${service}.${event}`, cb);
}

const api = buildApi<SamfireApi>(
  apiMethods,
  apiEvents,
  (service, method, arg) =>
    ipcRenderer.invoke(serviceChannels[service as ServiceName], method, arg),
  subscribe,
) satisfies SamfireApi;

contextBridge.exposeInMainWorld('samfire', api);
