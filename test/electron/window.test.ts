/** The main window's options and guards, with a stubbed `electron` module. */
import type { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const stub = vi.hoisted(() => ({ windows: [] as unknown[], answer: 1, asked: 0 }));

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  class FakeContents extends Emitter {
    openHandler: ((d: { url: string }) => { action: string }) | null = null;
    permissionHandler: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | null = null;
    session = {
      setPermissionRequestHandler: (h: FakeContents['permissionHandler']) =>
        (this.permissionHandler = h),
    };
    setWindowOpenHandler(h: FakeContents['openHandler']): void {
      this.openHandler = h;
    }
  }
  class BrowserWindow extends Emitter {
    webContents = new FakeContents();
    options: unknown;
    maximized = false;
    constructor(options: unknown) {
      super();
      this.options = options;
      stub.windows.push(this);
    }
    maximize(): void {
      this.maximized = true;
    }
  }
  const dialog = {
    showMessageBoxSync: (): number => {
      stub.asked++;
      return stub.answer;
    },
  };
  return { BrowserWindow, dialog, session: {} };
});

const { createMainWindow, isAppUrl, visibleBounds, windowOptions } =
  await import('../../electron/main/window.js');

interface FakeWindow extends EventEmitter {
  options: { webPreferences: Record<string, unknown> };
  maximized: boolean;
  webContents: EventEmitter & {
    openHandler: (d: { url: string }) => { action: string };
    permissionHandler: (wc: unknown, p: string, cb: (ok: boolean) => void) => void;
  };
}

const APP = 'samfire://app/index.html';

beforeEach(() => {
  stub.windows.length = 0;
  stub.asked = 0;
});

describe('main window', () => {
  it('states every security flag explicitly', () => {
    const o = windowOptions({ width: 1000, height: 700 }, '/p/preload.cjs');
    expect(o.webPreferences).toMatchObject({
      preload: '/p/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('denies every new window', () => {
    createMainWindow({ width: 1000, height: 700 }, '/p.cjs', APP);
    const win = stub.windows[0] as FakeWindow;
    expect(win.webContents.openHandler({ url: 'https://hyperspy.org' })).toEqual({
      action: 'deny',
    });
    expect(win.webContents.openHandler({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
  });

  it('passes the security flags on the constructor call itself', () => {
    createMainWindow({ width: 1000, height: 700 }, '/p.cjs', APP);
    const win = stub.windows[0] as FakeWindow;
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      disableBlinkFeatures: 'Auxclick',
      preload: '/p.cjs',
    });
  });

  it('blocks navigation away from the app page and webviews; denies permissions', () => {
    createMainWindow({ width: 1000, height: 700, maximized: true }, '/p.cjs', APP);
    const win = stub.windows[0] as FakeWindow;
    expect(win.maximized).toBe(true);
    const nav = (url: string): boolean => {
      const event = { preventDefault: vi.fn() };
      win.webContents.emit('will-navigate', event, url);
      return event.preventDefault.mock.calls.length === 0;
    };
    expect(nav('https://evil.example/')).toBe(false);
    expect(nav('file:///home/me/data.dm3')).toBe(false);
    expect(nav(APP)).toBe(true);
    const webview = { preventDefault: vi.fn() };
    win.webContents.emit('will-attach-webview', webview);
    expect(webview.preventDefault).toHaveBeenCalled();
    const answer = vi.fn();
    win.webContents.permissionHandler(null, 'media', answer);
    expect(answer).toHaveBeenCalledWith(false);
  });

  it('recognises the app URL (file page or dev server origin) and nothing else', () => {
    expect(isAppUrl(`${APP}#x`, APP)).toBe(true);
    expect(isAppUrl('samfire://app/assets/x.js', APP)).toBe(true);
    expect(isAppUrl('samfire://other/index.html', APP)).toBe(false);
    expect(isAppUrl('foo://app/index.html', APP)).toBe(false);
    expect(isAppUrl('file:///other/index.html', APP)).toBe(false);
    const file = 'file:///opt/app/index.html';
    expect(isAppUrl(file, file)).toBe(true);
    expect(isAppUrl('file:///opt/app/other.html', file)).toBe(false);
    expect(isAppUrl('http://localhost:5173/x', 'http://localhost:5173/')).toBe(true);
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
    expect(isAppUrl('not a url', APP)).toBe(false);
  });

  it('restores a saved position only when it is on a display', () => {
    const displays = [{ x: 0, y: 0, width: 1920, height: 1080 }];
    expect(visibleBounds({ x: 100, y: 100, width: 900, height: 700 }, displays)).toEqual({
      x: 100,
      y: 100,
      width: 900,
      height: 700,
    });
    expect(visibleBounds({ x: 5000, y: 100, width: 900, height: 700 }, displays)).toEqual({
      width: 900,
      height: 700,
    });
    expect(visibleBounds(null, displays)).toEqual({ width: 1280, height: 820 });
    expect(visibleBounds({ width: 10, height: 10 }, displays)).toEqual({
      width: 1280,
      height: 820,
    });
  });

  it('asks before closing over unsaved results, and closes only when told to', () => {
    createMainWindow({ width: 1000, height: 700 }, '/p.cjs', APP);
    const win = stub.windows[0] as FakeWindow;
    const close = (answer: number): boolean => {
      stub.answer = answer;
      const event = { preventDefault: vi.fn() };
      win.webContents.emit('will-prevent-unload', event);
      // preventDefault on this event lets the unload (the close) go ahead.
      return event.preventDefault.mock.calls.length === 1;
    };
    expect(close(1)).toBe(false);
    expect(close(0)).toBe(true);
    expect(stub.asked).toBe(2);
  });
});
