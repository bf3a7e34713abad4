/**
 * A fit report laid out like lmfit's: fit statistics, then each parameter
 * with value ± std (and percent), its start, and (fixed) or (at bound).
 */
import type { FitResult, Model } from '../model/model.js';

export interface ParameterSummary {
  name: string;
  value: number;
  std: number;
  start: number | null;
  free: boolean;
  atBound: boolean;
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
        parameters.push({
          name,
          value: p.current[j]!,
          std: p.currentStd[j]!,
          start: starts.get(name) ?? null,
          free: p.free,
          atBound: result.atBound.includes(name),
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

function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(6) : v.toPrecision(7);
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
    if (p.atBound) line += ' (at bound)';
    lines.push(line);
  }
  return lines.join('\n');
}
