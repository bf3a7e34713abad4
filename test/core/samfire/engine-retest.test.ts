/**
 * start() after the goodness test changed (issue 16, item 3): the pixels
 * marked done are tested again with the current test; this engine's results
 * that fail it are cleared and fitted again, fits stored by hand are kept but
 * no longer seed the run, and nothing changes when no stored fit passes.
 *
 * HyperSpy 1.7.3 does not re-test: after the tolerance went from 1 to 0.05
 * its start() returned at once with all 105 pixels of the domain reference
 * "done" although 57 fail the new test (test/interop/py/samfire_semantics.py
 * --start); only refresh_database() re-tests there (48 pass).
 */
import { describe, expect, it } from 'vitest';
import { InProcessPool } from '@samfire/core';
import type { WorkerInit } from '@samfire/core';
import type { SamfireBackup } from '@samfire/core';
import { Samfire } from '@samfire/core';
import type { SamfireOptions } from '@samfire/core';
import { RedChisqTest } from '@samfire/core';
import type { RetestEvent } from '@samfire/core';
import type { RedChisqStrategy } from '@samfire/core';
import { gridModel, result, storeFit } from './fixtures.js';

/**
 * A stand-in kernel: pixel p's first fit has reduced chi-squared FIRST[p],
 * every later one AGAIN[p]; good when it passes the run's test.
 */
const FIRST = [NaN, 1.5, 1.02, 1.6, 1.01, 1.3];
const AGAIN = [NaN, 1.05, 1.02, 1.4, 1.01, 1.08];

function pool(fits: number[]): InProcessPool {
  return new InProcessPool({
    createKernel: (init: WorkerInit) => ({
      fit: (pixel: number) => {
        const rc = (fits[pixel]! > 0 ? AGAIN : FIRST)[pixel]!;
        fits[pixel]!++;
        return result(pixel, [pixel, 2, 3, 4], {
          redChisq: rc,
          chisq: rc * 4,
          good: Math.abs(rc - 1) < init.goodness.tolerance,
        });
      },
    }),
  });
}

/** 1 x 6, radius 1, local strategy only, a hand-fitted seed at 0 (reduced chi-squared `seed`). */
function engine(seed = 1, options: SamfireOptions = {}) {
  const model = gridModel([1, 6]);
  storeFit(model, 0, seed, 7);
  const fits = [0, 0, 0, 0, 0, 0];
  const s = new Samfire(model, { workers: 0, randomSeed: 1, pool: pool(fits), ...options });
  s.remove(1);
  (s.strategies.at(0) as RedChisqStrategy).radii = 1;
  const retests: RetestEvent[] = [];
  s.on('retested', (e) => retests.push(e));
  return { model, s, fits, retests };
}

describe('start() after the goodness test changed', () => {
  it('re-tests every pixel done, clears and refits the results that fail, and reports it', async () => {
    const { model, s, fits, retests } = engine();
    await s.start();
    expect(s.pixelsDone).toBe(6);
    expect(retests).toEqual([]);
    // Unchanged test: nothing to do, nothing refitted.
    await s.start();
    expect(s.count).toBe(5);

    s.metadata.goodnessTest.tolerance = 0.1;
    await s.start();
    expect(retests).toEqual([
      {
        test: { kind: 'redChisq', tolerance: 0.1 },
        previous: { kind: 'redChisq', tolerance: 1 },
        tested: 6,
        failed: [1, 3, 5],
        statistics: [1.5, 1.6, 1.3],
        cleared: 3,
      },
    ]);
    // 1 and 5 pass when fitted again; 3 does not and is left unfitted (NaN, unset).
    expect(fits).toEqual([0, 2, 1, 2, 1, 2]);
    expect(Array.from(s.metadata.marker)).toEqual([-1, -1, -1, 0, -1, -1]);
    expect(Array.from(model.redChisq)).toEqual([1, 1.05, 1.02, NaN, 1.01, 1.08]);
    expect(model.chisq[3]).toBeNaN();
    expect(model.dof[3]).toBeNaN();
    expect(model.parameter('o.offset').map.isSet[3]).toBe(0);
    expect(model.parameter('g.sigma').map.isSet[3]).toBe(0);
    expect(model.parameter('o.offset').map.values[1]).toBe(1);
    // Judged by the new test now: starting again re-tests nothing.
    await s.start();
    expect(retests).toHaveLength(1);
  });

  it('keeps a fit stored by hand that fails, but it no longer seeds the run', async () => {
    const { model, s, retests } = engine(1.2);
    await s.start();
    expect(s.pixelsDone).toBe(6);
    s.metadata.goodnessTest = new RedChisqTest(0.1);
    await s.start();
    expect(retests[0]).toMatchObject({ tested: 6, failed: [0, 1, 3, 5], cleared: 3 });
    expect(retests[0]!.statistics[0]).toBeCloseTo(1.2, 12);
    expect(model.redChisq[0]).toBe(1.2); // the hand fit is kept
    expect(model.parameter('o.offset').map.isSet[0]).toBe(1);
    // 1 is fitted again and passes; 0 is tried again from 1 and fails (this
    // kernel gives NaN there): not done, and the hand fit is still there.
    expect(s.metadata.marker[1]).toBe(-1);
    expect(s.metadata.marker[0]).toBe(0);
    expect(model.redChisq[0]).toBe(1.2);
  });

  it('refuses to start when no stored fit passes the new test, and changes nothing', async () => {
    const { model, s, retests } = engine(1.001);
    await s.start();
    const marker = Array.from(s.metadata.marker);
    const red = Array.from(model.redChisq);
    s.metadata.goodnessTest.tolerance = 1e-9;
    const errors: string[] = [];
    s.on('error', (e) => errors.push(e.message));
    await expect(s.start()).rejects.toThrow(
      'the goodness test changed (redChisq, tolerance 1 -> redChisq, tolerance 1e-9) and no stored fit passes it: there is nothing to start from; fit a seed that passes it or loosen the test (nothing was changed)',
    );
    expect(errors).toHaveLength(1);
    expect(retests).toEqual([]);
    expect(Array.from(s.metadata.marker)).toEqual(marker);
    expect(Array.from(model.redChisq)).toEqual(red);
  });

  it('re-tests in refreshDatabase too, so a later start does not miss the change', async () => {
    const { model, s, retests } = engine();
    await s.start();
    s.metadata.goodnessTest.tolerance = 0.1;
    s.refreshDatabase();
    expect(retests[0]).toMatchObject({ tested: 6, failed: [1, 3, 5], cleared: 3 });
    expect(model.chisq[1]).toBeNaN();
    expect(s.pixelsLeft).toBe(3);
    await s.start();
    expect(retests).toHaveLength(1);
    expect(Array.from(s.metadata.marker)).toEqual([-1, -1, -1, 0, -1, -1]);
  });

  it('carries the accepted results through a backup and over to a new engine', async () => {
    const { model, s } = engine();
    await s.start();
    const backup = JSON.parse(JSON.stringify(await s.backup())) as SamfireBackup;
    expect(backup.engine.accepted).toEqual([0, 1, 1, 1, 1, 1]);
    expect(backup.engine.judgedBy).toEqual({ kind: 'redChisq', tolerance: 1 });

    const restored = Samfire.restore(model, backup, { pool: pool([1, 1, 1, 1, 1, 1]) });
    restored.metadata.goodnessTest.tolerance = 0.1;
    const seen: RetestEvent[] = [];
    restored.on('retested', (e) => seen.push(e));
    await restored.start();
    expect(seen[0]).toMatchObject({ failed: [1, 3, 5], cleared: 3 });

    // A new engine (other strategies, say) told what the old one accepted.
    const { model: m2, s: first } = engine();
    await first.start();
    const next = new Samfire(m2, {
      workers: 0,
      setup: false,
      pool: pool([1, 1, 1, 1, 1, 1]),
      accepted: first.accepted!,
    });
    next.remove(1);
    next.metadata.goodnessTest.tolerance = 0.1;
    const nextSeen: RetestEvent[] = [];
    next.on('retested', (e) => nextSeen.push(e));
    await next.start();
    // Its marker was never judged (setup: false), but the results it carries
    // on are re-tested: the failing ones are cleared and fitted again.
    expect(nextSeen[0]).toMatchObject({ tested: 5, failed: [1, 3, 5], cleared: 3 });
    expect(Array.from(next.metadata.marker)).toEqual([-1, -1, -1, 0, -1, -1]);
    expect(m2.chisq[3]).toBeNaN();
    expect(m2.redChisq[5]).toBe(1.08);
  });
});
