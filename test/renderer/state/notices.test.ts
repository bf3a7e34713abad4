/** Notices on their own: limits, fading, errors that stay, the method prefix dropped. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { errorText, FADE, Notices } from '../../../renderer/src/lib/state/notices.svelte.js';

describe('Notices', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('keeps at most three: the oldest that is not an error goes first', () => {
    const n = new Notices();
    n.push('error', 'a');
    n.push('info', 'b');
    n.push('info', 'c');
    n.push('info', 'd');
    expect(n.items.map((x) => x.title)).toEqual(['a', 'c', 'd']);
    n.push('error', 'e');
    n.push('error', 'f');
    n.push('error', 'g');
    expect(n.items.map((x) => x.title)).toEqual(['e', 'f', 'g']);
  });

  it('fades all but errors after their time', () => {
    const n = new Notices();
    n.push('error', 'broken');
    n.push('success', 'saved');
    vi.advanceTimersByTime(FADE.success - 1);
    expect(n.items).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(n.items.map((x) => x.title)).toEqual(['broken']);
    vi.advanceTimersByTime(3_600_000);
    expect(n.items.map((x) => x.title)).toEqual(['broken']);
  });

  it('the same message again replaces the old one', () => {
    const n = new Notices();
    const first = n.push('warning', 'x', 'y');
    const second = n.push('warning', 'x', 'y');
    expect(n.items.map((x) => x.id)).toEqual([second]);
    expect(second).not.toBe(first);
  });

  it('an error says what failed, without the method prefix of the guard', () => {
    const n = new Notices();
    n.error('Could not open x.dm3', new Error('file.openByPath: x.dm3: truncated tag at 0x40'));
    expect(n.items[0]).toMatchObject({
      kind: 'error',
      title: 'Could not open x.dm3',
      text: 'x.dm3: truncated tag at 0x40',
    });
    expect(errorText('plain')).toBe('plain');
  });

  it('clears errors only, or everything', () => {
    const n = new Notices();
    n.push('error', 'e');
    n.push('info', 'i');
    n.clearErrors();
    expect(n.items.map((x) => x.title)).toEqual(['i']);
    n.clear();
    expect(n.items).toEqual([]);
  });
});
