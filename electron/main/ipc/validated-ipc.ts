/**
 * Every renderer request goes through here, once: the sender must be our
 * window's main frame showing our page (not a sub-frame, not another window,
 * not a page that navigated elsewhere), the method must be on the service's
 * allowlist, and the argument must pass its guard. Only then does the
 * service run. A refused request gets an error and never reaches a service.
 */
import { ipcMain } from 'electron';
import type { IpcMainInvokeEvent, WebContents } from 'electron';
import {
  eventChannel,
  isApiMethod,
  serviceChannels,
  apiEvents,
  apiGuards,
  dispatchCall,
  forwardEvents,
} from '@samfire/core/api';
import type { SamfireApi, ServiceName } from '@samfire/core/api';

export interface TrustedSender {
  /** The window's WebContents (null before it exists or after it closed). */
  contents(): WebContents | null;
  /** Whether `url` is the app's own page. */
  isAppUrl(url: string): boolean;
}

/** Why a sender is refused, or null when it is our window's main frame on our page. */
export function senderProblem(
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  trusted: TrustedSender,
): string | null {
  const contents = trusted.contents();
  if (!contents || event.sender !== contents) return 'not the app window';
  const frame = event.senderFrame;
  // A frame that navigated away or was destroyed has no frame object any more.
  if (!frame) return 'the sending frame is gone';
  if (frame.parent !== null) return 'a sub-frame';
  if (!trusted.isAppUrl(frame.url)) return 'a page that is not the app';
  return null;
}

let nextId = 1;

/** Registers one handler per service channel; returns a function that removes them. */
export function registerApi(api: SamfireApi, trusted: TrustedSender): () => void {
  const services = Object.keys(serviceChannels) as ServiceName[];
  for (const service of services) {
    ipcMain.handle(serviceChannels[service], async (event, method: unknown, arg: unknown) => {
      const problem = senderProblem(event, trusted);
      if (problem) throw new Error(`refused a request from ${problem}`);
      if (!isApiMethod(service, method))
        throw new Error(`unknown method '${service}.${String(method)}'`);
      const reply = await dispatchCall(api, apiGuards, {
        type: 'call',
        id: nextId++,
        service,
        method: method as string,
        arg,
      });
      if (!reply.ok) {
        // ipcMain.handle sends only the message of a thrown error: make it the whole story.
        throw new Error(reply.error.message);
      }
      return reply.value;
    });
  }
  return () => services.forEach((s) => ipcMain.removeHandler(serviceChannels[s]));
}

/** Forwards every API event to the window. */
export function forwardApiEvents(api: SamfireApi, trusted: TrustedSender): () => void {
  return forwardEvents(api, apiEvents, (e) => {
    const contents = trusted.contents();
    if (contents && !contents.isDestroyed())
      contents.send(eventChannel, { service: e.service, event: e.event, payload: e.payload });
  });
}
