/**
 * A SAMFire run on the cluster from the app, in headless Chromium: a real
 * nats-server with JetStream on 127.0.0.1 and two `samfire worker`
 * processes; the run settings choose "cluster (NATS)" and its server, the
 * run goes to the workers, the SAMFire tab lists them with their hosts and
 * pixels while it runs, and the run finishes with every pixel done by them.
 * Screenshots in test-results/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  natsServerBinary,
  startNatsServer,
  TYPESCRIPT_EXEC_ARGV,
  type LocalNats,
} from '@samfire/core/node';
import { type E2eApp, hasChromium, ROOT, screenshot, startApp } from './helpers.js';

const CLI = join(ROOT, 'core/src/cli/samfire.ts');
const hasNats = existsSync(natsServerBinary()) || process.env['CI'] === 'true';

describe.skipIf(!hasChromium || !hasNats)('a SAMFire run on a NATS cluster from the app', () => {
  let app: E2eApp;
  let page: Page;
  let problems: string[];
  let server: LocalNats;
  const workers: ChildProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'samfire-e2e-cluster-'));

  beforeAll(async () => {
    server = await startNatsServer({ storeDir: join(dir, 'js') });
    for (const name of ['alpha', 'beta']) {
      const child = spawn(
        process.execPath,
        [
          ...TYPESCRIPT_EXEC_ARGV,
          CLI,
          'worker',
          '--nats',
          server.url,
          '--concurrency',
          '1',
          '--name',
          name,
        ],
        { cwd: ROOT, stdio: 'ignore' },
      );
      workers.push(child);
    }
    app = await startApp();
    ({ page, problems } = app);
  }, 120_000);

  afterEach(() => {
    const seen = problems.splice(0);
    expect(seen.slice(0, 3)).toEqual([]);
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.exitCode !== null || w.signalCode !== null) return resolve();
            w.once('exit', () => resolve());
            w.kill('SIGTERM');
            setTimeout(() => w.kill('SIGKILL'), 10_000).unref();
          }),
      ),
    );
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('chooses the cluster and its server in the run settings', async () => {
    await page.goto(app.server.url);
    await page.getByTestId('open-example').click();
    await expect.poll(() => page.getByTestId('dataset-summary').textContent()).toContain('7×15');
    await page.getByTestId('tab-samfire').click();
    await page.getByTestId('pool-kind').selectOption('nats');
    const url = page.getByTestId('nats-url');
    await url.waitFor();
    await url.fill(server.url);
    await url.press('Tab');
    await expect.poll(() => url.inputValue()).toBe(server.url);
    // The choice is the host's setting now, not just the form's.
    await page.reload();
    await page.getByTestId('tab-samfire').click();
    await expect.poll(() => page.getByTestId('pool-kind').inputValue()).toBe('nats');
    expect(await page.getByTestId('nats-url').inputValue()).toBe(server.url);
    await screenshot(page, 'e2e-cluster-01-settings');
  }, 60_000);

  it('runs on the workers, lists them with their pixels, and finishes with every pixel', async () => {
    await page.getByTestId('tab-seeds').click();
    await page.getByTestId('seed-fit-pixel').click();
    await expect
      .poll(() => page.getByTestId('fit-verdict').textContent(), { timeout: 30_000 })
      .toContain('passes (seed)');
    await page.getByTestId('tab-samfire').click();
    await page.getByTestId('panel-start').click();
    const table = page.getByTestId('cluster-workers');
    await table.waitFor({ timeout: 60_000 });
    await expect
      .poll(() => page.getByTestId('run-status').textContent(), { timeout: 180_000, interval: 500 })
      .toContain('finished');
    expect((await page.getByTestId('pixels-done').textContent())?.trim()).toBe('105 / 105');
    // The last status of the run stays: both workers, their host, the pixels they fitted.
    await expect.poll(() => table.textContent()).toContain('connected to');
    const pixels = async (name: string): Promise<number> =>
      Number(
        await page
          .getByTestId(`cluster-worker-${name}`)
          .getByTestId('cluster-worker-pixels')
          .textContent(),
      );
    // Every pixel but the seed went to a worker (some twice: the global strategy refits the
    // pixels the local one left failing), and both workers took work.
    const [alpha, beta] = [await pixels('alpha'), await pixels('beta')];
    expect(alpha + beta).toBeGreaterThanOrEqual(104);
    expect(alpha).toBeGreaterThan(0);
    expect(beta).toBeGreaterThan(0);
    expect(await page.getByTestId('cluster-worker-alpha').textContent()).toContain(
      (await import('node:os')).hostname(),
    );
    await screenshot(page, 'e2e-cluster-02-finished');
  }, 240_000);
});
