/**
 * Browser mode end to end in headless Chromium: the real renderer, served by
 * the browser server, with the services in a child process whose fits are
 * paced (slow-pool.ts) so a run of the example can be watched and stopped.
 * The whole workflow: a corrupt file is refused and the app keeps working;
 * open the example, move around, adjust the model (with validation, undo and
 * redo), fit a seed, start, watch progress and the live marker, stop, switch
 * strategy, resume, finish, look at maps, export PNG and CSV, save the
 * project, reopen it and find the same maps. Screenshots of every main view
 * go to test-results/.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { heatmapGrid } from '../../renderer/src/lib/charts/heatmap-option.js';
import {
  download,
  type E2eApp,
  hasChromium,
  screenshot,
  spectrumLabel,
  stableBox,
  startApp,
} from './helpers.js';

/** Whether leaving the page would ask (its beforeunload handler cancels the unload). */
const LEAVING =
  '(() => { const e = new Event("beforeunload", { cancelable: true }); dispatchEvent(e); return e.defaultPrevented; })()';

describe.skipIf(!hasChromium)('browser mode in headless Chromium: the workflow', () => {
  let app: E2eApp;
  let page: Page;
  let problems: string[];
  const tmp = mkdtempSync(join(tmpdir(), 'samfire-e2e-'));
  let csvBefore = '';
  let projectFile = '';

  beforeAll(async () => {
    process.env.SAMFIRE_E2E_MS_PER_JOB = '50';
    app = await startApp({ slowHost: true, acceptDownloads: true });
    ({ page, problems } = app);
  }, 120_000);

  // Every step ends with no console error, page error or CSP violation.
  afterEach(() => {
    const seen = problems.splice(0);
    expect(seen.slice(0, 3)).toEqual([]);
  });

  afterAll(() => app?.close());

  it('loads the app with no console error and no CSP violation', async () => {
    await page.goto(app.server.url);
    await page.getByTestId('open-example').waitFor();
    await screenshot(page, 'e2e-01-empty');
    expect(problems).toEqual([]);
  });

  it('refuses a corrupt file with an error that names it, and keeps working', async () => {
    const corrupt = join(tmp, 'corrupt.dm3');
    writeFileSync(corrupt, randomBytes(4096));
    await page.getByTestId('file-input').setInputFiles(corrupt);
    const toast = page.getByTestId('toast-error');
    await toast.waitFor();
    expect(await toast.textContent()).toContain('corrupt.dm3');
    await screenshot(page, 'e2e-02-corrupt-file');
    await toast.getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => toast.count()).toBe(0);
  });

  it('opens the example: metadata, navigator and spectrum', async () => {
    await page.getByTestId('open-example').click();
    const meta = page.getByTestId('dataset-summary');
    await expect.poll(() => meta.textContent()).toContain('7×15');
    expect(await meta.textContent()).toContain('float64');
    await page.getByTestId('navigator-chart').locator('canvas').first().waitFor();
    await page.getByTestId('spectrum-chart').locator('canvas').first().waitFor();
    expect(await spectrumLabel(page)).toBe('Spectrum of pixel 0, 0');
    await screenshot(page, 'e2e-03-example');
  });

  it('moves the current pixel by clicking the navigator and with the arrow keys', async () => {
    const box = await stableBox(page, 'navigator-chart');
    // Click the middle of the cell in row 3, column 7 of the square-celled grid.
    const grid = heatmapGrid(box, [7, 15]);
    await page.mouse.click(
      box.x + grid.left + (grid.width * 7.5) / 15,
      box.y + grid.top + (grid.height * 3.5) / 7,
    );
    await expect.poll(() => spectrumLabel(page)).toBe('Spectrum of pixel 3, 7');
    // The read-out shows the pixel under the pointer, else the current one.
    await expect
      .poll(() => page.getByTestId('navigator-chart-readout').textContent())
      .toMatch(/^\(3, 7\).*counts/);
    await page.mouse.move(1, 1);
    await page.getByTestId('navigator').focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => spectrumLabel(page)).toBe('Spectrum of pixel 3, 8');
    await expect
      .poll(() => page.getByTestId('navigator-chart-readout').textContent())
      .toContain('(3, 8) current');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowUp');
    for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowLeft');
    await expect.poll(() => spectrumLabel(page)).toBe('Spectrum of pixel 0, 0');
  });

  it('adjusts the model: validation, a typed value, add, undo and redo', async () => {
    await page.getByTestId('tab-model').click();
    // A bound below the value is refused with a message naming the parameter.
    const bmax = page.getByTestId('param-g.sigma-bmax');
    await bmax.fill('10');
    await bmax.press('Enter');
    const error = page.getByTestId('param-error-g.sigma');
    await expect.poll(() => error.textContent()).toContain('g.sigma');
    await screenshot(page, 'e2e-04-model-validation');
    await bmax.press('Escape');
    await expect.poll(() => error.count()).toBe(0);
    // A better starting width at this pixel.
    const sigma = page.getByTestId('param-g.sigma-value');
    await sigma.fill('20');
    await sigma.press('Enter');
    await expect.poll(() => sigma.inputValue()).toBe('20');
    // Add a component, undo it, redo it, remove it.
    await page.getByTestId('add-kind').selectOption('Offset');
    await page.getByTestId('add-name').fill('bg');
    await page.getByTestId('add-component').click();
    await page.getByTestId('component-bg').waitFor();
    await page.getByTestId('undo').click();
    await expect.poll(() => page.getByTestId('component-bg').count()).toBe(0);
    await page.keyboard.press('Control+y');
    await page.getByTestId('component-bg').waitFor();
    await screenshot(page, 'e2e-05-model');
    await page.getByTestId('remove-bg').click();
    await expect.poll(() => page.getByTestId('component-bg').count()).toBe(0);
  });

  it('moves a peak by dragging its handle on the spectrum, and undoes it', async () => {
    const plot = page.locator('[data-handles]');
    const handles = async (): Promise<{ component: string; x: number; y: number }[]> =>
      JSON.parse((await plot.getAttribute('data-handles')) ?? '[]');
    // g's centre (400 eV) lies just past the axis (0 to 399 eV): it has no handle.
    await expect.poll(async () => (await handles()).map((h) => h.component)).toEqual(['l1', 'l2']);
    const l1 = (await handles()).find((h) => h.component === 'l1')!;
    const box = await stableBox(page, 'spectrum-chart');
    const perEv = (box.width - 92) / 399;
    await page.mouse.move(box.x + l1.x, box.y + l1.y);
    await page.mouse.down();
    await page.mouse.move(box.x + l1.x + 10 * perEv, box.y + l1.y + 20, { steps: 4 });
    await page.mouse.move(box.x + l1.x + 20 * perEv, box.y + l1.y + 40, { steps: 4 });
    await page.mouse.up();
    const centre = page.getByTestId('param-l1.centre-value');
    await expect.poll(() => centre.inputValue()).toMatch(/^3[12]\d/);
    await expect
      .poll(async () => Number(await page.getByTestId('param-l1.A-value').inputValue()))
      .toBeLessThan(300000);
    await screenshot(page, 'e2e-05c-peak-drag');
    for (let i = 0; i < 2 && (await centre.inputValue()) !== '300'; i++) {
      await page.keyboard.press('Control+z');
      await page.waitForTimeout(300);
    }
    await expect.poll(() => centre.inputValue()).toBe('300');
    expect(await page.getByTestId('param-l1.A-value').inputValue()).toBe('3e+5');
  });

  it('sets the signal range by dragging along the spectrum, and resets it', async () => {
    await page.getByTestId('range-mode').click();
    const box = await stableBox(page, 'spectrum-chart');
    // The plot spans 64 px from the left to 28 px from the right: 0 to 399 eV.
    const at = (eV: number): number => box.x + 64 + ((box.width - 92) * eV) / 399;
    const y = box.y + box.height * 0.35;
    await page.mouse.move(at(50), y);
    await page.mouse.down();
    await page.mouse.move(at(200), y, { steps: 5 });
    await page.mouse.move(at(350), y, { steps: 5 });
    await page.mouse.up();
    const range = page.getByTestId('signal-range');
    await expect
      .poll(() => range.textContent(), { timeout: 5000 })
      .toMatch(/fitting (4\d|5\d|6\d)(\.\d+)? – 3\d\d(\.\d+)? eV/);
    await screenshot(page, 'e2e-05b-signal-range');
    await page.getByTestId('reset-range').click();
    await expect.poll(() => range.textContent()).toContain('whole axis');
  });

  it('lists the keyboard shortcuts on ?', async () => {
    await page.locator('body').focus();
    await page.keyboard.press('Shift+?');
    const help = page.getByTestId('help-dialog');
    await help.waitFor();
    expect(await help.textContent()).toContain('Ctrl+F');
    await screenshot(page, 'e2e-05d-shortcuts');
    await page.keyboard.press('Escape');
    await expect.poll(() => help.count()).toBe(0);
  });

  it('shows the noise estimate in use', async () => {
    await page.getByTestId('tab-noise').click();
    expect(await page.getByTestId('variance-in-use').textContent()).toContain('Poisson');
    await screenshot(page, 'e2e-06-noise');
  });

  it('fits a seed and shows its reduced chi-squared and verdict', async () => {
    await page.getByTestId('tab-seeds').click();
    await page.getByTestId('seed-fit-pixel').click();
    const verdict = page.getByTestId('fit-verdict');
    await expect.poll(() => verdict.textContent()).toContain('passes (seed)');
    expect(await verdict.textContent()).toMatch(/reduced χ² \d/);
    await expect.poll(() => page.getByTestId('seed-list').textContent()).toContain('(0, 0)');
    await screenshot(page, 'e2e-07-seed');
  });

  it('runs SAMFire: progress and live marker, stop, switch strategy, resume, finish', async () => {
    await page.getByTestId('tab-samfire').click();
    const plotEvery = page.getByTestId('plot-every');
    await plotEvery.fill('5');
    await plotEvery.press('Tab');
    // Main-thread responsiveness during the run: the longest gap between 10 ms ticks.
    await page.evaluate(`(() => {
      window.__lag = 0;
      let last = performance.now();
      window.__lagTimer = setInterval(() => {
        const now = performance.now();
        const gap = now - last - 10;
        if (gap > 50) (window.__gaps ??= []).push(Math.round(gap));
        window.__lag = Math.max(window.__lag, gap);
        last = now;
      }, 10);
    })()`);
    // Input latency as browsers define it (Event Timing: from the key press to the next frame
    // painted after its handlers), for keys pressed while the run goes on.
    await page.evaluate(`(() => {
      window.__inputs = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries())
          if (e.name === 'keydown') window.__inputs.push(Math.round(e.duration));
      }).observe({ type: 'event', durationThreshold: 16, buffered: false });
    })()`);
    await page.keyboard.press('F5');
    const done = async (): Promise<number> =>
      Number(
        /^(\d+) \//.exec(
          ((await page.getByTestId('pixels-done').textContent()) ?? '').trim(),
        )?.[1] ?? 0,
      );
    const live = page.getByTestId('live-plot');
    const plots = async (): Promise<number> => Number(await live.getAttribute('data-count'));
    await expect.poll(done, { timeout: 30_000 }).toBeGreaterThan(10);
    const before = await plots();
    expect(before).toBeGreaterThan(0);
    expect(await live.getAttribute('data-kind')).toBe('marker');
    await expect.poll(plots, { timeout: 30_000 }).toBeGreaterThan(before);
    // Move the current pixel with the keyboard during the run (and back where it was).
    await page.locator('body').focus();
    for (const key of ['ArrowRight', 'ArrowDown', 'ArrowLeft', 'ArrowUp'].flatMap((k) => [k, k])) {
      await page.keyboard.press(key);
      await page.waitForTimeout(120);
    }
    await screenshot(page, 'e2e-08-running');
    const lag = await page.evaluate<number>('(clearInterval(window.__lagTimer), window.__lag)');
    console.log(
      'main-thread gaps > 50 ms during the run:',
      await page.evaluate('window.__gaps ?? []'),
    );
    // Redraws are bounded: no long task on the page (< 100 ms unloaded; the margin is for a busy
    // CI machine whose cores the fitting workers and other jobs share).
    expect(lag).toBeLessThan(250);
    // Entries come only for inputs slower than 16 ms; the 90th percentile absorbs one
    // scheduling hiccup of a machine whose cores the fitting workers share.
    const inputs = await page.evaluate<number[]>('window.__inputs');
    console.log('key presses slower than 16 ms during the run (ms):', inputs);
    const sorted = [...inputs].sort((a, b) => a - b);
    const p90 = sorted.length ? sorted[Math.ceil(sorted.length * 0.9) - 1]! : 0;
    expect(p90).toBeLessThan(100);
    await page.getByTestId('stop').click();
    await expect.poll(() => page.getByTestId('run-status').textContent()).toContain('stopped');
    const stoppedAt = await done();
    expect(stoppedAt).toBeLessThan(105);
    // Switch to the global strategy while stopped, then resume to the end.
    await page.getByTestId('make-active-1').check();
    await expect
      .poll(() => page.getByTestId('strategy-1').getAttribute('class'))
      .toContain('active');
    await screenshot(page, 'e2e-09-stopped-switched');
    await page.getByTestId('resume').click();
    await expect
      .poll(() => page.getByTestId('run-status').textContent(), { timeout: 90_000, interval: 250 })
      .toContain('finished');
    expect(await done()).toBeGreaterThan(stoppedAt);
    // The global strategy draws histograms of the good fits' parameters.
    expect(await live.getAttribute('data-kind')).toBe('histograms');
    await screenshot(page, 'e2e-10-finished');
  }, 150_000);

  it('shows result maps with a read-out and exports PNG and CSV', async () => {
    await page.getByTestId('tab-results').click();
    await page.getByTestId('results-map-select').selectOption({ label: 'g.centre' });
    const chart = page.getByTestId('results-chart');
    await expect.poll(() => chart.getAttribute('aria-label')).toBe('Map: g.centre');
    const box = await stableBox(page, 'results-chart');
    const grid = heatmapGrid(box, [7, 15]);
    // The seed pixel (0, 0) is always fitted; a pixel the run left unfitted reads "not fitted".
    await page.mouse.move(
      box.x + grid.left + (grid.width * 0.5) / 15,
      box.y + grid.top + (grid.height * 0.5) / 7,
    );
    await screenshot(page, 'e2e-11-results');
    await expect
      .poll(() => page.getByTestId('results-chart-readout').textContent())
      .toMatch(/^\(0, 0\) : \d+(\.\d+)?$/);

    const png = await download(page, () => page.getByTestId('export-png').click());
    expect(png.name).toMatch(/g\.centre\.png$/);
    expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

    const csv = await download(page, () => page.getByTestId('export-csv').click());
    expect(csv.name).toMatch(/g\.centre\.csv$/);
    csvBefore = new TextDecoder().decode(csv.bytes);
    const rows = csvBefore.trim().split('\n');
    expect(rows).toHaveLength(7);
    for (const row of rows) {
      const cells = row.split(',');
      expect(cells).toHaveLength(15);
      // Unfitted pixels are written NaN; every other cell is a number.
      expect(cells.filter((c) => c !== 'NaN').every((c) => Number.isFinite(Number(c)))).toBe(true);
    }
    // Most fitted centres of the example lie near its two domains' values (300 and 400).
    const values = rows
      .flatMap((r) => r.split(','))
      .filter((c) => c !== 'NaN')
      .map(Number);
    expect(values.length).toBeGreaterThanOrEqual(80);
    expect(values.filter((v) => v > 280 && v < 420).length).toBeGreaterThan(values.length * 0.8);
  });

  it('selects the pixels the run left unfitted and refits them from their neighbours', async () => {
    const count = page.getByTestId('selection-count');
    const selected = async (): Promise<number> =>
      Number(/^(\d+) pixels? selected/.exec((await count.textContent()) ?? '')?.[1] ?? -1);
    await page.getByTestId('tab-samfire').click();
    const doneText = (await page.getByTestId('pixels-done').textContent()) ?? '';
    const done = Number(/^(\d+) \//.exec(doneText.trim())?.[1]);
    await page.getByTestId('tab-results').click();
    await page.getByTestId('select-unfitted').click();
    await expect.poll(selected).toBe(105 - done);
    if (105 - done === 0) return;
    const run = page.getByTestId('statusbar-run');
    const ended = Number(await run.getAttribute('data-ended'));
    await page.getByTestId('refit-samfire').click();
    await expect
      .poll(async () => Number(await run.getAttribute('data-ended')), { timeout: 30_000 })
      .toBe(ended + 1);
    // The local strategy (made active again) reaches them from their good neighbours.
    await page.getByTestId('select-unfitted').click();
    await expect.poll(selected).toBeLessThan(105 - done);
    console.log(
      `unfitted after the global strategy: ${105 - done}, after the refit: ${await selected()}`,
    );
  }, 60_000);

  it('selects pixels above a reduced chi-squared threshold, or a rectangle, and refits them', async () => {
    await page.getByTestId('refit-threshold').fill('0');
    await page.getByTestId('select-threshold').click();
    const count = page.getByTestId('selection-count');
    await expect.poll(() => count.textContent()).toMatch(/^\d{2,3} pixels selected/);
    await page.getByTestId('select-rect').click();
    const box = await stableBox(page, 'results-chart');
    const grid = heatmapGrid(box, [7, 15]);
    const cell = (r: number, c: number): [number, number] => [
      box.x + grid.left + (grid.width * (c + 0.5)) / 15,
      box.y + grid.top + (grid.height * (r + 0.5)) / 7,
    ];
    await page.mouse.move(...cell(1, 1));
    await page.mouse.down();
    await page.mouse.move(...cell(2, 2), { steps: 3 });
    await page.mouse.move(...cell(2, 3), { steps: 3 });
    await page.mouse.up();
    await expect.poll(() => count.textContent()).toBe('6 pixels selected');
    await page.getByTestId('select-rect').click();
    await screenshot(page, 'e2e-11b-selection');
    await page.getByTestId('refit-hand').click();
    await expect
      .poll(() => page.getByTestId('toast-success').allTextContents(), { timeout: 20_000 })
      .toContainEqual(expect.stringContaining('6 pixels refitted'));
    // The same pixels again, by a new SAMFire run seeded from their good neighbours.
    const run = page.getByTestId('statusbar-run');
    const ended = Number(await run.getAttribute('data-ended'));
    await page.getByTestId('refit-samfire').click();
    await expect.poll(() => count.textContent()).toBe('0 pixels selected');
    await expect
      .poll(async () => Number(await run.getAttribute('data-ended')), { timeout: 30_000 })
      .toBe(ended + 1);
    expect(await run.textContent()).toContain('finished');
  });

  it('saves the project, reopens it and finds the same maps', async () => {
    const before = await download(page, () => page.getByTestId('export-csv').click());
    csvBefore = new TextDecoder().decode(before.bytes);
    const saved = await download(page, () => page.getByTestId('save-project').click());
    expect(saved.name).toMatch(/\.hspy$/);
    projectFile = join(tmp, saved.name);
    writeFileSync(projectFile, saved.bytes);
    expect(readFileSync(projectFile).subarray(0, 8).toString('latin1')).toBe('\x89HDF\r\n\x1a\n');
    await expect.poll(() => page.getByTestId('status-bar').textContent()).toContain('saved');

    await page.getByTestId('file-input').setInputFiles(projectFile);
    await expect
      .poll(() => page.getByTestId('dataset-summary').textContent(), { timeout: 30_000 })
      .toContain(saved.name);
    await page.getByTestId('tab-results').click();
    await page.getByTestId('results-map-select').selectOption({ label: 'g.centre' });
    const csv = await download(page, () => page.getByTestId('export-csv').click());
    expect(new TextDecoder().decode(csv.bytes)).toBe(csvBefore);
    expect(await page.evaluate<boolean>(LEAVING)).toBe(false);
    await screenshot(page, 'e2e-12-reopened');
  });

  it('follows a dark OS theme', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByTestId('tab-samfire').click();
    await page.waitForTimeout(300);
    const bg = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    expect(bg).toBe('rgb(20, 22, 27)');
    await screenshot(page, 'e2e-13-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('asks before throwing unsaved results away: opening another file, leaving the page', async () => {
    // An edit makes the results unsaved again.
    await page.getByTestId('tab-seeds').click();
    await page.getByTestId('seed-fit-pixel').click();
    await expect.poll(() => page.getByTestId('status-bar').textContent()).toContain('unsaved');
    await page.getByTestId('open-example').click();
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Unsaved results');
    await screenshot(page, 'e2e-14-unsaved-open');
    await page.getByTestId('confirm-cancel').click();
    expect(await page.getByTestId('dataset-summary').textContent()).toContain('.hspy');
    // Leaving the page asks (the beforeunload handler cancels the unload while results are unsaved).
    expect(await page.evaluate<boolean>(LEAVING)).toBe(true);
  });
});
