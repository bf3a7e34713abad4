/**
 * The fit service after the goodness test changed (issue 16, item 3): Start
 * re-tests the fits against the current test, refits what fails, and the
 * run's events and summary say how many were re-tested and how many failed;
 * a Start that fits nothing says why; a test no stored fit passes is refused
 * naming the seed that fails it. On the built-in example (the domain case).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '@samfire/core/api';
import { createHost, type Host } from '@samfire/core/host';
import { nodeHostDeps } from '@samfire/core/node';

let host: Host | null = null;

afterEach(async () => {
  await host?.close();
  host = null;
});

/** Starts a run and resolves with the events up to its end. */
async function runToEnd(h: Host): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  const done = new Promise<void>((ok) => {
    const off = h.fit.onRunEvent((e) => {
      events.push(e);
      if (e.kind === 'finished' || e.kind === 'stopped' || e.kind === 'failed') {
        off();
        ok();
      }
    });
  });
  await h.fit.start();
  await done;
  return events;
}

describe('Start after the goodness test changed', () => {
  it('re-tests every fit, refits the failures, and reports both', async () => {
    host = createHost(nodeHostDeps({ backupDir: null }));
    const h = host;
    await h.file.openExample();
    await h.fit.updateSettings({
      workers: 0,
      strategies: [{ kind: 'redChisq', name: 'local', settings: { radii: 1 } }],
      activeStrategy: 0,
      randomSeed: 7,
      goodness: { kind: 'redChisq', tolerance: 1 },
    });
    const seed = await h.fit.fitPixel({ pixel: 0, seed: true });
    expect(seed.good).toBe(true);
    const first = await runToEnd(h);
    expect(first.at(-1)!.kind).toBe('finished');
    const doneBefore = (await h.fit.status()).pixelsDone;
    expect(doneBefore).toBeGreaterThanOrEqual(103);
    const redBefore = Array.from((await h.dataset.image({ kind: 'redChisq' })).values);
    const failing = redBefore.filter((r, p) => p !== 0 && Math.abs(r - 1) >= 0.08).length;
    expect(failing).toBeGreaterThan(10);

    // Unchanged settings: nothing to do, and the summary says why.
    const again = await runToEnd(h);
    expect(again.at(-1)!.message).toContain('nothing was refitted');

    await h.fit.updateSettings({ goodness: { kind: 'redChisq', tolerance: 0.08 } });
    const events = await runToEnd(h);
    const retested = events.find((e) => e.kind === 'retested');
    expect(retested).toBeDefined();
    expect(retested!.message).toMatch(
      new RegExp(
        `^the goodness test changed to \\|χ²ᵣ − 1\\| < 0\\.08 \\(was \\|χ²ᵣ − 1\\| < 1\\): re-tested ${doneBefore} fitted pixels, \\d+ fail it and are fitted again`,
      ),
    );
    const failed = Number(/, (\d+) fail it/.exec(retested!.message)![1]);
    // The seed's own fit is one of the failures or not; every other failure is a SAMFire result.
    expect(failed - (Math.abs(seed.redChisq - 1) >= 0.08 ? 1 : 0)).toBe(failing);
    const end = events.at(-1)!;
    expect(end.kind).toBe('finished');
    expect(end.message).toMatch(
      new RegExp(
        `re-tested ${doneBefore} fits against \\|χ²ᵣ − 1\\| < 0\\.08: ${failed} failed, \\d+ of them pass after refitting`,
      ),
    );
    expect(end.message).not.toContain('nothing was refitted');

    // What the maps show now passes the current test (the hand-fitted seed excepted), NaN elsewhere.
    const red = Array.from((await h.dataset.image({ kind: 'redChisq' })).values);
    const centre = Array.from(
      (await h.dataset.image({ kind: 'parameter', parameter: 'g.centre' })).values,
    );
    red.forEach((r, p) => {
      if (p === 0) return;
      if (Number.isFinite(r)) expect(Math.abs(r - 1), `pixel ${p}`).toBeLessThan(0.08);
      else expect(centre[p], `pixel ${p}`).toBeNaN();
    });
    const status = await h.fit.status();
    const passing = red.filter((r) => Math.abs(r - 1) < 0.08).length;
    expect(status.pixelsDone).toBe(passing);
    expect(end.message).toContain(`${passing} of 105 pixels fitted`);
  });

  it('refuses a test that no stored fit passes, naming the seed that fails it', async () => {
    host = createHost(nodeHostDeps({ backupDir: null }));
    const h = host;
    await h.file.openExample();
    await h.fit.updateSettings({ workers: 0, randomSeed: 7 });
    const seed = await h.fit.fitPixel({ pixel: 0, seed: true });
    expect(seed.good).toBe(true);
    await h.fit.updateSettings({ goodness: { kind: 'redChisq', tolerance: 1e-9 } });
    await expect(h.fit.start()).rejects.toThrow(
      `no seed: no stored fit passes the goodness test |χ²ᵣ − 1| < 1e-9 (seed (0, 0) χ²ᵣ = ${seed.redChisq.toPrecision(4)}); fit at least one pixel by hand (Fit pixel) so that it passes, or loosen the test, then start (nothing was refitted)`,
    );
    expect((await h.fit.status()).state).toBe('idle');
  });
});
