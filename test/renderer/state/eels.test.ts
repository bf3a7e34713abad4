/** The EELS edge builder's store on its own: the edge list, the form, adding through the model store. */
import { describe, expect, it, vi } from 'vitest';
import type { EelsEdgesOutcome, EelsSetup, ModelState } from '@samfire/core/api';
import { EelsStore, type EelsDeps } from '../../../renderer/src/lib/state/eels.svelte.js';
import { recordingFeedback } from './fakes.js';

const SETUP: EelsSetup = {
  problem: null,
  eels: true,
  beamEnergy: 200,
  beamEnergyFromMetadata: true,
  collectionAngle: 62,
  collectionAngleFromMetadata: true,
  edges: [
    { element: 'Ti', subshell: 'L3', onset: 453.8 },
    { element: 'O', subshell: 'K', onset: 532 },
    { element: 'Fe', subshell: 'L3', onset: 706.8 },
    { element: 'Ti', subshell: 'K', onset: 4966 },
  ],
};
const state = { pixel: 0, components: [] } as unknown as ModelState;

function setup(setupAnswer: EelsSetup | Error = SETUP) {
  const feedback = recordingFeedback();
  const addEelsEdges = vi.fn(async (): Promise<EelsEdgesOutcome> => ({
    model: state,
    edges: ['O_K'],
    range: { start: 477, end: 2347 },
    window: { start: 477, end: 527 },
    notes: ['the pre-edge window is short'],
  }));
  const runEdit = vi.fn(
    async (_what: string, edit: () => Promise<ModelState | null>) => (await edit()) !== null,
  );
  const deps: EelsDeps = {
    notify: feedback.notify,
    model: {
      eelsSetup: async () => {
        if (setupAnswer instanceof Error) throw setupAnswer;
        return setupAnswer;
      },
      addEelsEdges,
    },
    runEdit,
  };
  return { eels: new EelsStore(deps), feedback, addEelsEdges, runEdit };
}

describe('EelsStore', () => {
  it('lists the elements with edges on the axis, each with its edges, and picks O', async () => {
    const { eels } = setup();
    await eels.load();
    expect(eels.available).toBe(true);
    expect(eels.elements.map((c) => [c.element, c.edges.map((e) => e.subshell)])).toEqual([
      ['Ti', ['L3', 'K']],
      ['O', ['K']],
      ['Fe', ['L3']],
    ]);
    expect(eels.element).toBe('O');
    expect([eels.beamEnergy, eels.collectionAngle]).toEqual(['200', '62']);
  });

  it('is not offered for a dataset that is not EELS, or when the host cannot say', async () => {
    const notEels = setup({ ...SETUP, eels: false });
    await notEels.eels.load();
    expect(notEels.eels.available).toBe(false);
    const failing = setup(new Error('no dataset'));
    await failing.eels.load();
    expect(failing.eels.available).toBe(false);
    expect(failing.eels.element).toBe('');
  });

  it('refuses a microscope it cannot use, naming the field, and asks nothing', async () => {
    const { eels, addEelsEdges } = setup();
    await eels.load();
    eels.collectionAngle = '0';
    expect(await eels.add()).toBe(false);
    expect(eels.problem).toMatch(/^collection angle:/);
    eels.collectionAngle = '62';
    eels.beamEnergy = 'lots';
    expect(await eels.add()).toBe(false);
    expect(eels.problem).toMatch(/^beam energy:/);
    expect(addEelsEdges).not.toHaveBeenCalled();
  });

  it('adds through the model store with the form, keeps the notes and says what it added', async () => {
    const { eels, addEelsEdges, runEdit, feedback } = setup();
    await eels.load();
    eels.element = 'Fe';
    eels.collectionAngle = '30';
    eels.fineStructure = true;
    expect(await eels.add()).toBe(true);
    expect(runEdit).toHaveBeenCalledWith('add the edges of Fe', expect.any(Function));
    expect(addEelsEdges).toHaveBeenCalledWith({
      element: 'Fe',
      beamEnergy: 200,
      collectionAngle: 30,
      fineStructure: true,
    });
    expect(eels.notes).toEqual(['the pre-edge window is short']);
    expect(feedback.said[0]).toMatchObject({ kind: 'success', title: 'Added O_K' });
    expect(eels.adding).toBe(false);
  });
});
