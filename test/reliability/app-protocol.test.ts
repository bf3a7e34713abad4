/**
 * The Electron app's samfire:// protocol handler (electron/main/app-protocol.ts)
 * asked for files outside the app's bundle: `..` in every encoding, absolute
 * paths, backslashes, overlong UTF-8, null bytes, symlinks inside the bundle
 * pointing out of it, other hosts. Run with the stubbed electron module (as
 * test/electron/app-protocol.test.ts), on a real folder, through the real
 * handler; nothing outside the bundle may be served.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Figures } from './figures.js';

const handlers = vi.hoisted(() => new Map<string, (request: Request) => Promise<Response>>());
vi.mock('electron', () => ({
  protocol: {
    handle: (scheme: string, handler: (request: Request) => Promise<Response>) =>
      handlers.set(scheme, handler),
    registerSchemesAsPrivileged: () => undefined,
  },
}));
const { serveAppScheme } = await import('../../electron/main/app-protocol.js');

const SECRET = 'outside the bundle';
const figures = new Figures('Electron samfire:// protocol');
let dir: string;
let bundle: string;
let secretPath: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'samfire-protocol-'));
  bundle = join(dir, 'renderer');
  mkdirSync(join(bundle, 'assets'), { recursive: true });
  writeFileSync(join(bundle, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(bundle, 'assets', 'a.js'), 'export {}');
  secretPath = join(dir, 'secret.txt');
  writeFileSync(secretPath, SECRET);
  mkdirSync(join(dir, 'outside'));
  writeFileSync(join(dir, 'outside', 'secret.txt'), SECRET);
  symlinkSync(secretPath, join(bundle, 'link.txt'));
  symlinkSync(join(dir, 'outside'), join(bundle, 'linkdir'));
  symlinkSync(secretPath, join(bundle, 'assets', 'inner-link.js'));
  serveAppScheme(bundle);
});

afterAll(() => {
  figures.report();
  rmSync(dir, { recursive: true, force: true });
});

async function fetchApp(url: string): Promise<{ status: number; body: string } | string> {
  const handler = handlers.get('samfire')!;
  let request: Request;
  try {
    request = new Request(url);
  } catch {
    // URLs a Request refuses (Chromium would not send them either): call with the bare URL.
    request = { url } as Request;
  }
  try {
    const r = await handler(request);
    return { status: r.status, body: await r.text() };
  } catch (e) {
    return `threw: ${e instanceof Error ? e.message : String(e)}`;
  }
}

describe('samfire:// protocol', () => {
  it('serves the bundle', async () => {
    const page = await fetchApp('samfire://app/index.html');
    expect(page).toMatchObject({ status: 200, body: '<!doctype html><title>app</title>' });
    expect(await fetchApp('samfire://app/assets/a.js')).toMatchObject({ status: 200 });
  });

  it('never serves a file outside the bundle', async () => {
    const enc = encodeURIComponent;
    const urls = [
      'samfire://app/../secret.txt',
      'samfire://app/%2e%2e/secret.txt',
      'samfire://app/%2E%2E/secret.txt',
      'samfire://app/.%2e/secret.txt',
      'samfire://app/..%2fsecret.txt',
      'samfire://app/%2e%2e%2fsecret.txt',
      'samfire://app/%252e%252e%252fsecret.txt',
      'samfire://app/..%5csecret.txt',
      'samfire://app/..\\secret.txt',
      'samfire://app/%c0%ae%c0%ae/secret.txt',
      'samfire://app/%c0%ae%c0%ae%c0%afsecret.txt',
      'samfire://app/%e0%80%ae%e0%80%ae/secret.txt',
      'samfire://app/secret.txt%00.js',
      'samfire://app/%00/../secret.txt',
      `samfire://app/${enc(secretPath)}`,
      `samfire://app/${secretPath.replaceAll('/', '%2f')}`,
      `samfire://app//${secretPath.slice(1)}`,
      `samfire://app${secretPath}`,
      `samfire://app/assets/${enc('../../secret.txt')}`,
      'samfire://app/link.txt',
      'samfire://app/linkdir/secret.txt',
      'samfire://app/assets/inner-link.js',
      'samfire://app/assets/..%2f..%2fsecret.txt',
      'samfire://other/secret.txt',
      'samfire://app@other/secret.txt',
      `file://${secretPath}`,
    ];
    for (const url of urls) {
      const r = await fetchApp(url);
      if (typeof r === 'string') figures.record(url, 'crash', r);
      else if (r.body.includes(SECRET)) figures.record(url, 'dataLost', `served (${r.status})`);
      else if (r.status !== 404 && r.status !== 403)
        figures.record(url, 'other', `status ${r.status}`);
      else figures.record(url, 'clean', String(r.status));
    }
    expect(figures.failures()).toEqual([]);
  });
});
