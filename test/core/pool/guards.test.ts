import { describe, expect, it } from 'vitest';
import { isFromWorker, isToWorker } from '@samfire/core';
import type { FromWorker, PixelResult, ToWorker } from '@samfire/core';
import { tinyInit } from './helpers.js';

const result: PixelResult = {
  pixel: 3,
  good: true,
  values: Float64Array.of(1, 2),
  std: Float64Array.of(0.1, 0.2),
  active: Uint8Array.of(1),
  chisq: 10,
  dof: 8,
  redChisq: 1.25,
  fits: 2,
  status: 'ftol',
};

describe('message guards', () => {
  it('accept every protocol message', () => {
    const to: ToWorker[] = [
      { type: 'init', init: tinyInit(2) },
      {
        type: 'init',
        init: { ...tinyInit(2), variance: { kind: 'array', data: new Float32Array(6) } },
      },
      { type: 'fit', job: 1, pixel: 0, start: { components: [null, { slots: [[1, 2], [3]] }] } },
      { type: 'stop' },
    ];
    const from: FromWorker[] = [
      { type: 'ready' },
      { type: 'result', job: 1, result },
      { type: 'error', job: 1, pixel: 3, message: 'bad' },
    ];
    for (const m of to) expect(isToWorker(m)).toBe(true);
    for (const m of from) expect(isFromWorker(m)).toBe(true);
  });

  it('reject malformed messages, including typed arrays that lost their type', () => {
    const init = tinyInit(2);
    const bad: unknown[] = [
      undefined,
      'stop',
      { type: 'fit', job: 1.5, pixel: 0, start: { components: [] } },
      { type: 'fit', job: 1, pixel: 0, start: { components: [{ slots: [['a']] }] } },
      { type: 'init', init: { ...init, data: Array.from(init.data as ArrayLike<number>) } },
      { type: 'init', init: { ...init, variance: { kind: 'gamma' } } },
      { type: 'init', init: { ...init, model: { ...init.model, channelSwitches: [1, 1, 1] } } },
    ];
    for (const m of bad) expect(isToWorker(m)).toBe(false);
    // What JSON serialisation would have made of a result: plain objects, not typed arrays.
    const jsonResult: unknown = JSON.parse(JSON.stringify({ type: 'result', job: 1, result }));
    expect(isFromWorker(jsonResult)).toBe(false);
    expect(isFromWorker({ type: 'error', job: 1, message: 'no pixel' })).toBe(false);
    expect(isFromWorker({ type: 'done' })).toBe(false);
  });
});
