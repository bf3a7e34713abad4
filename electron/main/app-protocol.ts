/**
 * The renderer is served from a custom, privileged scheme (samfire://app/)
 * instead of file:// (Electron security checklist: "use custom protocols"):
 * only files inside the built renderer folder, each with the strict CSP as a
 * header; the page's origin is then samfire://app, and nothing on disk
 * outside that folder is reachable from it (symlinks are resolved first).
 */
import { readFile, realpath } from 'node:fs/promises';
import { extname, normalize, resolve, sep } from 'node:path';
import { protocol } from 'electron';

export const APP_SCHEME = 'samfire';
export const APP_URL = `${APP_SCHEME}://app/index.html`;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
};

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false },
    },
  ]);
}

/** The file a samfire://app/... URL names, or null when it would leave the renderer folder. */
export function appFile(url: string, root: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== 'app') return null;
  let path: string;
  try {
    path = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  const file = resolve(root, `.${normalize(path === '/' ? '/index.html' : path)}`);
  return file.startsWith(root + sep) ? file : null;
}

/** `file` with its symlinks resolved, when that is still inside `realRoot`; else null. */
async function insideBundle(file: string, realRoot: string): Promise<string | null> {
  const real = await realpath(file).catch(() => null);
  return real !== null && real.startsWith(realRoot + sep) ? real : null;
}

export function serveAppScheme(rendererDir: string): void {
  const root = resolve(rendererDir);
  const realRoot = realpath(root).catch(() => root);
  protocol.handle(APP_SCHEME, async (request) => {
    const named = appFile(request.url, root);
    // A symlink in the bundle must not lead out of it.
    const file = named ? await insideBundle(named, await realRoot) : null;
    const body = file ? await readFile(file).catch(() => null) : null;
    if (!file || !body) return new Response('not found', { status: 404 });
    return new Response(body, {
      headers: {
        'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Security-Policy':
          "default-src 'none'; script-src samfire://app; style-src samfire://app; img-src samfire://app data: blob:; font-src samfire://app; connect-src 'none'; base-uri 'none'; form-action 'none'; object-src 'none'; frame-ancestors 'none'",
        'X-Content-Type-Options': 'nosniff',
      },
    });
  });
}
