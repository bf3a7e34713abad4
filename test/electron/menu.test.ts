/** The application menu template: the usual items, their shortcuts and what they send. */
import { describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { menuTemplate } from '../../electron/main/menu.js';

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flatten(i.submenu) : [])]);
}

function find(items: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions {
  const hit = flatten(items).find((i) => i.label?.replace(/&/g, '') === label);
  if (!hit) throw new Error(`no menu item '${label}'`);
  return hit;
}

describe('application menu', () => {
  const command = vi.fn();
  const openRecent = vi.fn();
  const items = menuTemplate({
    command,
    openRecent,
    recent: [{ path: '/d/a.dm3', name: 'a.dm3' }],
    isMac: false,
  });

  it.each([
    ['Open…', 'CmdOrCtrl+O', 'open'],
    ['Open Example', 'CmdOrCtrl+Shift+E', 'open-example'],
    ['Save Project', 'CmdOrCtrl+S', 'save-project'],
    ['Save Project As…', 'CmdOrCtrl+Shift+S', 'save-project-as'],
    ['Export Maps…', 'CmdOrCtrl+E', 'export-maps'],
    ['Undo', 'CmdOrCtrl+Z', 'undo'],
    ['Redo', 'Ctrl+Y', 'redo'],
    ['Fit Pixel', 'CmdOrCtrl+F', 'fit-pixel'],
    ['Start SAMFire', 'F5', 'start'],
    ['Stop SAMFire', 'Shift+F5', 'stop'],
  ])('%s has %s and sends %s', (label, accelerator, sent) => {
    const item = find(items, label);
    expect(item.accelerator).toBe(accelerator);
    command.mockClear();
    (item.click as () => void)();
    expect(command).toHaveBeenCalledWith(sent);
  });

  it('lists recent files and opens them by path', () => {
    (find(items, 'a.dm3').click as () => void)();
    expect(openRecent).toHaveBeenCalledWith('/d/a.dm3');
  });

  it('has the standard roles (quit, copy, paste, zoom, window, help)', () => {
    const roles = flatten(items)
      .map((i) => i.role)
      .filter(Boolean);
    expect(roles).toEqual(
      expect.arrayContaining([
        'quit',
        'copy',
        'paste',
        'cut',
        'selectAll',
        'zoomIn',
        'windowMenu',
        'help',
      ]),
    );
  });

  it('adds the app menu and uses Cmd+Shift+Z on macOS', () => {
    const mac = menuTemplate({ command, openRecent, recent: [], isMac: true });
    expect(mac[0]!.role).toBe('appMenu');
    expect(find(mac, 'Redo').accelerator).toBe('Cmd+Shift+Z');
    expect(find(mac, 'No recent files').enabled).toBe(false);
  });
});
