/**
 * The app state a project keeps (SAMFire settings and seeds, one JSON
 * string attribute on the model's group) is harmless to HyperSpy 1.7.3: it
 * restores the model as usual, keeps the string in the model's metadata, and
 * writes it back when it saves the signal, so a project round-tripped
 * through HyperSpy reopens here with its settings.
 *
 * Skipped, with a message, only when /usr/bin/python3 cannot import
 * hyperspy (CI installs python3-hyperspy, so it runs there).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createHost } from '@samfire/core/host';
import { nodeHostDeps } from '@samfire/core/node';
import { PYTHON, hyperspyAvailable, hyperspyMissing } from '../helpers/hyperspy-load.js';

const SCRIPT = fileURLToPath(new URL('./py/project_state.py', import.meta.url));
if (!hyperspyAvailable) console.warn(`test/interop/project-state skipped: ${hyperspyMissing}`);

const tmp = mkdtempSync(join(tmpdir(), 'samfire-interop-state-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Seen {
  components: string[];
  state: string;
  state_after_resave: string;
  components_after_resave: string[];
}

describe.skipIf(!hyperspyAvailable)('HyperSpy 1.7.3 and the project state', () => {
  it('restores the model, keeps the state string, and writes it back', async () => {
    const path = join(tmp, 'project.hspy');
    const resaved = join(tmp, 'resaved.hspy');
    const h = createHost(nodeHostDeps({ backupDir: null }));
    await h.file.openExample();
    await h.fit.updateSettings({ goodness: { kind: 'redChisq', tolerance: 30 }, randomSeed: 5 });
    await h.fit.fitPixel({ pixel: 4, seed: true });
    await h.file.saveProjectTo({ path });
    const { stdout } = await promisify(execFile)(PYTHON, [SCRIPT, path, 'samfire', resaved], {
      timeout: 120_000,
    });
    const seen = JSON.parse(stdout) as Seen;
    expect(seen.components).toEqual(['g', 'l1', 'l2']);
    expect(seen.components_after_resave).toEqual(['g', 'l1', 'l2']);
    expect(JSON.parse(seen.state)).toMatchObject({
      seeds: [4],
      settings: { goodness: { kind: 'redChisq', tolerance: 30 }, randomSeed: 5 },
    });
    expect(seen.state_after_resave).toBe(seen.state);

    // HyperSpy's own save reopens here with the settings and seeds.
    const r = await h.file.openPath({ path: resaved });
    expect(r.kind === 'opened' && r.dataset.settingsFrom).toBe('project');
    expect((await h.fit.settings()).goodness.tolerance).toBe(30);
    expect((await h.fit.status()).seeds).toEqual([4]);
    await h.close();
  }, 180_000);
});
