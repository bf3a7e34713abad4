/** A set of listeners for one event: `on` returns the unsubscribe; a throwing listener does not stop the others. */
import type { Listener, Unsubscribe } from '../api/samfire-api.js';

export class Listeners<T> {
  readonly #set = new Set<Listener<T>>();

  on = (cb: Listener<T>): Unsubscribe => {
    this.#set.add(cb);
    return () => void this.#set.delete(cb);
  };

  emit(value: T): void {
    for (const cb of [...this.#set]) {
      try {
        cb(value);
      } catch {
        // A broken subscriber (a closed window) must not break the service.
      }
    }
  }

  get size(): number {
    return this.#set.size;
  }
}
