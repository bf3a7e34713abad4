/**
 * The page's keyboard: shortcuts (the desktop menu's keys, handled here only
 * in browser mode; the desktop menu sends its own commands) and arrow keys
 * moving the current pixel when nothing else has the focus; Escape stops
 * opening a file.
 */
import { actionFor, arrowMove, pageHandles } from './logic/shortcuts.js';
import type { Studio } from './state/studio.svelte.js';

function typingIn(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

export function handleKey(studio: Studio, e: KeyboardEvent): void {
  if (e.defaultPrevented || studio.ui.confirmRequest || studio.files.choice) return;
  if (e.key === 'Escape' && studio.files.opening !== null) {
    e.preventDefault();
    studio.files.cancelOpen();
    return;
  }
  const action = actionFor(e, studio.shell?.platform === 'darwin');
  if (action) {
    if (!pageHandles(action, typingIn(e.target), studio.shell?.shell === 'electron')) return;
    e.preventDefault();
    void studio.command(action);
    return;
  }
  const m = arrowMove(e.key);
  if (m && (e.target === document.body || e.target === null) && !e.ctrlKey && !e.metaKey) {
    e.preventDefault();
    void studio.view.move(m[0], m[1]);
  }
}
