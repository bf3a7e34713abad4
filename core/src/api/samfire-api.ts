/**
 * The one contract between the user interface and the code that opens files
 * and fits: the preload exposes it as `window.samfire` (Electron), the browser
 * client builds it over a WebSocket (browser mode), and the host implements
 * it. The interfaces are made from the tables in contract.ts, where every
 * method and event is declared once with its argument's schema; change a
 * table and every side stops compiling until it follows.
 */
import type { ApiOf, ServiceOf } from './contract.js';
import type {
  appContract,
  datasetContract,
  fileContract,
  fitContract,
  modelContract,
  samfireContract,
} from './contract.js';

export type { Listener, Unsubscribe } from './contract.js';

/** The shell around the UI: what it can do, its menu, and the health of the service host. */
export type AppApi = ServiceOf<typeof appContract>;
export type FileApi = ServiceOf<typeof fileContract>;
export type DatasetApi = ServiceOf<typeof datasetContract>;
export type ModelApi = ServiceOf<typeof modelContract>;
export type FitApi = ServiceOf<typeof fitContract>;

export type SamfireApi = ApiOf<typeof samfireContract>;

export type ServiceName = keyof SamfireApi;

/** Names of the members of T that are events (`onX`). */
export type EventMembers<T> = { [K in keyof T]: K extends `on${string}` ? K : never }[keyof T];
/** Names of the members of T that are calls. */
export type MethodMembers<T> = Exclude<keyof T, EventMembers<T>>;

/** The argument of a call (undefined for a call that takes none). */
export type ArgOf<
  S extends ServiceName,
  M extends MethodMembers<SamfireApi[S]>,
> = SamfireApi[S][M] extends (arg: infer A) => unknown ? A : undefined;

export type ResultOf<
  S extends ServiceName,
  M extends MethodMembers<SamfireApi[S]>,
> = SamfireApi[S][M] extends (...args: never[]) => Promise<infer R> ? R : never;

/** The payload of an event. */
export type PayloadOf<
  S extends ServiceName,
  E extends EventMembers<SamfireApi[S]>,
> = SamfireApi[S][E] extends (cb: Listener<infer P>) => Unsubscribe ? P : never;

import type { Listener, Unsubscribe } from './contract.js';
