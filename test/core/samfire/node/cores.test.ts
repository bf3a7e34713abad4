/**
 * The default number of workers (cores - 1, at least 1) in Node: Node 20 has
 * no navigator, so before issue 16 (item 20) `new Samfire(model)` got 1 worker
 * whatever the machine. The Node layers now register os.availableParallelism()
 * (mocked here as an 8-core machine; navigator removed as on Node 20).
 */
import type * as os from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('node:os', async (original) => ({
  ...(await original<typeof os>()),
  availableParallelism: () => 8,
}));

import { NodeWorkerPool } from '@samfire/core/node';
import { Samfire } from '@samfire/core';
import { setCoreCount } from '@samfire/core';
import { nodeCores } from '../../../../core/src/samfire/node/cores.js';
import { gridModel } from '../fixtures.js';

afterEach(() => {
  vi.unstubAllGlobals();
  setCoreCount(nodeCores);
});

describe('default workers in Node', () => {
  it('come from os.availableParallelism() once a Node module of SAMFire is loaded, without navigator', () => {
    vi.stubGlobal('navigator', undefined);
    expect(NodeWorkerPool).toBeDefined(); // the pool layer registered the count
    const s = new Samfire(gridModel([2]), { setup: false });
    expect(s.workers).toBe(7);
    expect(s.updateEvery).toBe(14);
    // An explicit core count or worker count still wins.
    expect(new Samfire(gridModel([2]), { setup: false, cores: 3 }).workers).toBe(2);
    expect(new Samfire(gridModel([2]), { setup: false, workers: 0 }).workers).toBe(0);
  });

  it('fall back to navigator.hardwareConcurrency, then to 1, where nothing is registered', () => {
    setCoreCount(null);
    vi.stubGlobal('navigator', { hardwareConcurrency: 6 });
    expect(new Samfire(gridModel([2]), { setup: false }).workers).toBe(5);
    vi.stubGlobal('navigator', undefined);
    expect(new Samfire(gridModel([2]), { setup: false }).workers).toBe(1);
    // A provider that cannot tell (0, NaN) does not make 0 workers.
    setCoreCount(() => 0);
    expect(new Samfire(gridModel([2]), { setup: false }).workers).toBe(1);
  });
});
