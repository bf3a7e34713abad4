/**
 * The one registry of named kinds (component kinds, goodness tests, SAMFire
 * strategies): built-ins set at load, a user's own kinds added with
 * `register`, which refuses to replace a kind silently. A missing kind is an
 * error listing the known ones, in registration order.
 */
export class Registry<T> {
  readonly #entries = new Map<string, T>();

  /** `what` names the kind in messages ("component kind", "goodness test"). */
  constructor(
    readonly what: string,
    entries: Iterable<readonly [string, T]> = [],
  ) {
    for (const [kind, entry] of entries) this.#entries.set(kind, entry);
  }

  /** Sets a kind (built-ins, at load; no check). */
  set(kind: string, entry: T): this {
    this.#entries.set(kind, entry);
    return this;
  }

  /** Adds a kind; replacing one needs `replace`. */
  register(kind: string, entry: T, replace = false): void {
    if (this.#entries.has(kind) && !replace)
      throw new Error(
        `${this.what} '${kind}' is already registered (pass replace = true to replace it)`,
      );
    this.#entries.set(kind, entry);
  }

  has(kind: string): boolean {
    return this.#entries.has(kind);
  }

  /** The kind's entry; an error naming the known kinds when there is none. */
  get(kind: string): T {
    const entry = this.#entries.get(kind);
    if (entry === undefined)
      throw new Error(`unknown ${this.what} '${kind}' (known: ${this.kinds().join(', ')})`);
    return entry;
  }

  /** The kinds, in registration order. */
  kinds(): string[] {
    return [...this.#entries.keys()];
  }
}
