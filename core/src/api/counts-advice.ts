/**
 * What the app says about counting statistics, from what the host found in
 * the data (DatasetSummary.values, host/views.ts dataValues) and the current
 * settings: the same words in the host's messages and the renderer's
 * notice.
 * - Counts (whole numbers >= 0) fitted by least squares or judged by
 *   reduced χ²: suggest the counts route, ML-Poisson fits judged by the
 *   deviance test (reduced χ² with variance max(counts, 1) is biased low at
 *   a few counts a channel and rejects good fits).
 * - Not whole numbers (normalised, background-subtracted, calibrated) while a
 *   Poisson variance or ML-Poisson is on: warn, since neither holds for such
 *   data.
 */
import type { DataValues, FitOptionsSetting, GoodnessSetting, VarianceSetting } from './types.js';

export interface CountsAdvice {
  /** 'suggest': the counts route would suit better; 'warn': the settings assume counts the data are not. */
  level: 'suggest' | 'warn';
  title: string;
  text: string;
  /** The settings the suggestion would apply (null for a warning). */
  apply: { fit: FitOptionsSetting; goodness: GoodnessSetting } | null;
}

export const COUNTS_GOODNESS = 'deviance';

/** The advice for these data and settings, or null when there is nothing to say. */
export function countsAdvice(
  values: DataValues,
  variance: VarianceSetting['kind'],
  fit: FitOptionsSetting,
  goodness: GoodnessSetting,
): CountsAdvice | null {
  const ml = fit.lossFunction === 'ML-poisson';
  if (values === 'counts') {
    if (ml && goodness.kind === COUNTS_GOODNESS) return null;
    return {
      level: 'suggest',
      title: 'The data are counts',
      text:
        'Every value is a whole number: a Poisson maximum-likelihood fit (loss ML-Poisson) ' +
        'judged by the deviance test suits counts better than least squares judged by reduced χ², ' +
        'which at a few counts a channel rejects good fits.',
      apply: {
        fit: { ...fit, optimizer: 'lm', lossFunction: 'ML-poisson' },
        goodness: {
          kind: COUNTS_GOODNESS,
          tolerance: goodness.kind === 'redChisq' ? goodness.tolerance : 1,
        },
      },
    };
  }
  if (values === 'non-integer' && (variance === 'poisson' || ml)) {
    const what = ml ? 'ML-Poisson fits assume' : 'The Poisson variance assumes';
    return {
      level: 'warn',
      title: 'These data do not look like counts',
      text:
        `${what} counts, but the values are not whole numbers (normalised or processed data?): ` +
        'set a constant or loaded variance in the Noise tab and fit by least squares, or open the raw counts.',
      apply: null,
    };
  }
  return null;
}
