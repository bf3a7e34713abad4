/** Backups as JSON-able data: the model state and the engine state round-trip. */
import { describe, expect, it } from 'vitest';
import {
  parseBackup,
  Samfire,
  AiccTest,
  applyModelState,
  modelFromState,
  modelState,
  HistogramStrategy,
  RedChisqStrategy,
} from '@samfire/core';
import type { SamfireBackup } from '@samfire/core';
import { decodeFloats, encodeFloats } from '../../../core/src/samfire/json.js';
import { gridModel, storeFit } from './fixtures.js';

describe('float encoding', () => {
  it('keeps NaN and infinities through JSON', () => {
    const values = [1.5, NaN, Infinity, -Infinity, -0.25, 1e-300];
    const back = decodeFloats(JSON.parse(JSON.stringify(encodeFloats(values))), 'x');
    expect(Array.from(back)).toEqual(values);
    expect(() => decodeFloats(['oops'], 'marker')).toThrow(
      "marker: value 0 is 'oops', not a number",
    );
    expect(() => decodeFloats([1], 'marker', 3)).toThrow('marker: 1 values, expected 3');
  });
});

describe('model state', () => {
  it('round-trips maps, active maps, bounds, statistics and the signal range', () => {
    const model = gridModel([2, 2]);
    storeFit(model, 1, 1.3, 4);
    model.parameter('g.sigma').set({ bmin: 1, bmax: 9, free: false, value: 3 });
    model.component('g').activeIsMultidimensional = true;
    model.component('g').activeMap![2] = 0;
    model.setChannelSwitches([1, 1, 0, 0, 1, 1, 1, 1]);
    const state = JSON.parse(JSON.stringify(modelState(model))) as ReturnType<typeof modelState>;
    const copy = modelFromState(model.signal, state);
    expect(Array.from(copy.parameter('o.offset').map.values)).toEqual(
      Array.from(model.parameter('o.offset').map.values),
    );
    expect(Array.from(copy.parameter('o.offset').map.std)).toEqual(
      Array.from(model.parameter('o.offset').map.std),
    );
    expect(Array.from(copy.parameter('o.offset').map.isSet)).toEqual([0, 1, 0, 0]);
    expect(Array.from(copy.component('g').activeMap!)).toEqual([1, 1, 0, 1]);
    expect(copy.parameter('g.sigma')).toMatchObject({ bmin: 1, bmax: 9, free: false, value: 3 });
    expect(Array.from(copy.redChisq)).toEqual(Array.from(model.redChisq));
    expect(Array.from(copy.channelSwitches)).toEqual([1, 1, 0, 0, 1, 1, 1, 1]);
  });

  it('refuses a state of other components and leaves the model unchanged', () => {
    const model = gridModel([2]);
    const state = modelState(model);
    state.components[1]!.name = 'peak';
    model.parameter('o.offset').value = 5;
    expect(() => applyModelState(model, state)).toThrow(
      "model state: component 1 is 'peak' (Gaussian), the model's is 'g' (Gaussian)",
    );
    expect(model.parameter('o.offset').value).toBe(5);
  });
});

describe('engine backup', () => {
  it('restores marker, count, strategies, optional components, goodness test and settings', async () => {
    const model = gridModel([3, 3]);
    storeFit(model, 4, 1);
    const s = new Samfire(model, {
      workers: 0,
      randomSeed: 99,
      strategies: [
        new RedChisqStrategy({ radii: [1, 2] }),
        new HistogramStrategy({ bins: 'sturges', maxModes: 2 }),
      ],
    });
    s.optionalComponents = ['g'];
    s.metadata.goodnessTest = new AiccTest(1234);
    s.plotEvery = 3;
    s.saveEvery = 5;
    s.updateEvery = 11;
    const picks = s.generateValues(2);
    const data = JSON.parse(JSON.stringify(await s.backup('b.json'))) as SamfireBackup;
    const restored = Samfire.restore(modelFromState(model.signal, data.model), parseBackup(data));
    expect(Array.from(restored.metadata.marker)).toEqual(Array.from(s.metadata.marker));
    expect(restored.count).toBe(0);
    expect(restored.randomSeed).toBe(99);
    expect(restored.optionalComponents).toEqual([1]);
    expect(restored.metadata.goodnessTest).toBeInstanceOf(AiccTest);
    expect(restored.metadata.goodnessTest.tolerance).toBe(1234);
    expect([restored.plotEvery, restored.saveEvery, restored.updateEvery]).toEqual([3, 5, 11]);
    expect((restored.strategies.at(0) as RedChisqStrategy).radii).toEqual([1, 2]);
    expect((restored.strategies.at(1) as HistogramStrategy).bins).toBe('sturges');
    expect((restored.strategies.at(1) as HistogramStrategy).maxModes).toBe(2);
    expect(restored.runningPixels.sort()).toEqual(picks.map((p) => p.pixel).sort());
    // The random sequence continues where it was.
    expect(restored.generateValues(2)).toEqual(s.generateValues(2));
  });

  it('refuses a backup of another signal or format', () => {
    const s = new Samfire(gridModel([3]), { setup: false });
    const data = s.snapshot();
    expect(() => Samfire.restore(gridModel([4]), data)).toThrow(
      'backup of a 3 map of 8 channels cannot be restored onto a 4 map of 8',
    );
    expect(() => parseBackup({ format: 'x' })).toThrow(/not a SAMFire backup/);
    expect(() => parseBackup({ ...data, version: 7 })).toThrow(/version 7 is not supported/);
  });
});
