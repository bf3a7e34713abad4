/**
 * What the service host (the utility or child process that parses files and
 * fits) implements: SamfireApi without the parts only a shell can do
 * (dialogs, the recent list, the menu) and with the few calls a shell makes
 * once the user has chosen a path in one of its dialogs. The renderer never
 * reaches these: main and the browser server call them. Made from
 * contract.ts's host tables.
 */
import type { ApiOf, ServiceOf } from './contract.js';
import type {
  hostContract,
  hostFileContract,
  hostModelContract,
  sessionContract,
} from './contract.js';

export type HostFileApi = ServiceOf<typeof hostFileContract>;
/** Resuming an earlier session's run backup (offered by the UI on start). */
export type HostSessionApi = ServiceOf<typeof sessionContract>;
export type HostModelApi = ServiceOf<typeof hostModelContract>;

export type HostApi = ApiOf<typeof hostContract>;

export type HostServiceName = keyof HostApi;
