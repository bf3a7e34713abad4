/** The run store on its own: progress, events, start guarded by the typed values, single fits. */
import { describe, expect, it, vi } from 'vitest';
import type { FitApi, FitProgress, FitStatus, PixelFitOutcome, RunEvent } from '@samfire/core/api';
import { FitRun, type FitRunDeps } from '../../../renderer/src/lib/state/fit-run.svelte.js';
import { dataset, recordingFeedback, settle } from './fakes.js';

const progress = (state: FitProgress['state'], count = 0): FitProgress => ({
  state,
  pixels: 12,
  pixelsDone: count,
  pixelsLeft: 12 - count,
  count,
  rate: 0,
  etaSeconds: NaN,
  activeStrategy: 0,
  elapsedSeconds: 0,
});
const status = (state: FitProgress['state'] = 'idle', seeds: number[] = []): FitStatus =>
  ({ ...progress(state), seeds, failingSeeds: [] }) as unknown as FitStatus;

const outcome = (good: boolean): PixelFitOutcome =>
  ({
    pixel: 5,
    position: [1, 1],
    redChisq: good ? 1.02 : 7.5,
    chisq: 10,
    dof: 10,
    good,
    goodness: { kind: 'redChisq', tolerance: 1 },
    converged: true,
    status: 'ok',
    message: '',
    atBound: [],
    statistics: {
      redChisq: good ? 1.02 : 7.5,
      deviancePerDof: 1,
      aic: 0,
      aicc: 0,
      bic: 0,
    },
    report: '',
    diagnosis: good
      ? { kind: 'none', meanSquare: 1.02, lag1: 0, region: null, text: 'like the noise' }
      : {
          kind: 'structure',
          meanSquare: 7.5,
          lag1: 0.6,
          region: { start: 10, end: 12, excess: 'above', sigmas: 9 },
          text: 'the model misses a feature; largest at 10–12 eV',
        },
  }) satisfies PixelFitOutcome;

function setup(over: Partial<FitRunDeps> = {}) {
  const feedback = recordingFeedback();
  const listeners: {
    progress?: (p: FitProgress) => void;
    event?: (e: RunEvent) => void;
  } = {};
  const fit = {
    onProgress: (l: (p: FitProgress) => void) => ((listeners.progress = l), () => undefined),
    onPlot: () => () => undefined,
    onRunEvent: (l: (e: RunEvent) => void) => ((listeners.event = l), () => undefined),
    settings: vi.fn(async () => ({ activeStrategy: 0, strategies: [], goodness: null })),
    catalogue: async () => null,
    status: vi.fn(async () => status()),
    start: vi.fn(async () => status('running')),
    stop: vi.fn(async () => status('stopping')),
    fitPixel: vi.fn(async () => outcome(true)),
    setSeeds: vi.fn(async ({ pixels }: { pixels: number[] }) => status('idle', pixels)),
  } as unknown as FitApi;
  const calls: string[] = [];
  let drafts: string[] = [];
  const deps: FitRunDeps = {
    ...feedback,
    fit,
    dataset: { image: async () => ({ values: new Float64Array(12) }) } as never,
    current: () => dataset('d'),
    pixel: () => 5,
    position: () => [1, 1],
    region: () => null,
    setPixel: (p) => calls.push(`pixel ${p}`),
    commitDrafts: async () => drafts,
    showModel: () => calls.push('show model'),
    onresults: () => calls.push('results'),
    onlive: () => calls.push('live'),
    refreshViews: async () => void calls.push('refresh'),
    reloadModel: async () => void calls.push('reload model'),
    ...over,
  };
  return {
    run: new FitRun(deps),
    fit,
    feedback,
    calls,
    listeners,
    refuse: (problems: string[]) => (drafts = problems),
  };
}

describe('FitRun store', () => {
  it('follows the progress: live views while it runs, a final refresh when it ends', async () => {
    const { run, listeners, calls } = setup();
    listeners.progress!(progress('running', 3));
    expect(run.running).toBe(true);
    expect(run.fraction).toBe(0.25);
    expect(calls).toEqual(['results', 'live']);
    listeners.progress!(progress('finished', 12));
    expect(run.running).toBe(false);
    await settle();
    expect(calls.at(-1)).toBe('refresh');
  });

  it("turns the run's events into notices: a fault warns, a failure is an error", () => {
    const { run, listeners, feedback } = setup();
    listeners.event!({ kind: 'fault', message: 'worker k1 went silent' } as RunEvent);
    listeners.event!({ kind: 'failed', message: 'no seed' } as RunEvent);
    expect(feedback.said.map((s) => [s.kind, s.title, s.text])).toEqual([
      ['warning', 'SAMFire worker fault', 'worker k1 went silent'],
      ['error', 'SAMFire failed', 'no seed'],
    ]);
    expect(run.ended).toBe(1);
    expect(run.events).toHaveLength(2);
  });

  it('does not start over a typed value that is refused: the model tab shows it', async () => {
    const { run, fit, calls, feedback, refuse } = setup();
    refuse(['g.A: not a number']);
    await run.start();
    expect(fit.start).not.toHaveBeenCalled();
    expect(calls).toEqual(['show model']);
    expect(feedback.said[0]).toMatchObject({
      kind: 'warning',
      title: 'Not started: a typed value is not valid',
    });
    refuse([]);
    await run.start();
    expect(fit.start).toHaveBeenCalledTimes(1);
    expect(run.running).toBe(true);
  });

  it('fits the current pixel and says whether it passes; not during a run', async () => {
    const { run, fit, feedback, calls, listeners } = setup();
    await run.fitPixel();
    expect(fit.fitPixel).toHaveBeenCalledWith({ pixel: 5, seed: true });
    expect(run.lastFit?.good).toBe(true);
    expect(feedback.said[0]).toMatchObject({
      kind: 'success',
      title: expect.stringMatching(/^Pixel \(1, 1\): reduced χ² 1\.02/),
    });
    expect(calls).toEqual(expect.arrayContaining(['results', 'refresh', 'reload model']));
    (fit.fitPixel as ReturnType<typeof vi.fn>).mockResolvedValueOnce(outcome(false));
    await run.fitPixel(false);
    expect(feedback.said[1]?.kind).toBe('warning');
    expect(feedback.said[1]?.text).toMatch(
      /^Fails the goodness test: .*\. Why: the model misses a feature; largest at 10–12 eV\.$/,
    );
    listeners.progress!(progress('running', 1));
    await run.fitPixel();
    expect(fit.fitPixel).toHaveBeenCalledTimes(2);
    expect(feedback.said[2]?.title).toBe('SAMFire is running');
  });

  it('marks and unmarks the current pixel as a seed', async () => {
    const { run, fit } = setup();
    await run.toggleSeed();
    expect(fit.setSeeds).toHaveBeenLastCalledWith({ pixels: [5], seed: true });
    expect(run.seeds).toEqual([5]);
    await run.toggleSeed();
    expect(fit.setSeeds).toHaveBeenLastCalledWith({ pixels: [5], seed: false });
  });

  it('says there is nothing to start without a dataset', async () => {
    const { run, fit, feedback } = setup({ current: () => null });
    await run.start();
    expect(fit.start).not.toHaveBeenCalled();
    expect(feedback.said[0]?.title).toBe('Nothing to start');
  });
});
