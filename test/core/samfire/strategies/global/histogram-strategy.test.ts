/** The histogram (global) strategy: marker refresh, database, starting values and plot. */
import { describe, expect, it } from 'vitest';
import { HistogramStrategy } from '@samfire/core';
import { gridModel, storeFit, testHost } from '../../fixtures.js';

describe('histogram strategy', () => {
  it('ships with fd bins', () => {
    const s = new HistogramStrategy();
    expect(s.bins).toBe('fd');
    expect(s.flavour).toBe('global');
    expect(s.name).toBe('Histogram global strategy');
  });

  it('refreshes: fitted pixels -1 (given ones with overwrite), every other pixel +1', () => {
    const model = gridModel([5]);
    const s = new HistogramStrategy();
    const host = testHost(model, [s]);
    host.marker.set([-2, -1, 0, 3, 0.5]);
    s.refresh(false);
    expect(Array.from(host.marker)).toEqual([-2, -1, 1, 1, 1]);
    s.refresh(true);
    expect(Array.from(host.marker)).toEqual([-1, -1, 1, 1, 1]);
    host.running.add(4);
    s.refresh(true, Uint8Array.of(0, 0, 1, 0, 0));
    expect(Array.from(host.marker)).toEqual([1, 1, -1, 1, 0]);
  });

  it('starts pixels from the most frequent fitted values where each component is on', () => {
    const model = gridModel([10]);
    const s = new HistogramStrategy();
    const host = testHost(model, [s]);
    const offsets = [1, 1, 1.1, 1.05, 5, 5.02, 1.02, 0.98, 9, 9];
    for (let p = 0; p < 8; p++) {
      storeFit(model, p, 1, offsets[p]!);
      host.marker[p] = -1;
    }
    model.parameter('g.sigma').free = false;
    model.parameter('g.sigma').value = 2.5;
    const g = model.component('g');
    g.activeIsMultidimensional = true;
    g.activeMap!.fill(0);
    s.refresh(false);
    expect(Array.from(host.marker.subarray(8))).toEqual([1, 1]);
    const start = s.values(9);
    const modes = start.components[0]!.slots[0]!;
    expect(modes.length).toBeGreaterThanOrEqual(2);
    expect(modes[0]).toBeGreaterThan(0.9);
    expect(modes[0]).toBeLessThan(1.6);
    expect(modes[modes.length - 1]).toBeGreaterThan(4);
    expect(start.components[1]).toBeNull(); // g is on at no fitted pixel
    s.maxModes = 1;
    expect(s.values(9).components[0]!.slots[0]).toHaveLength(1);
  });

  it('rebuilds its database every updateEvery results', () => {
    const model = gridModel([12]);
    const s = new HistogramStrategy();
    const host = testHost(model, [s]);
    storeFit(model, 0, 1, 3);
    host.marker[0] = -1;
    s.refresh(false);
    // One value: 10 bins over [2.5, 3.5]; the value falls in the bin centred on 3.05.
    expect(s.values(5).components[0]!.slots[0]).toEqual([expect.closeTo(3.05, 12)]);
    host.updateEvery = 2;
    storeFit(model, 1, 1, 7);
    host.count = 1;
    s.update(1, true);
    expect(host.marker[1]).toBe(-1);
    expect(s.values(5).components[0]!.slots[0]).toEqual([expect.closeTo(3.05, 12)]); // not rebuilt yet
    storeFit(model, 2, 1, 7);
    host.count = 2;
    s.update(2, true);
    // Values 3, 7, 7: 10 bins over [3, 7]; the last bin (centre 6.8) is the most frequent.
    expect(s.values(5).components[0]!.slots[0]).toEqual([
      expect.closeTo(6.8, 12),
      expect.closeTo(3.2, 12),
    ]);
    host.count = 3;
    s.update(3, false);
    expect(host.marker[3]).toBe(0);
  });

  it('plots one histogram per free parameter of the fitted pixels', () => {
    const model = gridModel([4]);
    const s = new HistogramStrategy();
    const host = testHost(model, [s]);
    for (let p = 0; p < 3; p++) {
      storeFit(model, p, 1, p);
      host.marker[p] = -1;
    }
    s.refresh(false);
    const plot = s.plotData();
    expect(plot.kind).toBe('histograms');
    expect(plot.histograms.map((h) => h.parameter)).toEqual([
      'o.offset',
      'g.A',
      'g.centre',
      'g.sigma',
    ]);
    expect(plot.histograms[0]!.counts.reduce((a, b) => a + b)).toBe(3);
    s.clean();
    expect(s.plotData().histograms).toEqual([]);
  });
});
