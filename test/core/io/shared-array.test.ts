/** toShared: the same elements over shared memory, an already shared array kept as it is. */
import { describe, expect, it } from 'vitest';
import { toShared } from '../../../core/src/io/shared-array.js';

describe('toShared', () => {
  it('copies a view (offset and length kept) into a SharedArrayBuffer of the same type', () => {
    const backing = Float32Array.of(9, 1.5, -2, 3, 9);
    const view = backing.subarray(1, 4);
    const shared = toShared(view);
    expect(shared).toBeInstanceOf(Float32Array);
    expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(shared)).toEqual([1.5, -2, 3]);
    view[0] = 7; // a copy, not the same memory
    expect(shared[0]).toBe(1.5);
  });

  it('returns an array already over shared memory unchanged', () => {
    const shared = new Uint16Array(new SharedArrayBuffer(8));
    expect(toShared(shared)).toBe(shared);
  });
});
