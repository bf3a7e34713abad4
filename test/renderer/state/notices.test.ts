import { describe, expect, it } from 'vitest';
import { Notices } from '../../../renderer/src/lib/state/notices.svelte.js';

describe('Notices', () => {
  it('keeps at most three', () => {
    const n = new Notices();
    n.push('error', 'a');
    n.push('info', 'b');
    n.push('info', 'c');
    n.push('info', 'd');
    expect(n.items.map((x) => x.title)).toEqual(['a', 'c', 'd']);
  });
});
