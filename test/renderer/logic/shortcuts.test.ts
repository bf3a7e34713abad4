/** Keyboard shortcuts: the desktop menu's keys, single keys, and fields keeping theirs. */
import { describe, expect, it } from 'vitest';
import {
  actionFor,
  arrowMove,
  keysOf,
  pageHandles,
  SHORTCUTS,
} from '../../../renderer/src/lib/logic/shortcuts.js';

const key = (
  k: string,
  mods: Partial<{ ctrl: boolean; meta: boolean; shift: boolean; alt: boolean }> = {},
) => ({
  key: k,
  ctrlKey: !!mods.ctrl,
  metaKey: !!mods.meta,
  shiftKey: !!mods.shift,
  altKey: !!mods.alt,
});

describe('shortcuts', () => {
  it('maps the menu accelerators', () => {
    expect(actionFor(key('o', { ctrl: true }))).toBe('open');
    expect(actionFor(key('E', { ctrl: true, shift: true }))).toBe('open-example');
    expect(actionFor(key('s', { ctrl: true }))).toBe('save-project');
    expect(actionFor(key('S', { ctrl: true, shift: true }))).toBe('save-project-as');
    expect(actionFor(key('z', { ctrl: true }))).toBe('undo');
    expect(actionFor(key('Z', { ctrl: true, shift: true }))).toBe('redo');
    expect(actionFor(key('y', { ctrl: true }))).toBe('redo');
    expect(actionFor(key('f', { ctrl: true }))).toBe('fit-pixel');
    expect(actionFor(key('F5'))).toBe('start');
    expect(actionFor(key('F5', { shift: true }))).toBe('stop');
    expect(actionFor(key('e', { ctrl: true }))).toBe('export-maps');
  });

  it('uses Cmd on a Mac and ignores Alt combinations', () => {
    expect(actionFor(key('o', { meta: true }), true)).toBe('open');
    expect(actionFor(key('o', { ctrl: true }), true)).toBeNull();
    expect(actionFor(key('o', { ctrl: true, alt: true }))).toBeNull();
  });

  it('has single keys for seeds, range mode and help', () => {
    expect(actionFor(key('s'))).toBe('toggle-seed');
    expect(actionFor(key('r'))).toBe('range-mode');
    expect(actionFor(key('?', { shift: true }))).toBe('help');
    expect(actionFor(key('x'))).toBeNull();
  });

  it('leaves editing keys to fields and menu keys to the desktop menu', () => {
    expect(pageHandles('undo', true, false)).toBe(false);
    expect(pageHandles('toggle-seed', true, false)).toBe(false);
    expect(pageHandles('save-project', true, false)).toBe(true);
    expect(pageHandles('save-project', false, true)).toBe(false);
    expect(pageHandles('help', false, true)).toBe(true);
  });

  it('shows keys in tooltips and lists every action once', () => {
    expect(keysOf('open')).toBe(' (Ctrl+O)');
    expect(keysOf('open', true)).toBe(' (⌘+O)');
    expect(new Set(SHORTCUTS.map((s) => s.action)).size).toBe(SHORTCUTS.length);
    expect(arrowMove('ArrowUp')).toEqual([-1, 0]);
    expect(arrowMove('Enter')).toBeNull();
  });
});
