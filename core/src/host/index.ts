/**
 * `@samfire/core/host`: the service host, the layer between a shell and the
 * fitting core. Pure (it reaches files, backups and workers only through the
 * HostDeps it is given), so a shell may run it in any process; the Node side
 * that gives it real files and processes is in `@samfire/core/node`.
 *
 * - createHost: the services (files, model, fit, session) behind the HostApi;
 * - HostDeps: what a host needs from its process (files, backups, workers);
 * - HostConnection: a shell's end of the channel to a host in another process,
 *   with the ready handshake and restart on exit;
 * - createShellApi and RecentList: the SamfireApi a shell serves its renderer;
 * - the fit-worker broker messages (a host asking main for utility workers);
 * - Listeners: the small event set the shells share.
 *
 * This is a separate entry point, not part of `@samfire/core`, because it is
 * the desktop app's plumbing rather than the fitting API, and not part of
 * `@samfire/core/node`, because none of it needs Node.
 */
export { createHost, type Host } from './host.js';
export type {
  BackupStore,
  HostDeps,
  ProjectFile,
  SessionRecord,
  SessionVariance,
} from './host-deps.js';
export { HOST_CONTROL, HOST_READY_EVENT, type RestoreOutcome } from './host-protocol.js';
export {
  HostConnection,
  type HostChannel,
  type HostConnectionOptions,
  type HostSpawner,
} from './host-connection.js';
export { createShellApi, RecentList, type ShellPort } from './shell-api.js';
export {
  CONNECT_MESSAGE,
  isBrokerNotice,
  isBrokerRequest,
  type BrokerNotice,
  type BrokerRequest,
} from './fit-worker-broker.js';
export { Listeners } from './listeners.js';
