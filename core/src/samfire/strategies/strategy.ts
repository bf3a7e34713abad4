/**
 * A SAMFire strategy decides which pixel to fit next (through the marker)
 * and where its fit starts. Local strategies spread priority and starting
 * values from good pixels to their neighbours; global ones pick at random
 * and start from the most frequent fitted values.
 *
 * A strategy works on the engine that owns it (its host): a strategy list
 * attaches it on append and detaches it on remove.
 */
import type { Model } from '../../model/model.js';
import type { PixelStart } from '../../pool/protocol.js';
import type { GoodnessTest } from '../../goodness/goodness-test.js';
import type { Json } from '../json.js';

export type StrategyFlavour = 'local' | 'global';

/** What a strategy needs from the engine that owns it. */
export interface StrategyHost {
  readonly model: Model;
  /** The engine's marker (the strategy changes it in place). */
  readonly marker: Float64Array;
  readonly goodnessTest: GoodnessTest;
  /** Results received so far. */
  readonly count: number;
  /** Global strategies rebuild their database every `updateEvery` results. */
  readonly updateEvery: number;
  /** Whether the pixel is being fitted now. */
  isRunning(pixel: number): boolean;
  /** The pixels being fitted now (a local strategy resets them to 0 after a good fit). */
  readonly running: ReadonlySet<number>;
  /**
   * Told when a strategy's `update` raises a pixel's marker above 0 (makes it
   * a candidate), so the engine can keep its candidate list without scanning
   * the whole marker per pick. Bulk changes (`refresh`) need no call: the
   * engine rebuilds its list after them. Optional: hosts may scan instead.
   */
  raised?(pixel: number): void;
}

/** A local strategy's plot: the marker as an image (brightness = selection order). */
export interface MarkerPlot {
  kind: 'marker';
  strategy: string;
  /** Navigation shape in data order. */
  shape: number[];
  marker: Float64Array;
}

export interface ParameterHistogram {
  /** "component.parameter", with "[j]" for a multi-valued parameter. */
  parameter: string;
  /** counts.length + 1 bin edges. */
  edges: Float64Array;
  counts: Float64Array;
}

/** A global strategy's plot: one histogram per parameter. */
export interface HistogramPlot {
  kind: 'histograms';
  strategy: string;
  histograms: ParameterHistogram[];
}

export type StrategyPlot = MarkerPlot | HistogramPlot;

/** A strategy as plain data, for backups (see strategy-registry.ts). */
export interface StrategySnapshot {
  kind: string;
  name: string;
  settings: { [key: string]: Json };
}

const hosts = new WeakMap<Strategy, StrategyHost>();

/** Only the strategy list calls this: it is how a list owns its strategies. */
export function setStrategyHost(strategy: Strategy, host: StrategyHost | null): void {
  if (host) hosts.set(strategy, host);
  else hosts.delete(strategy);
}

export abstract class Strategy {
  abstract readonly flavour: StrategyFlavour;
  /** The registry kind, for backups. */
  abstract readonly kind: string;
  name: string;

  constructor(name: string) {
    this.name = name;
  }

  /** The engine that owns this strategy, or null when it belongs to none. */
  get samfire(): StrategyHost | null {
    return hosts.get(this) ?? null;
  }

  protected get host(): StrategyHost {
    const host = hosts.get(this);
    if (!host)
      throw new Error(
        `strategy '${this.name}' does not belong to a SAMFire; append it to one first`,
      );
    return host;
  }

  /** The host's marker, after checking that `given` (when there is one) has one entry a pixel. */
  protected markerFor(given: Uint8Array | null): Float64Array {
    const { marker } = this.host;
    if (given && given.length !== marker.length) {
      throw new Error(
        `strategy '${this.name}': ${given.length} given pixels for ${marker.length} pixels`,
      );
    }
    return marker;
  }

  /**
   * Rebuilds the marker (and any database) from scratch. With `overwrite`,
   * the `given` pixels (or every fitted one) count as fitted and nothing else
   * is kept; without it the fitted and ignored levels are kept.
   */
  abstract refresh(overwrite: boolean, given?: Uint8Array | null): void;

  /** A result for `pixel` has been received (and stored when good). */
  abstract update(pixel: number, isGood: boolean): void;

  /** Candidate starting values for `pixel`. */
  abstract values(pixel: number): PixelStart;

  /** Forgets any database (the marker is the engine's). */
  abstract clean(): void;

  /** Plain data for the UI to draw. */
  abstract plotData(): StrategyPlot;

  /** The settings that recreate this strategy (radii, bins, ...). */
  abstract settings(): { [key: string]: Json };

  snapshot(): StrategySnapshot {
    return { kind: this.kind, name: this.name, settings: this.settings() };
  }
}
