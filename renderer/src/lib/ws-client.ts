/** SamfireApi over the browser-mode WebSocket: binary frames (wire.ts) carrying the RPC messages (rpc.ts). */
import {
  apiEvents,
  apiMethods,
  RpcClient,
  buildApi,
  decodeFrame,
  encodeFrame,
} from '@samfire/core/api';
import type { SamfireApi } from '@samfire/core/api';

export function connectWebSocketApi(url: string): Promise<SamfireApi> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.binaryType = 'arraybuffer';
    const client = new RpcClient((call) => socket.send(encodeFrame(call)));
    socket.addEventListener('message', (e: MessageEvent<unknown>) => {
      if (e.data instanceof ArrayBuffer) client.receive(decodeFrame(new Uint8Array(e.data)));
    });
    socket.addEventListener('close', () => {
      client.rejectAll(
        'the connection to the SAMFire Studio server was lost; reload the page after restarting it',
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
      () =>
        resolve(
          buildApi<SamfireApi>(
            apiMethods,
            apiEvents,
            (s, m, a) => client.call(s, m, a),
            (s, e, cb) => client.subscribe(s, e, cb),
          ),
        ),
      { once: true },
    );
  });
}
