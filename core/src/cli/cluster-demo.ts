/**
 * `samfire cluster-demo [--workers N] [--size RxCxN] [--keep]`: the cluster
 * pool on one machine. Starts a local nats-server with JetStream (file
 * storage in a temporary folder, 127.0.0.1 only), N `samfire worker`
 * processes (default 2, one kernel each), runs the demo on them
 * (`samfire demo --pool nats`), then stops the workers (SIGTERM) and the
 * server. With --keep the server and workers stay up until Ctrl-C, for
 * trying `samfire run --pool nats --nats URL` from another terminal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { argv, execArgv, execPath, stderr } from 'node:process';
import { startNatsServer } from '../pool/node/nats/local-server.js';
import { parseArgs } from './args.js';
import { runDemo } from './demo.js';

export async function runClusterDemo(args: string[]): Promise<number> {
  const { options } = parseArgs(args, ['workers', 'size'], ['keep']);
  const count = Number(options.get('workers') ?? '2');
  if (!Number.isInteger(count) || count < 1 || count > 16)
    throw new Error(
      `--workers must be a whole number from 1 to 16, got '${String(options.get('workers'))}'`,
    );
  const store = mkdtempSync(join(tmpdir(), 'samfire-nats-'));
  const server = await startNatsServer({ storeDir: store });
  stderr.write(`cluster-demo: nats-server with JetStream at ${server.url} (store ${store})\n`);
  const workers: ChildProcess[] = [];
  const exited: Promise<void>[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const child = spawn(
        execPath,
        [
          ...execArgv,
          argv[1]!,
          'worker',
          '--nats',
          server.url,
          '--concurrency',
          '1',
          '--name',
          `demo-${i + 1}`,
        ],
        { stdio: ['ignore', 'inherit', 'inherit'] },
      );
      workers.push(child);
      exited.push(new Promise((resolve) => child.once('exit', () => resolve())));
    }
    stderr.write(
      `cluster-demo: started ${count} worker(s); from another terminal, more can join:\n` +
        `  samfire worker --nats ${server.url}\n`,
    );
    const size = options.get('size');
    const code = await runDemo([
      '--pool',
      'nats',
      '--nats',
      server.url,
      '--nats-min-workers',
      String(count),
      '--quiet',
      ...(typeof size === 'string' ? ['--size', size] : []),
    ]);
    if (options.has('keep')) {
      stderr.write(`cluster-demo: ${server.url} stays up until Ctrl-C\n`);
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
    return code;
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    const timer = setTimeout(() => workers.forEach((w) => w.kill('SIGKILL')), 10_000);
    await Promise.all(exited);
    clearTimeout(timer);
    await server.stop();
    rmSync(store, { recursive: true, force: true });
  }
}
