/** SamfireApi over the browser-mode WebSocket: binary frames (wire.ts) carrying the RPC messages (rpc.ts). */
import { apiEvents, apiMethods } from '@samfire/core/api';
import { RpcClient, buildApi } from '@samfire/core/api';
import type { SamfireApi } from '@samfire/core/api';
import type { ShellInfo } from '@samfire/core/api';
import {
  FRAME_MARGIN,
  decodeFrame,
  encodeFrame,
  payloadBytes,
  sizeText,
  uploadTooLarge,
} from '@samfire/core/api';

/** WebSocket close code for a frame over the server's size limit (RFC 6455). */
const MESSAGE_TOO_BIG = 1009;

export function connectWebSocketApi(url: string): Promise<SamfireApi> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.binaryType = 'arraybuffer';
    // The server's upload limit, learnt from app.info: a larger call fails here, with
    // the same message the server gives, instead of being cut off by it.
    let limit: number | null = null;
    const client = new RpcClient((call) => {
      const bytes = payloadBytes(call.arg);
      if (limit !== null && bytes > limit) throw new Error(uploadTooLarge(bytes, limit));
      const frame = encodeFrame(call);
      if (limit !== null && frame.byteLength > limit + FRAME_MARGIN)
        throw new Error(uploadTooLarge(frame.byteLength, limit));
      socket.send(frame);
    });
    socket.addEventListener('message', (e: { data: unknown }) => {
      if (e.data instanceof ArrayBuffer) client.receive(decodeFrame(new Uint8Array(e.data)));
    });
    socket.addEventListener('close', (e: { code: number }) => {
      client.rejectAll(
        e.code === MESSAGE_TOO_BIG
          ? `the server refused a message larger than its upload limit${limit === null ? '' : ` of ${sizeText(limit)}`}; start browser mode again with a larger --max-upload=SIZE and reload the page`
          : 'the connection to the SAMFire Studio server was lost; reload the page after restarting it',
      );
      client.emit('app', 'onHostStatus', {
        state: 'crashed',
        message: 'The connection to the server was lost.',
        restored: false,
      });
    });
    socket.addEventListener(
      'error',
      () => reject(new Error(`cannot connect to ${url.replace(/\?.*/, '')}`)),
      { once: true },
    );
    socket.addEventListener(
      'open',
      () => {
        const api = buildApi<SamfireApi>(
          apiMethods,
          apiEvents,
          (s, m, a) => client.call(s, m, a),
          (s, e, cb) => client.subscribe(s, e, cb),
        );
        api.app.info().then(
          (info: ShellInfo) => {
            limit = info.maxUploadBytes ?? null;
            resolve(api);
          },
          () => resolve(api),
        );
      },
      { once: true },
    );
  });
}
