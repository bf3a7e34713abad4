/** Remembers the window's size and position in userData/window.json. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { app, screen } from 'electron';
import type { WindowBounds } from './window.js';
import { visibleBounds } from './window.js';

function file(): string {
  return join(app.getPath('userData'), 'window.json');
}

export function loadBounds(): WindowBounds {
  let saved: WindowBounds | null = null;
  try {
    const v = JSON.parse(readFileSync(file(), 'utf8')) as Partial<WindowBounds>;
    if (typeof v.width === 'number' && typeof v.height === 'number') saved = v as WindowBounds;
  } catch {
    saved = null;
  }
  return visibleBounds(
    saved,
    screen.getAllDisplays().map((d) => d.workArea),
  );
}

export function saveBounds(bounds: WindowBounds): void {
  try {
    writeFileSync(file(), JSON.stringify(bounds));
  } catch {
    // Losing the window position is not worth an error.
  }
}
