/**
 * A weight rates a fitted pixel for local strategies: 0 is best, larger is
 * worse. The strategy spreads decay(weight) from each good pixel, so better
 * fits push their neighbours up the queue harder and count more in the
 * neighbours' starting values.
 */
import type { Model } from '../../model/model.js';

export interface Weight {
  readonly kind: string;
  /** The weight of the fit stored at `pixel` (NaN where none is stored). */
  value(model: Model, pixel: number): number;
  /** The weight of every pixel of `mask` (NaN elsewhere). */
  map(model: Model, mask: Uint8Array): Float64Array;
}
