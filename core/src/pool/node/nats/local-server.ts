/**
 * Starts a local `nats-server` with JetStream (file storage) for trying the
 * cluster pool on one machine (`samfire cluster-demo`) and for tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

export interface LocalNatsOptions {
  /** The address to listen on. @default '127.0.0.1' */
  host?: string;
  /** @default a free port */
  port?: number;
  /** JetStream's storage folder. */
  storeDir: string;
  /** A configuration file (auth, TLS), passed as -c. */
  configFile?: string;
  /** Extra nats-server arguments. */
  args?: string[];
  /** How long the server may take to be ready. @default 10000 */
  readyTimeoutMs?: number;
  /** Runs the server through this command prefix (e.g. ['ip', 'netns', 'exec', 'ns1']). */
  wrap?: string[];
}

export interface LocalNats {
  url: string;
  host: string;
  port: number;
  process: ChildProcess;
  /** The server's output so far (for error messages). */
  output(): string;
  /** Stops it (SIGTERM, then SIGKILL after 5 s) and waits for the exit. */
  stop(): Promise<void>;
}

/** The nats-server binary: $NATS_SERVER, /usr/sbin/nats-server (Debian), else from PATH. */
export function natsServerBinary(): string {
  const env = process.env.NATS_SERVER;
  if (env) return env;
  for (const p of ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'])
    if (existsSync(p)) return p;
  return 'nats-server';
}

/** A TCP port free on `host` right now. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startNatsServer(options: LocalNatsOptions): Promise<LocalNats> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePort(host));
  const args = [
    '-a',
    host,
    '-p',
    String(port),
    '-js',
    '-sd',
    options.storeDir,
    ...(options.configFile ? ['-c', options.configFile] : []),
    ...(options.args ?? []),
  ];
  const binary = natsServerBinary();
  const [command, ...prefix] = options.wrap ? [...options.wrap, binary] : [binary];
  const child = spawn(command!, [...prefix, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `nats-server did not get ready within ${options.readyTimeoutMs ?? 10_000} ms:\n${output}`,
        ),
      );
    }, options.readyTimeoutMs ?? 10_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Server is ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${binary} (apt-get install nats-server): ${e.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited (${signal ?? code}) before it was ready:\n${output}`));
    });
  });
  return {
    url: `nats://${host}:${port}`,
    host,
    port,
    process: child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
