/**
 * Channel names and the allowlists of methods and events, next to the
 * interfaces they serve (samfire-api.ts, host-api.ts). One IPC channel per
 * service; the first argument names the method, checked against these lists
 * before anything runs. Events of every service share one channel.
 */
import type { HostApi } from './host-api.js';
import type { EventMembers, MethodMembers, SamfireApi, ServiceName } from './samfire-api.js';

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

type MethodLists<Api> = { [S in keyof Api]: readonly MethodMembers<Api[S]>[] };
type EventLists<Api> = { [S in keyof Api]: readonly EventMembers<Api[S]>[] };

/** The model service's calls that the renderer and the host share (the shell adds the dialog). */
const modelMethods = [
  'state',
  'componentKinds',
  'setPixel',
  'addComponent',
  'removeComponent',
  'renameComponent',
  'setParameter',
  'setActive',
  'setOptional',
  'setSignalRange',
  'setVariance',
  'loadVarianceUpload',
  'assignToAll',
  'undo',
  'redo',
] as const;

export const apiMethods = {
  app: ['info'],
  file: [
    'openDialog',
    'openRecent',
    'openUpload',
    'openExample',
    'cancelOpen',
    'chooseSignal',
    'recent',
    'folders',
    'addFolder',
    'removeFolder',
    'browse',
    'openByPath',
    'saveBytes',
    'saveProject',
    'readableExtensions',
    'lastSession',
    'resumeSession',
    'discardSession',
  ],
  dataset: ['summary', 'image', 'spectrum', 'regionSpectrum', 'mapFile'],
  model: [...modelMethods, 'loadVarianceDialog'],
  fit: [
    'catalogue',
    'settings',
    'updateSettings',
    'fitPixel',
    'fitRegion',
    'setSeeds',
    'status',
    'start',
    'stop',
    'resume',
  ],
} as const satisfies MethodLists<SamfireApi>;

export const apiEvents = {
  app: ['onCommand', 'onHostStatus', 'onOpenRequest'],
  file: ['onOpenProgress'],
  dataset: ['onChanged'],
  model: ['onChanged'],
  fit: ['onProgress', 'onPlot', 'onRunEvent'],
} as const satisfies EventLists<SamfireApi>;

export const hostMethods = {
  file: [
    'openPath',
    'openUpload',
    'openExample',
    'cancelOpen',
    'chooseSignal',
    'readableExtensions',
    'writeBytes',
    'saveProjectTo',
    'projectPath',
    'lastSession',
    'resumeSession',
    'discardSession',
  ],
  dataset: apiMethods.dataset,
  model: [...modelMethods, 'loadVariancePath'],
  fit: apiMethods.fit,
} as const satisfies MethodLists<HostApi>;

export const hostEvents = {
  file: apiEvents.file,
  dataset: apiEvents.dataset,
  model: apiEvents.model,
  fit: apiEvents.fit,
} as const satisfies EventLists<HostApi>;

// Every method and event must be listed: a member added to an interface and
// forgotten here is a compile error on these lines.
type Unlisted<Api, L extends MethodLists<Api> | EventLists<Api>, Kind extends 'm' | 'e'> = {
  [S in keyof Api & keyof L]: Exclude<
    Kind extends 'm' ? MethodMembers<Api[S]> : EventMembers<Api[S]>,
    L[S] extends readonly (infer X)[] ? X : never
  >;
}[keyof Api & keyof L];
const allListed = <T extends never>(): T | undefined => undefined;
allListed<Unlisted<SamfireApi, typeof apiMethods, 'm'>>();
allListed<Unlisted<SamfireApi, typeof apiEvents, 'e'>>();
allListed<Unlisted<HostApi, typeof hostMethods, 'm'>>();
allListed<Unlisted<HostApi, typeof hostEvents, 'e'>>();

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
