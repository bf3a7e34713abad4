/**
 * `samfire worker --nats URL [--concurrency N] [--name NAME]`: a cluster
 * worker. Joins the runs announced on the NATS server, fits their pixels
 * with N kernels (worker threads), reconnects after a drop, and on SIGTERM
 * or Ctrl-C hands back the jobs it has not started, finishes the others and
 * exits with 0.
 */
import { availableParallelism } from 'node:os';
import { stderr } from 'node:process';
import { NatsWorker } from '../pool/node/nats/nats-worker.js';
import { parseArgs } from './args.js';
import { NATS_FLAGS, NATS_VALUED, parseNatsSettings } from './pool-option.js';

function wholeNumber(option: string, value: string | true | undefined, min: number): number {
  const v = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(v) || v < min)
    throw new Error(`--${option} must be a whole number >= ${min}, got '${String(value)}'`);
  return v;
}

export async function runWorker(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(
    args,
    [...NATS_VALUED, 'concurrency', 'name', 'max-in-flight', 'prefix'],
    [...NATS_FLAGS, 'quiet'],
  );
  if (positional.length > 0) throw new Error(`worker takes no file, got '${positional[0]}'`);
  const nats = parseNatsSettings(options);
  if (!nats) throw new Error('worker needs --nats URL (nats://HOST:4222)');
  const concurrency = options.has('concurrency')
    ? wholeNumber('concurrency', options.get('concurrency'), 1)
    : Math.max(1, availableParallelism());
  const name = options.get('name');
  const quiet = options.has('quiet');
  const worker = new NatsWorker({
    ...nats,
    concurrency,
    ...(typeof name === 'string' ? { name } : {}),
    ...(options.has('max-in-flight')
      ? { maxInFlight: wholeNumber('max-in-flight', options.get('max-in-flight'), 1) }
      : {}),
    ...(typeof options.get('prefix') === 'string'
      ? { prefix: options.get('prefix') as string }
      : {}),
    log: (line) => {
      if (!quiet) stderr.write(`samfire worker: ${line}\n`);
    },
  });
  await worker.start();
  const stop = (signal: string): void => {
    stderr.write(`samfire worker: ${signal}: finishing the fits under way\n`);
    void worker.stop();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  await worker.done();
  return 0;
}
