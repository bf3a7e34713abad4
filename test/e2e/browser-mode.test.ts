/**
 * Browser mode end to end in headless Chromium: the real renderer, served by
 * the browser server, with the services in a child process. The app loads,
 * opens the example, shows the navigator and a spectrum, fits a seed and runs
 * SAMFire to the end. Screenshots go to test-results/.
 */
import type { Browser, Page } from 'playwright-core';
import { heatmapGrid } from '../../renderer/src/lib/charts/heatmap-option.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserServer } from '../../core/src/host/node/browser-server.js';
import type { BrowserServer } from '../../core/src/host/node/browser-server.js';
import {
  buildRenderer,
  hasChromium,
  launchChromium,
  screenshot,
  watchProblems,
} from './helpers.js';

describe.skipIf(!hasChromium)('browser mode in headless Chromium', () => {
  let server: BrowserServer;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    const rendererDir = await buildRenderer();
    server = await startBrowserServer({ rendererDir });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    problems = watchProblems(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads the app with no console error and no CSP violation', async () => {
    await page.goto(server.url);
    await page.getByTestId('open-example').waitFor();
    await screenshot(page, 'e2e-01-empty');
    expect(problems).toEqual([]);
  });

  it('opens the example and shows the navigator and a spectrum', async () => {
    await page.getByTestId('open-example').click();
    await expect.poll(() => page.getByTestId('dataset-summary').textContent()).toContain('7×15');
    await page.getByTestId('navigator-chart').locator('canvas').first().waitFor();
    await page.getByTestId('spectrum-chart').locator('canvas').first().waitFor();
    expect(await page.getByTestId('spectrum-chart').getAttribute('aria-label')).toBe(
      'Spectrum of pixel 0, 0',
    );
    await screenshot(page, 'e2e-02-example');
  });

  it('moves the current pixel by clicking the navigator and with the arrow keys', async () => {
    const chart = page.getByTestId('navigator-chart');
    const box = (await chart.boundingBox())!;
    // Click the middle of the cell in row 3, column 7 of the square-celled grid.
    const grid = heatmapGrid(box, [7, 15]);
    const x = box.x + grid.left + (grid.width * 7.5) / 15;
    const y = box.y + grid.top + (grid.height * 3.5) / 7;
    await page.mouse.click(x, y);
    await expect
      .poll(() => page.getByTestId('spectrum-chart').getAttribute('aria-label'))
      .toBe('Spectrum of pixel 3, 7');
    await page.getByTestId('navigator').focus();
    await page.keyboard.press('ArrowRight');
    await expect
      .poll(() => page.getByTestId('spectrum-chart').getAttribute('aria-label'))
      .toBe('Spectrum of pixel 3, 8');
    await screenshot(page, 'e2e-03-pixel');
  });

  it('fits a seed and runs SAMFire to the end', async () => {
    await page.getByTestId('navigator').focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowUp');
    for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowLeft');
    await expect
      .poll(() => page.getByTestId('spectrum-chart').getAttribute('aria-label'))
      .toBe('Spectrum of pixel 0, 0');
    await page.getByTestId('fit-pixel').click();
    await expect.poll(() => page.getByTestId('fit-verdict').textContent()).toContain('good (seed)');
    await page.getByTestId('start').click();
    await expect
      .poll(() => page.getByTestId('run-status').textContent(), { timeout: 90_000, interval: 250 })
      .toContain('finished');
    const status = (await page.getByTestId('run-status').textContent())!;
    const done = Number(/^(\d+) \/ 105/.exec(status.trim())?.[1]);
    expect(done).toBeGreaterThanOrEqual(103);
    expect(
      await page
        .getByTestId('run-progress')
        .evaluate((e) => (e as unknown as { value: number }).value),
    ).toBeGreaterThan(0.98);
    await page.getByTestId('image-select').selectOption({ label: 'g.centre' });
    await page.waitForTimeout(300);
    await screenshot(page, 'e2e-04-run-finished');
    expect(problems).toEqual([]);
  }, 120_000);
});
