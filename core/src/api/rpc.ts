/**
 * A small RPC over the API's typed messages, the same for every transport:
 * Electron main <-> the service host (utility process), the browser server
 * <-> the service host (child process), and the browser page <-> the browser
 * server (WebSocket, through wire.ts). A call names a service and a method
 * and carries one argument; the answer is a value or a plain error; events
 * flow the other way unasked.
 */
import { KeyedListeners, reportLater } from '../util/listeners.js';
import { guardFor } from './guards.js';
import type { apiGuards, hostGuards } from './guards.js';
import type { Listener, Unsubscribe } from './samfire-api.js';

export interface RpcCall {
  type: 'call';
  id: number;
  service: string;
  method: string;
  arg: unknown;
}

export interface RpcError {
  name: string;
  message: string;
}

export type RpcReply =
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: RpcError };

export interface RpcEvent {
  type: 'event';
  service: string;
  event: string;
  payload: unknown;
}

export type RpcMessage = RpcCall | RpcReply | RpcEvent;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

export function isRpcMessage(x: unknown): x is RpcMessage {
  if (!isObject(x)) return false;
  switch (x.type) {
    case 'call':
      return (
        Number.isInteger(x.id) && typeof x.service === 'string' && typeof x.method === 'string'
      );
    case 'reply':
      return (
        Number.isInteger(x.id) &&
        (x.ok === true ||
          (x.ok === false && isObject(x.error) && typeof x.error.message === 'string'))
      );
    case 'event':
      return typeof x.service === 'string' && typeof x.event === 'string';
    default:
      return false;
  }
}

/** An error as plain data (stack traces stay in the process that threw). */
export function toRpcError(e: unknown): RpcError {
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}

export function fromRpcError(e: RpcError): Error {
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

type GuardTable = typeof apiGuards | typeof hostGuards;

/**
 * Runs one call on `impl` after the allowlist (the guard table has an entry
 * for the method) and the payload guard; always answers, never throws.
 */
export async function dispatchCall(
  impl: object,
  guards: GuardTable,
  call: RpcCall,
): Promise<RpcReply> {
  try {
    const guard = guardFor(guards, call.service, call.method);
    if (!guard) throw new Error(`unknown method '${call.service}.${call.method}'`);
    const arg = guard(call.arg);
    const service: unknown = Reflect.get(impl, call.service);
    const fn: unknown = isObject(service) ? Reflect.get(service, call.method) : undefined;
    if (typeof fn !== 'function')
      throw new Error(`'${call.service}.${call.method}' is not implemented`);
    const value: unknown = await Reflect.apply(fn, service, arg === undefined ? [] : [arg]);
    return { type: 'reply', id: call.id, ok: true, value };
  } catch (e) {
    return { type: 'reply', id: call.id, ok: false, error: toRpcError(e) };
  }
}

/** Subscribes to every listed event of `impl` and forwards each as an RpcEvent. */
export function forwardEvents(
  impl: object,
  events: Readonly<Record<string, readonly string[]>>,
  post: (e: RpcEvent) => void,
): Unsubscribe {
  const offs: Unsubscribe[] = [];
  for (const [service, names] of Object.entries(events)) {
    const target: unknown = Reflect.get(impl, service);
    for (const event of names) {
      const on: unknown = isObject(target) ? Reflect.get(target, event) : undefined;
      if (typeof on !== 'function') continue;
      const off: unknown = Reflect.apply(on, target, [
        (payload: unknown) => post({ type: 'event', service, event, payload }),
      ]);
      if (typeof off === 'function') offs.push(off as Unsubscribe);
    }
  }
  return () => offs.forEach((off) => off());
}

/** The calling side: numbers calls, matches replies, fans events out to subscribers. */
export class RpcClient {
  #next = 1;
  readonly #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  readonly #listeners = new KeyedListeners<string, unknown>(reportLater);
  readonly #send: (call: RpcCall) => void;

  constructor(send: (call: RpcCall) => void) {
    this.#send = send;
  }

  call(service: string, method: string, arg?: unknown): Promise<unknown> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      try {
        this.#send({ type: 'call', id, service, method, arg });
      } catch (e) {
        this.#pending.delete(id);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  /** Feeds a message from the other side (replies and events; anything else is ignored). */
  receive(message: unknown): void {
    if (!isRpcMessage(message)) return;
    if (message.type === 'reply') {
      const p = this.#pending.get(message.id);
      if (!p) return;
      this.#pending.delete(message.id);
      if (message.ok) p.resolve(message.value);
      else p.reject(fromRpcError(message.error));
    } else if (message.type === 'event') {
      this.emit(message.service, message.event, message.payload);
    }
  }

  emit(service: string, event: string, payload: unknown): void {
    this.#listeners.emit(`${service}.${event}`, payload);
  }

  subscribe(service: string, event: string, cb: Listener<unknown>): Unsubscribe {
    return this.#listeners.on(`${service}.${event}`, cb);
  }

  /** Calls waiting for an answer (e.g. the other side is gone). */
  get pending(): number {
    return this.#pending.size;
  }

  /** Fails every pending call (the other side crashed or closed). */
  rejectAll(reason: string): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(new Error(reason));
  }
}

/**
 * An object of an API's shape from method and event lists: each method calls
 * `call(service, method, arg)`, each `onX(cb)` subscribes. Plain nested
 * objects of functions, so contextBridge can expose it as is.
 */
export function buildApi<Api>(
  methods: Readonly<Record<string, readonly string[]>>,
  events: Readonly<Record<string, readonly string[]>>,
  call: (service: string, method: string, arg: unknown) => Promise<unknown>,
  subscribe: (service: string, event: string, cb: Listener<unknown>) => Unsubscribe,
): Api {
  const api: Record<string, Record<string, unknown>> = {};
  for (const [service, names] of Object.entries(methods)) {
    const s: Record<string, unknown> = (api[service] ??= {});
    for (const method of names) s[method] = (arg?: unknown) => call(service, method, arg);
  }
  for (const [service, names] of Object.entries(events)) {
    const s: Record<string, unknown> = (api[service] ??= {});
    for (const event of names) s[event] = (cb: Listener<unknown>) => subscribe(service, event, cb);
  }
  return api as Api;
}
