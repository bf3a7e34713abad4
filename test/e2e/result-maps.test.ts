/**
 * Result maps in browser mode, on data like a cathodoluminescence map: a
 * peak whose centre runs from 846 to 861 nm over a calibrated map (0.25 µm
 * pixels), saved as HyperSpy does it (the seed's values assigned to every
 * pixel, then most pixels fitted, some not). Unfitted pixels are grey, read
 * "not fitted", stay out of the colour range, the reduced χ² histogram and
 * the CSV/.npy (NaN); the PNG export has a colour bar with units and a scale
 * bar but no cursor; pixels are written one way everywhere; a line scan is a
 * line plot against position with error bars; a new file starts on the
 * default tab. Screenshots and the exported PNGs go to test-results/.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeHspy } from '@samfire/core/node';
import { readNpy } from '@samfire/core';
import { Model } from '@samfire/core';
import { Signal } from '@samfire/core';
import type { AxisSpec } from '@samfire/core';
import { heatmapGrid } from '../../renderer/src/lib/charts/heatmap-option.js';
import { LINE_GRID } from '../../renderer/src/lib/charts/line-scan-option.js';
import { NAN_COLOURS, hexToRgb } from '../../renderer/src/lib/logic/colour-scale.js';
import { mulberry32, poissonNoise } from '../helpers/random.js';
import {
  download,
  type E2eApp,
  hasChromium,
  RESULTS,
  screenshot,
  stableBox,
  startApp,
} from './helpers.js';

const WAVELENGTH: AxisSpec = {
  name: 'Wavelength',
  size: 250,
  offset: 811,
  scale: 0.5,
  units: 'nm',
  navigate: false,
};

/**
 * A CL-like spectrum image over `nav` axes: a Gaussian peak (centre 846 to 861 nm along the flat
 * index) on a flat background, Poisson counts. Seed values are assigned to every pixel (as HyperSpy's
 * assign_current_values_to_all), then every pixel but `skip` is fitted: a HyperSpy file whose
 * unfitted pixels hold the seed's values with is_set true.
 */
async function clFile(
  path: string,
  nav: AxisSpec[],
  skip: ReadonlySet<number>,
  height = 900,
): Promise<void> {
  const n = nav.reduce((k, a) => k * a.size, 1);
  const rand = mulberry32(11);
  const x = Float64Array.from({ length: WAVELENGTH.size }, (_, j) => 811 + 0.5 * j);
  const centre = (p: number): number => 846 + (15 * p) / (n - 1);
  const data = new Float64Array(n * WAVELENGTH.size);
  for (let p = 0; p < n; p++) {
    const mean = Float64Array.from(
      x,
      (v) => 40 + height * Math.exp(-(((v - centre(p)) / 6) ** 2) / 2),
    );
    data.set(poissonNoise(rand, mean), p * WAVELENGTH.size);
  }
  const signal = new Signal({ data, axes: [...nav, WAVELENGTH], title: 'CL map' });
  signal.estimatePoissonianNoiseVariance({ gain: 1, offset: 0, floor: 1 });
  const model = new Model(signal, [
    { kind: 'Gaussian', name: 'peak' },
    { kind: 'Offset', name: 'bg' },
  ]);
  model.parameter('peak.A').value = height * 6 * Math.sqrt(2 * Math.PI) * 0.5;
  model.parameter('peak.centre').value = 846;
  model.parameter('peak.sigma').value = 6;
  model.parameter('bg.offset').value = 40;
  model.parameter('peak.centre').units = 'nm';
  model.parameter('peak.sigma').units = 'nm';
  model.assignCurrentValuesToAll();
  for (let p = 0; p < n; p++) {
    if (skip.has(p)) continue;
    model.fetchStoredValues(p);
    model.parameter('peak.centre').value = centre(p) - 1;
    model.fit(p);
  }
  await writeHspy(path, signal, { samfire: model });
}

/** The RGBA pixels of a PNG, decoded by the browser, with its size (pixels back as base64). */
async function decodePng(
  page: Page,
  png: Uint8Array,
): Promise<{ width: number; height: number; data: Uint8Array }> {
  const b64 = Buffer.from(png).toString('base64');
  const out = await page.evaluate<{ width: number; height: number; rgba: string }>(`(async () => {
    const bytes = Uint8Array.from(atob('${b64}'), (ch) => ch.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(bitmap, 0, 0);
    const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    let text = '';
    for (let i = 0; i < data.length; i += 32768)
      text += String.fromCharCode(...data.subarray(i, i + 32768));
    return { width: bitmap.width, height: bitmap.height, rgba: btoa(text) };
  })()`);
  return {
    width: out.width,
    height: out.height,
    data: new Uint8Array(Buffer.from(out.rgba, 'base64')),
  };
}

/**
 * Pixels of the current-pixel outline's blue (#00a3ff, drawn antialiased: about (36, 167, 242) on
 * screen) in an RGBA buffer; no colour map, grey or text colour comes near it.
 */
function cursorPixels(data: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < data.length; i += 4)
    if (data[i]! < 80 && Math.abs(data[i + 1]! - 165) < 25 && data[i + 2]! > 215) n++;
  return n;
}

const near = (a: readonly number[], b: readonly number[], tol = 10): boolean =>
  a.slice(0, 3).every((v, i) => Math.abs(v - b[i]!) <= tol);

const ROWS = 9;
const COLS = 12;
/** A 3×4 block and one corner pixel are left unfitted. */
const SKIP = new Set([
  ...[2, 3, 4].flatMap((r) => [6, 7, 8, 9].map((c) => r * COLS + c)),
  8 * COLS + 0,
]);
const LINE = 40;
const LINE_SKIP = new Set([10, 11, 12, 13, 14, 30]);

describe.skipIf(!hasChromium)(
  'result maps in browser mode: unfitted pixels, exports, line scans',
  () => {
    let app: E2eApp;
    let page: Page;
    let problems: string[];
    const tmp = mkdtempSync(join(tmpdir(), 'samfire-e2e-maps-'));
    const mapPath = join(tmp, 'cl-map.hspy');
    const linePath = join(tmp, 'cl-line.hspy');

    beforeAll(async () => {
      await clFile(
        mapPath,
        [
          { name: 'y', size: ROWS, offset: 0, scale: 0.25, units: 'µm', navigate: true },
          { name: 'x', size: COLS, offset: 0, scale: 0.25, units: 'µm', navigate: true },
        ],
        SKIP,
      );
      await clFile(
        linePath,
        [{ name: 'x', size: LINE, offset: 0, scale: 0.05, units: 'µm', navigate: true }],
        LINE_SKIP,
        // Fewer counts: error bars of about ±0.5 nm, visible against the 15 nm trend.
        60,
      );
      app = await startApp({ acceptDownloads: true });
      ({ page, problems } = app);
    }, 120_000);

    afterEach(() => {
      const seen = problems.splice(0);
      expect(seen.slice(0, 3)).toEqual([]);
    });

    afterAll(() => app?.close());

    const cell = async (testid: string, r: number, c: number): Promise<[number, number]> => {
      const box = await stableBox(page, testid);
      const grid = heatmapGrid(box, [ROWS, COLS]);
      return [
        box.x + grid.left + (grid.width * (c + 0.5)) / COLS,
        box.y + grid.top + (grid.height * (r + 0.5)) / ROWS,
      ];
    };

    it('shows unfitted pixels as not fitted, out of the colour range, in the read-out and the status bar', async () => {
      await page.goto(app.server.url);
      await page.getByTestId('file-input').setInputFiles(mapPath);
      const meta = page.getByTestId('dataset-summary');
      await expect.poll(() => meta.textContent(), { timeout: 20_000 }).toContain('9×12 × 250');
      await page.getByTestId('tab-results').click();
      await page.getByTestId('results-map-select').selectOption({ label: 'peak.centre' });
      const chart = page.getByTestId('results-chart');
      await expect.poll(() => chart.getAttribute('aria-label')).toBe('Map: peak.centre');
      const view = page.getByTestId('results-chart-view');
      expect(await view.getAttribute('data-unfitted')).toBe(String(SKIP.size));
      // The colour range is the fitted centres' (846 to 861 nm), not 0 to 861 or the seed's 846.
      const [lo, hi] = ((await view.getAttribute('data-range')) ?? '').split(',').map(Number);
      expect(lo).toBeGreaterThan(844);
      expect(lo).toBeLessThan(848.5);
      expect(hi).toBeGreaterThan(858);
      expect(hi).toBeLessThan(863);
      const readout = page.getByTestId('results-chart-readout');
      await page.mouse.move(...(await cell('results-chart', 3, 7)));
      await expect.poll(() => readout.textContent()).toBe('(3, 7) : not fitted');
      await page.mouse.move(...(await cell('results-chart', 6, 2)));
      await expect.poll(() => readout.textContent()).toMatch(/^\(6, 2\) : 85\d\.\d+ nm$/);
      await page.mouse.click(...(await cell('results-chart', 3, 8)));
      await expect
        .poll(() => page.getByTestId('status-pixel').textContent())
        .toBe('pixel (y, x) = (3, 8)'); // unfitted: no χ²ᵣ
      expect(await page.getByTestId('status-pixel').getAttribute('title')).toContain(
        's.inav[8, 3]',
      );
      await page.mouse.move(1, 1);
      await expect.poll(() => readout.textContent()).toBe('(3, 8) current: not fitted');
      expect(await readout.getAttribute('title')).toContain('row, column = (y, x)');
      await page.waitForTimeout(300);
      await screenshot(page, 'e2e-maps-01-unfitted-grey');

      // The std map and the reduced χ² are NaN there too; the histogram leaves them out.
      const hist = page.getByTestId('chisq-histogram-view');
      await expect.poll(() => hist.getAttribute('data-missing')).toBe(String(SKIP.size));
      expect(await hist.getAttribute('data-counted')).toBe(String(ROWS * COLS - SKIP.size));
      await page.getByTestId('results-map-select').selectOption({ label: 'peak.centre std' });
      await expect.poll(() => view.getAttribute('data-unfitted')).toBe(String(SKIP.size));
      await page.getByTestId('results-map-select').selectOption({ label: 'Reduced χ²' });
      await expect.poll(() => view.getAttribute('data-unfitted')).toBe(String(SKIP.size));
      await page.locator('[data-testid="chisq-histogram"] canvas').first().waitFor();
      await page.waitForTimeout(300);
      await screenshot(page, 'e2e-maps-02-chisq-histogram');
    });

    it('exports CSV and .npy with NaN where not fitted', async () => {
      await page.getByTestId('results-map-select').selectOption({ label: 'peak.centre' });
      const chart = page.getByTestId('results-chart');
      await expect.poll(() => chart.getAttribute('aria-label')).toBe('Map: peak.centre');
      const csv = await download(page, () => page.getByTestId('export-csv').click());
      const rows = new TextDecoder().decode(csv.bytes).trim().split('\n');
      expect(rows).toHaveLength(ROWS);
      const cells = rows.flatMap((r) => r.split(','));
      expect(cells).toHaveLength(ROWS * COLS);
      const missing = cells.flatMap((c, i) => (c === 'NaN' ? [i] : []));
      expect(missing).toEqual([...SKIP].sort((a, b) => a - b));
      const fitted = cells.filter((c) => c !== 'NaN').map(Number);
      expect(fitted.every((v) => v > 844 && v < 863)).toBe(true);
      const npy = await download(page, () => page.getByTestId('export-npy').click());
      const back = readNpy(npy.bytes, npy.name);
      expect(back.shape).toEqual([ROWS, COLS]);
      expect(Array.from(back.data as Float64Array).filter(Number.isNaN)).toHaveLength(SKIP.size);
    });

    it('exports a PNG with the colour bar, units and scale bar, grey unfitted pixels and no cursor', async () => {
      const box = await stableBox(page, 'results-chart');
      // On screen the current pixel (3, 8) is outlined in blue ...
      mkdirSync(RESULTS, { recursive: true });
      const shot = await page.screenshot({
        clip: { x: box.x, y: box.y, width: box.width, height: box.height },
      });
      writeFileSync(join(RESULTS, 'e2e-maps-03-screen.png'), shot);
      expect(cursorPixels((await decodePng(page, shot)).data)).toBeGreaterThan(20);
      // ... the export has no outline.
      const png = await download(page, () => page.getByTestId('export-png').click());
      mkdirSync(RESULTS, { recursive: true });
      writeFileSync(join(RESULTS, 'e2e-maps-03-export.png'), png.bytes);
      const img = await decodePng(page, png.bytes);
      expect(Math.abs(img.width - 2 * box.width)).toBeLessThanOrEqual(2);
      expect(cursorPixels(img.data)).toBe(0);
      const grid = heatmapGrid({ width: img.width / 2, height: img.height / 2 }, [ROWS, COLS]);
      const at = (x: number, y: number): number[] => {
        const i = (Math.floor(2 * y) * img.width + Math.floor(2 * x)) * 4;
        return Array.from(img.data.subarray(i, i + 4));
      };
      const centreOf = (r: number, c: number): [number, number] => [
        grid.left + (grid.width * (c + 0.5)) / COLS,
        grid.top + (grid.height * (r + 0.5)) / ROWS,
      ];
      // The unfitted block is the grey of "not fitted"; a fitted pixel is not.
      expect(near(at(...centreOf(3, 8)), hexToRgb(NAN_COLOURS.viridis))).toBe(true);
      expect(near(at(...centreOf(1, 1)), hexToRgb(NAN_COLOURS.viridis))).toBe(false);
      // The scale bar: a white bar in the map's bottom left corner.
      let white = 0;
      for (let x = grid.left; x < grid.left + grid.width / 2; x += 0.5)
        for (let y = grid.top + grid.height - 20; y < grid.top + grid.height; y += 0.5)
          if (near(at(x, y), [255, 255, 255], 4)) white++;
      expect(white).toBeGreaterThan(40);
    });

    it('writes pixels one way: navigator read-out, status bar, seeds list and fit verdict', async () => {
      await page.mouse.click(...(await cell('navigator-chart', 2, 3)));
      await expect
        .poll(() => page.getByTestId('status-pixel').textContent())
        .toMatch(/^pixel \(y, x\) = \(2, 3\)( · χ²ᵣ [\d.]+)?$/);
      await page.mouse.move(1, 1);
      await expect
        .poll(() => page.getByTestId('navigator-chart-readout').textContent())
        .toMatch(/^\(2, 3\) current/);
      await page.getByTestId('tab-seeds').click();
      await page.getByTestId('seed-fit-pixel').click();
      const verdict = page.getByTestId('fit-verdict');
      await expect.poll(() => verdict.textContent()).toContain('Pixel (2, 3)');
      // A good fit becomes a seed by itself; otherwise mark it by hand.
      if (!((await verdict.textContent()) ?? '').includes('passes (seed)'))
        await page.getByTestId('toggle-seed').click();
      await expect.poll(() => page.getByTestId('seed-list').textContent()).toContain('(2, 3)');
      await screenshot(page, 'e2e-maps-04-seeds');
    });

    it("starts a new file on the default tab and map, not the last file's Results view", async () => {
      await page.getByTestId('tab-results').click();
      await page.getByTestId('results-map-select').selectOption({ label: 'peak.sigma' });
      await expect
        .poll(() => page.getByTestId('results-chart').getAttribute('aria-label'))
        .toBe('Map: peak.sigma');
      await page.getByTestId('file-input').setInputFiles(linePath);
      // The seed fitted above is unsaved: the app may ask first.
      const confirm = page.getByTestId('confirm-ok');
      await confirm.waitFor({ timeout: 3000 }).then(
        () => confirm.click(),
        () => undefined,
      );
      await expect
        .poll(() => page.getByTestId('dataset-summary').textContent(), { timeout: 20_000 })
        .toContain('40 × 250');
      await expect
        .poll(() => page.getByTestId('tab-model').getAttribute('aria-selected'))
        .toBe('true');
      await page.getByTestId('tab-results').click();
      await expect
        .poll(() => page.getByTestId('results-chart').getAttribute('aria-label'))
        .toBe('Map: Reduced χ²');
    });

    it('draws a line scan as a line plot of value against position, with error bars', async () => {
      expect(await page.getByTestId('navigator-chart-view').getAttribute('data-drawing')).toBe(
        'line',
      );
      await page.getByTestId('results-map-select').selectOption({ label: 'peak.centre' });
      const view = page.getByTestId('results-chart-view');
      await expect
        .poll(() => page.getByTestId('results-chart').getAttribute('aria-label'))
        .toBe('Map: peak.centre');
      expect(await view.getAttribute('data-drawing')).toBe('line');
      expect(await view.getAttribute('data-unfitted')).toBe(String(LINE_SKIP.size));
      // Click at the position of pixel 20 (1 µm): the grid spans -0.025 to 1.975 µm.
      const box = await stableBox(page, 'results-chart');
      const left = box.x + LINE_GRID.left;
      const width = box.width - LINE_GRID.left - LINE_GRID.right;
      const xOf = (um: number): number => left + (width * (um + 0.025)) / 2;
      await page.mouse.click(xOf(1), box.y + box.height / 2);
      await expect
        .poll(() => page.getByTestId('status-pixel').textContent())
        .toMatch(/^pixel \(x\) = \(20\) · χ²ᵣ [\d.]+$/);
      await page.mouse.move(1, 1);
      const readout = page.getByTestId('results-chart-readout');
      await expect
        .poll(() => readout.textContent())
        .toMatch(/^\(20\) x 1 µm current: 85\d\.\d+ nm ± \d\.\d+ nm$/);
      await page.mouse.move(xOf(0.6), box.y + box.height / 2);
      await expect.poll(() => readout.textContent()).toBe('(12) x 0.6 µm : not fitted');
      await page.mouse.move(1, 1);
      await page.waitForTimeout(300);
      await screenshot(page, 'e2e-maps-05-line-scan');
      const csv = await download(page, () => page.getByTestId('export-csv').click());
      const lines = new TextDecoder().decode(csv.bytes).trim().split('\n');
      expect(lines[0]).toBe('index0,x (µm),peak.centre (nm)');
      expect(lines).toHaveLength(LINE + 1);
      expect(lines[21]).toMatch(/^20,1,85\d\.\d+$/);
      expect(lines.filter((l) => l.endsWith(',NaN'))).toHaveLength(LINE_SKIP.size);
      const png = await download(page, () => page.getByTestId('export-png').click());
      writeFileSync(join(RESULTS, 'e2e-maps-06-line-export.png'), png.bytes);
      expect(cursorPixels((await decodePng(page, png.bytes)).data)).toBe(0);
    });
  },
);
