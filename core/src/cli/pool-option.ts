/**
 * The pool choice shared by the commands that run SAMFire (`samfire run`,
 * `samfire demo`, `samfire eds`): local worker threads (the default) or a
 * NATS JetStream cluster (`--pool nats --nats URL`), and the NATS
 * connection options shared with `samfire worker`.
 *
 * Secrets can come from the environment instead of the command line (where
 * other users of the host can read them in `ps`): SAMFIRE_NATS_PASSWORD and
 * SAMFIRE_NATS_TOKEN.
 */
import type { NatsConnectSettings } from '../pool/node/nats/connection.js';
import { NatsPool } from '../pool/node/nats/nats-pool.js';
import { NodeWorkerPool } from '../pool/node/thread-pool.js';
import type { WorkerPool } from '../pool/pool.js';

/** Options of every command that connects to NATS. */
export const NATS_VALUED = [
  'nats',
  'nats-user',
  'nats-password',
  'nats-token',
  'nats-creds',
  'nats-tls-ca',
  'nats-tls-cert',
  'nats-tls-key',
];
export const NATS_FLAGS = ['nats-tls'];

/** Options of the commands that run SAMFire, on top of NATS_VALUED. */
export const POOL_VALUED = [
  'pool',
  ...NATS_VALUED,
  'nats-min-workers',
  'nats-ack-wait',
  'nats-worker-timeout',
];
export const POOL_FLAGS = [...NATS_FLAGS];

export const POOL_USAGE = `      --pool threads|nats    where the fits run (default threads; nats: cluster workers)
      --nats URL             the NATS server (nats://HOST:4222; implies --pool nats)
      --nats-min-workers N   with --pool nats: wait for N workers before starting
      --nats-ack-wait MS     with --pool nats: redelivery deadline of a job (default 30000)
      --nats-worker-timeout MS   with --pool nats: report a worker silent this long (default 5000)
${NATS_USAGE_LINES()}`;

function NATS_USAGE_LINES(): string {
  return `      --nats-user U --nats-password P   log in with a user and password (or SAMFIRE_NATS_PASSWORD)
      --nats-token T         log in with a token (or SAMFIRE_NATS_TOKEN)
      --nats-creds FILE      log in with an NKey/JWT credentials file
      --nats-tls             use TLS (with the system's CAs) ...
      --nats-tls-ca FILE     ... or this CA; --nats-tls-cert/--nats-tls-key FILE for client certificates`;
}
export const NATS_USAGE = NATS_USAGE_LINES();

export type PoolChoice =
  | { kind: 'threads' }
  | {
      kind: 'nats';
      nats: NatsConnectSettings;
      minWorkers: number;
      ackWaitMs: number;
      workerTimeoutMs: number;
    };

type Options = Map<string, string | true>;

function text(options: Options, name: string): string | undefined {
  const v = options.get(name);
  return typeof v === 'string' ? v : undefined;
}

function wholeNumber(option: string, value: string, min: number): number {
  const v = Number(value);
  if (!Number.isInteger(v) || v < min)
    throw new Error(`--${option} must be a whole number >= ${min}, got '${value}'`);
  return v;
}

/** The NATS connection from --nats and its auth and TLS options (null without --nats). */
export function parseNatsSettings(
  options: Options,
  env: Record<string, string | undefined> = process.env,
): NatsConnectSettings | null {
  const url = text(options, 'nats');
  const rest = NATS_VALUED.filter((o) => o !== 'nats' && options.has(o));
  if (url === undefined) {
    if (rest.length > 0 || options.has('nats-tls'))
      throw new Error(`--${rest[0] ?? 'nats-tls'} needs --nats URL`);
    return null;
  }
  if (!/^(nats|tls):\/\/[^/\s]+/.test(url.split(',')[0]!.trim()))
    throw new Error(`--nats must be a URL such as nats://HOST:4222, got '${url}'`);
  const settings: NatsConnectSettings = { url };
  const user = text(options, 'nats-user');
  const pass = text(options, 'nats-password') ?? env.SAMFIRE_NATS_PASSWORD;
  const token = text(options, 'nats-token') ?? env.SAMFIRE_NATS_TOKEN;
  if (pass !== undefined && user === undefined)
    throw new Error('--nats-password (or SAMFIRE_NATS_PASSWORD) needs --nats-user');
  if (user !== undefined) {
    settings.user = user;
    if (pass === undefined)
      throw new Error('--nats-user needs --nats-password or SAMFIRE_NATS_PASSWORD');
    settings.pass = pass;
  }
  if (token !== undefined) settings.token = token;
  const creds = text(options, 'nats-creds');
  if (creds !== undefined) settings.credsFile = creds;
  const ca = text(options, 'nats-tls-ca');
  const cert = text(options, 'nats-tls-cert');
  const key = text(options, 'nats-tls-key');
  if ((cert === undefined) !== (key === undefined))
    throw new Error('--nats-tls-cert and --nats-tls-key go together');
  if (options.has('nats-tls') || ca !== undefined || cert !== undefined) {
    settings.tls = {};
    if (ca !== undefined) settings.tls.caFile = ca;
    if (cert !== undefined) settings.tls.certFile = cert;
    if (key !== undefined) settings.tls.keyFile = key;
  }
  return settings;
}

export function parsePoolChoice(
  options: Options,
  env: Record<string, string | undefined> = process.env,
): PoolChoice {
  const kind = text(options, 'pool') ?? (options.has('nats') ? 'nats' : 'threads');
  if (kind !== 'threads' && kind !== 'nats')
    throw new Error(`--pool must be threads or nats, got '${kind}'`);
  const nats = parseNatsSettings(options, env);
  if (kind === 'threads') {
    if (nats) throw new Error('--nats goes with --pool nats');
    for (const o of ['nats-min-workers', 'nats-ack-wait', 'nats-worker-timeout'])
      if (options.has(o)) throw new Error(`--${o} goes with --pool nats`);
    return { kind: 'threads' };
  }
  if (!nats) throw new Error('--pool nats needs --nats URL (nats://HOST:4222)');
  const min = text(options, 'nats-min-workers');
  const ack = text(options, 'nats-ack-wait');
  const silent = text(options, 'nats-worker-timeout');
  return {
    kind: 'nats',
    nats,
    minWorkers: min === undefined ? 0 : wholeNumber('nats-min-workers', min, 0),
    ackWaitMs: ack === undefined ? 30_000 : wholeNumber('nats-ack-wait', ack, 1000),
    workerTimeoutMs: silent === undefined ? 5000 : wholeNumber('nats-worker-timeout', silent, 500),
  };
}

/** The pool for a run: undefined fits in this thread (threads with 0 workers). */
export function createRunPool(
  choice: PoolChoice,
  workers: number,
  log: (line: string) => void = () => {},
): WorkerPool | undefined {
  if (choice.kind === 'nats')
    return new NatsPool({
      ...choice.nats,
      minWorkers: choice.minWorkers,
      ackWaitMs: choice.ackWaitMs,
      workerTimeoutMs: choice.workerTimeoutMs,
      log,
    });
  return workers > 0 ? new NodeWorkerPool({ workers, kind: 'thread' }) : undefined;
}
