/**
 * Channel names and the allowlists of methods and events, made from the
 * service tables of contract.ts. One IPC channel per service; the first
 * argument names the method, checked against these lists before anything
 * runs. Events of every service share one channel.
 */
import { callsOf, eventsOf, hostContract, samfireContract } from './contract.js';
import type { HostApi } from './host-api.js';
import type { ServiceName } from './samfire-api.js';

export const CHANNEL_PREFIX = 'samfire:';

/** renderer -> main: `ipcRenderer.invoke(serviceChannels[service], method, arg)`. */
export const serviceChannels = {
  app: 'samfire:app',
  file: 'samfire:file',
  dataset: 'samfire:dataset',
  model: 'samfire:model',
  fit: 'samfire:fit',
} as const satisfies Record<ServiceName, string>;

/** main -> renderer: every event as `{ service, event, payload }`. */
export const eventChannel = 'samfire:event';

/** The calls of each service the renderer may make (from contract.ts). */
export const apiMethods = callsOf(samfireContract);
/** The events of each service the renderer may subscribe to. */
export const apiEvents = eventsOf(samfireContract);
/** The calls of each service of the host (what a shell may make). */
export const hostMethods = callsOf(hostContract);
export const hostEvents = eventsOf(hostContract);

/** An event as it travels: which service, which `onX`, and its payload. */
export interface EventMessage {
  service: string;
  event: string;
  payload: unknown;
}

export function isServiceName(x: unknown): x is ServiceName {
  return typeof x === 'string' && Object.hasOwn(serviceChannels, x);
}

/** Whether `method` is on the allowlist of `service` (own properties only: no 'constructor' or '__proto__'). */
export function isApiMethod(service: ServiceName, method: unknown): boolean {
  return typeof method === 'string' && (apiMethods[service] as readonly string[]).includes(method);
}

export function isHostMethod(service: string, method: unknown): boolean {
  if (!Object.hasOwn(hostMethods, service) || typeof method !== 'string') return false;
  return (hostMethods[service as keyof HostApi] as readonly string[]).includes(method);
}
