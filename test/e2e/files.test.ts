/**
 * Opening files in browser mode: a file passed on the command line opens on
 * start and is in the recent list (a real 50×50 EDS map); a Ripple pair
 * dropped on the window; a file with two signals asks which one to open; a
 * noise variance loaded from a file in the Noise tab (and a bad one refused).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDomainExample, writeNpy, toFloat64 } from '@samfire/core';
import type { H5Group } from '../../core/src/io/node/hspy-hdf5.js';
import { encodeHdf5 } from '../../core/src/io/node/hspy-hdf5.js';
import { hspyTree } from '../../core/src/io/node/hspy-write.js';
import { SHARED } from '../helpers/reference.js';
import { type E2eApp, hasChromium, screenshot, startApp } from './helpers.js';

const DATA = join(SHARED, 'data');
const EDS = join(DATA, 'real/eds-agcu-50x50-hyperspy.hspy');

/** A HyperSpy file holding two small signals. */
function twoSignalFile(path: string): void {
  const a = makeDomainExample({ rows: 3, cols: 4, channels: 50 }).signal;
  const b = makeDomainExample({ rows: 2, cols: 5, channels: 40 }).signal;
  a.title = 'first map';
  b.title = 'second map';
  const tree = hspyTree(a);
  const into = tree.children.get('Experiments') as H5Group;
  for (const [name, node] of (hspyTree(b).children.get('Experiments') as H5Group).children)
    into.children.set(name, node);
  writeFileSync(path, Buffer.concat(encodeHdf5(tree)));
}

/** Drops files on the page as a user would (a DataTransfer carrying them). */
async function dropFiles(page: Page, paths: string[]): Promise<void> {
  const files = paths.map((p) => ({
    name: p.split('/').pop()!,
    b64: readFileSync(p).toString('base64'),
  }));
  const transfer = await page.evaluateHandle(`(() => {
    const dt = new DataTransfer();
    for (const f of ${JSON.stringify(files)}) {
      const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], f.name));
    }
    return dt;
  })()`);
  await page.dispatchEvent('body', 'drop', { dataTransfer: transfer });
}

describe.skipIf(!hasChromium)('opening files in browser mode', () => {
  let app: E2eApp;
  let page: Page;
  let problems: string[];
  const tmp = mkdtempSync(join(tmpdir(), 'samfire-e2e-files-'));

  beforeAll(async () => {
    app = await startApp({ files: [EDS] });
    ({ page, problems } = app);
  }, 120_000);

  afterAll(() => app?.close());

  it('shows a file given on the command line, a real 50×50 EDS map, and lists it as recent', async () => {
    await page.goto(app.server.url);
    const meta = page.getByTestId('dataset-summary');
    await expect.poll(() => meta.textContent(), { timeout: 20_000 }).toContain('50×50 × 2048');
    await page.getByTestId('navigator-chart').locator('canvas').first().waitFor();
    await page.getByTestId('spectrum-chart').locator('canvas').first().waitFor();
    await page.waitForTimeout(300);
    await screenshot(page, 'e2e-files-01-eds');
    await page.getByTestId('recent-menu').click();
    expect(await page.getByRole('button', { name: 'eds-agcu-50x50-hyperspy.hspy' }).count()).toBe(
      1,
    );
    await page.getByTestId('recent-menu').click();
  });

  it('opens a Ripple pair dropped on the window', async () => {
    const base = join(DATA, 'io/ripple/test_ripple_sdim-1_ndim-2_float32');
    await dropFiles(page, [`${base}.rpl`, `${base}.raw`]);
    const meta = page.getByTestId('dataset-summary');
    await expect.poll(() => meta.textContent(), { timeout: 10_000 }).toContain('float32');
    expect(await meta.textContent()).toContain('.rpl');
  });

  it('asks which signal to open when a file holds several', async () => {
    const path = join(tmp, 'two-signals.hspy');
    twoSignalFile(path);
    await page.getByTestId('file-input').setInputFiles(path);
    const chooser = page.getByTestId('signal-chooser');
    await chooser.waitFor();
    expect(await chooser.textContent()).toContain('second map');
    await screenshot(page, 'e2e-files-02-choose-signal');
    await page.getByTestId('signal-1').click();
    const meta = page.getByTestId('dataset-summary');
    await expect.poll(() => meta.textContent(), { timeout: 10_000 }).toContain('second map');
    expect(await meta.textContent()).toContain('2 of 2');
    expect(await meta.textContent()).toContain('2×5 × 40');
    expect(problems).toEqual([]);
  });

  it('stays usable in the smallest window the desktop app allows (800×560)', async () => {
    await page.setViewportSize({ width: 800, height: 560 });
    await page.getByTestId('spectrum-chart').locator('canvas').first().waitFor();
    await page.waitForTimeout(400);
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'e2e-files-03-small-window');
  });
  it('loads a noise variance from a file in the Noise tab, and refuses a bad one', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByTestId('open-example').click();
    const meta = page.getByTestId('dataset-summary');
    await expect.poll(() => meta.textContent(), { timeout: 10_000 }).toContain('7×15 × 400');
    await page.getByTestId('tab-noise').click();
    const inUse = page.getByTestId('variance-in-use');
    expect(await inUse.textContent()).toContain('Poisson estimate');

    // The example's counts (at least 1) as its variance, in the data's shape.
    const counts = toFloat64(makeDomainExample().signal.data).map((c) => Math.max(c, 1));
    const good = join(tmp, 'noise.npy');
    writeFileSync(good, writeNpy(counts, [7, 15, 400]));
    await page.getByTestId('variance-file-input').setInputFiles(good);
    await expect
      .poll(() => inUse.textContent(), { timeout: 10_000 })
      .toContain('Variance loaded from noise.npy (one value per data point)');
    await page.getByTestId('toast-success').filter({ hasText: 'noise.npy' }).waitFor();
    await screenshot(page, 'e2e-files-04-variance-loaded');

    // A variance of the wrong shape: an error naming the file and both shapes; the old one stays.
    const bad = join(tmp, 'wrong-shape.npy');
    writeFileSync(bad, writeNpy(new Float64Array(3 * 400).fill(1), [3, 400]));
    await page.getByTestId('variance-file-input').setInputFiles(bad);
    const error = page.getByTestId('toast-error');
    await error.waitFor();
    const text = (await error.textContent()) ?? '';
    expect(text).toContain('Could not load the variance from wrong-shape.npy');
    expect(text).toContain('wrong-shape.npy: a variance of shape 3×400 does not fit the data');
    expect(text).toContain("the data's shape 7×15×400, or one spectrum of 400 channels");
    expect(await inUse.textContent()).toContain('Variance loaded from noise.npy');
    await screenshot(page, 'e2e-files-05-variance-refused');
    expect(await page.getByTestId('load-variance').isEnabled()).toBe(true);
    expect(problems).toEqual([]);
  });
});
