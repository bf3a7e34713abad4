/**
 * A message port handed to this process inside a message: Electron's
 * MessagePortMain (a utility process receives it in the `ports` of a
 * process.parentPort 'message' event), or, in tests, Node's MessagePort from
 * node:worker_threads. Core cannot import electron, so this names the part
 * both share.
 *
 * The two deliver messages differently: MessagePortMain wraps each one in a
 * MessageEvent (`{ data, ports }`), Node's MessagePort passes the value
 * itself. portPayload() accepts both; protocol messages never have a
 * top-level `data` field, so the two cannot be confused.
 */

export interface TransferredPort {
  postMessage(message: unknown): void;
  /** 'message' listeners get a MessageEvent or the value; 'close' fires when the other end is gone. */
  on(event: 'message' | 'close', listener: (event: unknown) => void): unknown;
  /** MessagePortMain queues messages until started; Node's port starts on its first listener. */
  start(): void;
  close(): void;
}

export function isTransferredPort(x: unknown): x is TransferredPort {
  return (
    typeof x === 'object' &&
    x !== null &&
    ['postMessage', 'on', 'start', 'close'].every((m) => typeof Reflect.get(x, m) === 'function')
  );
}

/** The message inside a MessageEvent, or the value itself (Node ports, fork IPC). */
export function portPayload(event: unknown): unknown {
  return typeof event === 'object' && event !== null && 'data' in event ? event.data : event;
}

/** The first port transferred with a MessageEvent (`event.ports[0]`), or null. */
export function transferredPort(event: unknown): TransferredPort | null {
  if (typeof event !== 'object' || event === null) return null;
  const ports: unknown = Reflect.get(event, 'ports');
  if (!Array.isArray(ports)) return null;
  const first: unknown = ports[0];
  return isTransferredPort(first) ? first : null;
}
