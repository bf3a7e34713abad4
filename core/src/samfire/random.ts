/**
 * The engine's seeded random choices (tie-breaks between candidate pixels).
 * Counts its draws so that a backup can restore the exact sequence: replaying
 * `draws` numbers from the seed is cheap next to fitting one pixel.
 */
import { Random } from '../util/random.js';

export interface RandomState {
  seed: number;
  draws: number;
}

export class SamfireRandom {
  readonly seed: number;
  #rng: Random;
  #draws = 0;

  constructor(seed: number, draws = 0) {
    if (!Number.isInteger(seed)) throw new Error(`random seed must be an integer, got ${seed}`);
    if (!Number.isInteger(draws) || draws < 0)
      throw new Error(`random draws must be an integer >= 0, got ${draws}`);
    this.seed = seed;
    this.#rng = new Random(seed);
    for (let i = 0; i < draws; i++) this.#rng.random();
    this.#draws = draws;
  }

  get draws(): number {
    return this.#draws;
  }

  /** Uniform integer in [0, n). */
  integer(n: number): number {
    this.#draws++;
    return this.#rng.integer(n);
  }

  state(): RandomState {
    return { seed: this.seed, draws: this.#draws };
  }
}
