/**
 * Opening a file is a long operation that shows progress and can be
 * cancelled: the host here takes 4 s to read any file (as a large one
 * would); the user cancels with the button or Escape, the app goes back to
 * what was open at once, and the host drops the file when it is done.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IO_DIR } from '../helpers/manifest.js';
import { type E2eApp, hasChromium, screenshot, startApp } from './helpers.js';

const READ_MS = 4000;
const MSA = join(IO_DIR, 'msa/example1.msa');

describe.skipIf(!hasChromium)('cancelling a file open', () => {
  let app: E2eApp;
  let page: Page;
  let problems: string[];
  const status = async (): Promise<string> =>
    (await page.getByTestId('status-bar').textContent()) ?? '';

  beforeAll(async () => {
    process.env.SAMFIRE_E2E_MS_PER_READ = String(READ_MS);
    app = await startApp({ slowHost: true });
    ({ page, problems } = app);
    await page.goto(app.server.url);
    await page.getByTestId('open-example').click();
    await page.getByTestId('navigator-chart').waitFor();
  }, 120_000);

  afterAll(() => app?.close());

  it('shows progress while a file opens, and Cancel goes back to what was open', async () => {
    await page.getByTestId('file-input').setInputFiles(MSA);
    const opening = page.getByTestId('opening');
    await opening.waitFor();
    expect(await opening.textContent()).toContain('Opening example1.msa');
    await screenshot(page, 'e2e-20-opening');
    await page.getByTestId('cancel-open').click();
    // At once, not when the host is done reading.
    await expect.poll(() => opening.count(), { timeout: 1000 }).toBe(0);
    expect(await status()).toContain('domain 7x15x400');
    await expect
      .poll(async () => (await page.getByTestId('toast-info').allTextContents()).join(' '))
      .toContain('Stopped opening example1.msa');
    // The host finishes reading, then drops the file: the example stays open.
    await page.waitForTimeout(READ_MS * 2 + 500);
    expect(await status()).toContain('domain 7x15x400');
    expect(await status()).not.toContain('example1');
    await screenshot(page, 'e2e-21-open-cancelled');
  }, 30_000);

  it('Escape cancels too, and the next open goes through', async () => {
    await page.getByTestId('file-input').setInputFiles(MSA);
    await page.getByTestId('opening').waitFor();
    await page.locator('body').focus();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('opening').count(), { timeout: 1000 }).toBe(0);
    await page.waitForTimeout(READ_MS * 2 + 500);
    expect(await status()).toContain('domain 7x15x400');
    // Not cancelled: it opens.
    await page.getByTestId('file-input').setInputFiles(MSA);
    await expect.poll(status, { timeout: READ_MS * 4 }).toContain('example1');
    expect(problems).toEqual([]);
  }, 40_000);
});
