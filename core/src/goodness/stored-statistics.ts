/**
 * Fit statistics of a fit stored in a Model's maps, so goodness tests can
 * judge stored fits with the same code that judges fresh ones in the kernel.
 */
import type { Model } from '../model/model.js';
import type { FitStatistics } from './goodness-test.js';

/** Free parameter values of the components active at `pixel`. */
function freeParametersAt(model: Model, pixel: number): number {
  let n = 0;
  for (const c of model.components) {
    if (!c.isActiveAt(pixel)) continue;
    for (const p of c.parameters) if (p.free) n += p.length;
  }
  return n;
}

/**
 * The log-likelihood needs the model evaluated at the stored values, which
 * goes through the model's current values (Model.atStoredValues puts them
 * back, so a test has no visible side effect on the model).
 */
function storedLogLikelihood(model: Model, pixel: number): number {
  return model.atStoredValues(pixel, () => model.informationCriteria(pixel).logLikelihood);
}

function storedDeviance(model: Model, pixel: number): number {
  return model.atStoredValues(pixel, () => model.deviance(pixel));
}

export function storedStatistics(model: Model, pixel: number): FitStatistics {
  return {
    chisq: model.chisq[pixel]!,
    dof: model.dof[pixel]!,
    redChisq: model.redChisq[pixel]!,
    freeParameters: freeParametersAt(model, pixel),
    channels: model.fittedChannels,
    logLikelihood: () => storedLogLikelihood(model, pixel),
    deviance: () => storedDeviance(model, pixel),
  };
}

/** Whether `model` holds a fit at `pixel` (its chi-squared is stored). */
export function hasStoredFit(model: Model, pixel: number): boolean {
  return Number.isFinite(model.chisq[pixel]!);
}
