/**
 * The whole chain as the desktop app runs it, without the Electron binary:
 * main's utilityHostSpawner forks the real service host into a stand-in
 * utility process (a worker thread with a process.parentPort: see
 * fixtures/electron-utility.ts); the host, seeing parentPort, asks main for
 * its fitting workers; main forks them as stand-in utility processes and
 * hands the host a port to each. A SAMFire run over the API fits the whole
 * domain example on them, and closing the host ends them all.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunEvent } from '@samfire/core/api';
import { HostConnection } from '@samfire/core/host';
import { fitWorkerScript } from '@samfire/core/node';
import { utilityHostSpawner } from '../../electron/main/host/utility-host.js';
import { forks } from './fixtures/electron-utility.js';

// Hoisted above the imports: utility-host.ts and fit-workers.ts get the stand-in.
vi.mock('electron', () => import('./fixtures/electron-utility.js'));

const HOST_ENTRY = fileURLToPath(
  new URL('../../core/src/host/node/host-entry.ts', import.meta.url),
);
const FIT_WORKER = fitWorkerScript().url;

let connection: HostConnection | null = null;
afterEach(async () => {
  connection?.close();
  connection = null;
  const all = Promise.all(forks.splice(0).map((f) => f.exited));
  const late = new Promise<string>((r) => setTimeout(() => r('a utility process outlived'), 5000));
  expect(await Promise.race([all.then(() => 'all exited'), late])).toBe('all exited');
});

describe('the service host in a utility process, its workers forked by main', () => {
  it('runs SAMFire on the example in fitting workers forked by main, and ends them with the host', async () => {
    connection = new HostConnection(
      utilityHostSpawner({
        entry: HOST_ENTRY,
        workerScript: FIT_WORKER.href,
        backupDir: mkdtempSync(join(tmpdir(), 'samfire-ua-')),
      }),
    );
    await connection.start();
    const api = connection.api;
    await api.file.openExample();
    await api.fit.updateSettings({ workers: 2, randomSeed: 5 });
    expect((await api.fit.fitPixel({ pixel: 0, seed: true })).good).toBe(true);
    const events: RunEvent[] = [];
    const finished = new Promise<void>((ok) =>
      api.fit.onRunEvent((e) => {
        events.push(e);
        if (e.kind === 'finished' || e.kind === 'failed') ok();
      }),
    );
    await api.fit.start();
    await finished;
    expect(events.filter((e) => e.kind === 'fault' || e.kind === 'failed')).toEqual([]);
    const status = await api.fit.status();
    expect(status.pixelsDone).toBe(105);

    const scripts = forks.map((f) => f.script);
    expect(scripts[0]).toBe(HOST_ENTRY);
    // Main forked the fit workers (the host cannot); each a 'SAMFire fitting worker'.
    const workers = forks.filter((f) => f.script === fileURLToPath(FIT_WORKER));
    expect(workers.length).toBeGreaterThanOrEqual(2);
    for (const w of workers)
      expect(w.options).toMatchObject({ serviceName: 'SAMFire fitting worker' });
    expect(forks[0]!.options).toMatchObject({ serviceName: 'SAMFire service host' });
  }, 90_000);
});
