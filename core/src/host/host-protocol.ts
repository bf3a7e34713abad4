/**
 * The calls a shell makes to its service host besides HostApi: restoring the
 * last session after a crash, and a liveness check. Same RPC messages, on the
 * reserved service name 'host'.
 */
export const HOST_CONTROL = 'host';

export interface RestoreOutcome {
  dataset: boolean;
  run: boolean;
}

/** host -> shell, once, when the host is ready for calls. */
export const HOST_READY_EVENT = 'ready';
