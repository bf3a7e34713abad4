/**
 * The EDS builder in headless Chromium on the real 50×50×2048 AgCu map
 * (../shared/data/real/eds-agcu-50x50-seed.hspy; its file lists no
 * elements): pick Al, Ag and Cu on the periodic table, see their lines
 * marked on the spectrum (Cu has none in 1.2–3.6 keV), build the model (its
 * components are ordinary cards in the Model table), calibrate on the sum
 * spectrum (offset, scale and FWHM of Mn Kα shown, then fixed), ask what a
 * peak is by hovering it, then fit a seed and run SAMFire over the map.
 * Screenshots in test-results/.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, hasChromium, screenshot, startApp } from './helpers.js';

const DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const EDS = join(DATA, 'real/eds-agcu-50x50-seed.hspy');

describe.skipIf(!hasChromium)('the EDS model builder', () => {
  let app: E2eApp;
  let page: Page;
  let problems: string[];

  const lines = async (): Promise<string[]> =>
    JSON.parse(
      (await page.locator('.plot[data-lines]').getAttribute('data-lines')) ?? '[]',
    ) as string[];
  const setField = async (testid: string, text: string): Promise<void> => {
    const field = page.getByTestId(testid);
    await field.fill(text);
    await field.press('Tab');
  };
  /** Moves the mouse over the spectrum at an axis value (the plot's data-extent gives the scale). */
  const hoverAt = async (x: number, axis: { min: number; max: number }): Promise<void> => {
    const extent = JSON.parse(
      (await page.locator('.plot[data-extent]').getAttribute('data-extent')) ?? '{}',
    ) as { main?: [number, number] };
    const [p0, p1] = extent.main!;
    const box = (await page.getByTestId('spectrum-chart').boundingBox())!;
    const px = p0 + ((x - axis.min) / (axis.max - axis.min)) * (p1 - p0);
    await page.mouse.move(box.x + px, box.y + 140);
  };

  beforeAll(async () => {
    app = await startApp({ files: [EDS] });
    ({ page, problems } = app);
  }, 120_000);

  afterEach(() => {
    const seen = problems.splice(0);
    expect(seen.slice(0, 3)).toEqual([]);
  });

  afterAll(() => app?.close());

  it('picks elements on the periodic table and marks their lines on the spectrum', async () => {
    await page.goto(app.server.url);
    await expect
      .poll(() => page.getByTestId('dataset-summary').textContent(), { timeout: 30_000 })
      .toContain('50×50 × 2048');
    await page.getByTestId('spectrum-chart').locator('canvas').first().waitFor();
    await page.getByTestId('tab-model').click();
    const builder = page.getByTestId('eds-builder');
    await builder.waitFor();
    // The file lists no elements: nothing is preselected; the default beam energy is 20 keV.
    expect(await page.getByTestId('eds-elements').textContent()).toContain('No element picked');
    expect(await page.getByTestId('eds-beam').inputValue()).toBe('20');
    expect(await page.getByTestId('eds-build').isDisabled()).toBe(true);
    await setField('eds-range-start', '1.2');
    await setField('eds-range-end', '3.6');
    for (const e of ['Al', 'Ag', 'Cu']) await page.getByTestId(`element-${e}`).click();
    expect(await page.getByTestId('element-Ag').getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByTestId('eds-elements').textContent()).toContain('Al, Ag, Cu');
    await expect.poll(lines).toEqual(expect.arrayContaining(['Al_Ka', 'Ag_La', 'Ag_Lb1']));
    expect((await lines()).some((l) => l.startsWith('Cu_'))).toBe(false);
    await page.waitForTimeout(300);
    await screenshot(page, 'e2e-eds-01-picked');
    // The markers go and come back with the toggle.
    await page.getByTestId('eds-show-lines').uncheck();
    await expect.poll(lines).toEqual([]);
    await page.getByTestId('eds-show-lines').check();
    await expect.poll(lines).toContain('Al_Ka');
  }, 60_000);

  it('builds the model: ordinary, editable components in the Model table', async () => {
    await page.getByTestId('eds-build').click();
    await page.getByTestId('component-Al_K').waitFor({ timeout: 30_000 });
    await page.getByTestId('component-Ag_L').waitFor();
    await page.getByTestId('component-calibration').waitFor();
    await page.getByTestId('component-background').waitFor();
    expect(await page.getByTestId('component-Cu_L').count()).toBe(0);
    expect(await page.getByTestId('signal-range').textContent()).toMatch(
      // The channels nearest the range's ends.
      /fitting 1\.19\d* – 3\.59\d* keV/,
    );
    // The model is drawn on the spectrum.
    await expect
      .poll(() => page.getByTestId('spectrum-chart').getAttribute('aria-label'))
      .toContain('Spectrum');
    await page.waitForTimeout(300);
    await screenshot(page, 'e2e-eds-02-built');
  });

  it('calibrates on the sum spectrum, shows the calibration and fixes it', async () => {
    await page.getByTestId('eds-calibrate').click();
    const cal = page.getByTestId('eds-calibration');
    await cal.waitFor({ timeout: 60_000 });
    const text = (await cal.textContent()) ?? '';
    // As calibrate() finds on this map: offset -0.47553 keV, 9.986 eV a channel, FWHM ~135 eV.
    const offset = Number(/Offset\s*(-?[\d.]+)/.exec(text)?.[1]);
    const scale = Number(/Scale\s*(-?[\d.]+)/.exec(text)?.[1]);
    const fwhm = Number(/Mn Kα\s*([\d.]+)/.exec(text)?.[1]);
    expect(offset).toBeCloseTo(-0.4755, 3);
    expect(scale * 1000).toBeCloseTo(9.986, 1);
    expect(fwhm).toBeGreaterThan(133);
    expect(fwhm).toBeLessThan(137);
    expect(text).toContain('2500 pixels');
    expect(text).toContain('fixed');
    await page.getByTestId('eds-builder').scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await screenshot(page, 'e2e-eds-03-calibrated');
  });

  it('says what a peak is when the cursor is over it', async () => {
    const axis = { min: -0.47316066, max: -0.47316066 + 2047 * 0.009996 };
    const readout = page.getByTestId('eds-readout');
    await hoverAt(1.4866, axis);
    await expect.poll(() => readout.textContent(), { timeout: 10_000 }).toMatch(/: Al_Ka [\d.]+ ✓/);
    await hoverAt(2.984, axis);
    await expect.poll(() => readout.textContent(), { timeout: 10_000 }).toMatch(/: Ag_La [\d.]+ ✓/);
    await screenshot(page, 'e2e-eds-04-what-peak');
  });

  it('fits a seed and runs SAMFire over the map', async () => {
    // With a few hundred counts a pixel, reduced chi-squared with variance max(counts, 1) sits
    // near 0.3 (test/core/eds/eds-real.test.ts): the tolerance HyperSpy's run used.
    await page.getByTestId('tab-samfire').click();
    const tolerance = page.getByTestId('tolerance');
    await tolerance.fill('0.8');
    await tolerance.press('Tab');
    await expect.poll(() => tolerance.inputValue()).toBe('0.8');
    await page.getByTestId('tab-seeds').click();
    await page.getByTestId('seed-fit-pixel').click();
    await expect
      .poll(() => page.getByTestId('fit-verdict').textContent(), { timeout: 30_000 })
      .toContain('passes (seed)');
    await page.getByTestId('tab-samfire').click();
    await page.getByTestId('panel-start').click();
    await expect
      .poll(() => page.getByTestId('run-status').textContent(), {
        timeout: 240_000,
        interval: 500,
      })
      .toContain('finished');
    // Pixels passing the goodness test: 2082 measured (as in test/core/eds/eds-real.test.ts),
    // HyperSpy's SAMFire with free Gaussians passed 1971.
    const done = Number(
      /^(\d+) \/ 2500/.exec(
        ((await page.getByTestId('pixels-done').textContent()) ?? '').trim(),
      )?.[1],
    );
    expect(done).toBeGreaterThanOrEqual(2070);
    await page.waitForTimeout(500);
    await screenshot(page, 'e2e-eds-05-run');
    // The current pixel's table shows its fitted Al amplitude.
    await page.getByTestId('tab-model').click();
    const a = Number(await page.getByTestId('param-Al_K.A-value').inputValue());
    expect(a).toBeGreaterThan(0);
    expect(await page.getByTestId('spectrum-chart').getAttribute('aria-label')).toBeTruthy();
  }, 300_000);
});
