/** The results store on its own: maps when the tab shows, selections, refits, exports. */
import { describe, expect, it, vi } from 'vitest';
import type { ImageRequest, NavigatorImage, SamfireSettings } from '@samfire/core/api';
import { Results, type ResultsDeps } from '../../../renderer/src/lib/state/results.svelte.js';
import { dataset, recordingFeedback } from './fakes.js';

const CHISQ = Float64Array.of(0.9, 3.5, NaN, 2.5, 1.1, Infinity);

const map = (request: ImageRequest, values = CHISQ): NavigatorImage => ({
  request,
  label: request.kind === 'redChisq' ? 'reduced χ²' : 'A',
  units: '',
  shape: [2, 3],
  values,
  min: 0,
  max: 4,
});

function setup(over: Partial<ResultsDeps> = {}) {
  const feedback = recordingFeedback();
  let visible = true;
  const requests: ImageRequest[] = [];
  const saved: string[] = [];
  const run = {
    running: false,
    settings: {
      activeStrategy: 0,
      strategies: [
        { name: 'global', settings: { bins: 10 } },
        { name: 'local', settings: { radii: [1, 1] } },
      ],
    } as unknown as SamfireSettings,
    setSeeds: vi.fn(async () => true),
    updateSettings: vi.fn(async () => undefined),
    start: vi.fn(async () => undefined),
  };
  const fitPixel = vi.fn(async ({ pixel }: { pixel: number }) => ({
    good: pixel !== 3,
    diagnosis: {
      kind: pixel === 3 ? 'structure' : 'none',
      meanSquare: 6,
      lag1: 0.5,
      region: pixel === 3 ? { start: 530, end: 560, excess: 'above', sigmas: 12 } : null,
      text: '',
    },
  }));
  const onrefitted = vi.fn(async () => undefined);
  const deps: ResultsDeps = {
    ...feedback,
    dataset: {
      image: async (r: ImageRequest) => {
        requests.push(r);
        return map(r);
      },
      mapFile: async ({ format }: { format: string }) => ({
        name: `A.${format}`,
        bytes: new Uint8Array([7]),
      }),
    } as unknown as ResultsDeps['dataset'],
    fit: { fitPixel } as unknown as ResultsDeps['fit'],
    current: () => dataset('d', 6, [2, 3]),
    visible: () => visible,
    run: run as unknown as ResultsDeps['run'],
    saveBytes: async (name) => {
      saved.push(name);
      return `/d/${name}`;
    },
    onrefitted,
    ...over,
  };
  const results = new Results(deps);
  return {
    results,
    feedback,
    requests,
    saved,
    run,
    fitPixel,
    onrefitted,
    hide: () => (visible = false),
  };
}

describe('Results store', () => {
  it('fetches maps only while the results tab shows', async () => {
    const { results, requests, hide } = setup();
    hide();
    await results.refresh();
    expect(requests).toEqual([]);
    expect(results.image).toBeNull();
  });

  it('a parameter map comes with the reduced χ² map for the histogram', async () => {
    const { results, requests } = setup();
    await results.show({ kind: 'parameter', component: 'g', parameter: 'A' } as ImageRequest);
    expect(requests.map((r) => r.kind)).toEqual(['parameter', 'redChisq']);
    expect(results.image?.label).toBe('A');
    expect(results.chisq?.label).toBe('reduced χ²');
    expect(results.std).toBeNull();
  });

  it('selects the pixels above the threshold typed, or says the threshold is wrong', async () => {
    const { results, feedback } = setup();
    results.threshold = 'two';
    await results.selectAboveThreshold();
    expect(feedback.said.map((s) => [s.kind, s.title])).toEqual([
      ['error', 'Reduced χ² threshold'],
    ]);
    results.threshold = '2';
    await results.selectAboveThreshold();
    expect(results.selection).toEqual([1, 3, 5]);
    await results.selectUnfitted();
    expect(results.selection).toEqual([2, 5]);
  });

  it('refits by hand: every selected pixel, the count of good ones, the views told', async () => {
    const { results, fitPixel, feedback, onrefitted } = setup();
    results.selection = [1, 3, 4];
    await results.refitByHand();
    expect(fitPixel.mock.calls.map((c) => c[0])).toEqual([
      { pixel: 1, seed: false },
      { pixel: 3, seed: false },
      { pixel: 4, seed: false },
    ]);
    expect(feedback.said.at(-1)).toEqual({
      kind: 'success',
      title: 'Refit done',
      text: '3 pixels refitted, 2 pass the goodness test. Of the 1 still failing: 1 miss a feature in the model (1 of them at 530–560 eV).',
    });
    expect(onrefitted).toHaveBeenCalledTimes(1);
    expect(results.refitting).toBeNull();
  });

  it('does not refit during a run', async () => {
    const { results, fitPixel, run } = setup();
    run.running = true;
    results.selection = [1];
    await results.refitByHand();
    await results.refitWithSamfire();
    expect(fitPixel).not.toHaveBeenCalled();
    expect(run.start).not.toHaveBeenCalled();
  });

  it('refits with SAMFire from the good neighbours: forgets the pixels, local strategy, start', async () => {
    const { results, run } = setup();
    results.selection = [1, 3];
    await results.refitWithSamfire();
    expect(run.setSeeds).toHaveBeenCalledWith([1, 3], false);
    expect(run.updateSettings).toHaveBeenCalledWith(
      { activeStrategy: 1 },
      'switch to the local strategy',
    );
    expect(run.start).toHaveBeenCalledTimes(1);
    expect(results.selection).toEqual([]);
  });

  it('exports the map shown, named after the dataset and the map', async () => {
    const { results, saved, feedback } = setup();
    await results.exportPng();
    expect(feedback.said.map((s) => s.title)).toEqual(['No map to export']);
    await results.refresh();
    await results.exportMap('csv');
    results.pngSource = () => 'data:image/png;base64,AAEC';
    await results.exportPng();
    expect(saved).toEqual(['A.csv', 'd_reduced_chisq.png']);
  });
});
