/**
 * The service host in a "utility process": utilityProcess.fork is stubbed by a
 * stand-in that runs the real host entry as a Node child process and relays
 * messages, so spawning, the real RPC, a crash (killing the child), the crash
 * report and the restart with the session restored from its backup all run
 * for real, without the Electron binary.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HostStatus, RunEvent } from '@samfire/core/api';
import { HostConnection } from '@samfire/core/host';

const stub = vi.hoisted(() => ({
  forks: [] as { entry: string; args: string[]; options: unknown; child: ChildProcess }[],
}));
const HOST_ENTRY = fileURLToPath(
  new URL('../../core/src/host/node/host-entry.ts', import.meta.url),
);

vi.mock('electron', async () => {
  const { EventEmitter } = await import('node:events');
  return {
    utilityProcess: {
      fork(entry: string, args: string[], options: unknown) {
        // The stand-in runs core's Node host entry; the real app forks out/main/host-entry.js.
        const child = fork(HOST_ENTRY, args, {
          execArgv: ['--import', 'tsx'],
          serialization: 'advanced',
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        stub.forks.push({ entry, args, options, child });
        const proc = new EventEmitter() as InstanceType<typeof EventEmitter> &
          Record<string, unknown>;
        child.on('message', (m) => proc.emit('message', m));
        child.on('exit', (code) => proc.emit('exit', code ?? 1));
        proc.postMessage = (m: unknown) => child.connected && child.send(m as never);
        proc.kill = () => child.kill('SIGKILL');
        Object.defineProperty(proc, 'pid', { get: () => child.pid });
        return proc;
      },
    },
  };
});

const { utilityHostSpawner } = await import('../../electron/main/host/utility-host.js');

let connection: HostConnection | null = null;
afterEach(() => {
  connection?.close();
  connection = null;
  for (const f of stub.forks.splice(0)) f.child.kill('SIGKILL');
});

describe('utility-process service host', () => {
  it('forks the bundled entry with its service name and arguments', async () => {
    const backupDir = mkdtempSync(join(tmpdir(), 'samfire-uh-'));
    connection = new HostConnection(
      utilityHostSpawner({
        entry: '/app/out/main/host-entry.js',
        workerScript: 'file:///app/out/main/fit-worker.js',
        backupDir,
      }),
    );
    await connection.start();
    expect(stub.forks).toHaveLength(1);
    expect(stub.forks[0]!.entry).toBe('/app/out/main/host-entry.js');
    expect(stub.forks[0]!.args).toEqual([
      `--backup-dir=${backupDir}`,
      '--worker-script=file:///app/out/main/fit-worker.js',
    ]);
    expect(stub.forks[0]!.options).toMatchObject({ serviceName: 'SAMFire service host' });
    const opened = await connection.api.file.openExample();
    expect(opened.kind).toBe('opened');
    const image = await connection.api.dataset.image({ kind: 'sum' });
    expect(image.values).toBeInstanceOf(Float64Array);
    expect(image.values).toHaveLength(105);
  }, 60_000);

  it('reports a crash, restarts the host and restores the run from its last backup', async () => {
    const backupDir = mkdtempSync(join(tmpdir(), 'samfire-uh-'));
    connection = new HostConnection(
      utilityHostSpawner({ entry: 'host-entry.js', workerScript: 'file:///w.js', backupDir }),
    );
    const statuses: HostStatus[] = [];
    connection.status.on((s) => statuses.push(s));
    await connection.start();
    const api = connection.api;
    await api.file.openExample();
    await api.fit.updateSettings({ workers: 0, saveEvery: 10, randomSeed: 5 });
    expect((await api.fit.fitPixel({ pixel: 0, seed: true })).good).toBe(true);
    const finished = new Promise<void>((ok) =>
      api.fit.onRunEvent((e: RunEvent) => (e.kind === 'finished' ? ok() : undefined)),
    );
    await api.fit.start();
    await finished;
    await new Promise((r) => setTimeout(r, 300));

    const restarted = new Promise<void>((ok) =>
      connection!.status.on((s) => (s.state === 'restarted' ? ok() : undefined)),
    );
    stub.forks[0]!.child.kill('SIGKILL');
    await restarted;
    expect(statuses.map((s) => s.state)).toEqual(['crashed', 'restarted']);
    expect(statuses[0]!.message).toMatch(/was killed|exited/);
    expect(statuses[1]).toMatchObject({ restored: true });
    expect(statuses[1]!.message).toMatch(/restored from its last backup/);
    expect(stub.forks).toHaveLength(2);
    expect(stub.forks[1]!.args).toContain('--restore');
    const status = await api.fit.status();
    expect(status.state).toBe('stopped');
    expect(status.pixelsDone).toBeGreaterThanOrEqual(100);
    expect((await api.dataset.summary())?.navigationShape).toEqual([7, 15]);
  }, 90_000);

  it('fails calls in flight when the host dies, and gives up after repeated crashes', async () => {
    const backupDir = mkdtempSync(join(tmpdir(), 'samfire-uh-'));
    connection = new HostConnection(
      utilityHostSpawner({ entry: 'e.js', workerScript: 'file:///w.js', backupDir }),
      { maxRestarts: 1 },
    );
    const statuses: HostStatus[] = [];
    connection.status.on((s) => statuses.push(s));
    await connection.start();
    const pending = connection.api.model.state();
    stub.forks[0]!.child.kill('SIGKILL');
    await expect(pending).rejects.toThrow(/service host (was killed|exited)/);
    await vi.waitFor(() => expect(statuses.map((s) => s.state)).toContain('restarted'), {
      timeout: 30_000,
    });
    stub.forks[1]!.child.kill('SIGKILL');
    await vi.waitFor(() => expect(statuses.at(-1)!.message).toMatch(/restart the app/), {
      timeout: 10_000,
    });
    expect(stub.forks).toHaveLength(2);
  }, 90_000);
});
