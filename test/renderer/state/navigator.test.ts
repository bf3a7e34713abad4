/** The navigator store on its own: images, the current pixel and late answers. */
import { describe, expect, it, vi } from 'vitest';
import type {
  DatasetSummary,
  ImageRequest,
  ModelState,
  NavigatorImage,
  SpectrumView,
} from '@samfire/core/api';
import {
  NavigatorView,
  type NavigatorDeps,
} from '../../../renderer/src/lib/state/navigator.svelte.js';
import { dataset, deferred, recordingFeedback, settle, type Deferred } from './fakes.js';

const image = (label: string): NavigatorImage => ({
  request: { kind: 'sum' },
  label,
  units: '',
  shape: [3, 4],
  values: new Float64Array(12),
  min: 0,
  max: 1,
});
const spectrum = (pixel: number): SpectrumView =>
  ({ pixel, x: Float64Array.of(0, 1, 2, 3) }) as unknown as SpectrumView;

function setup(current: DatasetSummary | null = dataset('d')) {
  const feedback = recordingFeedback();
  const images: Deferred<NavigatorImage>[] = [];
  const states: ModelState[] = [];
  const setPixel = vi.fn(async (pixel: number) => ({ pixel }) as unknown as ModelState);
  const refreshModel = vi.fn(async () => undefined);
  const deps: NavigatorDeps = {
    guard: feedback.guard,
    dataset: {
      image: (_r: ImageRequest) => {
        const d = deferred<NavigatorImage>();
        images.push(d);
        return d.promise;
      },
      spectrum: async ({ pixel }: { pixel: number }) => spectrum(pixel),
      regionSpectrum: async () => spectrum(-1),
    } as unknown as NavigatorDeps['dataset'],
    current: () => current,
    setPixel,
    onpixelstate: (s) => states.push(s),
    refreshModel,
  };
  return { view: new NavigatorView(deps), deps, images, states, setPixel, feedback, refreshModel };
}

describe('NavigatorView store', () => {
  it('does nothing before a dataset is open', async () => {
    const { view, images, setPixel } = setup(null);
    await view.refresh();
    await view.select(3);
    expect(images).toHaveLength(0);
    expect(setPixel).not.toHaveBeenCalled();
  });

  it('keeps the image of the last request when answers arrive out of order', async () => {
    const { view, images } = setup();
    const first = view.show({ kind: 'sum' });
    await settle();
    const second = view.show({ kind: 'redChisq' });
    await settle();
    expect(images).toHaveLength(2);
    images[1]!.resolve(image('χ²'));
    await second;
    images[0]!.resolve(image('sum'));
    await first;
    expect(view.image?.label).toBe('χ²');
    expect(view.request).toEqual({ kind: 'redChisq' });
  });

  it('selects a pixel: its spectrum shows and the model is told', async () => {
    const { view, states, setPixel } = setup();
    await view.select(5);
    expect(view.pixel).toBe(5);
    expect(view.spectrum?.pixel).toBe(5);
    expect(setPixel).toHaveBeenCalledWith(5);
    expect(states.map((s) => s.pixel)).toEqual([5]);
  });

  it('ignores pixels outside the map', async () => {
    const { view, setPixel } = setup();
    await view.select(12);
    await view.select(-1);
    expect(setPixel).not.toHaveBeenCalled();
    expect(view.pixel).toBe(0);
  });

  it("drops a pixel's model state that arrives after another pixel was picked", async () => {
    const { view, states, setPixel } = setup();
    const late = deferred<ModelState>();
    setPixel.mockImplementationOnce(() => late.promise);
    const first = view.select(1);
    await view.select(2);
    late.resolve({ pixel: 1 } as unknown as ModelState);
    await first;
    expect(view.pixel).toBe(2);
    expect(states.map((s) => s.pixel)).toEqual([2]);
  });

  it('a region shows its sum or mean instead of the pixel', async () => {
    const { view, feedback } = setup();
    await view.showRegion({ r0: 0, c0: 0, r1: 1, c1: 1 });
    expect(view.region).toEqual({ rows: [0, 1], cols: [0, 1], reduce: 'mean' });
    expect(view.spectrum?.pixel).toBe(-1);
    await view.select(3);
    expect(view.region).toBeNull();
    expect(view.spectrum?.pixel).toBe(3);
    expect(feedback.said).toEqual([]);
  });

  it('a failed spectrum becomes a notice naming it; the last spectrum stays', async () => {
    const { view, feedback, deps } = setup();
    await view.select(2);
    deps.dataset.spectrum = async () => {
      throw new Error('dataset.spectrum: pixel 3: the host is gone');
    };
    await view.select(3);
    expect(view.spectrum?.pixel).toBe(2);
    expect(feedback.said).toEqual([
      {
        kind: 'error',
        title: 'Could not draw the spectrum',
        text: 'dataset.spectrum: pixel 3: the host is gone',
      },
    ]);
  });

  it('moves with the arrow keys inside the map, and a new file resets every view', async () => {
    const { view, images } = setup();
    const shown = view.show({ kind: 'redChisq' });
    await settle();
    images[0]!.resolve(image('χ²'));
    await shown;
    await view.move(1, 1);
    expect(view.pixel).toBe(5);
    await view.move(5, 0);
    expect(view.pixel).toBe(9);
    view.pin();
    view.reset();
    expect(view.pixel).toBe(0);
    expect(view.image).toBeNull();
    expect(view.pinned).toBeNull();
    expect(view.request).toEqual({ kind: 'sum' });
  });

  it('after a processing step keeps the pixel and the region, drops the zoom, pin and a model map', async () => {
    const { view, images } = setup();
    await view.select(6);
    await view.showRegion({ r0: 0, r1: 1, c0: 0, c1: 1 });
    view.pin();
    view.zoom = { start: 20, end: 40 };
    const shown = view.show({ kind: 'redChisq' });
    await settle();
    images[0]!.resolve(image('χ²'));
    await shown;
    view.restart();
    expect(view.pixel).toBe(6);
    expect(view.region).not.toBeNull();
    expect(view.pinned).toBeNull();
    expect(view.zoom).toEqual({ start: 0, end: 100 });
    expect(view.request).toEqual({ kind: 'sum' });
    expect(view.image).toBeNull();
    // An electron image stays the navigator's choice (it is not of the model).
    view.request = { kind: 'image', index: 0 };
    view.restart();
    expect(view.request).toEqual({ kind: 'image', index: 0 });
  });
});
