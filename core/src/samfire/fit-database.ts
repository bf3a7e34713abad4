/**
 * What the engine knows of the stored fits: which pixels it stored as good,
 * and the goodness test that last judged them. From it the active strategy's
 * database is refreshed (the pixels whose stored fit passes the test seed
 * it), and when the user changes the test, the fits judged by the old one
 * are judged again (retest) before the run goes on.
 */
import type { Model } from '../model/model.js';
import type { GoodnessTestSpec } from '../pool/protocol.js';
import type { AcceptedFits } from './engine-options.js';
import type { GoodnessTest } from '../goodness/goodness-test.js';
import { storedStatistics } from '../goodness/stored-statistics.js';
import { clearStoredFit } from './pixel-store.js';
import type { RetestEvent } from './samfire-events.js';
import type { Strategy } from './strategies/strategy.js';

export interface FitDatabaseHost {
  readonly model: Model;
  readonly marker: Float64Array;
  goodnessTest(): GoodnessTest;
  activeStrategy(): Strategy | null;
  /** The marker changed in bulk (the candidate front is rebuilt). */
  markerChanged(): void;
  log(...args: unknown[]): void;
  retested(event: RetestEvent): void;
}

function sameTest(a: GoodnessTestSpec, b: GoodnessTestSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class FitDatabase {
  /** 1 where this engine stored a good result (see retest). */
  readonly accepted: Uint8Array;
  /** The goodness test that last judged the marker: at the last refresh of the database or start. */
  judgedBy: GoodnessTestSpec | null = null;
  readonly #host: FitDatabaseHost;

  constructor(host: FitDatabaseHost) {
    this.#host = host;
    this.accepted = new Uint8Array(host.marker.length);
  }

  /** The pixels stored as good and the test that judged them (to carry them over to a new engine). */
  get fits(): AcceptedFits | null {
    const test = this.judgedBy;
    return test ? { pixels: Uint8Array.from(this.accepted), test: { ...test } } : null;
  }

  /** Carries on the accepted fits of another engine (option `accepted`). */
  adopt(accepted: AcceptedFits): void {
    if (accepted.pixels.length !== this.accepted.length) {
      throw new Error(
        `SAMFire option 'accepted': ${accepted.pixels.length} pixels for a navigation space of ${this.accepted.length}`,
      );
    }
    this.accepted.set(accepted.pixels);
    this.judgedBy = { ...accepted.test };
  }

  /** Pixels whose stored fit passes the goodness test seed the active strategy; nothing else is kept. */
  refresh(): void {
    const host = this.#host;
    host.markerChanged();
    this.judgedBy = host.goodnessTest().spec();
    const strategy = host.activeStrategy();
    if (!strategy) return;
    const good = host.goodnessTest().map(host.model, this.#storedMask());
    strategy.clean();
    strategy.refresh(true, good);
  }

  #storedMask(): Uint8Array {
    return Uint8Array.from(this.#host.model.chisq, (v) => (Number.isFinite(v) ? 1 : 0));
  }

  testChanged(): boolean {
    const judged = this.judgedBy;
    return judged !== null && !sameTest(judged, this.#host.goodnessTest().spec());
  }

  /** A refresh of the database, after a re-test when the goodness test changed. */
  rejudge(): void {
    if (this.testChanged()) this.#retest();
    this.refresh();
  }

  /**
   * start() after the goodness test changed: if no stored fit passes the
   * current one there is nothing to start from; say so before changing anything.
   */
  checkSomethingPasses(): void {
    const { model } = this.#host;
    const test = this.#host.goodnessTest();
    const stored = this.#storedMask();
    const n = model.signal.navigationSize;
    for (let p = 0; p < n; p++) if (stored[p] && test.test(model, p)) return;
    const judged = this.judgedBy!;
    throw new Error(
      `the goodness test changed (${judged.kind}, tolerance ${judged.tolerance} -> ${test.kind}, tolerance ${test.tolerance}) and no stored fit passes it: there is nothing to start from; fit a seed that passes it or loosen the test (nothing was changed)`,
    );
  }

  /**
   * The pixels marked done (marker <= -1) and the results this engine
   * stored were judged by another goodness test: each is tested again with
   * the current one. Those that fail are no longer done (marker 0), so the
   * run fits them again. A result this engine stored that fails is cleared
   * as well (NaN statistics, parameters unset): under the current test it is
   * a failed fit, and a failed fit is never kept, so the maps show only
   * results that pass the test the user chose. A fit stored by hand or
   * loaded from a file is kept (as HyperSpy keeps stored fits) but no longer
   * seeds the run. Emits 'retested'.
   */
  #retest(): void {
    const { model, marker } = this.#host;
    const previous = this.judgedBy!;
    const test = this.#host.goodnessTest();
    const failed: number[] = [];
    const statistics: number[] = [];
    let tested = 0;
    let cleared = 0;
    const accepted = this.accepted;
    for (let p = 0; p < marker.length; p++) {
      // Done, or a result this engine (or the one it carries on) stored.
      if (!(marker[p]! <= -1) && !accepted[p]) continue;
      tested++;
      if (test.test(model, p)) continue;
      failed.push(p);
      statistics.push(
        Number.isFinite(model.chisq[p]!) ? test.statistic(storedStatistics(model, p)) : NaN,
      );
      if (marker[p]! < 0) marker[p] = 0;
      if (accepted[p]) {
        clearStoredFit(model, p);
        accepted[p] = 0;
        cleared++;
      }
    }
    this.judgedBy = test.spec();
    const event: RetestEvent = {
      test: test.spec(),
      previous: { ...previous },
      tested,
      failed,
      statistics,
      cleared,
    };
    this.#host.log('retested', tested, failed.length, cleared);
    this.#host.retested(event);
  }
}
