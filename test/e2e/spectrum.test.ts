/**
 * The spectrum plot and opening by path, in headless Chromium (issue 16,
 * items 5, 6, 12, 13 and 15), on a CL-like map (811–936 nm, a peak drifting
 * from 846 to 861 nm) in a folder opened to the browser:
 * - the file opens by path from the file browser (no upload), joins Recent,
 *   and reopens from Recent; a path outside the folder is refused;
 * - the x axis has tick labels before there is a model, and the spectrum and
 *   its residual strip share one x extent once there is one;
 * - a Gaussian added from the model builder lands on the visible peak;
 * - the residual is drawn over the signal range only; a log y axis; a pinned
 *   pixel drawn over the current one; a region's mean drawn on the navigator
 *   and fitted as a seed;
 * - the zoom does not carry over to the next file.
 * Screenshots of each step go to test-results/e2e-spectrum-*.png.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { heatmapGrid } from '../../renderer/src/lib/charts/heatmap-option.js';
import { clCentre, writeClMap } from '../helpers/cl-map.js';
import {
  type E2eApp,
  hasChromium,
  screenshot,
  spectrumLabel,
  stableBox,
  startApp,
} from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'samfire-e2e-spectrum-'));
const folder = join(tmp, 'maps');
const clPath = join(folder, 'cl.hspy');

interface Extent {
  main: [number, number];
  residual: [number, number] | null;
}

describe.skipIf(!hasChromium)('the spectrum and opening by path in browser mode', () => {
  let app: E2eApp;
  let page: Page;
  let problems: string[];

  const extent = async (): Promise<Extent | null> => {
    const text = await page.locator('[data-extent]').getAttribute('data-extent');
    return text ? (JSON.parse(text) as Extent) : null;
  };
  const handles = async (): Promise<{ component: string; x: number; y: number }[]> =>
    JSON.parse((await page.locator('[data-handles]').getAttribute('data-handles')) ?? '[]');
  /** Answers the unsaved-results question, when it comes, with "go on". */
  const goOn = async (): Promise<void> => {
    const ok = page.getByTestId('confirm-ok');
    await ok.waitFor({ timeout: 1500 }).then(
      () => ok.click(),
      () => undefined,
    );
  };

  beforeAll(async () => {
    mkdirSync(folder);
    await writeClMap(clPath);
    app = await startApp({ folders: [folder], settingsFile: join(tmp, 'settings.json') });
    ({ page, problems } = app);
    await page.goto(app.server.url);
  }, 120_000);

  afterEach(() => {
    const seen = problems.splice(0);
    expect(seen.slice(0, 3)).toEqual([]);
  });

  afterAll(() => app?.close());

  it('opens a file by path from the file browser, without an upload, and lists it as recent', async () => {
    await page.getByTestId('browse-files').click();
    const dialog = page.getByTestId('file-browser');
    await dialog.waitFor();
    // A path outside the folder is refused with a message.
    await page.getByTestId('path-input').fill('/etc/passwd');
    await page.getByTestId('path-open').click();
    await expect
      .poll(() => page.getByTestId('browse-error').textContent())
      .toContain('outside the folders open to the browser');
    await page.getByTestId(`browse-entry-${folder}`).click();
    await page.getByTestId('browse-entry-cl.hspy').waitFor();
    await screenshot(page, 'e2e-spectrum-01-file-browser');
    await page.getByTestId('browse-entry-cl.hspy').click();
    const meta = page.getByTestId('dataset-summary');
    await expect.poll(() => meta.textContent(), { timeout: 20_000 }).toContain('6×8 × 1024');
    await expect.poll(() => dialog.count()).toBe(0);
    expect((await app.server.api.dataset.summary())?.source).toEqual({
      kind: 'path',
      name: 'cl.hspy',
      path: clPath,
    });
    await page.getByTestId('recent-menu').click();
    expect(await page.getByRole('button', { name: 'cl.hspy' }).count()).toBe(1);
    await page.getByTestId('recent-menu').click();
  });

  it('has x tick labels before there is a model', async () => {
    await page.getByTestId('spectrum-chart').locator('canvas').first().waitFor();
    await expect.poll(extent).not.toBeNull();
    const e = (await extent())!;
    expect(e.residual).toBeNull();
    const box = await stableBox(page, 'spectrum-chart');
    // The plot spans the grid: 64 px from the left to 28 px from the right.
    expect(e.main[0]).toBeCloseTo(64, 0);
    expect(e.main[1]).toBeCloseTo(box.width - 28, 0);
    await screenshot(page, 'e2e-spectrum-02-no-model-ticks');
  });

  it('places a new Gaussian on the visible peak (811–936 nm axis), with a handle to drag', async () => {
    await page.getByTestId('tab-model').click();
    await page.getByTestId('add-kind').selectOption('Gaussian');
    await page.getByTestId('add-name').fill('peak');
    await page.getByTestId('add-component').click();
    const centre = page.getByTestId('param-peak.centre-value');
    await centre.waitFor();
    expect(Math.abs(Number(await centre.inputValue()) - clCentre(0, 0, 6, 8))).toBeLessThan(1);
    const sigma = Number(await page.getByTestId('param-peak.sigma-value').inputValue());
    expect(sigma).toBeGreaterThan(4);
    expect(sigma).toBeLessThan(8);
    // Its handle sits on the plot, near the top of the peak.
    await expect.poll(async () => (await handles()).map((h) => h.component)).toEqual(['peak']);
    const box = await stableBox(page, 'spectrum-chart');
    const h = (await handles())[0]!;
    expect(h.x).toBeGreaterThan(64);
    expect(h.x).toBeLessThan(box.width - 28);
    expect(h.y).toBeGreaterThan(40);
    expect(h.y).toBeLessThan(box.height * 0.45);
    await screenshot(page, 'e2e-spectrum-03-gaussian-placed');
  });

  it('gives the spectrum and the residual strip one x extent', async () => {
    await page.getByTestId('add-kind').selectOption('Offset');
    await page.getByTestId('add-name').fill('bg');
    await page.getByTestId('add-component').click();
    await page.getByTestId('component-bg').waitFor();
    await page.getByTestId('fit-pixel').click();
    await expect.poll(async () => (await extent())?.residual ?? null).not.toBeNull();
    const e = (await extent())!;
    expect(Math.abs(e.residual![0] - e.main[0])).toBeLessThan(0.5);
    expect(Math.abs(e.residual![1] - e.main[1])).toBeLessThan(0.5);
    await page.waitForTimeout(300);
    await screenshot(page, 'e2e-spectrum-04-fitted-shared-extent');
  });

  it('draws the residual over the signal range only', async () => {
    await page.getByTestId('range-mode').click();
    const box = await stableBox(page, 'spectrum-chart');
    const at = (nm: number): number => box.x + 64 + ((box.width - 92) * (nm - 811)) / 125;
    const y = box.y + box.height * 0.35;
    await page.mouse.move(at(825), y);
    await page.mouse.down();
    await page.mouse.move(at(860), y, { steps: 5 });
    await page.mouse.move(at(900), y, { steps: 5 });
    await page.mouse.up();
    await expect
      .poll(() => page.getByTestId('signal-range').textContent(), { timeout: 5000 })
      .toMatch(/fitting 82\d(\.\d+)? – (89|90)\d(\.\d+)? nm/);
    await page.getByTestId('fit-pixel').click();
    await page.waitForTimeout(500);
    await screenshot(page, 'e2e-spectrum-05-residual-in-range');
  });

  it('switches the intensity axis to a log scale and back', async () => {
    const log = page.getByTestId('log-y');
    await log.click();
    expect(await log.getAttribute('aria-pressed')).toBe('true');
    await page.waitForTimeout(400);
    await screenshot(page, 'e2e-spectrum-06-log-y');
    await log.click();
    expect(await log.getAttribute('aria-pressed')).toBe('false');
  });

  it('pins a pixel and draws it over another pixel with its fit and residual', async () => {
    await page.getByTestId('pin').click();
    await page.getByTestId('unpin').waitFor();
    const box = await stableBox(page, 'navigator-chart');
    const grid = heatmapGrid(box, [6, 8]);
    await page.mouse.click(
      box.x + grid.left + (grid.width * 7.5) / 8,
      box.y + grid.top + (grid.height * 5.5) / 6,
    );
    await expect.poll(() => spectrumLabel(page)).toBe('Spectrum of pixel 5, 7');
    await page.getByTestId('fit-pixel').click();
    await page.waitForTimeout(600);
    await screenshot(page, 'e2e-spectrum-07-pinned-overlay');
    await page.getByTestId('unpin').click();
    await page.getByTestId('pin').waitFor();
  });

  it('shows the mean of a region drawn on the navigator and fits it as a seed', async () => {
    await page.getByTestId('region-mode').click();
    const box = await stableBox(page, 'navigator-chart');
    const grid = heatmapGrid(box, [6, 8]);
    const cell = (r: number, c: number): [number, number] => [
      box.x + grid.left + (grid.width * (c + 0.5)) / 8,
      box.y + grid.top + (grid.height * (r + 0.5)) / 6,
    ];
    await page.mouse.move(...cell(1, 1));
    await page.mouse.down();
    await page.mouse.move(...cell(2, 2), { steps: 3 });
    await page.mouse.move(...cell(3, 4), { steps: 3 });
    await page.mouse.up();
    const bar = page.getByTestId('region-bar');
    await expect
      .poll(() => bar.textContent(), { timeout: 5000 })
      .toContain('Mean of rows 1–3, columns 1–4 (12 pixels)');
    await page.waitForTimeout(300);
    await screenshot(page, 'e2e-spectrum-08-region-mean');
    await page.getByTestId('fit-region').click();
    await page.getByTestId('toast-success').filter({ hasText: 'The mean of 12 pixels' }).waitFor();
    // The seed is the region's centre (the current pixel, 5, 7, is outside it).
    expect((await app.server.api.fit.status()).seeds).toContain(2 * 8 + 2);
    await page.waitForTimeout(300);
    await screenshot(page, 'e2e-spectrum-09-region-fitted');
    await page.getByTestId('region-clear').click();
    await expect.poll(() => bar.count()).toBe(0);
  });

  it('does not carry the zoom over to the next file, and reopens a file from Recent', async () => {
    const chart = await stableBox(page, 'spectrum-chart');
    await page.mouse.move(chart.x + chart.width / 2, chart.y + chart.height * 0.3);
    for (let i = 0; i < 3; i++) await page.mouse.wheel(0, -300);
    const zoom = page.locator('[data-zoom]');
    await expect.poll(() => zoom.getAttribute('data-zoom')).not.toBe('0–100');
    await page.getByTestId('open-example').click();
    await goOn();
    const meta = page.getByTestId('dataset-summary');
    await expect.poll(() => meta.textContent(), { timeout: 10_000 }).toContain('7×15 × 400');
    await expect.poll(() => zoom.getAttribute('data-zoom')).toBe('0–100');
    // Back to the CL map from Recent: read where it is, no upload.
    await page.getByTestId('recent-menu').click();
    await page.getByRole('button', { name: 'cl.hspy' }).click();
    await goOn();
    await expect.poll(() => meta.textContent(), { timeout: 10_000 }).toContain('6×8 × 1024');
    expect((await app.server.api.dataset.summary())?.source.kind).toBe('path');
    await screenshot(page, 'e2e-spectrum-10-reopened-from-recent');
  });
});
