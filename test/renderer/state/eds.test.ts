/** The EDS builder's store on its own: the form, markers, build and calibration. */
import { describe, expect, it, vi } from 'vitest';
import type { EdsLineMarker, EdsSetup, ModelState, RegionRequest } from '@samfire/core/api';
import { EdsStore, type EdsDeps } from '../../../renderer/src/lib/state/eds.svelte.js';
import { deferred, recordingFeedback } from './fakes.js';

const SETUP: EdsSetup = {
  problem: null,
  elements: ['Cu', 'Ag'],
  beamEnergy: 20,
  beamEnergyFromMetadata: true,
  resolution: 130,
  range: { start: 0.3, end: 19.123456789 },
  units: 'keV',
  table: [
    [29, 'Cu'],
    [47, 'Ag'],
  ],
  calibration: null,
};
const built = { pixel: 0, components: [{ kind: 'EdsCalibration', parameters: [] }] };

function setup(over: Partial<EdsDeps> = {}) {
  const feedback = recordingFeedback();
  const marker = (name: string): EdsLineMarker => ({
    name,
    element: name.split('_')[0]!,
    family: 'K',
    position: 8,
    energy: 8000,
    weight: 1,
  });
  const edsLines = vi.fn(async ({ elements }: { elements: string[] }) =>
    elements.map((e) => marker(`${e}_Ka`)),
  );
  const buildEdsModel = vi.fn(async () => built as unknown as ModelState);
  const calibrateEds = vi.fn(async () => ({ model: built as unknown as ModelState }));
  let region: RegionRequest | null = null;
  const runEdit = vi.fn(
    async (_what: string, edit: () => Promise<ModelState | null>) => (await edit()) !== null,
  );
  const deps: EdsDeps = {
    notify: feedback.notify,
    model: {
      onChanged: () => () => undefined,
      edsSetup: async () => SETUP,
      edsLines,
      edsLinesNear: async () => [],
      buildEdsModel,
      calibrateEds,
    } as unknown as EdsDeps['model'],
    modelState: () => built as unknown as ModelState,
    runEdit,
    region: () => region,
    ...over,
  };
  return {
    eds: new EdsStore(deps),
    marker,
    feedback,
    edsLines,
    buildEdsModel,
    calibrateEds,
    runEdit,
    setRegion: (r: RegionRequest) => (region = r),
  };
}

describe('EdsStore', () => {
  it("starts from the metadata's elements, beam energy and range, with their markers", async () => {
    const { eds, edsLines } = setup();
    await eds.load();
    expect(eds.available).toBe(true);
    expect(eds.elements).toEqual(['Cu', 'Ag']);
    expect(eds.beamEnergy).toBe('20');
    expect(eds.rangeEnd).toBe('19.1235');
    expect(edsLines).toHaveBeenLastCalledWith({
      elements: ['Cu', 'Ag'],
      beamEnergy: 20,
      range: { start: 0.3, end: 19.1235 },
    });
    expect(eds.markers.map((m) => m.name)).toEqual(['Cu_Ka', 'Ag_Ka']);
  });

  it('refuses a form it cannot use, saying which field', async () => {
    const { eds, buildEdsModel } = setup();
    await eds.load();
    eds.order = '-1';
    expect(await eds.build()).toBe(false);
    expect(eds.problem).toMatch(/^polynomial order: /);
    eds.order = '2';
    eds.elements = [];
    expect(await eds.build()).toBe(false);
    expect(eds.problem).toBe('pick at least one element on the table');
    expect(buildEdsModel).not.toHaveBeenCalled();
  });

  it('builds through the model store, then says how many components it made', async () => {
    const { eds, buildEdsModel, runEdit, feedback } = setup();
    await eds.load();
    eds.toggle('Ag');
    eds.background = 'bremsstrahlung';
    expect(await eds.build()).toBe(true);
    expect(runEdit).toHaveBeenCalledWith('build the EDS model', expect.any(Function));
    expect(buildEdsModel).toHaveBeenCalledWith({
      elements: ['Cu'],
      background: { kind: 'bremsstrahlung' },
      beamEnergy: 20,
      range: { start: 0.3, end: 19.1235 },
    });
    expect(feedback.said[0]).toMatchObject({ kind: 'success', title: 'EDS model built' });
    expect(feedback.said[0]!.text).toMatch(/^1 components;/);
    expect(eds.calibratable).toBe(true);
  });

  it('calibrates on the region shown, else on the sum spectrum', async () => {
    const { eds, calibrateEds, setRegion } = setup();
    await eds.load();
    expect(await eds.calibrate()).toBe(true);
    setRegion({ rows: [0, 2], cols: [1, 3], reduce: 'sum' });
    await eds.calibrate();
    expect(calibrateEds.mock.calls.map((c) => (c as unknown[])[0])).toEqual([
      { region: null },
      { region: { rows: [0, 2], cols: [1, 3], reduce: 'sum' } },
    ]);
  });

  it('keeps the markers of the latest request when answers cross', async () => {
    const slow = deferred<EdsLineMarker[]>();
    const { eds, edsLines, marker } = setup();
    await eds.load();
    edsLines.mockImplementationOnce(() => slow.promise);
    const first = eds.refreshLines();
    eds.toggle('Cu');
    await new Promise((r) => setTimeout(r, 0));
    slow.resolve([marker('Zn_Ka')]);
    await first;
    expect(eds.markers.map((m) => m.name)).toEqual(['Ag_Ka']);
  });
});
