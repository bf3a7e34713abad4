/**
 * The one way the UI reaches the services: `window.samfire`, typed by the
 * same SamfireApi the preload is checked against. In the desktop app the
 * preload provides it; in browser mode there is no preload, so it is built
 * over the page's WebSocket with the same interface.
 */
import type { SamfireApi } from '@samfire/core/api';
import { connectWebSocketApi } from './ws-client.js';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode. */
    readonly samfire?: SamfireApi;
  }
}

export type { SamfireApi };

export async function connectApi(): Promise<SamfireApi> {
  if (window.samfire) return window.samfire;
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api?token=${encodeURIComponent(token)}`;
  return connectWebSocketApi(url);
}
