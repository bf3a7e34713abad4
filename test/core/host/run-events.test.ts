/** From engine events to the app's run events: the mapping alone, on plain data. */
import { describe, expect, it } from 'vitest';
import type { RetestEvent } from '@samfire/core';
import {
  endMessage,
  listSome,
  retestMessage,
  toRunEvent,
  type RunEventContext,
  type RunSummary,
} from '../../../core/src/host/run-events.js';

const ctx: RunEventContext = {
  activeStrategy: 1,
  seeds: new Set([3]),
  pixelName: (p) => `(${p}, 0)`,
};

const retest: RetestEvent = {
  test: { kind: 'redChisq', tolerance: 0.5 },
  previous: { kind: 'redChisq', tolerance: 1 },
  tested: 10,
  failed: [2, 3],
  statistics: [1.7, NaN],
  cleared: 1,
};

const summary = (over: Partial<RunSummary> = {}): RunSummary => ({
  finished: true,
  pixels: 4,
  pixelsDone: 4,
  count: 9,
  countAtStart: 5,
  marker: Float64Array.of(-1, -1, -1, -1),
  retest: null,
  goodness: { kind: 'redChisq', tolerance: 1 },
  ...over,
});

describe('run events', () => {
  it('names the new strategy with its own index', () => {
    expect(
      toRunEvent({ type: 'strategyChanged', index: 0, name: 'Histo', flavour: 'global' }, ctx),
    ).toEqual({
      kind: 'strategy-changed',
      message: "now running 'Histo' (global)",
      activeStrategy: 0,
    });
  });

  it('reports backups, faults and failures at the active strategy', () => {
    expect(toRunEvent({ type: 'backupWritten', count: 25 }, ctx)).toEqual({
      kind: 'backup-written',
      message: 'backup after 25 results',
      activeStrategy: 1,
    });
    expect(toRunEvent({ type: 'backupFailed', error: new Error('disk full') }, ctx)).toEqual({
      kind: 'fault',
      message: 'backup failed: Error: disk full',
      activeStrategy: 1,
    });
    expect(toRunEvent({ type: 'error', message: 'worker died' }, ctx).kind).toBe('fault');
    expect(toRunEvent({ type: 'failed', error: new Error('no strategy') }, ctx)).toEqual({
      kind: 'failed',
      message: 'no strategy',
      activeStrategy: 1,
    });
  });

  it('tells what a re-test failed and which seed no longer starts the run', () => {
    const text = retestMessage(retest, ctx);
    expect(text).toContain('re-tested 10 fitted pixels, 2 fail it');
    expect(text).toContain('(1 SAMFire results cleared to NaN until they pass)');
    expect(text).toContain('seed (3, 0) (no fit stored) fails it');
    expect(text).not.toContain('(2, 0)');
    expect(toRunEvent({ type: 'retested', retest }, ctx)).toEqual({
      kind: 'retested',
      message: text,
      activeStrategy: 1,
    });
  });

  it('sums a run up: fitted, re-tested, nothing refitted, left unfitted', () => {
    expect(endMessage(summary())).toBe('4 of 4 pixels fitted');
    expect(endMessage(summary({ count: 5 }))).toMatch(
      /; nothing was refitted: every pixel already passes/,
    );
    const partial = summary({ pixelsDone: 3, marker: Float64Array.of(-1, -1, 0, -1) });
    expect(endMessage(partial)).toMatch(/; 1 passed no goodness test/);
    expect(endMessage({ ...partial, finished: false })).toBe('3 of 4 pixels fitted');
    expect(endMessage(summary({ retest }))).toMatch(/: 2 failed, 2 of them pass after refitting$/);
    expect(toRunEvent({ type: 'ended', summary: summary({ finished: false }) }, ctx).kind).toBe(
      'stopped',
    );
  });

  it('lists at most five, then counts the rest', () => {
    expect(listSome(['a', 'b'])).toBe('a, b');
    expect(listSome(['1', '2', '3', '4', '5', '6', '7'])).toBe('1, 2, 3, 4, 5 and 2 more');
  });
});
