/**
 * The whole workflow on a real Bruker map (HyperSpy's 30x30 chevkinite .bcf):
 * open it in the app, build a model in the Model tab (an Offset and a
 * Gaussian at Fe Kα), fit a seed, run SAMFire to the end, and export the
 * result maps (CSV and .npy), which are checked. Screenshots go to
 * test-results/.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpy } from '@samfire/core';
import { download, type E2eApp, hasChromium, screenshot, startApp } from './helpers.js';

const BCF = join(
  '/usr/lib/python3/dist-packages/hyperspy/tests/io/bruker_data/',
  '30x30_instructively_packed_16bit_compressed.bcf',
);

describe.skipIf(!hasChromium)('a .bcf map: model, SAMFire, exported maps', () => {
  let app: E2eApp;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    app = await startApp({ acceptDownloads: true });
    ({ page, problems } = app);
    await page.goto(app.server.url);
  }, 120_000);
  afterAll(() => app?.close());

  const setValue = async (testid: string, value: string): Promise<void> => {
    const field = page.getByTestId(testid);
    await field.fill(value);
    await field.press('Enter');
    await expect.poll(() => field.inputValue()).toBe(value);
  };

  it('builds a model, fits a seed, runs SAMFire to the end and exports the maps', async () => {
    await page.getByTestId('file-input').setInputFiles(BCF);
    await expect
      .poll(async () => (await page.getByTestId('status-bar').textContent()) ?? '', {
        timeout: 60_000,
      })
      .toContain('EDX');
    await page.getByTestId('tab-model').click();
    await page.getByTestId('add-kind').selectOption('Offset');
    await page.getByTestId('add-name').fill('bg');
    await page.getByTestId('add-component').click();
    await page.getByTestId('component-bg').waitFor();
    // The name field empties once the first is added: name the second after that.
    await expect.poll(() => page.getByTestId('add-name').inputValue()).toBe('');
    await page.getByTestId('add-kind').selectOption('Gaussian');
    await page.getByTestId('add-name').fill('fe');
    await expect.poll(() => page.getByTestId('add-name').inputValue()).toBe('fe');
    await page.getByTestId('add-component').click();
    await page
      .getByTestId('component-fe')
      .waitFor({ timeout: 10_000 })
      .catch(async (e: unknown) => {
        await screenshot(page, 'e2e-bcf-00-add-failed');
        const toasts = await page.locator('[data-testid^="toast-"]').allTextContents();
        throw new Error(`${String(e)}; toasts: ${toasts.join(' | ')}`);
      });
    await setValue('param-fe.centre-value', '6.4');
    await setValue('param-fe.sigma-value', '0.07');
    await setValue('param-fe.A-value', '10');
    await setValue('param-bg.offset-value', '5');
    await screenshot(page, 'e2e-bcf-01-model');
    // One Gaussian over a whole EDS spectrum: a loose goodness test.
    await page.getByTestId('tab-samfire').click();
    const tolerance = page.getByTestId('tolerance');
    await tolerance.fill('1000');
    await tolerance.press('Tab');
    await expect.poll(() => tolerance.inputValue()).toBe('1000');
    await page.getByTestId('tab-seeds').click();
    await page.getByTestId('seed-fit-pixel').click();
    await expect
      .poll(() => page.getByTestId('fit-verdict').textContent(), { timeout: 30_000 })
      .toContain('passes (seed)');
    await page.getByTestId('tab-samfire').click();
    await page.getByTestId('start').click();
    await expect
      .poll(() => page.getByTestId('run-status').textContent(), {
        timeout: 240_000,
        interval: 500,
      })
      .toContain('finished');
    expect(((await page.getByTestId('pixels-done').textContent()) ?? '').trim()).toMatch(/^900 \//);
    await screenshot(page, 'e2e-bcf-02-finished');

    await page.getByTestId('tab-results').click();
    await page.getByTestId('results-map-select').selectOption({ label: 'fe.centre' });
    await expect
      .poll(() => page.getByTestId('results-chart').getAttribute('aria-label'))
      .toBe('Map: fe.centre');
    await screenshot(page, 'e2e-bcf-03-results');
    const csv = await download(page, () => page.getByTestId('export-csv').click());
    expect(csv.name).toMatch(/fe\.centre\.csv$/);
    const rows = new TextDecoder().decode(csv.bytes).trim().split('\n');
    expect(rows).toHaveLength(30);
    const cells = rows.flatMap((r) => r.split(',')).map(Number);
    expect(cells).toHaveLength(900);
    // One free Gaussian over the whole spectrum (no signal range) settles on one of its
    // peaks, not necessarily Fe Kα: the centres are energies on the axis, varying by pixel.
    const fitted = cells.filter((v) => Number.isFinite(v));
    expect(fitted.length).toBeGreaterThan(800);
    expect(Math.min(...fitted)).toBeGreaterThan(-0.5);
    expect(Math.max(...fitted)).toBeLessThan(20);
    expect(new Set(fitted).size).toBeGreaterThan(100);

    await page.getByTestId('results-map-select').selectOption({ label: 'fe.A' });
    const npy = await download(page, () => page.getByTestId('export-npy').click());
    expect(npy.name).toMatch(/fe\.A\.npy$/);
    const map = readNpy(npy.bytes, npy.name);
    expect(map.shape).toEqual([30, 30]);
    // Amplitudes of Fe Kα counts: positive where fitted.
    const amplitudes = Array.from(map.data as Float64Array).filter((v) => Number.isFinite(v));
    expect(amplitudes.length).toBeGreaterThan(800);
    expect(amplitudes.filter((v) => v > 0).length).toBeGreaterThan(0.9 * amplitudes.length);
    expect(problems).toEqual([]);
  }, 400_000);
});
