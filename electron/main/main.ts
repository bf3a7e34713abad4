/**
 * The Electron main process: thin. It owns the window, the menu, the dialogs
 * and the recent list; everything else is the service host in a utility
 * process, reached through core's HostConnection. One handler per feature,
 * registered on ready, as electron/fiddle does.
 */
import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Menu, app, dialog } from 'electron';
import type { BrowserWindow } from 'electron';
import type { AppCommand, RecentFile } from '@samfire/core/api';
import { HostConnection, Listeners, createShellApi } from '@samfire/core/host';
import { APP_URL, registerAppScheme, serveAppScheme } from './app-protocol.js';
import { utilityHostSpawner } from './host/utility-host.js';
import { forwardApiEvents, registerApi } from './ipc/validated-ipc.js';
import { filesFromArgv } from './files.js';
import { menuTemplate } from './menu.js';
import { loadRecent } from './recent-store.js';
import { createMainWindow, currentBounds, enforceCsp, isAppUrl } from './window.js';
import { loadBounds, saveBounds } from './window-state.js';

const here = dirname(fileURLToPath(import.meta.url));
const preload = join(here, '../preload/preload.cjs');
const devUrl = process.env.ELECTRON_RENDERER_URL;
const appUrl = devUrl ?? APP_URL;

let win: BrowserWindow | null = null;
const pendingFiles: string[] = [];
const commands = new Listeners<AppCommand>();
/** Files handed over once the page runs: the page asks about unsaved results, then opens them. */
const openRequests = new Listeners<RecentFile>();
/** Opens a path the user handed over (set once the host exists). */
let open: ((path: string) => Promise<void>) | null = null;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  registerAppScheme();
  // Files the OS hands over before the window exists wait in pendingFiles.
  app.on('open-file', (event, path) => {
    event.preventDefault();
    if (open) void open(path);
    else pendingFiles.push(path);
  });
  pendingFiles.push(...filesFromArgv(process.argv.slice(1), process.cwd()));
  void app.whenReady().then(start);
}

async function start(): Promise<void> {
  if (!devUrl) {
    serveAppScheme(join(here, '../renderer'));
    enforceCsp();
  }
  const backupDir = join(app.getPath('userData'), 'backups');
  mkdirSync(backupDir, { recursive: true });
  const host = new HostConnection(
    utilityHostSpawner({
      entry: join(here, 'host-entry.js'),
      workerScript: pathToFileURL(join(here, 'fit-worker.js')).href,
      backupDir,
    }),
  );
  const ready = host.start();

  const recent = loadRecent(() => buildMenu());
  const api = createShellApi(host.api, {
    info: {
      shell: 'electron',
      appVersion: app.getVersion(),
      platform: process.platform,
      dialogs: true,
    },
    showOpenDialog: async (extensions, title) => {
      const options = {
        ...(title === undefined ? {} : { title }),
        properties: ['openFile' as const],
        filters: [
          { name: 'Spectrum images', extensions: extensions.map((e) => e.replace(/^\./, '')) },
          { name: 'All files', extensions: ['*'] },
        ],
      };
      const r = win
        ? await dialog.showOpenDialog(win, options)
        : await dialog.showOpenDialog(options);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    showSaveDialog: async (suggestedName) => {
      const options = { defaultPath: join(app.getPath('documents'), suggestedName) };
      const r = win
        ? await dialog.showSaveDialog(win, options)
        : await dialog.showSaveDialog(options);
      return r.canceled ? null : (r.filePath ?? null);
    },
    recent,
    onCommand: commands.on,
    onHostStatus: host.status.on,
    onOpenRequest: openRequests.on,
  });

  const trusted = {
    contents: () => win?.webContents ?? null,
    isAppUrl: (url: string) => isAppUrl(url, appUrl),
  };
  registerApi(api, trusted);
  forwardApiEvents(api, trusted);

  let launched = false;
  /** Opens at once: only for the files given at launch, before there can be unsaved results. */
  const openAtLaunch = async (path: string): Promise<void> => {
    try {
      await ready;
      await host.api.file.openPath({ path });
      recent.add(path);
      win?.focus();
    } catch (e) {
      dialog.showErrorBox('Cannot open the file', e instanceof Error ? e.message : String(e));
    }
  };
  // Later (Open Recent, a file from the OS, a second launch) the page may hold unsaved
  // results: it asks first, then opens the file through the recent list (file.openRecent).
  open = async (path: string) => {
    // Before the page listens, the file waits with those given at launch.
    if (!launched) {
      pendingFiles.push(path);
      return;
    }
    recent.add(path);
    win?.focus();
    openRequests.emit({ path, name: basename(path) });
  };

  function buildMenu(): void {
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        menuTemplate({
          command: (c) => commands.emit(c),
          openRecent: (path) => void open?.(path),
          recent: recent.list(),
          isMac: process.platform === 'darwin',
        }),
      ),
    );
  }
  buildMenu();

  app.on('second-instance', (_event, argv, cwd) => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
    for (const f of filesFromArgv(argv, cwd)) void open?.(f);
  });

  win = createMainWindow(loadBounds(), preload, appUrl);
  win.on('close', () => {
    if (win) saveBounds(currentBounds(win));
  });
  win.on('closed', () => {
    win = null;
  });
  await win.loadURL(appUrl);
  while (pendingFiles.length > 0) await openAtLaunch(pendingFiles.shift()!);
  launched = true;

  app.on('window-all-closed', () => {
    host.close();
    app.quit();
  });
  // app.quit() (the Quit menu item, Cmd+Q) skips 'window-all-closed': end the
  // host and its fitting workers here too (close() is idempotent).
  app.on('will-quit', () => host.close());
}
