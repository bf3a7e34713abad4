/**
 * A fit report laid out like lmfit's: fit statistics, then each parameter
 * with value ± std (and percent), its start, and (fixed) or (at boundary:
 * which bound, within a tolerance relative to the bound range; see
 * model/at-bound.ts), with lmfit's warning line for parameters whose std
 * means nothing because they sit on a bound.
 */
import { formatNumber } from '../api/number-format.js';
import { boundHit, type BoundSide } from '../model/at-bound.js';
import type { FitResult, Model } from '../model/model.js';

export interface ParameterSummary {
  name: string;
  value: number;
  std: number;
  start: number | null;
  free: boolean;
  bmin: number | null;
  bmax: number | null;
  /** The bound a free parameter sits on (within the tolerance, or clamped there by the optimiser). */
  atBound: BoundSide | null;
}

export interface FitSummary {
  pixel: number[];
  optimizer: string;
  status: string;
  message: string;
  evaluations: number;
  channels: number;
  freeParameters: number;
  chisq: number;
  redChisq: number;
  aic: number;
  aicc: number;
  bic: number;
  parameters: ParameterSummary[];
}

/** Structured summary of the last fit of `model` at the result's pixel (for UIs). */
export function fitSummary(
  model: Model,
  result: FitResult,
  starts: Map<string, number> = new Map(),
): FitSummary {
  const ic = model.informationCriteria(result.pixel);
  const parameters: ParameterSummary[] = [];
  for (const c of model.components) {
    if (!c.active) continue;
    for (const p of c.parameters) {
      for (let j = 0; j < p.length; j++) {
        const name = p.length > 1 ? `${p.fullName}[${j}]` : p.fullName;
        const value = p.current[j]!;
        let atBound = p.free ? boundHit(value, p.bmin, p.bmax) : null;
        // The optimiser clamped it there (exactly on the bound, whatever the tolerance).
        if (p.free && atBound === null && result.atBound.includes(name))
          atBound =
            p.bmin !== null && p.bmax !== null
              ? Math.abs(value - p.bmin) <= Math.abs(value - p.bmax)
                ? 'bmin'
                : 'bmax'
              : p.bmin !== null
                ? 'bmin'
                : 'bmax';
        parameters.push({
          name,
          value,
          std: p.currentStd[j]!,
          start: starts.get(name) ?? null,
          free: p.free,
          bmin: p.bmin,
          bmax: p.bmax,
          atBound,
        });
      }
    }
  }
  return {
    pixel: result.position,
    optimizer: result.optimizer,
    status: result.status,
    message: result.message,
    evaluations: result.evaluations,
    channels: model.fittedChannels,
    freeParameters: ic.k - 1,
    chisq: result.chisq,
    redChisq: result.redChisq,
    aic: ic.aic,
    aicc: ic.aicc,
    bic: ic.bic,
    parameters,
  };
}

/** Seven significant digits in the UI's notation (api/number-format.ts); NaN and infinities spelt out. */
function num(v: number): string {
  return Number.isFinite(v) ? formatNumber(v, 7) : String(v);
}

export function fitReport(summary: FitSummary): string {
  const lines = [
    '[[Fit Statistics]]',
    `    pixel              = (${summary.pixel.join(', ')})`,
    `    optimizer          = ${summary.optimizer}`,
    `    stopped            = ${summary.status}: ${summary.message}`,
    `    evaluations        = ${summary.evaluations}`,
    `    data points        = ${summary.channels}`,
    `    variables          = ${summary.freeParameters}`,
    `    chi-square         = ${num(summary.chisq)}`,
    `    reduced chi-square = ${num(summary.redChisq)}`,
    `    AIC                = ${num(summary.aic)}`,
    `    AICc               = ${num(summary.aicc)}`,
    `    BIC                = ${num(summary.bic)}`,
    '[[Variables]]',
  ];
  const width = Math.max(...summary.parameters.map((p) => p.name.length), 4);
  for (const p of summary.parameters) {
    let line = `    ${`${p.name}:`.padEnd(width + 1)} ${num(p.value)}`;
    if (!p.free) line += ' (fixed)';
    else if (Number.isFinite(p.std)) {
      const pct = p.value !== 0 ? ` (${((100 * p.std) / Math.abs(p.value)).toFixed(2)}%)` : '';
      line += ` +/- ${num(p.std)}${pct}`;
    } else line += ' +/- (not estimated)';
    if (p.start !== null) line += ` (init = ${num(p.start)})`;
    if (p.atBound) line += ` (at boundary: ${p.atBound} = ${num(p[p.atBound]!)})`;
    lines.push(line);
  }
  const onBound = summary.parameters.filter((p) => p.atBound !== null);
  if (onBound.length > 0) {
    lines.push('[[Warnings]]');
    lines.push('    the std of a parameter at a boundary is not an uncertainty:');
    for (const p of onBound) lines.push(`    ${p.name}: at boundary (${p.atBound})`);
  }
  return lines.join('\n');
}
