/**
 * A small typed event emitter for UIs. `on` returns the unsubscribe
 * function. A listener that throws does not break the engine: the error goes
 * to `onListenerError` (the engine logs it) and the other listeners still run.
 * Built on the code base's one listener set (../util/listeners.ts).
 */
import { KeyedListeners } from '../util/listeners.js';
import type { Listener } from '../util/listeners.js';

export class Emitter<Events extends object> {
  readonly #listeners: KeyedListeners<keyof Events, never>;

  constructor(onListenerError: (error: unknown, type: keyof Events) => void = () => undefined) {
    this.#listeners = new KeyedListeners(onListenerError);
  }

  on<K extends keyof Events>(type: K, listener: Listener<Events[K]>): () => void {
    return this.#listeners.on(type, listener as Listener<never>);
  }

  once<K extends keyof Events>(type: K, listener: Listener<Events[K]>): () => void {
    const off = this.on(type, (event) => {
      off();
      listener(event);
    });
    return off;
  }

  off<K extends keyof Events>(type: K, listener: Listener<Events[K]>): void {
    this.#listeners.off(type, listener as Listener<never>);
  }

  listenerCount(type: keyof Events): number {
    return this.#listeners.size(type);
  }

  emit<K extends keyof Events>(type: K, event: Events[K]): void {
    this.#listeners.emit(type, event as never);
  }
}
