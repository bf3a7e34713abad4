/**
 * The main window: security settings spelled out even where they are
 * Electron's defaults (so the intent is visible and a test can check it),
 * navigation and new windows denied, remembered size and position.
 */
import { BrowserWindow, dialog, session } from 'electron';
import type { BrowserWindowConstructorOptions, Rectangle } from 'electron';

export interface WindowBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized?: boolean;
}

export const DEFAULT_BOUNDS: WindowBounds = { width: 1280, height: 820 };

export function windowOptions(
  bounds: WindowBounds,
  preload: string,
): BrowserWindowConstructorOptions {
  return {
    ...(bounds.x === undefined || bounds.y === undefined ? {} : { x: bounds.x, y: bounds.y }),
    width: bounds.width,
    height: bounds.height,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'SAMFire Studio',
    backgroundColor: '#14161b',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // Middle-click would open links in new windows (denied anyway).
      disableBlinkFeatures: 'Auxclick',
    },
  };
}

/** Keeps a saved window on a visible display; otherwise falls back to the default size, centred. */
export function visibleBounds(
  saved: WindowBounds | null,
  displays: readonly Rectangle[],
): WindowBounds {
  if (!saved || !(saved.width >= 400) || !(saved.height >= 300)) return DEFAULT_BOUNDS;
  if (saved.x === undefined || saved.y === undefined)
    return { width: saved.width, height: saved.height };
  const { x, y } = saved;
  const onScreen = displays.some(
    (d) => x + 100 > d.x && x < d.x + d.width - 100 && y >= d.y && y < d.y + d.height - 50,
  );
  return onScreen
    ? saved
    : { width: saved.width, height: saved.height, ...(saved.maximized ? { maximized: true } : {}) };
}

/** Whether a URL is the app's own page: the same scheme and host (and, for file://, the same file). */
export function isAppUrl(url: string, appUrl: string): boolean {
  try {
    const u = new URL(url);
    const a = new URL(appUrl);
    if (u.protocol !== a.protocol || u.host !== a.host) return false;
    return a.protocol === 'file:' ? u.pathname === a.pathname : true;
  } catch {
    return false;
  }
}

/**
 * Adds the Content-Security-Policy header to every response of the app's
 * session (app-protocol.ts sends the same with each file; the meta tag in
 * renderer/index.html is the browser-mode policy). The literal stays inside
 * the call: electronegativity reads it there. Not used with the dev server,
 * whose scripts come from http://localhost.
 */
export function enforceCsp(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [
          "default-src 'none'; script-src samfire://app; style-src samfire://app; img-src samfire://app data: blob:; font-src samfire://app; connect-src 'none'; base-uri 'none'; form-action 'none'; object-src 'none'; frame-ancestors 'none'",
        ],
      },
    });
  });
}

export function createMainWindow(
  bounds: WindowBounds,
  preload: string,
  appUrl: string,
): BrowserWindow {
  const options = windowOptions(bounds, preload);
  // The security flags are repeated literally on the constructor call so that
  // static checks (electronegativity) see them there.
  const win = new BrowserWindow({
    ...options,
    webPreferences: {
      ...options.webPreferences,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      disableBlinkFeatures: 'Auxclick',
    },
  });
  if (bounds.maximized) win.maximize();
  const contents = win.webContents;
  // No new windows, and nothing is handed to other programs: the app shows no remote content.
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  // The page never navigates away from the app (a dropped file, a stray link).
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, appUrl)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, appUrl)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // The page refuses to unload while it holds unsaved results; without this
  // handler Electron would silently keep the window open. Ask, and close
  // (let the unload go ahead) only when the user says so.
  contents.on('will-prevent-unload', (event) => {
    if (confirmDiscard(win)) event.preventDefault();
  });
  // No permission (camera, notifications, ...) is ever needed.
  contents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  win.once('ready-to-show', () => win.show());
  return win;
}

/** Asks whether to close and lose the unsaved results; true means close. */
export function confirmDiscard(win: BrowserWindow): boolean {
  const choice = dialog.showMessageBoxSync(win, {
    type: 'warning',
    buttons: ['Close without saving', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
    title: 'Unsaved results',
    message: 'The fitted results have not been saved.',
    detail: 'Save the project (File > Save) to keep them, or close and lose them.',
  });
  return choice === 0;
}

export function currentBounds(win: BrowserWindow): WindowBounds {
  const b = win.getNormalBounds();
  return { x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() };
}
