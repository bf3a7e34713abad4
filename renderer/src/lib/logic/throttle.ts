/**
 * At most one call per interval: the first request runs at once, requests
 * during the interval collapse into one trailing call at its end. Keeps
 * redraws of live maps bounded however fast progress events arrive.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class Throttle {
  readonly #fn: () => void | Promise<void>;
  readonly #interval: number;
  readonly #clock: Clock;
  #last = -Infinity;
  #timer: unknown = null;
  #running = false;
  #again = false;

  constructor(fn: () => void | Promise<void>, intervalMs: number, clock: Clock = realClock) {
    this.#fn = fn;
    this.#interval = intervalMs;
    this.#clock = clock;
  }

  /** Asks for a call; returns at once. */
  request(): void {
    if (this.#timer !== null) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    const wait = this.#last + this.#interval - this.#clock.now();
    if (wait <= 0) this.#run();
    else
      this.#timer = this.#clock.setTimeout(() => {
        this.#timer = null;
        this.#run();
      }, wait);
  }

  /** Whether a call is waiting or running. */
  get pending(): boolean {
    return this.#timer !== null || this.#running;
  }

  cancel(): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#again = false;
  }

  #run(): void {
    this.#last = this.#clock.now();
    this.#running = true;
    let result: void | Promise<void>;
    try {
      result = this.#fn();
    } catch {
      result = undefined;
    }
    void Promise.resolve(result)
      .catch(() => undefined)
      .finally(() => {
        this.#running = false;
        if (this.#again) {
          this.#again = false;
          this.request();
        }
      });
  }
}
