/** The guards of the EDS builder's calls: elements, background, beam energy, range, positions, regions. */
import { describe, expect, it } from 'vitest';
import { ApiInputError, apiGuards, hostGuards } from '@samfire/core/api';

const good = {
  elements: ['Al', 'Ag'],
  background: { kind: 'polynomial', order: 2 },
  beamEnergy: 20,
  range: { start: 1.2, end: 3.6 },
};

describe('EDS request guards', () => {
  it('passes good requests through, on both sides', () => {
    for (const guards of [apiGuards, hostGuards]) {
      expect(guards.model.buildEdsModel(good)).toEqual(good);
      expect(
        guards.model.buildEdsModel({ ...good, background: { kind: 'bremsstrahlung' } }),
      ).toEqual({ ...good, background: { kind: 'bremsstrahlung' } });
      expect(guards.model.buildEdsModel({ ...good, resolution: 128 }).resolution).toBe(128);
      expect(guards.model.edsSetup(undefined)).toBeUndefined();
      expect(
        guards.model.edsLines({ elements: [], beamEnergy: 15, range: { start: 0, end: 10 } }),
      ).toEqual({ elements: [], beamEnergy: 15, range: { start: 0, end: 10 } });
      expect(guards.model.edsLinesNear({ position: 6.4, beamEnergy: 20, limit: 5 })).toEqual({
        position: 6.4,
        beamEnergy: 20,
        limit: 5,
      });
      expect(guards.model.calibrateEds({ region: null })).toEqual({ region: null });
      const region = { rows: [1, 4], cols: [0, 2], reduce: 'sum' };
      expect(guards.model.calibrateEds({ region })).toEqual({ region });
    }
  });

  it.each([
    [{ ...good, elements: [] }, 'model.buildEdsModel.elements: choose at least one element'],
    [{ ...good, elements: ['fe'] }, 'model.buildEdsModel.elements[0]: expected an element symbol'],
    [{ ...good, elements: 'Fe' }, 'model.buildEdsModel.elements: expected a list'],
    [{ ...good, elements: ['Fe; rm'] }, 'model.buildEdsModel.elements[0]: longer than 3'],
    [
      { ...good, background: { kind: 'polynomial', order: 11 } },
      'model.buildEdsModel.background.order: must be between 0 and 10',
    ],
    [
      { ...good, background: { kind: 'powerlaw' } },
      'model.buildEdsModel.background.kind: expected polynomial or bremsstrahlung',
    ],
    [
      { ...good, background: { kind: 'bremsstrahlung', order: 2 } },
      "model.buildEdsModel.background: unexpected field 'order'",
    ],
    [{ ...good, beamEnergy: 0 }, 'model.buildEdsModel.beamEnergy: must be between 0 and 1000'],
    [{ ...good, beamEnergy: NaN }, 'model.buildEdsModel.beamEnergy: expected a finite number'],
    [
      { ...good, range: { start: 3, end: 1 } },
      'model.buildEdsModel.range: the start (3) must be below the end (1)',
    ],
    [{ ...good, resolution: -5 }, 'model.buildEdsModel.resolution: must be between 0 and 10000'],
    [{ ...good, extra: 1 }, "model.buildEdsModel: unexpected field 'extra'"],
  ])('refuses a bad build request %#', (request, message) => {
    expect(() => apiGuards.model.buildEdsModel(request)).toThrow(ApiInputError);
    expect(() => apiGuards.model.buildEdsModel(request)).toThrow(message);
  });

  it('refuses bad look-ups and regions', () => {
    expect(() => apiGuards.model.edsSetup({ x: 1 })).toThrow('model.edsSetup: takes no argument');
    expect(() =>
      apiGuards.model.edsLines({ elements: ['Xx1'], beamEnergy: 20, range: { start: 0, end: 1 } }),
    ).toThrow('model.edsLines.elements[0]: expected an element symbol');
    expect(() => apiGuards.model.edsLinesNear({ position: Infinity, beamEnergy: 20 })).toThrow(
      'model.edsLinesNear.position: expected a finite number',
    );
    expect(() => apiGuards.model.edsLinesNear({ position: 1, beamEnergy: 20, limit: 0 })).toThrow(
      'model.edsLinesNear.limit: must be between 1 and 100',
    );
    expect(() => apiGuards.model.calibrateEds({})).toThrow(
      'model.calibrateEds.region: expected an object, got undefined',
    );
    expect(() =>
      apiGuards.model.calibrateEds({ region: { rows: [3, 1], cols: [0, 0], reduce: 'sum' } }),
    ).toThrow('model.calibrateEds.region.rows: the first (3) is after the last (1)');
  });
});
