/**
 * The reduced chi-squared weight, |redChisq - 1|: how far the fit's reduced
 * chi-squared is from what correct noise estimates give.
 */
import type { Model } from '../../model/model.js';
import type { Weight } from './weight.js';

export class RedChisqWeight implements Weight {
  readonly kind = 'redChisq';

  value(model: Model, pixel: number): number {
    return Math.abs(model.redChisq[pixel]! - 1);
  }

  map(model: Model, mask: Uint8Array): Float64Array {
    const n = model.signal.navigationSize;
    if (mask.length !== n) {
      throw new Error(
        `reduced chi-squared weight: mask has ${mask.length} pixels, the navigation space ${n}`,
      );
    }
    const out = new Float64Array(n).fill(NaN);
    const red = model.redChisq;
    for (let p = 0; p < n; p++) if (mask[p]) out[p] = Math.abs(red[p]! - 1);
    return out;
  }
}
