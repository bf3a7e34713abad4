/**
 * The reduced chi-squared (local) strategy: priority spread from good
 * pixels, weighted-mean starting values, and refresh with and without
 * overwrite.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RedChisqStrategy } from '@samfire/core';
import { gridModel, storeFit, testHost } from '../../fixtures.js';

const E1 = Math.exp(-1);

describe('reduced chi-squared strategy', () => {
  it('ships with radius 3, exponential decay and the reduced chi-squared weight', () => {
    const s = new RedChisqStrategy();
    expect(s.radii).toBe(3);
    expect(s.flavour).toBe('local');
    expect(s.decay(2)).toBeCloseTo(Math.exp(-2), 15);
    expect(s.weight.kind).toBe('redChisq');
    expect(s.name).toBe('Reduced chi squared strategy');
  });

  it('spreads decay(weight) * decay(distance) onto unfitted neighbours when a pixel becomes good', () => {
    const model = gridModel([5, 5]);
    const s = new RedChisqStrategy({ radii: 1 });
    const host = testHost(model, [s]);
    storeFit(model, 12, 1.5); // weight 0.5
    host.marker[7] = 0.25;
    host.marker[11] = -2;
    host.running.add(17);
    s.update(12, true);
    expect(host.marker[12]).toBe(-1);
    expect(host.marker[7]).toBeCloseTo(0.25 + Math.exp(-0.5) * E1, 15);
    expect(host.marker[13]).toBeCloseTo(Math.exp(-0.5) * E1, 15);
    expect(host.marker[11]).toBe(-2); // fitted pixels are not candidates
    expect(host.marker[17]).toBe(0); // being fitted: stays 0
    expect(host.marker[6]).toBe(0); // diagonal: outside radius 1
  });

  it('leaves a pixel whose fit failed at 0', () => {
    const model = gridModel([3]);
    const s = new RedChisqStrategy({ radii: 1 });
    const host = testHost(model, [s]);
    host.marker[1] = 0.7;
    s.update(1, false);
    expect(Array.from(host.marker)).toEqual([0, 0, 0]);
  });

  it('starts a pixel from the weighted mean over good neighbours where each component is on', () => {
    const model = gridModel([3, 3]);
    const s = new RedChisqStrategy({ radii: 1 });
    const host = testHost(model, [s]);
    // Neighbours of the centre (4): 3 (weight 0, value 10) and 1 (weight 1, value 20).
    storeFit(model, 3, 1, 10);
    storeFit(model, 1, 2, 20);
    storeFit(model, 5, 1, 99);
    host.marker[3] = -1;
    host.marker[1] = -1;
    host.marker[5] = -2; // ignored: not a source of starting values
    const g = model.component('g');
    g.activeIsMultidimensional = true;
    g.activeMap!.set([0, 0, 0, 1, 0, 0, 0, 0, 0]);
    model.parameter('g.centre').map.values.set([0, 5, 0, 7, 0, 0, 0, 0, 0]);
    model.parameter('g.sigma').free = false;
    model.parameter('g.sigma').map.values[4] = 3;
    model.parameter('g.sigma').map.isSet[4] = 1;
    const start = s.values(4);
    const w3 = E1;
    const w1 = E1 * E1;
    expect(start.components[0]!.slots[0]![0]).toBeCloseTo((10 * w3 + 20 * w1) / (w3 + w1), 12);
    // g is on only at pixel 3: its values come from there alone; sigma is fixed: its own value.
    expect(start.components[1]!.slots[1]).toEqual([7]);
    expect(start.components[1]!.slots[2]).toEqual([3]);
    // No good neighbour of pixel 8 (corner): every component is left out.
    expect(s.values(8).components).toEqual([null, null]);
  });

  it('starts only from active components: one off everywhere is left out (issue 16, item 19)', () => {
    // HyperSpy 1.7.3 leaves l1 out of values() once l1.active = False
    // (test/interop/py/samfire_semantics.py, "values").
    const model = gridModel([1, 3]);
    const s = new RedChisqStrategy({ radii: 1 });
    const host = testHost(model, [s]);
    storeFit(model, 0, 1, 4);
    host.marker[0] = -1;
    model.component('g').active = false;
    const start = s.values(1);
    expect(start.components[0]!.slots).toEqual([[4]]);
    expect(start.components[1]).toBeNull();
    model.component('g').active = true;
    expect(s.values(1).components[1]!.slots).toHaveLength(3);
  });

  it('refreshes with overwrite from the given pixels, forgetting ignored ones', () => {
    const model = gridModel([1, 5]);
    const s = new RedChisqStrategy({ radii: 1 });
    const host = testHost(model, [s]);
    storeFit(model, 0, 1);
    host.marker.set([-2, 0, 0, 5, -1]);
    s.refresh(true);
    // Pixel 4 has no stored statistic: it spreads as a perfect fit (weight 0).
    expect(Array.from(host.marker)).toEqual([-1, E1, 0, E1, -1]);
    s.refresh(true, Uint8Array.of(0, 0, 1, 0, 0));
    expect(Array.from(host.marker)).toEqual([0, E1, -1, E1, 0]);
  });

  it('refreshes without overwrite: -1 spreads, -2 stays ignored, candidates are recomputed', () => {
    const model = gridModel([1, 5]);
    const s = new RedChisqStrategy({ radii: 1 });
    const host = testHost(model, [s]);
    host.marker.set([-2, 7, 0, -1, 3]);
    s.refresh(false);
    expect(Array.from(host.marker)).toEqual([-2, 0, E1, -1, E1]);
  });

  it('gives the same marker whether it spreads from fitted pixels or gathers into unfitted ones', () => {
    // Brute force: every unfitted pixel sums decay(weight) * decay(distance) over fitted pixels in the radius.
    const arb = fc.record({
      rows: fc.integer({ min: 1, max: 6 }),
      cols: fc.integer({ min: 1, max: 6 }),
      radius: fc.double({ min: 0, max: 2.5, noNaN: true }),
      states: fc.array(fc.constantFrom(-2, -1, 0, 0.5), { minLength: 36, maxLength: 36 }),
      red: fc.array(fc.double({ min: 0, max: 3, noNaN: true }), { minLength: 36, maxLength: 36 }),
    });
    fc.assert(
      fc.property(arb, ({ rows, cols, radius, states, red }) => {
        const model = gridModel([rows, cols]);
        const s = new RedChisqStrategy({ radii: radius });
        const host = testHost(model, [s]);
        const n = rows * cols;
        for (let p = 0; p < n; p++) {
          host.marker[p] = states[p]!;
          model.redChisq[p] = red[p]!;
        }
        s.refresh(false);
        for (let q = 0; q < n; q++) {
          if (states[q]! < 0) {
            expect(host.marker[q]).toBe(states[q]);
            continue;
          }
          let sum = 0;
          for (let p = 0; p < n; p++) {
            if (states[p] !== -1 || p === q) continue;
            const dr = Math.floor(p / cols) - Math.floor(q / cols);
            const dc = (p % cols) - (q % cols);
            const inside = radius === 0 ? false : (dr / radius) ** 2 + (dc / radius) ** 2 <= 1;
            if (inside) sum += Math.exp(-Math.abs(red[p]! - 1)) * Math.exp(-Math.hypot(dr, dc));
          }
          expect(host.marker[q]).toBeCloseTo(sum, 12);
        }
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('takes one radius per navigation dimension and names a mismatch', () => {
    const model = gridModel([3, 3]);
    const s = new RedChisqStrategy({ radii: [0, 1] });
    const host = testHost(model, [s]);
    storeFit(model, 4, 1);
    s.update(4, true);
    expect(Array.from(host.marker)).toEqual([0, 0, 0, E1, -1, E1, 0, 0, 0]);
    s.radii = [1, 1, 1];
    expect(() => s.update(4, true)).toThrow(/3 radii for 2 navigation dimensions/);
    expect(() => (s.radii = -1)).toThrow(/radii must be finite numbers >= 0/);
  });

  it('plots the marker as an image of the navigation shape', () => {
    const model = gridModel([2, 3]);
    const s = new RedChisqStrategy();
    const host = testHost(model, [s]);
    host.marker[4] = 2;
    const plot = s.plotData();
    expect(plot).toMatchObject({ kind: 'marker', shape: [2, 3] });
    expect(plot.marker[4]).toBe(2);
    expect(plot.marker).not.toBe(host.marker);
  });

  it('needs an owner', () => {
    expect(() => new RedChisqStrategy().values(0)).toThrow(
      /does not belong to a SAMFire; append it to one first/,
    );
  });
});
