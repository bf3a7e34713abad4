/**
 * A crash or power cut during a run loses at most the results since the
 * last backup: browser mode is killed mid-run (its host with it), started
 * again on the same backup folder, and the app offers to resume; the run
 * carries on from the backup and finishes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childHostSpawner, startBrowserServer } from '@samfire/core/node';
import type { BrowserServer } from '@samfire/core/node';
import {
  buildRenderer,
  hasChromium,
  launchChromium,
  screenshot,
  watchProblems,
} from './helpers.js';

describe.skipIf(!hasChromium)('resuming a run from its backup after a crash', () => {
  const backupDir = mkdtempSync(join(tmpdir(), 'samfire-e2e-backups-'));
  let rendererDir: string;
  let browser: Browser;
  let server: BrowserServer | null = null;
  const start = (): Promise<BrowserServer> =>
    startBrowserServer({
      rendererDir,
      spawnHost: childHostSpawner({
        entry: new URL('./slow-host-entry.ts', import.meta.url),
        backupDir,
      }),
    });
  const done = async (page: Page): Promise<number> =>
    Number(
      /^(\d+) \//.exec(((await page.getByTestId('pixels-done').textContent()) ?? '').trim())?.[1] ??
        0,
    );

  beforeAll(async () => {
    rendererDir = await buildRenderer();
    process.env.SAMFIRE_E2E_MS_PER_JOB = '50';
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('runs with backups, then the app dies mid-run', async () => {
    server = await start();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(server.url);
    await page.getByTestId('open-example').click();
    await page.getByTestId('navigator-chart').waitFor();
    await page.getByTestId('tab-seeds').click();
    await page.getByTestId('seed-fit-pixel').click();
    await expect
      .poll(() => page.getByTestId('fit-verdict').textContent())
      .toContain('passes (seed)');
    await page.getByTestId('tab-samfire').click();
    await page.getByTestId('save-every').fill('5');
    await page.getByTestId('save-every').press('Tab');
    await page.getByTestId('start').click();
    await expect.poll(() => done(page), { timeout: 30_000 }).toBeGreaterThan(20);
    await page.close();
    await server.close();
    server = null;
  }, 90_000);

  it('offers to resume on the next start, and the run goes on to the end', async () => {
    server = await start();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems = watchProblems(page);
    await page.goto(server.url);
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Resume the last run?');
    await screenshot(page, 'e2e-resume-01-offer');
    await page.getByTestId('confirm-ok').click();
    await expect.poll(() => page.getByTestId('dataset-summary').textContent()).toContain('7×15');
    await expect.poll(() => page.getByTestId('run-status').textContent()).toContain('stopped');
    const restored = await done(page);
    expect(restored).toBeGreaterThanOrEqual(15);
    await page.getByTestId('resume').click();
    await expect
      .poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000, interval: 250 })
      .toContain('finished');
    expect(await done(page)).toBeGreaterThan(restored);
    await screenshot(page, 'e2e-resume-02-finished');
    expect(problems).toEqual([]);
  }, 90_000);
});
