/**
 * Instrument files in the app (real host, headless Chromium): a large .bcf
 * shows the reader's progress and Cancel stops it, leaving the app usable;
 * a real Bruker map from HyperSpy's test files then opens with its BSE
 * image in the navigator (beside the sum) and its acquisition metadata in
 * the metadata panel.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticBcf } from '../helpers/bcf-writer.js';
import { type E2eApp, hasChromium, screenshot, startApp } from './helpers.js';

const BRUKER = '/usr/lib/python3/dist-packages/hyperspy/tests/io/bruker_data/';
const REAL_BCF = join(BRUKER, '30x30_instructively_packed_16bit_compressed.bcf');
const tmp = mkdtempSync(join(tmpdir(), 'e2e-instrument-'));
const LARGE = join(tmp, 'large-map.bcf');

describe.skipIf(!hasChromium)('opening instrument files in the app', () => {
  let app: E2eApp;
  let page: Page;
  let problems: string[];
  const status = async (): Promise<string> =>
    (await page.getByTestId('status-bar').textContent()) ?? '';

  beforeAll(async () => {
    // A 256 x 256 x 2048 map (a 256 MiB cube): its read takes a while.
    writeSyntheticBcf(LARGE, {
      height: 256,
      width: 256,
      packing: 'instructive',
      counts: 20_000,
      seed: 8,
    });
    app = await startApp();
    ({ page, problems } = app);
    await page.goto(app.server.url);
    await page.getByTestId('open-example').click();
    await page.getByTestId('navigator-chart').waitFor();
  }, 300_000);

  afterAll(async () => {
    await app?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('a large .bcf shows its progress, and Cancel stops it; another file opens next', async () => {
    await page.getByTestId('file-input').setInputFiles(LARGE);
    const stage = page.getByTestId('opening-stage');
    // The reader's own progress: its stage and percentage, on a determinate bar.
    await expect
      .poll(async () => (await stage.count()) > 0 && ((await stage.textContent()) ?? ''), {
        timeout: 120_000,
      })
      .toMatch(/hypermap, \d+%/);
    const max = await page.getByTestId('opening-progress').getAttribute('max');
    expect(Number(max)).toBeGreaterThan(0);
    await screenshot(page, 'e2e-instrument-01-bcf-progress');
    await page.getByTestId('cancel-open').click();
    await expect.poll(() => page.getByTestId('opening').count(), { timeout: 1000 }).toBe(0);
    expect(await status()).toContain('domain 7x15x400');
    // The host stopped reading: the next open is answered (it would wait behind a running read).
    await page.getByTestId('file-input').setInputFiles(REAL_BCF);
    await expect.poll(status, { timeout: 60_000 }).toContain('EDX');
    expect(await status()).not.toContain('large-map');
  }, 300_000);

  it('the map opens with its BSE image in the navigator and its acquisition in the metadata', async () => {
    const select = page.getByTestId('image-select');
    const options = await select.locator('option').allTextContents();
    expect(options).toContain('Sum');
    expect(options).toContain('AsB (electron image)');
    await select.selectOption('image:0');
    await expect
      .poll(async () => page.getByTestId('navigator-chart').getAttribute('aria-label'), {
        timeout: 10_000,
      })
      .toMatch(/AsB/);
    const meta = page.getByTestId('acquisition');
    expect(await page.getByTestId('acquisition-beam-energy').textContent()).toContain('20 keV');
    expect(await page.getByTestId('acquisition-detector').textContent()).toContain('XFlash 6|10');
    expect(await page.getByTestId('acquisition-elements').textContent()).toContain('Fe');
    expect(await page.getByTestId('acquisition-energy').textContent()).toContain('keV');
    expect(await meta.textContent()).toContain('original_metadata');
    await screenshot(page, 'e2e-instrument-02-bcf-bse-navigator');
    await select.selectOption('sum');
    await screenshot(page, 'e2e-instrument-03-bcf-sum-navigator');
    expect(problems).toEqual([]);
  }, 60_000);
});
