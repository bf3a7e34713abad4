/**
 * The browser-mode client learns the server's upload limit and refuses a
 * larger call itself, with the server's message (how to raise the limit),
 * instead of sending a frame the server would cut off; a close for a frame
 * too big (1009) says so. A stand-in WebSocket plays the server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from '@samfire/core/api';
import { uploadTooLarge } from '@samfire/core/api';
import { connectWebSocketApi } from '../../renderer/src/lib/ws-client.js';

type Listener = (e: unknown) => void;

class FakeSocket {
  static last: FakeSocket | null = null;
  binaryType = 'blob';
  sent: Record<string, unknown>[] = [];
  readonly #listeners = new Map<string, Listener[]>();
  constructor(readonly url: string) {
    FakeSocket.last = this;
    setTimeout(() => this.emit('open', {}), 0);
  }
  addEventListener(type: string, cb: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), cb]);
  }
  emit(type: string, e: unknown): void {
    for (const cb of this.#listeners.get(type) ?? []) cb(e);
  }
  send(frame: Uint8Array): void {
    const call = decodeFrame(frame) as Record<string, unknown>;
    this.sent.push(call);
    if (call.method === 'info') {
      const reply = encodeFrame({
        type: 'reply',
        id: call.id,
        ok: true,
        value: {
          shell: 'browser',
          appVersion: '1',
          platform: 'linux',
          dialogs: false,
          maxUploadBytes: 1000,
        },
      });
      setTimeout(() => this.emit('message', { data: reply.buffer }), 0);
    }
  }
}

const saved = globalThis.WebSocket;
afterEach(() => {
  globalThis.WebSocket = saved;
});

describe('connectWebSocketApi', () => {
  it('refuses a call over the upload limit without sending it', async () => {
    globalThis.WebSocket = FakeSocket as unknown as typeof WebSocket;
    const api = await connectWebSocketApi('ws://127.0.0.1:1/api?token=t');
    const socket = FakeSocket.last!;
    expect(socket.sent.map((c) => c.method)).toEqual(['info']);
    await expect(
      api.file.openUpload({ files: [{ name: 'big.msa', bytes: new Uint8Array(1500) }] }),
    ).rejects.toThrow(uploadTooLarge(1500, 1000));
    expect(uploadTooLarge(1500, 1000)).toMatch(
      /limit of 1000 bytes; start browser mode again with --max-upload=1MiB/,
    );
    expect(socket.sent).toHaveLength(1);
    const pending = api.file.recent();
    socket.emit('close', { code: 1009 });
    await expect(pending).rejects.toThrow(
      /larger than its upload limit of 1000 bytes; start browser mode again with a larger --max-upload=SIZE/,
    );
  });
});
