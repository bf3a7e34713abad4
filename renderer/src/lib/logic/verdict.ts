/**
 * A single-pixel fit's verdict under the goodness test in force now: the
 * host judged it with the test of the moment, and the user may change the
 * test's kind or tolerance afterwards; the verdict is recomputed from the
 * fit's statistics then, never left stale.
 */
import { goodnessVerdict } from '@samfire/core/api';
import type { GoodnessSetting, PixelFitOutcome } from '@samfire/core/api';

export interface FitVerdict {
  good: boolean;
  /** "|χ²ᵣ − 1| = 26.7, not below 1". */
  text: string;
  /** The test it was judged by. */
  goodness: GoodnessSetting;
  /** Whether the test changed since the fit (the verdict was recomputed). */
  rejudged: boolean;
}

/** Judges `fit` by `goodness` (null: the test it was fitted under). */
export function judgeFit(fit: PixelFitOutcome, goodness: GoodnessSetting | null): FitVerdict {
  const g = goodness ?? fit.goodness;
  const v = goodnessVerdict(g, fit.statistics);
  const rejudged = g.kind !== fit.goodness.kind || g.tolerance !== fit.goodness.tolerance;
  // A test only the host knows: its verdict at fit time, with the test it used.
  if (v.good === null)
    return {
      good: fit.good,
      text: goodnessVerdict(fit.goodness, fit.statistics).text,
      goodness: fit.goodness,
      rejudged: false,
    };
  return { good: v.good, text: v.text, goodness: g, rejudged };
}
