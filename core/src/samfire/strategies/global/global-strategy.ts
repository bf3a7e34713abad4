/**
 * Global (segmenter) strategies: a pixel's position says nothing. Every
 * unfitted pixel is an equal candidate (marker +1), so pixels are picked
 * uniformly at random, and starting values come from a database of the
 * values fitted so far, rebuilt every `updateEvery` results.
 */
import { FITTED, clearRunning } from '../../marker.js';
import { Strategy, type StrategyFlavour } from '../strategy.js';

export abstract class GlobalStrategy extends Strategy {
  readonly flavour: StrategyFlavour = 'global';

  /** Rebuilds the database from the fitted pixels (marker < 0). */
  abstract rebuild(): void;

  /**
   * Fitted pixels become -1 (with overwrite: the `given` ones, or every
   * fitted one); without overwrite the ignored level (-2) is kept so that a
   * later local strategy still ignores those pixels, and a fitted or
   * ignored pixel outside `given` (when there is one) becomes a candidate
   * again. Every other pixel +1. (HyperSpy 1.7.3 does the same:
   * test/interop/py/samfire_semantics.py.)
   */
  refresh(overwrite: boolean, given: Uint8Array | null = null): void {
    const host = this.host;
    const marker = this.markerFor(given);
    for (let p = 0; p < marker.length; p++) {
      const v = marker[p]!;
      const fitted = overwrite
        ? given
          ? given[p] === 1
          : v < 0
        : v < 0 && (given === null || given[p] === 1);
      if (!fitted) marker[p] = 1;
      else if (overwrite) marker[p] = FITTED;
    }
    clearRunning(
      marker,
      Uint8Array.from(marker, (_, p) => (host.isRunning(p) ? 1 : 0)),
    );
    this.rebuild();
  }

  update(pixel: number, isGood: boolean): void {
    const host = this.host;
    host.marker[pixel] = isGood ? FITTED : 0;
    if (host.updateEvery > 0 && host.count % host.updateEvery === 0) this.rebuild();
  }
}
