/**
 * A goodness-of-fit test decides whether one pixel's fit is good enough to
 * keep and to propagate. Tests judge plain fit statistics, so the same test
 * runs in a worker's kernel (on a fit it has just made) and on a Model (on a
 * fit stored in its maps, for `refreshDatabase`).
 */
import type { Model } from '../model/model.js';

/** Serialisable goodness test settings (kinds registered in core). */
export interface GoodnessTestSpec {
  kind: string;
  tolerance: number;
}

/** What a test may look at for one fit. */
export interface FitStatistics {
  chisq: number;
  /** Fitted channels minus free parameters. */
  dof: number;
  redChisq: number;
  /** Free parameters of the fit. */
  freeParameters: number;
  /** Fitted channels. */
  channels: number;
  /**
   * Poisson log-likelihood of the data under the fit. A function because it
   * costs a model evaluation and only information-criterion tests need it.
   */
  logLikelihood(): number;
  /**
   * Poisson deviance of the data under the fit (see poissonDeviance); a
   * function for the same reason. Optional: tests other than `deviance` do
   * not need it.
   */
  deviance?(): number;
}

export interface GoodnessTest {
  /** The registry name (see registry.ts): what travels to the workers. */
  readonly kind: string;
  tolerance: number;
  /** The number the test compares with its tolerance. */
  statistic(stats: FitStatistics): number;
  isGood(stats: FitStatistics): boolean;
  /** Whether the fit stored in `model` at `pixel` passes (false where nothing is stored). */
  test(model: Model, pixel: number): boolean;
  /** 1 for each pixel of `mask` whose stored fit passes, 0 elsewhere. */
  map(model: Model, mask: Uint8Array): Uint8Array;
  /** The settings as plain data, for workers and backups. */
  spec(): GoodnessTestSpec;
  /**
   * A chi-squared above which no fit with `dof` degrees of freedom can pass
   * (Infinity when the test cannot say). The kernel lets the optimiser give
   * up on a fit stalled above it. Optional: tests without it never cut fits short.
   */
  chisqLimit?(dof: number): number;
  /**
   * The same for the Poisson deviance, which ML-poisson fits minimise: a
   * deviance above which no fit with `dof` degrees of freedom can pass.
   */
  devianceLimit?(dof: number): number;
}
