/**
 * How the service host gets its fitting workers when it runs in an Electron
 * utility process. Only the main process can call utilityProcess.fork, so
 * the host asks main for each worker over its parentPort; main forks the fit
 * worker entry as a utility process, connects it to the host with a
 * MessageChannelMain and hands the host its end of the channel. The worker
 * protocol (pool/protocol.ts) then runs on that port, host to worker, as on
 * any other transport; main only brokers.
 *
 * Host side: node/utility-workers.ts. Main side:
 * electron/main/host/fit-workers.ts. The host only names ids: which script
 * runs is main's choice, never the host's.
 */

/** host -> main. `id` is chosen by the host, unique within its process. */
export type BrokerRequest =
  { type: 'fit-worker:spawn'; id: number } | { type: 'fit-worker:kill'; id: number };

/**
 * main -> host. 'port' comes with the host's end of the worker's channel in
 * the MessageEvent's `ports`; 'exit' comes once per worker, also for one that
 * could not start ("exited with code 1", "was killed", "could not start (...)").
 */
export type BrokerNotice =
  | { type: 'fit-worker:port'; id: number; pid: number | null }
  | { type: 'fit-worker:exit'; id: number; reason: string };

/** main -> worker, with the worker's end of the channel in the MessageEvent's `ports`. */
export const CONNECT_MESSAGE = { type: 'fit-worker:connect' } as const;

const isId = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;

function field(x: unknown, key: string): unknown {
  return typeof x === 'object' && x !== null ? Reflect.get(x, key) : undefined;
}

export function isBrokerRequest(x: unknown): x is BrokerRequest {
  const type = field(x, 'type');
  return (type === 'fit-worker:spawn' || type === 'fit-worker:kill') && isId(field(x, 'id'));
}

export function isBrokerNotice(x: unknown): x is BrokerNotice {
  const id = field(x, 'id');
  switch (field(x, 'type')) {
    case 'fit-worker:port': {
      const pid = field(x, 'pid');
      return isId(id) && (pid === null || isId(pid));
    }
    case 'fit-worker:exit':
      return isId(id) && typeof field(x, 'reason') === 'string';
    default:
      return false;
  }
}
