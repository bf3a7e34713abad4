/**
 * Keyboard shortcuts: the same keys as the desktop menu (so browser mode and
 * the app agree), a few single keys for the workbench, and the rule that a
 * text field keeps its own keys (undo in a field undoes typing).
 */
import type { AppCommand } from '@samfire/core/api';

export type Action = AppCommand | 'help' | 'toggle-seed' | 'range-mode';

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

export interface Shortcut {
  action: Action;
  /** As shown to people ("Ctrl+O"). */
  keys: string;
  description: string;
  /** Whether the desktop menu has this accelerator (the shell sends the command itself). */
  inMenu: boolean;
  /** Whether it applies while typing in a field. */
  inFields: boolean;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { action: 'open', keys: 'Ctrl+O', description: 'Open a file', inMenu: true, inFields: true },
  {
    action: 'open-example',
    keys: 'Ctrl+Shift+E',
    description: 'Open the example',
    inMenu: true,
    inFields: true,
  },
  {
    action: 'save-project',
    keys: 'Ctrl+S',
    description: 'Save the project (.hspy)',
    inMenu: true,
    inFields: true,
  },
  {
    action: 'save-project-as',
    keys: 'Ctrl+Shift+S',
    description: 'Save the project as…',
    inMenu: true,
    inFields: true,
  },
  {
    action: 'export-maps',
    keys: 'Ctrl+E',
    description: 'Export maps (Results)',
    inMenu: true,
    inFields: true,
  },
  {
    action: 'undo',
    keys: 'Ctrl+Z',
    description: 'Undo the last model edit',
    inMenu: true,
    inFields: false,
  },
  {
    action: 'redo',
    keys: 'Ctrl+Y / Ctrl+Shift+Z',
    description: 'Redo',
    inMenu: true,
    inFields: false,
  },
  {
    action: 'fit-pixel',
    keys: 'Ctrl+F',
    description: 'Fit the current pixel',
    inMenu: true,
    inFields: true,
  },
  {
    action: 'start',
    keys: 'F5',
    description: 'Start or resume SAMFire',
    inMenu: true,
    inFields: true,
  },
  { action: 'stop', keys: 'Shift+F5', description: 'Stop SAMFire', inMenu: true, inFields: true },
  {
    action: 'toggle-seed',
    keys: 'S',
    description: 'Mark or unmark the current pixel as a seed',
    inMenu: false,
    inFields: false,
  },
  {
    action: 'range-mode',
    keys: 'R',
    description: 'Drag on the spectrum to set the signal range',
    inMenu: false,
    inFields: false,
  },
  {
    action: 'help',
    keys: '?',
    description: 'Show these shortcuts',
    inMenu: false,
    inFields: false,
  },
];

/** The action a key press asks for, or null. `mod` is Ctrl (Cmd on a Mac). */
export function actionFor(e: KeyLike, isMac = false): Action | null {
  const mod = isMac ? e.metaKey : e.ctrlKey;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (e.altKey) return null;
  if (mod) {
    if (key === 'o' && !e.shiftKey) return 'open';
    if (key === 'e') return e.shiftKey ? 'open-example' : 'export-maps';
    if (key === 's') return e.shiftKey ? 'save-project-as' : 'save-project';
    if (key === 'z') return e.shiftKey ? 'redo' : 'undo';
    if (key === 'y' && !e.shiftKey) return 'redo';
    if (key === 'f' && !e.shiftKey) return 'fit-pixel';
    return null;
  }
  if (key === 'F5') return e.shiftKey ? 'stop' : 'start';
  if (key === '?') return 'help';
  if (e.shiftKey) return null;
  if (key === 's') return 'toggle-seed';
  if (key === 'r') return 'range-mode';
  return null;
}

/** Whether a shortcut should be handled by the page (not the field, not the desktop menu). */
export function pageHandles(action: Action, typing: boolean, desktopMenu: boolean): boolean {
  const s = SHORTCUTS.find((x) => x.action === action);
  if (!s) return false;
  if (typing && !s.inFields) return false;
  return !(desktopMenu && s.inMenu);
}

/** The shortcut of an action as shown in a tooltip (" (Ctrl+O)"), or ''. */
export function keysOf(action: Action, isMac = false): string {
  const s = SHORTCUTS.find((x) => x.action === action);
  if (!s) return '';
  return ` (${isMac ? s.keys.replace(/Ctrl/g, '⌘') : s.keys})`;
}

/** Arrow keys as (rows, cols) moves on the navigator. */
export function arrowMove(key: string): [number, number] | null {
  switch (key) {
    case 'ArrowUp':
      return [-1, 0];
    case 'ArrowDown':
      return [1, 0];
    case 'ArrowLeft':
      return [0, -1];
    case 'ArrowRight':
      return [0, 1];
    default:
      return null;
  }
}
