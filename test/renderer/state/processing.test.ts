/** The processing store on its own: convert to energy, the spike review (find, show, apply, cancel), revert. */
import { describe, expect, it, vi } from 'vitest';
import type { DatasetSummary, SpikeReport } from '@samfire/core/api';
import {
  ProcessingStore,
  type ProcessingDeps,
} from '../../../renderer/src/lib/state/processing.svelte.js';
import { dataset, deferred, recordingFeedback, settle } from './fakes.js';

const summary = (steps: string[], energyProblem: string | null = null): DatasetSummary => ({
  ...dataset('CL map', 48, [6, 8]),
  steps,
  energyProblem,
});

const REPORT: SpikeReport = {
  threshold: 15,
  window: 5,
  count: 3,
  pixels: 2,
  xUnits: 'nm',
  spikes: [
    { pixel: 3, position: [0, 3], channel: 100, x: 823.2, value: 916, median: 16, score: 165 },
    { pixel: 3, position: [0, 3], channel: 700, x: 896.5, value: 604, median: 16, score: 108 },
    { pixel: 20, position: [2, 4], channel: 400, x: 859.9, value: 2943, median: 954, score: 52 },
  ],
};

function setup(options: { current?: DatasetSummary; running?: boolean } = {}) {
  const feedback = recordingFeedback();
  let current: DatasetSummary | null = options.current ?? summary([]);
  const converted = summary(['Converted to energy (nm → eV)'], 'already an energy');
  const api = {
    convertToEnergy: vi.fn(async () => converted),
    findSpikes: vi.fn(async (r: { threshold: number; window: number }) => ({
      ...REPORT,
      ...r,
    })),
    removeSpikes: vi.fn(async () => summary(['Removed 3 spikes (threshold 15, window 5)'])),
    revert: vi.fn(async () => summary([])),
  };
  const onprocessed = vi.fn(async (d: DatasetSummary) => {
    current = d;
  });
  const showPixel = vi.fn(async () => undefined);
  const deps: ProcessingDeps = {
    ...feedback,
    dataset: api,
    current: () => current,
    running: () => options.running ?? false,
    showPixel,
    onprocessed,
  };
  return { store: new ProcessingStore(deps), feedback, api, onprocessed, showPixel };
}

describe('ProcessingStore', () => {
  it('converts to energy through the host and hands the new summary on; revert goes back', async () => {
    const { store, api, onprocessed, feedback } = setup();
    expect(store.energyProblem).toBeNull();
    expect(await store.convertToEnergy()).toBe(true);
    expect(api.convertToEnergy).toHaveBeenCalledOnce();
    expect(onprocessed).toHaveBeenCalledWith(
      expect.objectContaining({ steps: ['Converted to energy (nm → eV)'] }),
    );
    expect(store.steps).toEqual(['Converted to energy (nm → eV)']);
    expect(feedback.said.at(-1)).toMatchObject({
      kind: 'success',
      title: 'Converted to energy (nm → eV)',
    });
    expect(await store.revert()).toBe(true);
    expect(store.steps).toEqual([]);
    expect(feedback.said.at(-1)!.title).toBe('Reverted: Converted to energy (nm → eV)');
    // Nothing left to revert: no call.
    expect(await store.revert()).toBe(false);
    expect(api.revert).toHaveBeenCalledOnce();
  });

  it('does not ask the host to convert an axis it said is not a wavelength, and says why', async () => {
    const problem = "the signal axis 'Energy' is already an energy (eV)";
    const { store, api, feedback } = setup({ current: summary([], problem) });
    expect(await store.convertToEnergy()).toBe(false);
    expect(api.convertToEnergy).not.toHaveBeenCalled();
    expect(feedback.said).toEqual([
      { kind: 'error', title: 'Cannot convert to energy', text: problem },
    ]);
  });

  it('shows the host’s refusal as an error, and changes nothing', async () => {
    const { store, api, onprocessed, feedback } = setup();
    api.convertToEnergy.mockRejectedValueOnce(
      new Error('CL map: convert to energy: channel 0 is at -1 nm; wavelengths must be positive'),
    );
    expect(await store.convertToEnergy()).toBe(false);
    expect(onprocessed).not.toHaveBeenCalled();
    expect(feedback.said).toEqual([
      {
        kind: 'error',
        title: 'Could not convert to energy',
        text: 'CL map: convert to energy: channel 0 is at -1 nm; wavelengths must be positive',
      },
    ]);
  });

  it('finds spikes with the typed parameters, marks them per pixel and shows one on request', async () => {
    const { store, api, showPixel } = setup();
    store.threshold = '15';
    const report = await store.findSpikes();
    expect(api.findSpikes).toHaveBeenCalledWith({ threshold: 15, window: 5 });
    expect(report?.count).toBe(3);
    expect(store.spikesAt(3).map((s) => s.channel)).toEqual([100, 700]);
    expect(store.spikesAt(20).map((s) => s.channel)).toEqual([400]);
    expect(store.spikesAt(0)).toEqual([]);
    await store.show(2);
    expect(showPixel).toHaveBeenCalledWith(20);
    expect(store.selected).toBe(2);
    expect(store.stale).toBe(false);
    store.threshold = '20';
    expect(store.stale).toBe(true);
  });

  it('refuses a bad threshold or window before asking the host', async () => {
    const { store, api } = setup();
    store.threshold = '0';
    expect(await store.findSpikes()).toBeNull();
    expect(store.problem).toBe('threshold: must be positive');
    store.threshold = 'ten';
    await store.findSpikes();
    expect(store.problem).toBe("threshold: 'ten' is not a number");
    store.threshold = '10';
    store.window = '4';
    await store.findSpikes();
    expect(store.problem).toBe('window: an odd number of channels, 3 to 101');
    expect(api.findSpikes).not.toHaveBeenCalled();
    store.window = '7';
    await store.findSpikes();
    expect(store.problem).toBeNull();
    expect(api.findSpikes).toHaveBeenCalledWith({ threshold: 10, window: 7 });
  });

  it('applies with the reviewed parameters (not the ones typed since), then ends the review', async () => {
    const { store, api, onprocessed } = setup();
    store.threshold = '15';
    await store.findSpikes();
    store.threshold = '99';
    expect(await store.apply()).toBe(true);
    expect(api.removeSpikes).toHaveBeenCalledWith({ threshold: 15, window: 5 });
    expect(onprocessed).toHaveBeenCalledOnce();
    expect(store.report).toBeNull();
    expect(store.spikesAt(3)).toEqual([]);
    expect(store.steps).toEqual(['Removed 3 spikes (threshold 15, window 5)']);
  });

  it('cancel ends the review without a call; no review, no apply', async () => {
    const { store, api } = setup();
    expect(await store.apply()).toBe(false);
    await store.findSpikes();
    store.cancel();
    expect(store.report).toBeNull();
    expect(await store.apply()).toBe(false);
    expect(api.removeSpikes).not.toHaveBeenCalled();
  });

  it('refuses to process while SAMFire runs', async () => {
    const { store, api, feedback } = setup({ running: true });
    expect(await store.convertToEnergy()).toBe(false);
    expect(api.convertToEnergy).not.toHaveBeenCalled();
    expect(feedback.said[0]).toMatchObject({ kind: 'error', text: /stop the run first/ });
  });

  it('is busy while a step is in flight', async () => {
    const { store, api } = setup();
    const answer = deferred<DatasetSummary>();
    api.convertToEnergy.mockReturnValueOnce(answer.promise);
    const done = store.convertToEnergy();
    await settle();
    expect(store.busy).toBe('convert');
    answer.resolve(summary(['Converted to energy (nm → eV)']));
    expect(await done).toBe(true);
    expect(store.busy).toBeNull();
  });
});
