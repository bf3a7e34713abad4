/**
 * Connecting to a NATS server for the cluster pool and its workers, with the
 * authentication a lab cluster uses (user and password, a token, an NKey
 * credentials file) and TLS, and errors that say what to fix.
 */
import { readFile } from 'node:fs/promises';
import {
  connect,
  credsAuthenticator,
  errors,
  type ConnectionOptions,
  type NatsConnection,
} from '@nats-io/transport-node';

export interface NatsTls {
  /** The certificate authority that signed the server's certificate (PEM file). */
  caFile?: string;
  /** This client's certificate (PEM file), for servers that verify clients. */
  certFile?: string;
  /** This client's private key (PEM file). */
  keyFile?: string;
}

/** How to reach and log in to the NATS server. */
export interface NatsConnectSettings {
  /** nats://host:port (or tls://host:port), or several for a NATS cluster. */
  url: string | string[];
  user?: string;
  pass?: string;
  token?: string;
  /** An NKey/JWT credentials file (`nsc generate creds`, or a user's .creds). */
  credsFile?: string;
  /** TLS: `tls: {}` asks for TLS with the system's certificate authorities. */
  tls?: NatsTls;
  /** How long the first connection may take, in ms. @default 5000 */
  timeoutMs?: number;
}

export function urlList(url: string | string[]): string[] {
  return (Array.isArray(url) ? url : url.split(',')).map((u) => u.trim()).filter((u) => u !== '');
}

/** A URL without the password or token it may carry, for messages. */
export function safeUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

function text(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Connects, or throws an error naming the server and what went wrong (never hangs past timeoutMs). */
export async function connectNats(
  settings: NatsConnectSettings,
  extra: Partial<ConnectionOptions> = {},
): Promise<NatsConnection> {
  const servers = urlList(settings.url);
  if (servers.length === 0) throw new Error('nats: no server URL given (nats://HOST:4222)');
  const where = servers.map(safeUrl).join(', ');
  const options: ConnectionOptions = {
    servers,
    timeout: settings.timeoutMs ?? 5000,
    // A first connection that fails fails now; reconnects after a drop are the caller's choice.
    waitOnFirstConnect: false,
    ...extra,
  };
  if (settings.user !== undefined) options.user = settings.user;
  if (settings.pass !== undefined) options.pass = settings.pass;
  if (settings.token !== undefined) options.token = settings.token;
  if (settings.credsFile !== undefined) {
    let creds: Uint8Array;
    try {
      creds = await readFile(settings.credsFile);
    } catch (e) {
      throw new Error(`nats: cannot read the credentials file ${settings.credsFile}: ${text(e)}`, {
        cause: e,
      });
    }
    options.authenticator = credsAuthenticator(creds);
  }
  if (settings.tls) {
    const tls: NonNullable<ConnectionOptions['tls']> = {};
    if (settings.tls.caFile) tls.caFile = settings.tls.caFile;
    if (settings.tls.certFile) tls.certFile = settings.tls.certFile;
    if (settings.tls.keyFile) tls.keyFile = settings.tls.keyFile;
    options.tls = tls;
  }
  try {
    return await connect(options);
  } catch (e) {
    const how =
      settings.credsFile !== undefined
        ? `the credentials file ${settings.credsFile}`
        : settings.token !== undefined
          ? 'the token'
          : settings.user !== undefined
            ? `user '${settings.user}' and its password`
            : 'no credentials';
    if (e instanceof errors.AuthorizationError || /authoriz|authent/i.test(text(e))) {
      throw new Error(
        `nats: ${where} refused the login (${text(e)}): check ${how}` +
          (how === 'no credentials'
            ? ' (the server wants a user and password, a token or a credentials file)'
            : ''),
        { cause: e },
      );
    }
    throw new Error(`nats: cannot connect to ${where}: ${text(e)}`, { cause: e });
  }
}
