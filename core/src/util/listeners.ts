/**
 * The one listener set of the code base: `on` returns the function that
 * unsubscribes; `emit` calls every listener subscribed when it starts, and
 * a listener that throws does not stop the others. What happens to its error
 * is the owner's choice (`onError`): the host and the engine must survive a
 * broken subscriber (a closed window), while a page's subscribers' errors
 * should be seen (`reportLater`).
 */
export type Listener<T> = (value: T) => void;
export type Unsubscribe = () => void;
export type ListenerErrorHandler = (error: unknown) => void;

/** Drops a listener's error (the default: the emitter must go on). */
export const ignoreErrors: ListenerErrorHandler = () => undefined;

/** Rethrows a listener's error on its own (an uncaught error the page shows), after the others ran. */
export const reportLater: ListenerErrorHandler = (error) =>
  queueMicrotask(() => {
    throw error;
  });

export class Listeners<T> {
  readonly #set = new Set<Listener<T>>();
  readonly #onError: ListenerErrorHandler;

  constructor(onError: ListenerErrorHandler = ignoreErrors) {
    this.#onError = onError;
  }

  on = (cb: Listener<T>): Unsubscribe => {
    this.#set.add(cb);
    return () => void this.#set.delete(cb);
  };

  off(cb: Listener<T>): void {
    this.#set.delete(cb);
  }

  emit(value: T): void {
    for (const cb of [...this.#set]) {
      try {
        cb(value);
      } catch (error) {
        this.#onError(error);
      }
    }
  }

  get size(): number {
    return this.#set.size;
  }
}

/** Listener sets by key (an event name, `service.event`), made on first use. */
export class KeyedListeners<K, T> {
  readonly #sets = new Map<K, Listeners<T>>();
  readonly #onError: (error: unknown, key: K) => void;

  constructor(onError: (error: unknown, key: K) => void = ignoreErrors) {
    this.#onError = onError;
  }

  on(key: K, cb: Listener<T>): Unsubscribe {
    let set = this.#sets.get(key);
    if (!set) this.#sets.set(key, (set = new Listeners<T>((e) => this.#onError(e, key))));
    return set.on(cb);
  }

  off(key: K, cb: Listener<T>): void {
    this.#sets.get(key)?.off(cb);
  }

  emit(key: K, value: T): void {
    this.#sets.get(key)?.emit(value);
  }

  size(key: K): number {
    return this.#sets.get(key)?.size ?? 0;
  }
}
