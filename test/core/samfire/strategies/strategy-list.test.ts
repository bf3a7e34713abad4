/** The strategy list owns its strategies: append, extend, remove, listing. */
import { describe, expect, it } from 'vitest';
import { Samfire, HistogramStrategy, RedChisqStrategy } from '@samfire/core';
import { gridModel } from '../fixtures.js';

function engine(): Samfire {
  return new Samfire(gridModel([3, 3]), { workers: 0, setup: false, randomSeed: 1 });
}

describe('strategy list', () => {
  it('starts as [reduced chi-squared strategy, histogram strategy] with the first active', () => {
    const s = engine();
    expect(s.strategies.length).toBe(2);
    expect(s.strategies.at(0)).toBeInstanceOf(RedChisqStrategy);
    expect(s.strategies.at(1)).toBeInstanceOf(HistogramStrategy);
    expect(s.activeStrategy).toBe(s.strategies.at(0));
    for (const strategy of s.strategies) expect(strategy.samfire).not.toBeNull();
  });

  it('appends and extends; the strategies then belong to the engine', () => {
    const s = engine();
    const a = new RedChisqStrategy({ name: 'a' });
    const b = new HistogramStrategy({ name: 'b' });
    const c = new RedChisqStrategy({ name: 'c' });
    expect(a.samfire).toBeNull();
    s.append(a);
    s.extend([b, c]);
    expect(s.strategies.length).toBe(5);
    expect([a, b, c].every((x) => x.samfire !== null)).toBe(true);
    expect(() => s.append(a)).toThrow(/strategy 'a' is already in the list/);
    expect(() => engine().append(b)).toThrow(
      /strategy 'b' already belongs to another SAMFire; remove it there first/,
    );
  });

  it('removes by index or by strategy; a removed strategy belongs to no engine', () => {
    const s = engine();
    const histogram = s.strategies.at(1);
    expect(s.remove(1)).toBe(histogram);
    expect(histogram.samfire).toBeNull();
    expect(s.strategies.length).toBe(1);
    const extra = new HistogramStrategy();
    s.append(extra);
    expect(s.remove(extra)).toBe(extra);
    expect(extra.samfire).toBeNull();
    engine().append(extra); // free to join another engine now
    expect(() => s.remove(3)).toThrow('no strategy at index 3 (the list has 1)');
    expect(() => s.remove(new RedChisqStrategy({ name: 'stranger' }))).toThrow(
      "strategy 'stranger' is not in the strategy list",
    );
  });

  it('keeps the active strategy when an earlier one is removed', () => {
    const s = engine();
    s.append(new RedChisqStrategy({ name: 'third' }));
    s.changeStrategy(2);
    s.remove(0);
    expect(s.activeStrategy!.name).toBe('third');
    expect(s.strategies.activeIndex).toBe(1);
  });

  it('lists the strategies and marks the active one with an x', () => {
    const s = engine();
    expect(s.strategies.listing()).toBe(
      [
        'A | # | Strategy',
        '--|---|---------',
        'x | 0 | Reduced chi squared strategy',
        '  | 1 | Histogram global strategy',
      ].join('\n'),
    );
    s.changeStrategy(1);
    expect(String(s.strategies).split('\n')[3]).toBe('x | 1 | Histogram global strategy');
  });
});
