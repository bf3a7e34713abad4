/** Bounded-rate redraws: at most one call per interval, the last request never lost. */
import { describe, expect, it } from 'vitest';
import { Throttle } from '../../../renderer/src/lib/logic/throttle.js';
import type { Clock } from '../../../renderer/src/lib/logic/throttle.js';

function fakeClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let next = 1;
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = next++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
    advance(ms) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.fn();
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('throttle', () => {
  it('runs the first request at once and collapses the rest into one trailing call', async () => {
    const clock = fakeClock();
    let calls = 0;
    const t = new Throttle(() => void calls++, 100, clock);
    t.request();
    expect(calls).toBe(1);
    await settle();
    for (let i = 0; i < 50; i++) t.request();
    expect(calls).toBe(1);
    clock.advance(99);
    expect(calls).toBe(1);
    clock.advance(1);
    expect(calls).toBe(2);
    await settle();
    clock.advance(1000);
    expect(calls).toBe(2);
  });

  it('asks again after a slow call finishes when requests came in meanwhile', async () => {
    const clock = fakeClock();
    let calls = 0;
    let finish: () => void = () => undefined;
    const t = new Throttle(
      () => {
        calls++;
        return new Promise<void>((r) => (finish = r));
      },
      100,
      clock,
    );
    t.request();
    t.request();
    expect(t.pending).toBe(true);
    clock.advance(500);
    expect(calls).toBe(1);
    finish();
    await settle();
    await settle();
    expect(calls).toBe(2);
  });

  it('can be cancelled', async () => {
    const clock = fakeClock();
    let calls = 0;
    const t = new Throttle(() => void calls++, 100, clock);
    t.request();
    await settle();
    t.request();
    t.cancel();
    clock.advance(200);
    expect(calls).toBe(1);
  });
});
