/**
 * The engine's bookkeeping: defaults, marker initialisation from seeds,
 * optional components, next-pixel choice, strategy switching rules, and
 * storing results (no fitting here: results are made by hand).
 */
import { describe, expect, it } from 'vitest';
import { InProcessPool, Samfire, RedChisqTest, RedChisqStrategy } from '@samfire/core';
import { gridModel, result, storeFit } from './fixtures.js';

const E1 = Math.exp(-1);

describe('Samfire defaults', () => {
  it('has the documented defaults', () => {
    const s = new Samfire(gridModel([2, 2]), { cores: 4, setup: false });
    expect(s.workers).toBe(3);
    expect(s.updateEvery).toBe(10);
    expect(s.plotEvery).toBe(0);
    expect(s.saveEvery).toBe(0);
    expect(s.count).toBe(0);
    expect(s.optionalComponents).toEqual([]);
    expect(s.runningPixels).toEqual([]);
    expect(s.pool).toBeNull();
    expect(s.metadata.goodnessTest).toBeInstanceOf(RedChisqTest);
    expect(s.metadata.goodnessTest.tolerance).toBe(1);
    expect(Array.from(s.metadata.marker)).toEqual([0, 0, 0, 0]);
    expect(s.order).toBe('pick');
  });

  it('uses cores - 1 workers (at least 1) and updateEvery = max(10, 2 * workers)', () => {
    expect(new Samfire(gridModel([2]), { cores: 1, setup: false }).workers).toBe(1);
    expect(new Samfire(gridModel([2]), { workers: 0, setup: false }).workers).toBe(0);
    expect(new Samfire(gridModel([2]), { workers: 8, setup: false }).updateEvery).toBe(16);
    expect(() => new Samfire(gridModel([2]), { workers: -1 })).toThrow(
      /'workers' must be a whole number >= 0/,
    );
  });
});

describe('marker initialisation', () => {
  it('seeds the active strategy from stored fits that pass the goodness test', () => {
    const model = gridModel([3, 3]);
    storeFit(model, 0, 1); // good, weight 0
    storeFit(model, 8, 5); // stored but fails |5 - 1| < 1
    const s = new Samfire(model, { workers: 0, randomSeed: 1 });
    (s.strategies.at(0) as RedChisqStrategy).radii = 1;
    s.refreshDatabase();
    expect(Array.from(s.metadata.marker)).toEqual([-1, E1, 0, E1, 0, 0, 0, 0, 0]);
    expect(s.pixelsDone).toBe(1);
    expect(s.pixelsLeft).toBe(2);
  });

  it('stays at 0 without setup', () => {
    const model = gridModel([3]);
    storeFit(model, 0, 1);
    expect(Array.from(new Samfire(model, { setup: false }).metadata.marker)).toEqual([0, 0, 0]);
  });
});

describe('optional components', () => {
  it('are given by index or by name and stored as indices', () => {
    const s = new Samfire(gridModel([2]), { setup: false });
    s.optionalComponents = ['g'];
    expect(s.optionalComponents).toEqual([1]);
    s.optionalComponents = [1, 'o', 'g'];
    expect(s.optionalComponents).toEqual([0, 1]);
    expect(() => (s.optionalComponents = ['l9'])).toThrow(/no component named 'l9'/);
    expect(() => (s.optionalComponents = [5])).toThrow(
      /no component at index 5 \(the model has 2\)/,
    );
  });
});

describe('next pixels', () => {
  it('are those with the largest marker, marked running with marker 0', () => {
    const s = new Samfire(gridModel([6]), { setup: false, randomSeed: 3 });
    s.metadata.marker.set([0.2, 0.9, -1, 0.5, 0, 0.9]);
    const picks = s.generateValues(3);
    expect(picks.map((p) => p.pixel).sort()).toEqual([1, 3, 5]);
    expect(
      picks
        .slice(0, 2)
        .map((p) => p.pixel)
        .sort(),
    ).toEqual([1, 5]);
    expect(s.runningPixels.sort()).toEqual([1, 3, 5]);
    expect(Array.from(s.metadata.marker)).toEqual([0.2, 0, -1, 0, 0, 0]);
    expect(s.generateValues(5).map((p) => p.pixel)).toEqual([0]);
    expect(s.generateValues(5)).toEqual([]);
  });

  it('break ties with the seeded random generator, the same for the same seed', () => {
    const order = (seed: number): number[] => {
      const s = new Samfire(gridModel([20]), { setup: false, randomSeed: seed });
      s.metadata.marker.fill(1);
      return s.generateValues(20).map((p) => p.pixel);
    };
    expect(order(11)).toEqual(order(11));
    expect(order(11)).not.toEqual(order(12));
    expect([...order(11)].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("come with the active strategy's starting values", () => {
    const model = gridModel([1, 3]);
    storeFit(model, 0, 1, 4.5);
    const s = new Samfire(model, { workers: 0, randomSeed: 1 });
    const [pick] = s.generateValues(1);
    expect(pick!.pixel).toBe(1);
    expect(pick!.start.components[0]!.slots).toEqual([[4.5]]);
  });
});

describe('the public marker during a run', () => {
  it('counts candidates a listener writes into it before the strategy ends (issue 16, item 16)', async () => {
    // 1 x 7, radius 1, seed at 0; pixel 3 never passes, so 4-6 are reachable
    // only through the candidate written at 5 when pixel 2 is done.
    const model = gridModel([1, 7]);
    storeFit(model, 0, 1);
    const pool = new InProcessPool({
      createKernel: () => ({
        fit: (pixel: number) => result(pixel, [1, 2, 3, 4], { good: pixel !== 3 }),
      }),
    });
    const s = new Samfire(model, { workers: 0, randomSeed: 1, pool });
    s.remove(1);
    (s.strategies.at(0) as RedChisqStrategy).radii = 1;
    s.on('pixelDone', ({ pixel }) => {
      if (pixel === 2) s.metadata.marker[5] = 0.5;
    });
    await s.start();
    expect(Array.from(s.metadata.marker)).toEqual([-1, -1, -1, 0, -1, -1, -1]);
    expect(s.count).toBe(7); // 1, 2, 3, 5, 4 or 6, the other, and 3 again from 4
  });
});

describe('changeStrategy', () => {
  function engine(): Samfire {
    const model = gridModel([1, 5]);
    storeFit(model, 0, 1);
    const s = new Samfire(model, { workers: 0, randomSeed: 1, setup: false });
    (s.strategies.at(0) as RedChisqStrategy).radii = 1;
    s.append(new RedChisqStrategy({ name: 'second local', radii: 1 }));
    return s;
  }

  it('local to global: -1 becomes -2 and the others +1', () => {
    const s = engine();
    s.metadata.marker.set([-1, 0.3, -2, 0, -1]);
    s.changeStrategy(1);
    expect(Array.from(s.metadata.marker)).toEqual([-2, 1, -2, 1, -2]);
    expect(s.activeStrategy!.flavour).toBe('global');
  });

  it('global to local: refresh without overwrite (-2 stays ignored, -1 spreads)', () => {
    const s = engine();
    s.changeStrategy(1);
    s.metadata.marker.set([-2, 1, 1, -1, 1]);
    s.changeStrategy(0);
    expect(Array.from(s.metadata.marker)).toEqual([-2, 0, E1, -1, E1]);
  });

  it('local to local: refresh with overwrite (ignored pixels spread again)', () => {
    const s = engine();
    s.metadata.marker.set([-2, 0.3, 0, 0, 0]);
    s.changeStrategy(s.strategies.at(2));
    expect(Array.from(s.metadata.marker)).toEqual([-1, E1, 0, 0, 0]);
    expect(s.activeStrategy!.name).toBe('second local');
  });

  it('to the active strategy: refreshes its database from the stored fits', () => {
    const s = engine();
    s.metadata.marker.set([0, 0, 0, 7, 0]);
    s.changeStrategy(0);
    expect(Array.from(s.metadata.marker)).toEqual([-1, E1, 0, 0, 0]);
  });

  it('emits strategyChanged and refuses what is not in the list', () => {
    const s = engine();
    const seen: string[] = [];
    s.on('strategyChanged', (e) => seen.push(`${e.index} ${e.name} ${e.flavour}`));
    s.changeStrategy(1);
    expect(seen).toEqual(['1 Histogram global strategy global']);
    expect(() => s.changeStrategy(3)).toThrow('no strategy at index 3 (the list has 3)');
    expect(() => s.changeStrategy(-1)).toThrow('no strategy at index -1 (the list has 3)');
    expect(() => s.changeStrategy(new RedChisqStrategy({ name: 'x' }))).toThrow(
      "strategy 'x' is not in the strategy list",
    );
  });
});

describe('update', () => {
  it('stores a good result in the model and spreads from it', () => {
    const model = gridModel([1, 3]);
    const s = new Samfire(model, { workers: 0, setup: false, randomSeed: 1 });
    (s.strategies.at(0) as RedChisqStrategy).radii = 1;
    model.component('g').activeIsMultidimensional = true;
    s.update([0, 1], result(1, [2, 30, 4, 5], { active: Uint8Array.of(1, 0), redChisq: 1 }));
    expect(model.parameter('o.offset').map.values[1]).toBe(2);
    expect(model.parameter('g.sigma').map.values[1]).toBe(5);
    expect(model.parameter('g.centre').map.std[1]).toBeCloseTo(0.04, 15);
    expect(model.parameter('g.A').map.isSet[1]).toBe(1);
    expect(model.component('g').activeMap![1]).toBe(0);
    expect([model.chisq[1], model.dof[1], model.redChisq[1]]).toEqual([4.4, 4, 1]);
    expect(s.count).toBe(1);
    expect(Array.from(s.metadata.marker)).toEqual([E1, -1, E1]);
  });

  it('does not store a result that is not good', () => {
    const model = gridModel([3]);
    const s = new Samfire(model, { workers: 0, setup: false });
    s.update(1, result(1, [2, 30, 4, 5], { good: false }));
    expect(model.parameter('o.offset').map.isSet[1]).toBe(0);
    expect(model.chisq[1]).toBeNaN();
    expect(s.count).toBe(1);
    expect(s.metadata.marker[1]).toBe(0);
  });

  it('tests the stored pixel when given no result', () => {
    const model = gridModel([3]);
    storeFit(model, 2, 1.2);
    const s = new Samfire(model, { workers: 0, setup: false });
    s.update(2);
    expect(s.metadata.marker[2]).toBe(-1);
    s.update(1);
    expect(s.metadata.marker[1]).toBe(0);
    s.update(0, null, true);
    expect(s.metadata.marker[0]).toBe(-1);
    expect(s.count).toBe(3);
  });

  it('names a result for the wrong pixel', () => {
    const s = new Samfire(gridModel([3]), { setup: false });
    expect(() => s.update(0, result(2, [1, 1, 1, 1]))).toThrow(
      'update: a result for pixel 2 given for pixel 0',
    );
  });
});

describe('plot, backup and log', () => {
  it('plots the active strategy every plotEvery results, or when asked', () => {
    const s = new Samfire(gridModel([3]), { workers: 0, setup: false });
    const plots: string[] = [];
    s.on('plot', (p) => plots.push(p.kind));
    expect(s.plot()!.kind).toBe('marker');
    s.plotEvery = 2;
    s.update(0, null, false);
    s.update(1, null, false);
    expect(plots).toEqual(['marker', 'marker']);
    expect(s.plot(true)).toBeDefined();
    s.changeStrategy(1);
    expect(s.plot()!.kind).toBe('histograms');
  });

  it('backs up through the injected writer every saveEvery results, or when asked', async () => {
    const written: string[] = [];
    const s = new Samfire(gridModel([3]), {
      workers: 0,
      setup: false,
      writer: (name, data) => {
        written.push(`${name}:${data.engine.count}`);
      },
    });
    expect(await s.backup(undefined, true)).toBeNull();
    const b = await s.backup('now.json');
    expect(b!.format).toBe('samfire-backup');
    s.saveEvery = 2;
    s.update(0, null, false);
    s.update(1, null, false);
    await s.backup('flush.json', false);
    expect(written).toEqual(['now.json:0', 'backup_grid.json:2', 'flush.json:2']);
  });

  it('logs only when asked to', () => {
    const quiet = new Samfire(gridModel([2]), { setup: false });
    quiet.log('x', 1);
    expect(quiet.logEntries).toEqual([]);
    const loud = new Samfire(gridModel([2]), { setup: false, log: true });
    loud.log('x', 1);
    expect(loud.logEntries).toEqual([['x', 1]]);
  });
});
