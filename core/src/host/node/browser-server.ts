/**
 * Browser mode: serves the built renderer and SamfireApi over a WebSocket on
 * 127.0.0.1 (a random port unless given), with the services in a child
 * process. For the end-to-end tests, and for using the app from a browser on
 * a headless analysis machine (through an SSH tunnel: it never listens on
 * other interfaces).
 *
 * Safety: only 127.0.0.1; a random token in the printed URL, required on the
 * WebSocket; the WebSocket's Origin must be this server; a Host other than
 * 127.0.0.1 or localhost (DNS rebinding) is refused; strict CSP and no
 * remote content; static files only from the renderer folder (symlinks
 * resolved); malformed frames close the socket, never the server; calls
 * carry at most `maxUploadBytes` (--max-upload), with an error that says how
 * to raise it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { apiEvents, isApiMethod, isServiceName } from '../../api/channels.js';
import { apiGuards } from '../../api/guards.js';
import { dispatchCall, forwardEvents, isRpcMessage } from '../../api/rpc.js';
import type { RpcMessage } from '../../api/rpc.js';
import type { SamfireApi } from '../../api/samfire-api.js';
import type { AppCommand } from '../../api/types.js';
import {
  DEFAULT_MAX_UPLOAD,
  FRAME_MARGIN,
  decodeFrame,
  encodeFrame,
  payloadBytes,
  uploadTooLarge,
} from '../../api/wire.js';
import { HostConnection } from '../host-connection.js';
import type { HostSpawner } from '../host-connection.js';
import { Listeners } from '../listeners.js';
import { RecentList, createShellApi } from '../shell-api.js';
import { childHostSpawner } from './child-host.js';
import { FolderAccess } from './folder-access.js';
import { readableExtensions } from '../../io/node/read-file.js';
import { projectBytes } from './project-download.js';

export interface BrowserServerOptions {
  /** The built renderer (index.html and assets). */
  rendererDir: string;
  /** 0 = a random free port. @default 0 */
  port?: number;
  /** Starts the service host. @default a Node child process */
  spawnHost?: HostSpawner;
  /** Folder for crash backups. @default none */
  backupDir?: string | null;
  appVersion?: string;
  /** Files the user passed on the command line (become the recent list; the first is opened). */
  files?: readonly string[];
  /** Fixed token (tests); default random. */
  token?: string;
  /** Folders whose files the page may open by path (`--folder`); more can be added in the page. */
  folders?: readonly string[];
  /** Where the chosen folders and the recent list are remembered (null: nowhere). @default null */
  settingsFile?: string | null;
  /** The most bytes one call may carry (an upload). @default 1 GiB */
  maxUploadBytes?: number;
}

export interface BrowserServer {
  url: string;
  port: number;
  token: string;
  server: Server;
  host: HostConnection;
  api: SamfireApi;
  close(): Promise<void>;
}

/** The page may load only its own scripts and styles and talk only to its own WebSocket. */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ws://127.0.0.1:${port}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(port),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-store',
  };
}

/**
 * Whether a request's Host names this machine by its loopback name (any
 * port, for SSH tunnels). Anything else is a page whose DNS name was pointed
 * at 127.0.0.1 (DNS rebinding), reading what it should not.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  return ['127.0.0.1', 'localhost', '[::1]'].includes(name.toLowerCase());
}

async function serveStatic(
  root: string,
  req: IncomingMessage,
  res: ServerResponse,
  port: number,
): Promise<void> {
  const headers = securityHeaders(port);
  if (!isLoopbackHost(req.headers.host)) {
    res
      .writeHead(403, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
      .end('this server answers to 127.0.0.1 only');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, headers).end();
    return;
  }
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    res.writeHead(400, headers).end();
    return;
  }
  if (path.endsWith('/')) path += 'index.html';
  const file = resolve(root, `.${normalize(path)}`);
  if (file !== root && !file.startsWith(root + sep)) {
    res.writeHead(403, headers).end();
    return;
  }
  // A symlink inside the folder must not lead out of it.
  const real = await realpath(file).catch(() => null);
  if (real !== null && !real.startsWith(root + sep)) {
    res.writeHead(403, headers).end();
    return;
  }
  const info = real === null ? null : await stat(real).catch(() => null);
  if (!info?.isFile()) {
    res
      .writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
      .end('not found');
    return;
  }
  const body = await readFile(real!);
  res.writeHead(200, {
    ...headers,
    'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sameToken(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  // Real path, so that files reached through symlinks can be checked against it.
  const root = await realpath(resolve(options.rendererDir)).catch(() =>
    resolve(options.rendererDir),
  );
  const maxUpload = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD;
  if (!(Number.isSafeInteger(maxUpload) && maxUpload > 0))
    throw new Error(
      `browser mode: the upload limit must be a positive number of bytes, got ${maxUpload}`,
    );
  const indexInfo = await stat(join(root, 'index.html')).catch(() => null);
  if (!indexInfo)
    throw new Error(`browser mode: no built renderer in ${root} (run the renderer build first)`);
  const token = options.token ?? randomBytes(18).toString('base64url');
  const host = new HostConnection(
    options.spawnHost ?? childHostSpawner({ backupDir: options.backupDir ?? null }),
  );
  await host.start();

  const folders = await FolderAccess.open({
    settingsFile: options.settingsFile ?? null,
    folders: options.folders ?? [],
    extensions: readableExtensions(),
  });
  // Files given on the command line first, then those remembered from earlier sessions.
  const remembered = folders.recent.filter((p) => !(options.files ?? []).includes(p));
  const recent = new RecentList([...(options.files ?? []), ...remembered], 10, (paths) => {
    void folders.setRecent(paths);
  });
  const hostStatus = host.status;
  const commands = new Listeners<AppCommand>();
  const api = createShellApi(host.api, {
    info: {
      shell: 'browser',
      appVersion: options.appVersion ?? '0.0.0',
      platform: process.platform,
      dialogs: false,
      maxUploadBytes: maxUpload,
    },
    recent,
    folders,
    projectBytes: (name) => projectBytes(host.api, name),
    onCommand: commands.on,
    onHostStatus: hostStatus.on,
  });

  let port = 0;
  const server = createServer((req, res) => {
    serveStatic(root, req, res, port).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  const sockets = new Set<WebSocket>();
  // Frames over the limit (and the room its header needs) are closed with 1009 by ws.
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxUpload + FRAME_MARGIN });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = req.headers.origin;
    const ok =
      url.pathname === '/api' &&
      isLoopbackHost(req.headers.host) &&
      sameToken(url.searchParams.get('token'), token) &&
      origin === `http://127.0.0.1:${port}`;
    if (!ok) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const send = (ws: WebSocket, m: RpcMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(encodeFrame(m));
  };
  const stopEvents = forwardEvents(api, apiEvents, (e) => {
    for (const ws of sockets) send(ws, e);
  });

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    // A frame that breaks the protocol (or the size limit): ws closes this
    // socket with the right code; without a listener the error would end the server.
    ws.on('error', () => undefined);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      let message: unknown;
      try {
        if (!isBinary) throw new Error('text frame');
        message = decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      } catch {
        ws.close(1003, 'unreadable message');
        return;
      }
      if (!isRpcMessage(message) || message.type !== 'call') {
        ws.close(1008, 'not an API call');
        return;
      }
      const call = message;
      const bytes = payloadBytes(call.arg);
      if (bytes > maxUpload) {
        send(ws, {
          type: 'reply',
          id: call.id,
          ok: false,
          error: { name: 'Error', message: uploadTooLarge(bytes, maxUpload) },
        });
        return;
      }
      if (!isServiceName(call.service) || !isApiMethod(call.service, call.method)) {
        send(ws, {
          type: 'reply',
          id: call.id,
          ok: false,
          error: { name: 'Error', message: `unknown method '${call.service}.${call.method}'` },
        });
        return;
      }
      void dispatchCall(api, apiGuards, call).then((reply) => send(ws, reply));
    });
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => ok());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/?token=${token}`;

  const first = options.files?.[0];
  if (first)
    await host.api.file.openPath({ path: first }).catch((e: unknown) => console.error(String(e)));

  return {
    url,
    port,
    token,
    server,
    host,
    api,
    close: async () => {
      stopEvents();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((ok) => server.close(() => ok()));
      server.closeAllConnections();
      host.close();
    },
  };
}
