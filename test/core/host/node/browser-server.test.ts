/**
 * The browser-mode server without a browser: static files with strict
 * headers and no way out of the renderer folder; the WebSocket only for this
 * origin with the token; the same API over binary frames, typed arrays intact.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { decodeFrame, encodeFrame } from '@samfire/core/api';
import { startBrowserServer } from '@samfire/core/node';
import type { BrowserServer } from '@samfire/core/node';

let server: BrowserServer;
let secret: string;

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'samfire-static-'));
  mkdirSync(join(root, 'app'));
  writeFileSync(join(root, 'app/index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(root, 'app/x.js'), 'export {}');
  secret = join(root, 'secret.txt');
  writeFileSync(secret, 'do not serve');
  symlinkSync(secret, join(root, 'app/link.txt'));
  server = await startBrowserServer({ rendererDir: join(root, 'app'), token: 'test-token' });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    // A raw path, so '..' reaches the server as sent.
    const req = request(
      { host: '127.0.0.1', port: server.port, path, method: 'GET', headers },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function connect(url: string, origin: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { origin });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

function call(
  ws: WebSocket,
  id: number,
  service: string,
  method: string,
  arg?: unknown,
): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer): void => {
      const m = decodeFrame(new Uint8Array(data)) as Record<string, unknown>;
      if (m.type === 'reply' && m.id === id) {
        ws.off('message', onMessage);
        resolve(m);
      }
    };
    ws.on('message', onMessage);
    ws.send(encodeFrame({ type: 'call', id, service, method, arg }));
  });
}

describe('browser server', () => {
  it('listens on 127.0.0.1 only and prints a URL with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=test-token`);
    expect(server.server.address()).toMatchObject({ address: '127.0.0.1' });
  });

  it('serves the renderer with a strict CSP and other safety headers', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.headers['content-security-policy']).toBe(
      `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self' ws://127.0.0.1:${server.port}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'`,
    );
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect((await get('/x.js')).headers['content-type']).toMatch(/javascript/);
  });

  it('never serves files outside the renderer folder', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt']) {
      const r = await get(path);
      expect(r.body).not.toContain('do not serve');
      expect([403, 404]).toContain(r.status);
    }
  });

  it('does not follow a symlink out of the renderer folder', async () => {
    const r = await get('/link.txt');
    expect(r.status).toBe(403);
    expect(r.body).not.toContain('do not serve');
  });

  it('answers only to a loopback Host (no DNS rebinding)', async () => {
    expect((await get('/', { Host: 'evil.example' })).status).toBe(403);
    expect((await get('/', { Host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('survives a frame that breaks the WebSocket protocol, closing only that socket', async () => {
    const code = await new Promise<number>((resolve) => {
      const socket = netConnect(server.port, '127.0.0.1', () => {
        socket.write(
          `GET /api?token=test-token HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n` +
            `Origin: http://127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        );
      });
      let buf = Buffer.alloc(0);
      let sent = false;
      socket.on('data', (c: Buffer) => {
        buf = Buffer.concat([buf, c]);
        const end = buf.indexOf('\r\n\r\n');
        if (!sent && end >= 0) {
          sent = true;
          buf = buf.subarray(end + 4);
          // Unmasked, which a client must never send.
          socket.write(Buffer.from([0x82, 0x01, 0x00]));
        }
        if (sent && buf.length >= 4 && (buf[0]! & 0x0f) === 8) {
          resolve(buf.readUInt16BE(2));
          socket.destroy();
        }
      });
    });
    expect(code).toBe(1002);
    const ws = await connect(
      `ws://127.0.0.1:${server.port}/api?token=test-token`,
      `http://127.0.0.1:${server.port}`,
    );
    expect((await call(ws, 40, 'app', 'info')).value).toMatchObject({
      shell: 'browser',
      maxUploadBytes: 1024 * 1024 * 1024,
    });
    ws.close();
  });

  it('refuses WebSockets without the token or from another origin', async () => {
    const base = `ws://127.0.0.1:${server.port}/api`;
    const origin = `http://127.0.0.1:${server.port}`;
    await expect(connect(`${base}?token=wrong`, origin)).rejects.toThrow(/403/);
    await expect(connect(`${base}?token=test-token`, 'https://evil.example')).rejects.toThrow(
      /403/,
    );
    const ws = await connect(`${base}?token=test-token`, origin);
    ws.close();
  });

  it('serves the API over binary frames with typed arrays, and refuses methods off the list', async () => {
    const ws = await connect(
      `ws://127.0.0.1:${server.port}/api?token=test-token`,
      `http://127.0.0.1:${server.port}`,
    );
    const info = await call(ws, 1, 'app', 'info');
    expect(info.value).toMatchObject({ shell: 'browser', dialogs: false });
    expect((await call(ws, 2, 'file', 'openExample')).value).toMatchObject({ kind: 'opened' });
    const image = (await call(ws, 3, 'dataset', 'image', { kind: 'sum' })).value as {
      values: Float64Array;
    };
    expect(image.values).toBeInstanceOf(Float64Array);
    expect(image.values).toHaveLength(105);
    // Internal host calls are not part of the browser's API.
    expect(await call(ws, 4, 'file', 'openPath', { path: secret })).toMatchObject({
      ok: false,
      error: { message: "unknown method 'file.openPath'" },
    });
    expect(
      await call(ws, 5, 'file', 'writeBytes', { path: secret, bytes: new Uint8Array(1) }),
    ).toMatchObject({ ok: false });
    expect(await call(ws, 6, 'file', 'openRecent', { path: secret })).toMatchObject({
      ok: false,
      error: { message: "'secret.txt' is not in the recent files list" },
    });
    expect(
      await call(ws, 7, 'file', 'saveBytes', {
        suggestedName: 'a.png',
        bytes: Uint8Array.of(1, 2),
      }),
    ).toMatchObject({ ok: true, value: { kind: 'download', name: 'a.png' } });
    ws.close();
  });
});
