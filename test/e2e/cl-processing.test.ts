/**
 * Cathodoluminescence in the app, end to end in headless Chromium (issue 14),
 * on a CL map written as .hspy (test/helpers/cl-map.ts: 6×8 pixels,
 * 811–936 nm, a peak drifting from 846 to 861 nm) with three cosmic rays
 * injected at two pixels:
 * - the Signal tab finds spikes for review: at threshold 10 a fourth (a noise
 *   excursion on a peak's top), at 15 the three; picking one shows its pixel
 *   with the spike marked on the spectrum; Apply removes them (a step);
 * - Convert to energy gives a non-uniform eV axis (the metadata says so, the
 *   spectrum is drawn at the channels' own energies); Revert goes back to nm
 *   and converting again is refused on an energy axis, with the reason;
 * - an offset and a Gaussian placed on the eV axis, the signal range dragged
 *   in eV, a seed fitted and SAMFire maps the peak over the 48 pixels.
 * Screenshots in test-results/e2e-cl-*.png.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HC_EV_NM } from '@samfire/core';
import { clCentre, writeClMap } from '../helpers/cl-map.js';
import {
  type E2eApp,
  hasChromium,
  screenshot,
  spectrumLabel,
  stableBox,
  startApp,
} from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'samfire-e2e-cl-'));
const clPath = join(tmp, 'cl-spikes.hspy');
const SPIKES = [
  { pixel: 3, channel: 100, counts: 900 },
  { pixel: 3, channel: 700, counts: 600 },
  { pixel: 20, channel: 400, counts: 2000 },
];

describe.skipIf(!hasChromium)(
  'CL processing in the app: spikes, energy axis, a SAMFire run',
  () => {
    let app: E2eApp;
    let page: Page;
    let problems: string[];

    const text = async (testid: string): Promise<string> =>
      (await page.getByTestId(testid).textContent()) ?? '';
    const markedChannels = async (): Promise<number[]> =>
      JSON.parse((await page.locator('[data-spikes]').getAttribute('data-spikes')) ?? '[]');

    beforeAll(async () => {
      await writeClMap(clPath, { spikes: SPIKES });
      app = await startApp({ files: [clPath] });
      ({ page, problems } = app);
    }, 120_000);

    afterEach(() => {
      const seen = problems.splice(0);
      expect(seen.slice(0, 3)).toEqual([]);
    });

    afterAll(() => app?.close());

    it('finds the spikes for review; the threshold decides which', async () => {
      await page.goto(app.server.url);
      await expect
        .poll(() => page.getByTestId('dataset-summary').textContent(), { timeout: 30_000 })
        .toContain('6×8 × 1024');
      await page.getByTestId('spectrum-chart').locator('canvas').first().waitFor();
      await page.getByTestId('tab-signal').click();
      expect(await text('signal-axis')).toMatch(/^Wavelength \(nm\): 1024 channels, uniform/);
      expect(await page.getByTestId('convert-energy').isEnabled()).toBe(true);
      await page.getByTestId('find-spikes').click();
      await expect.poll(() => text('spike-count')).toContain('4 spikes in 3 pixels');
      await page.getByTestId('spike-threshold').fill('15');
      await page.getByTestId('spike-stale').waitFor();
      await page.getByTestId('find-spikes').click();
      await expect.poll(() => text('spike-count')).toContain('3 spikes in 2 pixels');
      expect(await page.getByTestId('spike-stale').count()).toBe(0);
      expect(await page.getByTestId('spike-list').locator('tbody tr').count()).toBe(3);
      // The one on the peak of pixel 20 (row 2, column 4): its pixel shows, the spike marked.
      await page.getByTestId('spike-2').click();
      await expect.poll(() => spectrumLabel(page)).toBe('Spectrum of pixel 2, 4');
      await expect.poll(markedChannels).toEqual([400]);
      await page.waitForTimeout(300);
      await screenshot(page, 'e2e-cl-01-spike-review');
      await page.getByTestId('spike-0').click();
      await expect.poll(() => spectrumLabel(page)).toBe('Spectrum of pixel 0, 3');
      await expect.poll(markedChannels).toEqual([100, 700]);
    }, 60_000);

    it('removes them on Apply, as a step; none are left at that threshold', async () => {
      const before = (await app.server.api.dataset.spectrum({ pixel: 3 })).data[100]!;
      await page.getByTestId('spikes-apply').click();
      await expect.poll(() => text('steps')).toContain('Removed 3 spikes (threshold 15, window 5)');
      expect(await page.getByTestId('spike-review').count()).toBe(0);
      expect(await markedChannels()).toEqual([]);
      const after = (await app.server.api.dataset.spectrum({ pixel: 3 })).data[100]!;
      expect(before - after).toBeGreaterThan(800);
      await page.getByTestId('find-spikes').click();
      await expect.poll(() => text('spike-count')).toContain('0 spikes in 0 pixels');
      expect(await page.getByTestId('spikes-apply').isDisabled()).toBe(true);
      await page.getByTestId('spikes-cancel').click();
      expect(await page.getByTestId('spike-review').count()).toBe(0);
    });

    it('converts to a non-uniform eV axis; revert goes back; an energy axis is refused', async () => {
      await page.getByTestId('convert-energy').click();
      await expect
        .poll(() => text('signal-axis'))
        .toMatch(/^Energy \(eV\): 1024 channels, non-uniform/);
      expect(await text('steps')).toContain('Converted to energy (nm → eV)');
      // The metadata's axis table says so, and the spectrum is drawn at each channel's energy.
      expect(await text('axis-2')).toContain('Energy');
      expect(await text('axis-2-non-uniform')).toBe('non-uniform');
      expect(await page.locator('[data-uniform]').getAttribute('data-uniform')).toBe('no');
      const s = await app.server.api.dataset.spectrum({ pixel: 0 });
      expect(s.xUnits).toBe('eV');
      expect(s.x[0]).toBeCloseTo(HC_EV_NM / 936, 3);
      expect(s.x[1023]).toBeCloseTo(HC_EV_NM / 811, 3);
      // Converting again: the button is off and says why.
      expect(await page.getByTestId('convert-energy').isDisabled()).toBe(true);
      expect(await text('energy-problem')).toContain('is already an energy (eV)');
      await page.waitForTimeout(300);
      await screenshot(page, 'e2e-cl-02-energy-axis');

      await page.getByTestId('revert-step').click();
      await expect.poll(() => text('signal-axis')).toMatch(/^Wavelength \(nm\)/);
      expect(await text('steps')).not.toContain('Converted');
      expect(await text('steps')).toContain('Removed 3 spikes');
      await page.getByTestId('convert-energy').click();
      await expect.poll(() => text('signal-axis')).toMatch(/^Energy \(eV\)/);
    });

    it('fits a Gaussian (on an offset) on the eV axis with SAMFire over the map', async () => {
      await page.getByTestId('tab-model').click();
      // The map's flat background of 15 counts per channel needs its own component.
      await page.getByTestId('add-kind').selectOption('Offset');
      await page.getByTestId('add-name').fill('bg');
      await page.getByTestId('add-component').click();
      await page.getByTestId('param-bg.offset-value').waitFor({ timeout: 20_000 });
      await page.getByTestId('add-kind').selectOption('Gaussian');
      await page.getByTestId('add-name').fill('peak');
      await page.getByTestId('add-component').click();
      const centre = page.getByTestId('param-peak.centre-value');
      await centre.waitFor({ timeout: 20_000 });
      const expected = HC_EV_NM / clCentre(0, 0, 6, 8);
      expect(Math.abs(Number(await centre.inputValue()) - expected)).toBeLessThan(0.02);

      // The signal range, dragged along the eV axis (1.3246–1.5288 eV across the plot).
      await page.getByTestId('range-mode').click();
      const box = await stableBox(page, 'spectrum-chart');
      const [lo, hi] = [HC_EV_NM / 936, HC_EV_NM / 811];
      const at = (eV: number): number => box.x + 64 + ((box.width - 92) * (eV - lo)) / (hi - lo);
      const y = box.y + box.height * 0.35;
      await page.mouse.move(at(1.36), y);
      await page.mouse.down();
      await page.mouse.move(at(1.43), y, { steps: 5 });
      await page.mouse.move(at(1.5), y, { steps: 5 });
      await page.mouse.up();
      await expect
        .poll(() => text('signal-range'), { timeout: 5000 })
        .toMatch(/fitting 1\.3[5-7]\d* – 1\.(49|50|51)\d* eV/);

      await page.getByTestId('tab-seeds').click();
      await page.getByTestId('seed-fit-pixel').click();
      await expect
        .poll(() => page.getByTestId('fit-verdict').textContent(), { timeout: 30_000 })
        .toContain('passes (seed)');
      await page.getByTestId('tab-samfire').click();
      await page.getByTestId('panel-start').click();
      await expect
        .poll(() => page.getByTestId('run-status').textContent(), { timeout: 120_000 })
        .toContain('finished');
      expect((await page.getByTestId('pixels-done').textContent())?.trim()).toBe('48 / 48');
      await page.getByTestId('tab-model').click();
      const fitted = Number(await page.getByTestId('param-peak.centre-value').inputValue());
      expect(Math.abs(fitted - expected)).toBeLessThan(0.003);
      await page.waitForTimeout(300);
      await screenshot(page, 'e2e-cl-03-samfire-ev');
    }, 180_000);
  },
);
