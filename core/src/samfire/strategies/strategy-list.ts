/**
 * The engine's strategies, in the order they run. The list owns them: an
 * appended strategy works on this list's engine, a removed one belongs to no
 * engine any more, and a strategy cannot be in two lists at once.
 */
import { setStrategyHost, type Strategy, type StrategyHost } from './strategy.js';

/** What the list asks of its engine. */
export interface StrategyListOwner {
  readonly host: StrategyHost;
  /** Throws when the list may not change now (e.g. while a run uses the active strategy). */
  checkCanRemoveActive(strategy: Strategy): void;
  /** The active strategy was removed; `next` (or none) now holds its index. */
  activeRemoved(next: Strategy | null): void;
}

export class StrategyList implements Iterable<Strategy> {
  readonly #items: Strategy[] = [];
  readonly #owner: StrategyListOwner;
  #active = 0;

  constructor(owner: StrategyListOwner, strategies: readonly Strategy[] = []) {
    this.#owner = owner;
    this.extend(strategies);
  }

  get length(): number {
    return this.#items.length;
  }

  [Symbol.iterator](): Iterator<Strategy> {
    return this.#items[Symbol.iterator]();
  }

  /** The strategy at `index`; errors name the index and the list's length. */
  at(index: number): Strategy {
    if (!Number.isInteger(index) || index < 0 || index >= this.#items.length) {
      throw new Error(`no strategy at index ${index} (the list has ${this.#items.length})`);
    }
    return this.#items[index]!;
  }

  indexOf(strategy: Strategy): number {
    return this.#items.indexOf(strategy);
  }

  /** Index of a strategy given by index or by itself; errors when it is not in the list. */
  resolve(ref: number | Strategy): number {
    if (typeof ref === 'number') {
      this.at(ref);
      return ref;
    }
    const i = this.#items.indexOf(ref);
    if (i < 0) throw new Error(`strategy '${ref.name}' is not in the strategy list`);
    return i;
  }

  get activeIndex(): number {
    return this.#active;
  }

  get active(): Strategy | null {
    return this.#items[this.#active] ?? null;
  }

  /** Makes `index` the active strategy (the engine applies the switching rules). */
  setActive(index: number): void {
    this.at(index);
    this.#active = index;
  }

  append(strategy: Strategy): void {
    if (this.#items.includes(strategy))
      throw new Error(`strategy '${strategy.name}' is already in the list`);
    if (strategy.samfire) {
      throw new Error(
        `strategy '${strategy.name}' already belongs to another SAMFire; remove it there first`,
      );
    }
    setStrategyHost(strategy, this.#owner.host);
    this.#items.push(strategy);
  }

  extend(strategies: Iterable<Strategy>): void {
    for (const s of strategies) this.append(s);
  }

  /** Removes a strategy by index or by itself and returns it; it no longer belongs to the engine. */
  remove(ref: number | Strategy): Strategy {
    const index = this.resolve(ref);
    const strategy = this.#items[index]!;
    const wasActive = index === this.#active;
    if (wasActive) this.#owner.checkCanRemoveActive(strategy);
    this.#items.splice(index, 1);
    strategy.clean();
    setStrategyHost(strategy, null);
    if (index < this.#active) this.#active--;
    else if (wasActive) {
      this.#active = Math.max(0, Math.min(this.#active, this.#items.length - 1));
      this.#owner.activeRemoved(this.active);
    }
    return strategy;
  }

  /** A table of the strategies; the active one is marked with an x. */
  listing(): string {
    const width = Math.max(1, String(Math.max(0, this.#items.length - 1)).length);
    const lines = [`A | ${'#'.padStart(width)} | Strategy`, `--|-${'-'.repeat(width)}-|---------`];
    this.#items.forEach((s, i) => {
      lines.push(`${i === this.#active ? 'x' : ' '} | ${String(i).padStart(width)} | ${s.name}`);
    });
    return lines.join('\n');
  }

  toString(): string {
    return this.listing();
  }
}
