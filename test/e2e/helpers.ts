/**
 * Helpers for the end-to-end tests: build the renderer once into a temp
 * folder, start browser mode on it, and drive Debian's headless Chromium
 * through playwright-core (no browser download).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { build, defaultClientConditions } from 'vite';
import { childHostSpawner, startBrowserServer } from '@samfire/core/node';
import type { BrowserServer } from '@samfire/core/node';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/**
 * Without Chromium the browser tests skip on a developer's machine; in CI
 * (which installs it) they always run, so a missing browser fails them
 * instead of passing silently.
 */
export const hasChromium = existsSync(CHROMIUM) || process.env.CI === 'true';
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RESULTS = join(ROOT, 'test-results');

/** Builds renderer/ into a fresh temp folder (the same settings as electron.vite.config.ts). */
export async function buildRenderer(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'samfire-renderer-'));
  await build({
    configFile: false,
    logLevel: 'warn',
    root: join(ROOT, 'renderer'),
    plugins: [svelte()],
    // As electron.vite.config.ts: `@samfire/core/api` from core's sources.
    resolve: { conditions: ['@samfire/source', ...defaultClientConditions] },
    build: {
      outDir,
      emptyOutDir: true,
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      sourcemap: false,
    },
  });
  return outDir;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Browser mode, Chromium and one page, as the workflow tests use them. */
export interface E2eApp {
  server: BrowserServer;
  browser: Browser;
  page: Page;
  /** What watchProblems saw on the page. */
  problems: string[];
  close(): Promise<void>;
}

/**
 * Builds the renderer, starts browser mode on it (with the paced host of
 * slow-host-entry.ts when `slowHost`: set its SAMFIRE_E2E_* variables first)
 * and opens a 1280x800 page in Chromium, watched for problems.
 */
export async function startApp(
  options: {
    slowHost?: boolean;
    files?: readonly string[];
    acceptDownloads?: boolean;
    /** Folders open to the page's path field and file browser (`--folder`). */
    folders?: readonly string[];
    /** Where browser mode remembers folders and recent files (default: nowhere). */
    settingsFile?: string;
  } = {},
): Promise<E2eApp> {
  const server = await startBrowserServer({
    rendererDir: await buildRenderer(),
    ...(options.files ? { files: options.files } : {}),
    ...(options.folders ? { folders: options.folders } : {}),
    ...(options.settingsFile ? { settingsFile: options.settingsFile } : {}),
    ...(options.slowHost
      ? {
          spawnHost: childHostSpawner({
            entry: new URL('./slow-host-entry.ts', import.meta.url),
          }),
        }
      : {}),
  });
  const browser = await launchChromium();
  const page = await browser.newPage({
    viewport: { width: 1280, height: 800 },
    acceptDownloads: options.acceptDownloads ?? false,
  });
  return {
    server,
    browser,
    page,
    problems: watchProblems(page),
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/** Console errors, page errors and CSP violations seen by a page. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text()))
      problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  return problems;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS, { recursive: true });
  const path = join(RESULTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The accessible name of the spectrum chart ("Spectrum of pixel 3, 7"). */
export function spectrumLabel(page: Page): Promise<string | null> {
  return page.getByTestId('spectrum-chart').getAttribute('aria-label');
}

/** Runs an action that makes the page download a file; returns its name and bytes. */
export async function download(
  page: Page,
  action: () => Promise<unknown>,
): Promise<{ name: string; bytes: Uint8Array }> {
  const [d] = await Promise.all([page.waitForEvent('download'), action()]);
  const path = await d.path();
  return { name: d.suggestedFilename(), bytes: new Uint8Array(readFileSync(path)) };
}

/** A locator's box once layout has settled (two equal reads 100 ms apart). */
export async function stableBox(
  page: Page,
  testid: string,
): Promise<{ x: number; y: number; width: number; height: number }> {
  const el = page.getByTestId(testid);
  let last = await el.boundingBox();
  for (let i = 0; i < 30; i++) {
    await page.waitForTimeout(100);
    const now = await el.boundingBox();
    if (now && last && JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
  throw new Error(`${testid}: its layout never settled`);
}
