/**
 * Main's broker for the host's fitting workers (electron/main/host/fit-workers.ts)
 * with a stubbed `electron`: utilityProcess.fork returns stand-in children
 * (event emitters that record what they are sent), MessageChannelMain is
 * Node's MessageChannel. Checks that a worker is forked per request and wired
 * to the host with the two ends of one channel, that exits and kills are
 * reported, that bad requests are refused, and that the workers die with
 * their host (utility-host.ts).
 */
import { once } from 'node:events';
import { MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MessagePortMain } from 'electron';
import { CONNECT_MESSAGE } from '@samfire/core/host';
import type { BrokerNotice } from '@samfire/core/host';

interface StandInChild {
  pid: number | undefined;
  posted: { message: unknown; transfer: unknown[] }[];
  kills: number;
  emit(event: string, ...args: unknown[]): boolean;
}

const stub = vi.hoisted(() => ({
  forks: [] as { script: string; args: string[]; options: unknown; child: StandInChild }[],
  failNext: null as string | null,
}));

vi.mock('electron', async () => {
  const { EventEmitter } = await import('node:events');
  const { MessageChannel } = await import('node:worker_threads');
  class Child extends EventEmitter implements StandInChild {
    pid: number | undefined = undefined;
    posted: StandInChild['posted'] = [];
    kills = 0;
    postMessage(message: unknown, transfer: unknown[] = []): void {
      this.posted.push({ message, transfer });
    }
    kill(): boolean {
      this.kills++;
      return true;
    }
  }
  return {
    utilityProcess: {
      fork(script: string, args: string[], options: unknown) {
        if (stub.failNext) {
          const message = stub.failNext;
          stub.failNext = null;
          throw new Error(message);
        }
        const child = new Child();
        stub.forks.push({ script, args, options, child });
        return child;
      },
    },
    MessageChannelMain: MessageChannel,
  };
});

const { FitWorkerBroker } = await import('../../electron/main/host/fit-workers.js');
const { utilityHostSpawner } = await import('../../electron/main/host/utility-host.js');

/** A stand-in host process: records the notices and ports main sends it. */
function host(): {
  notices: BrokerNotice[];
  ports: MessagePort[];
  postMessage(m: BrokerNotice, t?: MessagePortMain[]): void;
} {
  const notices: BrokerNotice[] = [];
  const ports: MessagePort[] = [];
  return {
    notices,
    ports,
    postMessage(message, transfer = []) {
      notices.push(message);
      for (const p of transfer as unknown[]) if (p instanceof MessagePort) ports.push(p);
    },
  };
}

const openPorts: MessagePort[] = [];
afterEach(() => {
  stub.forks.splice(0);
  for (const p of openPorts.splice(0)) p.close();
});

function forked(i: number): StandInChild {
  const f = stub.forks[i];
  if (!f) throw new Error(`no fork ${i}`);
  return f.child;
}

describe('FitWorkerBroker (main)', () => {
  it('forks one fitting worker per request and connects it to the host with one channel', async () => {
    const h = host();
    const broker = new FitWorkerBroker(h, { script: '/app/out/main/fit-worker.js' });
    expect(broker.receive({ type: 'fit-worker:spawn', id: 1 })).toBe(true);
    expect(broker.receive({ type: 'fit-worker:spawn', id: 2 })).toBe(true);
    expect(stub.forks.map((f) => [f.script, f.args])).toEqual([
      ['/app/out/main/fit-worker.js', []],
      ['/app/out/main/fit-worker.js', []],
    ]);
    expect(stub.forks[0]!.options).toMatchObject({ serviceName: 'SAMFire fitting worker' });
    expect(broker.size).toBe(2);
    // Nothing is wired before the process has spawned (its pid labels the worker).
    expect(h.notices).toEqual([]);

    const child = forked(0);
    child.pid = 4242;
    child.emit('spawn');
    expect(h.notices).toEqual([{ type: 'fit-worker:port', id: 1, pid: 4242 }]);
    expect(child.posted).toHaveLength(1);
    expect(child.posted[0]!.message).toEqual(CONNECT_MESSAGE);
    const workerEnd = child.posted[0]!.transfer[0];
    const hostEnd = h.ports[0];
    if (!(workerEnd instanceof MessagePort) || !hostEnd) throw new Error('ports not handed over');
    openPorts.push(workerEnd, hostEnd);
    // The two ends belong to one channel: the fitting traffic bypasses main.
    const got = once(workerEnd, 'message');
    hostEnd.postMessage({ type: 'stop' });
    expect(await got).toEqual([{ type: 'stop' }]);
  });

  it('kills on request, and reports every exit once, a kill as a kill', () => {
    const h = host();
    const broker = new FitWorkerBroker(h, { script: 'w.js' });
    broker.receive({ type: 'fit-worker:spawn', id: 7 });
    broker.receive({ type: 'fit-worker:spawn', id: 8 });
    broker.receive({ type: 'fit-worker:kill', id: 7 });
    broker.receive({ type: 'fit-worker:kill', id: 7 });
    broker.receive({ type: 'fit-worker:kill', id: 99 });
    expect([forked(0).kills, forked(1).kills]).toEqual([1, 0]);
    forked(0).emit('exit', 15);
    forked(1).emit('exit', 3);
    expect(h.notices).toEqual([
      { type: 'fit-worker:exit', id: 7, reason: 'was killed' },
      { type: 'fit-worker:exit', id: 8, reason: 'exited with code 3' },
    ]);
    expect(broker.size).toBe(0);
  });

  it('refuses malformed requests, reused ids, more workers than the cap, and a failed fork', () => {
    const h = host();
    const broker = new FitWorkerBroker(h, { script: 'w.js', maxWorkers: 1 });
    for (const bad of [
      null,
      'fit-worker:spawn',
      { type: 'fit-worker:spawn' },
      { type: 'fit-worker:spawn', id: -1 },
      { type: 'fit-worker:spawn', id: 1.5 },
      { type: 'fit-worker:spawn', id: '1' },
      { type: 'fit-worker:fork', id: 1, script: '/tmp/evil.js' },
      { type: 'call', id: 1, service: 'file', method: 'openPath', arg: {} },
    ])
      expect(broker.receive(bad)).toBe(false);
    expect(stub.forks).toHaveLength(0);

    broker.receive({ type: 'fit-worker:spawn', id: 1 });
    broker.receive({ type: 'fit-worker:spawn', id: 1 });
    broker.receive({ type: 'fit-worker:spawn', id: 2 });
    expect(stub.forks).toHaveLength(1);
    expect(h.notices).toEqual([
      { type: 'fit-worker:exit', id: 2, reason: 'could not start (already 1 fitting workers)' },
    ]);
    forked(0).emit('exit', 0);
    stub.failNext = 'no such file';
    broker.receive({ type: 'fit-worker:spawn', id: 3 });
    expect(h.notices.at(-1)).toEqual({
      type: 'fit-worker:exit',
      id: 3,
      reason: 'could not start (no such file)',
    });
  });

  it('close() kills every worker and then stays silent', () => {
    const h = host();
    const broker = new FitWorkerBroker(h, { script: 'w.js' });
    broker.receive({ type: 'fit-worker:spawn', id: 1 });
    broker.receive({ type: 'fit-worker:spawn', id: 2 });
    broker.close();
    expect([forked(0).kills, forked(1).kills]).toEqual([1, 1]);
    forked(0).emit('exit', 15);
    forked(1).emit('spawn');
    broker.receive({ type: 'fit-worker:spawn', id: 3 });
    expect(stub.forks).toHaveLength(2);
    expect(h.notices).toEqual([]);
  });
});

describe('utility-host: the host and its fitting workers', () => {
  function startHost(): { hostChild: StandInChild; received: unknown[]; kill(): void } {
    const channel = utilityHostSpawner({
      entry: '/app/out/main/host-entry.js',
      workerScript: 'file:///app/out/main/fit-worker.js',
      backupDir: '/tmp/b',
    })(false);
    const received: unknown[] = [];
    channel.onMessage((m) => received.push(m));
    return { hostChild: forked(0), received, kill: () => channel.kill() };
  }

  it('serves the host’s worker requests and keeps them out of the RPC', () => {
    const { hostChild, received } = startHost();
    const reply = { type: 'reply', id: 1, ok: true, value: null };
    hostChild.emit('message', { type: 'fit-worker:spawn', id: 1 });
    hostChild.emit('message', reply);
    expect(received).toEqual([reply]);
    expect(stub.forks.map((f) => f.script)).toEqual([
      '/app/out/main/host-entry.js',
      '/app/out/main/fit-worker.js',
    ]);
    expect(stub.forks[1]!.options).toMatchObject({ serviceName: 'SAMFire fitting worker' });
  });

  it('kills the host’s workers when the host exits', () => {
    const { hostChild } = startHost();
    hostChild.emit('message', { type: 'fit-worker:spawn', id: 1 });
    hostChild.emit('exit', 1);
    expect(forked(1).kills).toBe(1);
  });

  it('kills the host’s workers when the shell closes the host (window or app closed)', () => {
    const { hostChild, kill } = startHost();
    hostChild.emit('message', { type: 'fit-worker:spawn', id: 1 });
    hostChild.emit('message', { type: 'fit-worker:spawn', id: 2 });
    kill();
    expect([forked(0).kills, forked(1).kills, forked(2).kills]).toEqual([1, 1, 1]);
  });
});
