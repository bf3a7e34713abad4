/**
 * A run waits for each periodic backup to be written before it applies more
 * results, so a crash during a backup write loses at most `saveEvery`
 * results (found by test/reliability/kill-run.test.ts: with backups written
 * in the background, a kill lost up to twice that).
 */
import { describe, expect, it } from 'vitest';
import { domainExampleModel, makeDomainExample } from '@samfire/core';
import { Samfire } from '@samfire/core';
import type { RedChisqStrategy } from '@samfire/core';

describe('periodic backups', () => {
  it('hold back further results until each one is written', async () => {
    const { signal } = makeDomainExample({ rows: 6, cols: 6, channels: 128 });
    const model = domainExampleModel(signal);
    model.component('l2').activeIsMultidimensional = true;
    model.fit([0, 0], { bounded: true });
    const seen: { backedUp: number; countWhileWriting: number }[] = [];
    const samf: Samfire = new Samfire(model, {
      workers: 0,
      randomSeed: 2,
      writer: async (_name, data) => {
        // A slow disk: the run must not move on meanwhile.
        for (let i = 0; i < 3; i++) {
          await new Promise((r) => setTimeout(r, 10));
          seen.push({ backedUp: data.engine.count, countWhileWriting: samf.count });
        }
      },
    });
    samf.remove(1);
    (samf.strategies.at(0) as RedChisqStrategy).radii = 1;
    samf.optionalComponents = ['l2'];
    samf.saveEvery = 5;
    await samf.start({ bounded: true });
    await samf.close();
    expect(samf.count).toBeGreaterThan(20);
    expect(seen.length).toBeGreaterThanOrEqual(3 * Math.floor(samf.count / 5));
    for (const s of seen) expect(s.countWhileWriting).toBe(s.backedUp);
  });
});
