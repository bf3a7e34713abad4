/**
 * The goodness tests in words and numbers, the same in the host's messages
 * and the UI's verdicts: the test in its real form ("|χ²ᵣ − 1| < 1",
 * "AICc < -1200"), and a fit's verdict with the number the test compared
 * ("|χ²ᵣ − 1| = 26.7, not below 1"). A verdict is recomputed from a fit's
 * statistics whenever the test changes, so it is never stale. The formulas
 * are those of core/src/goodness (a test checks they agree).
 */
import { formatNumber } from './number-format.js';
import type { GoodnessSetting, GoodnessStatistics } from './types.js';

const CRITERIA: Record<string, keyof GoodnessStatistics> = {
  AIC: 'aic',
  AICc: 'aicc',
  BIC: 'bic',
};

/** The quantity a test compares with its tolerance, as written in the condition. */
function quantity(kind: string): string {
  if (kind === 'redChisq') return '|χ²ᵣ − 1|';
  if (kind === 'deviance') return '|D/ν − 1|';
  return kind;
}

/** Tests symmetric about 1: reduced chi-squared and the deviance per degree of freedom. */
function perDof(kind: string): boolean {
  return kind === 'redChisq' || kind === 'deviance';
}

/** The tolerance as the test uses it (the per-dof tests are symmetric about 1). */
function tolerance(g: GoodnessSetting): number {
  return perDof(g.kind) ? Math.abs(g.tolerance) : g.tolerance;
}

/** The condition a good fit meets: "|χ²ᵣ − 1| < 1", "AIC < 250". */
export function goodnessCondition(g: GoodnessSetting): string {
  return `${quantity(g.kind)} < ${formatNumber(tolerance(g), 6)}`;
}

/** The number the test compares with its tolerance, or null for a kind it does not know. */
export function goodnessStatistic(kind: string, stats: GoodnessStatistics): number | null {
  if (kind === 'redChisq') return Math.abs(stats.redChisq - 1);
  if (kind === 'deviance') return Math.abs(stats.deviancePerDof - 1);
  const key = CRITERIA[kind];
  return key === undefined ? null : stats[key];
}

/** Whether the fit passes the test; null for a test kind this module does not know. */
export function passesGoodness(g: GoodnessSetting, stats: GoodnessStatistics): boolean | null {
  const s = goodnessStatistic(g.kind, stats);
  if (s === null) return null;
  return s < tolerance(g);
}

export interface GoodnessVerdict {
  /** null: a test kind only the host knows (keep the host's verdict). */
  good: boolean | null;
  /** "|χ²ᵣ − 1| = 0.042 < 1" or "|χ²ᵣ − 1| = 26.7, not below 1". */
  text: string;
}

/** A fit's verdict under the test `g`, with the number compared. */
export function goodnessVerdict(g: GoodnessSetting, stats: GoodnessStatistics): GoodnessVerdict {
  const s = goodnessStatistic(g.kind, stats);
  if (s === null) return { good: null, text: `test ${goodnessCondition(g)}` };
  const t = formatNumber(tolerance(g), 6);
  const value = Number.isFinite(s) ? formatNumber(s, 4) : 'not defined';
  const good = s < tolerance(g);
  return {
    good,
    text: good
      ? `${quantity(g.kind)} = ${value} < ${t}`
      : `${quantity(g.kind)} = ${value}, not below ${t}`,
  };
}
