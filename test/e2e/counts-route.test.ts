/**
 * The counts route in headless Chromium: on the real EDS map (whole-number
 * counts) the SAMFire settings suggest ML-Poisson fits with the deviance
 * test, one button takes it, and the suggestion goes once it is taken.
 * Screenshot in test-results/.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, hasChromium, screenshot, startApp } from './helpers.js';

const DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const EDS = join(DATA, 'real/eds-agcu-50x50-seed.hspy');

describe.skipIf(!hasChromium)('the counts route', () => {
  let app: E2eApp;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    app = await startApp({ files: [EDS] });
    ({ page, problems } = app);
  }, 120_000);

  afterAll(() => app?.close());

  it('suggests ML-Poisson and the deviance test for counts, and applies them in one click', async () => {
    await page.goto(app.server.url);
    const meta = page.getByTestId('dataset-summary');
    await expect.poll(() => meta.textContent(), { timeout: 20_000 }).toContain('50×50 × 2048');
    await page.getByTestId('tab-samfire').click();
    const advice = page.getByTestId('counts-advice');
    await advice.waitFor({ timeout: 20_000 });
    expect(await advice.textContent()).toMatch(/The data are counts.*ML-Poisson.*deviance test/s);
    expect(await page.getByTestId('loss').inputValue()).toBe('ls');
    await advice.scrollIntoViewIfNeeded();
    await screenshot(page, 'e2e-counts-route-suggested');
    await page.getByTestId('counts-route').click();
    await expect.poll(() => page.getByTestId('loss').inputValue()).toBe('ML-poisson');
    await expect.poll(() => page.getByTestId('goodness-kind').inputValue()).toBe('deviance');
    await expect.poll(() => advice.count()).toBe(0);
    // Back to least squares: the suggestion returns.
    await page.getByTestId('loss').selectOption('ls');
    await expect.poll(() => advice.count()).toBe(1);
    expect(problems.slice(0, 3)).toEqual([]);
  }, 120_000);
});
