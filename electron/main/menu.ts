/**
 * The application menu: the usual items and shortcuts. Items that act on
 * the workbench send an AppCommand to the UI, which owns the workflow; the
 * template is a pure function so a test can read it without Electron.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { AppCommand, RecentFile } from '@samfire/core/api';

export interface MenuActions {
  command(c: AppCommand): void;
  openRecent(path: string): void;
  recent: readonly RecentFile[];
  isMac: boolean;
}

export function menuTemplate(a: MenuActions): MenuItemConstructorOptions[] {
  const send = (c: AppCommand) => () => a.command(c);
  const recent: MenuItemConstructorOptions[] =
    a.recent.length === 0
      ? [{ label: 'No recent files', enabled: false }]
      : a.recent.map((r) => ({
          label: r.name,
          toolTip: r.path,
          click: () => a.openRecent(r.path),
        }));
  const template: MenuItemConstructorOptions[] = [
    {
      label: '&File',
      submenu: [
        { label: '&Open…', accelerator: 'CmdOrCtrl+O', click: send('open') },
        { label: 'Open &Recent', submenu: recent },
        { label: 'Open &Example', accelerator: 'CmdOrCtrl+Shift+E', click: send('open-example') },
        { type: 'separator' },
        { label: '&Save Project', accelerator: 'CmdOrCtrl+S', click: send('save-project') },
        {
          label: 'Save Project &As…',
          accelerator: 'CmdOrCtrl+Shift+S',
          click: send('save-project-as'),
        },
        { label: 'E&xport Maps…', accelerator: 'CmdOrCtrl+E', click: send('export-maps') },
        { type: 'separator' },
        a.isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    {
      label: '&Edit',
      submenu: [
        // The model's own undo: the renderer decides (a text field keeps its own).
        { label: '&Undo', accelerator: 'CmdOrCtrl+Z', click: send('undo') },
        { label: '&Redo', accelerator: a.isMac ? 'Cmd+Shift+Z' : 'Ctrl+Y', click: send('redo') },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    {
      label: '&Fit',
      submenu: [
        { label: 'Fit &Pixel', accelerator: 'CmdOrCtrl+F', click: send('fit-pixel') },
        { type: 'separator' },
        { label: '&Start SAMFire', accelerator: 'F5', click: send('start') },
        { label: 'S&top SAMFire', accelerator: 'Shift+F5', click: send('stop') },
      ],
    },
    {
      label: '&View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [{ label: 'About SAMFire Studio', role: 'about' }],
    },
  ];
  if (a.isMac) template.unshift({ role: 'appMenu' });
  return template;
}
