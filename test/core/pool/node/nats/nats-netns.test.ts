/**
 * The cluster pool across hosts: network namespaces made by this test (one
 * for nats-server, one for the coordinator running `samfire demo --pool
 * nats`, three for `samfire worker`s, joined by veth pairs to a bridge in a
 * sixth), torn down at the end. The maps must equal a local run's with the
 * same seed, also when a worker host's cable (its veth) is cut mid-run.
 *
 * Needs root (`ip netns add`); skipped, saying so, where namespaces cannot
 * be made.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  readHspy,
  startNatsServer,
  TYPESCRIPT_EXEC_ARGV,
  type LocalNats,
} from '@samfire/core/node';
import { domainMaps } from '../../../../helpers/reference.js';

const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const CLI = join(ROOT, 'core/src/cli/samfire.ts');
const tag = `sf${process.pid % 100000}`;
const BRIDGE_NS = `${tag}sw`;
const HOSTS = { server: 1, coord: 2, w1: 11, w2: 12, w3: 13 } as const;
type Host = keyof typeof HOSTS;
const ns = (h: Host): string => `${tag}${h}`;
const ip = (h: Host): string => `10.77.0.${HOSTS[h]}`;
const SIZE = '64x64x256';

function sh(...args: string[]): { ok: boolean; err: string } {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', timeout: 20_000 });
  return { ok: r.status === 0, err: `${r.stderr}${r.error?.message ?? ''}` };
}

function must(...args: string[]): void {
  const r = sh(...args);
  if (!r.ok) throw new Error(`${args.join(' ')}: ${r.err}`);
}

function canMakeNamespaces(): string | null {
  const probe = `${tag}probe`;
  const r = sh('ip', 'netns', 'add', probe);
  if (!r.ok) return r.err.trim() || 'ip netns add failed';
  sh('ip', 'netns', 'del', probe);
  return null;
}

const why = canMakeNamespaces();
if (why) console.warn(`nats-netns: skipped, this test cannot create network namespaces (${why})`);

const dir = mkdtempSync(join(tmpdir(), 'samfire-netns-'));
const children: ChildProcess[] = [];
let server: LocalNats | null = null;

function makeNetwork(): void {
  must('ip', 'netns', 'add', BRIDGE_NS);
  must('ip', 'netns', 'exec', BRIDGE_NS, 'ip', 'link', 'add', 'br0', 'type', 'bridge');
  must('ip', 'netns', 'exec', BRIDGE_NS, 'ip', 'link', 'set', 'br0', 'up');
  for (const h of Object.keys(HOSTS) as Host[]) {
    const inside = `${tag}${h}i`.slice(0, 15);
    const port = `${tag}${h}p`.slice(0, 15);
    must('ip', 'netns', 'add', ns(h));
    must('ip', 'link', 'add', inside, 'type', 'veth', 'peer', 'name', port);
    must('ip', 'link', 'set', inside, 'netns', ns(h));
    must('ip', 'link', 'set', port, 'netns', BRIDGE_NS);
    must('ip', 'netns', 'exec', BRIDGE_NS, 'ip', 'link', 'set', port, 'master', 'br0', 'up');
    must('ip', 'netns', 'exec', ns(h), 'ip', 'addr', 'add', `${ip(h)}/24`, 'dev', inside);
    must('ip', 'netns', 'exec', ns(h), 'ip', 'link', 'set', inside, 'up');
    must('ip', 'netns', 'exec', ns(h), 'ip', 'link', 'set', 'lo', 'up');
  }
}

function tearDown(): void {
  for (const h of Object.keys(HOSTS) as Host[]) sh('ip', 'netns', 'del', ns(h));
  sh('ip', 'netns', 'del', BRIDGE_NS);
}

/** Cuts (or restores) a host's cable: its port on the bridge goes down. */
function cable(h: Host, up: boolean): void {
  must(
    'ip',
    'netns',
    'exec',
    BRIDGE_NS,
    'ip',
    'link',
    'set',
    `${tag}${h}p`.slice(0, 15),
    up ? 'up' : 'down',
  );
}

interface Proc {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
}

function samfire(host: Host | null, ...args: string[]): Proc {
  const node = [process.execPath, ...TYPESCRIPT_EXEC_ARGV, CLI, ...args];
  const [cmd, ...rest] = host ? ['ip', 'netns', 'exec', ns(host), ...node] : node;
  const child = spawn(cmd!, rest, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, exited, output: () => output };
}

async function maps(file: string): Promise<Record<string, number[]>> {
  const f = await readHspy(file);
  return domainMaps(f.model(0, 'samfire'));
}

const demoArgs = ['demo', '--size', SIZE, '--workers', '3', '--random-seed', '9', '--quiet'];
let reference: Record<string, number[]>;

beforeAll(async () => {
  if (why) return;
  tearDown();
  makeNetwork();
  server = await startNatsServer({
    host: ip('server'),
    port: 4222,
    storeDir: join(dir, 'js'),
    wrap: ['ip', 'netns', 'exec', ns('server')],
  });
  const local = samfire(null, ...demoArgs, '--out', join(dir, 'local.hspy'));
  expect(await local.exited, local.output()).toBe(0);
  reference = await maps(join(dir, 'local.hspy'));
}, 180_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await server?.stop();
  if (!why) tearDown();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function until(what: string, check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(why !== null)('the cluster pool across network namespaces', () => {
  const url = `nats://${ip('server')}:4222`;

  it('gives the same maps on three worker hosts as a local run with the same seed', async () => {
    const workers = (['w1', 'w2', 'w3'] as const).map((h) =>
      samfire(h, 'worker', '--nats', url, '--concurrency', '1', '--name', h),
    );
    const out = join(dir, 'cluster.hspy');
    const coord = samfire(
      'coord',
      ...demoArgs,
      '--pool',
      'nats',
      '--nats',
      url,
      '--nats-min-workers',
      '3',
      '--out',
      out,
    );
    expect(await coord.exited, coord.output()).toBe(0);
    for (const w of workers) w.child.kill('SIGTERM');
    for (const w of workers) expect(await w.exited, w.output()).toBe(0);
    expect(coord.output()).toMatch(/worker w1 on .* joined run/);
    expect(await maps(out)).toEqual(reference);
  }, 240_000);

  it("redelivers a worker host's jobs when its cable is cut mid-run; the fault is reported", async () => {
    const workers = (['w1', 'w2', 'w3'] as const).map((h) =>
      samfire(h, 'worker', '--nats', url, '--concurrency', '1', '--name', `c${h}`),
    );
    const out = join(dir, 'cut.hspy');
    const coord = samfire(
      'coord',
      ...demoArgs,
      '--pool',
      'nats',
      '--nats',
      url,
      '--nats-min-workers',
      '3',
      '--nats-ack-wait',
      '2000',
      '--nats-worker-timeout',
      '1000',
      '--out',
      out,
    );
    await until(
      'worker cw1 to take work',
      () => /worker cw1 on .* joined run/.test(coord.output()),
      120_000,
    );
    cable('w1', false);
    const code = await coord.exited;
    cable('w1', true);
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    expect(code, coord.output()).toBe(0);
    expect(coord.output()).toMatch(/cluster worker cw1 on .*went silent/);
    expect(await maps(out)).toEqual(reference);
  }, 240_000);
});
