/** The candidate front: the same candidates as a scan of the whole marker, kept up to date by raises. */
import { describe, expect, it } from 'vitest';
import { Random } from '@samfire/core';
import { CandidateFront } from '../../../core/src/samfire/candidate-front.js';

const picked = (front: CandidateFront, n: number): number[] =>
  Array.from(front.candidates.subarray(0, n));

describe('CandidateFront', () => {
  it('finds the largest positive values in pixel order, skipping running pixels', () => {
    const marker = Float64Array.of(0.5, 3, -1, 3, 1, 3, 0);
    const running = Uint8Array.of(0, 0, 0, 1, 0, 0, 0);
    const front = new CandidateFront(marker, running);
    const n = front.maxima();
    expect(picked(front, n)).toEqual([1, 5]);
    expect(picked(front, front.scanAll())).toEqual([1, 5]);
  });

  it('sees a raised pixel without a rescan, and drops pixels no longer above 0', () => {
    const marker = Float64Array.of(1, 0, 0, 0, 2);
    const front = new CandidateFront(marker, new Uint8Array(5));
    expect(picked(front, front.maxima())).toEqual([4]);
    marker[4] = 0; // picked
    marker[2] = 5;
    front.raised(2);
    expect(picked(front, front.maxima())).toEqual([2]);
    marker[2] = -1; // fitted
    expect(picked(front, front.maxima())).toEqual([0]);
  });

  it('misses a pixel written without a raise until invalidated', () => {
    const marker = Float64Array.of(1, 0, 0);
    const front = new CandidateFront(marker, new Uint8Array(3));
    expect(picked(front, front.maxima())).toEqual([0]);
    marker[1] = 4; // written from outside, not raised
    expect(picked(front, front.maxima())).toEqual([0]);
    front.invalidate();
    expect(picked(front, front.maxima())).toEqual([1]);
  });

  it('agrees with a whole-marker scan through random raises, picks and ties', () => {
    const random = new Random(7);
    const size = 200;
    const marker = new Float64Array(size);
    const running = new Uint8Array(size);
    const front = new CandidateFront(marker, running);
    marker[17] = 1;
    for (let step = 0; step < 400; step++) {
      const n = front.maxima();
      const m = picked(front, n);
      expect(m).toEqual(picked(front, front.scanAll()));
      if (n === 0) break;
      const pixel = m[random.integer(n)]!;
      marker[pixel] = 0;
      running[pixel] = 1;
      // Finish the pixel and raise two neighbours (ties on purpose: few levels).
      running[pixel] = 0;
      marker[pixel] = -1;
      for (const q of [pixel - 1, pixel + 3]) {
        if (q < 0 || q >= size || marker[q]! < 0) continue;
        marker[q] = 1 + random.integer(3);
        front.raised(q);
      }
    }
    expect(marker.filter((v) => v === -1).length).toBeGreaterThan(50);
  });
});
