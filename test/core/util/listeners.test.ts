/** The one listener set: unsubscribe, every listener runs, errors go to the owner's handler. */
import { describe, expect, it } from 'vitest';
import { KeyedListeners, Listeners } from '@samfire/core/api';

describe('Listeners', () => {
  it('calls every listener, even after one throws, and hands the error to onError', () => {
    const errors: unknown[] = [];
    const set = new Listeners<number>((e) => errors.push(e));
    const seen: number[] = [];
    set.on(() => {
      throw new Error('broken window');
    });
    const off = set.on((v) => seen.push(v));
    set.emit(1);
    off();
    set.emit(2);
    expect(seen).toEqual([1]);
    expect(errors.map((e) => (e as Error).message)).toEqual(['broken window', 'broken window']);
    expect(set.size).toBe(1);
  });

  it('lets a listener unsubscribe itself while the event is delivered', () => {
    const set = new Listeners<string>();
    const seen: string[] = [];
    const off = set.on((v) => {
      seen.push(`a${v}`);
      off();
    });
    set.on((v) => seen.push(`b${v}`));
    set.emit('1');
    set.emit('2');
    expect(seen).toEqual(['a1', 'b1', 'b2']);
  });

  it('keys listener sets by name', () => {
    const keyed = new KeyedListeners<string, number>();
    const seen: string[] = [];
    keyed.on('fit.onProgress', (v) => seen.push(`p${v}`));
    const off = keyed.on('model.onChanged', (v) => seen.push(`m${v}`));
    keyed.emit('fit.onProgress', 1);
    keyed.emit('model.onChanged', 2);
    off();
    keyed.emit('model.onChanged', 3);
    keyed.emit('nobody', 4);
    expect(seen).toEqual(['p1', 'm2']);
    expect(keyed.size('fit.onProgress')).toBe(1);
    expect(keyed.size('model.onChanged')).toBe(0);
  });
});
