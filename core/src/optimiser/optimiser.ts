/**
 * The optimiser interface: a weighted least-squares problem in, the best
 * parameters, their standard deviations and the reason for stopping out.
 */

/** A least-squares problem: minimise sum(residuals(p)^2). */
export interface LeastSquaresProblem {
  /** Number of residuals (fitted channels). */
  readonly nResiduals: number;
  /** Number of parameters. */
  readonly nParams: number;
  /** Residuals at `p` into `out` (length nResiduals). */
  residuals(p: Float64Array, out: Float64Array): void;
  /**
   * Jacobian of the residuals at `p` into `out`, row-major by parameter:
   * out[k * nResiduals + i] = d residual_i / d p_k. Optional: optimisers fall
   * back to finite differences without it.
   */
  jacobian?(p: Float64Array, out: Float64Array): void;
  /**
   * The residuals are affine in the parameters (only amplitudes free): the
   * Jacobian is the same everywhere and one Gauss-Newton step from any start
   * lands on the unique minimum. `lm` then solves the linear least-squares
   * problem directly. @default false
   */
  readonly linear?: boolean;
  /**
   * The objective, when it is not sum(residuals^2): its value at the point
   * whose residuals were evaluated last (`lm` calls it right after each
   * `residuals`, with the residuals just written). For a likelihood fitted by
   * Fisher scoring (ML-poisson) the residuals and Jacobian are chosen so that
   * J r is half the objective's gradient and J J^T half its expected Hessian:
   * the damped steps, the predicted reductions and the covariance (the
   * inverse Fisher information) then hold as written for least squares.
   * Optimisers that minimise sums of squares only refuse such a problem.
   */
  objective?: ((residuals: Float64Array) => number) | undefined;
}

/** Why a fit stopped. */
export type StopReason =
  /** Relative reduction of the sum of squares below `ftol` (actual and predicted). */
  | 'ftol'
  /** Relative step size below `xtol`. */
  | 'xtol'
  /** Gradient orthogonal to the residuals to within `gtol`. */
  | 'gtol'
  /** Residuals exactly zero. */
  | 'zero-residuals'
  /** The cap on residual evaluations was reached before convergence. */
  | 'max-evaluations'
  /** The optimiser's own iteration limit (mljs) was reached. */
  | 'max-iterations'
  /** Non-finite residuals or Jacobian at the start, or a numerical breakdown. */
  | 'failed'
  /**
   * Given up early: stalled with the sum of squares above `abandonAbove`, and
   * even the full Gauss-Newton step predicted no way below it.
   */
  | 'abandoned'
  /** A linear problem solved exactly (one Gauss-Newton step; see LeastSquaresProblem.linear). */
  | 'linear';

export interface OptimiserOptions {
  /** Lower bounds per parameter (-Infinity for none). @default none */
  lower?: Float64Array | null;
  /** Upper bounds per parameter (+Infinity for none). @default none */
  upper?: Float64Array | null;
  /** Relative tolerance on the reduction of the sum of squares. @default 1.49012e-8 (as MINPACK in scipy) */
  ftol?: number;
  /** Relative tolerance on the step. @default 1.49012e-8 */
  xtol?: number;
  /** Tolerance on the cosine between residuals and Jacobian columns. @default 0 */
  gtol?: number;
  /** Cap on residual evaluations. @default 100 * (nParams + 1) */
  maxEvaluations?: number;
  /** Compute the covariance (and std) at the solution. @default true */
  covariance?: boolean;
  /** Initial damping of `lm`, relative to the scaled normal matrix. @default 1 */
  initialDamping?: number;
  /**
   * A sum of squares above which the fit is of no use to the caller (SAMFire:
   * the goodness test cannot pass). `lm` then gives up as soon as the fit has
   * stalled above it (two accepted steps in a row each reducing the sum of
   * squares by less than 5%) and the undamped Gauss-Newton step predicts no
   * way below it either; the status is 'abandoned'. @default Infinity (never)
   */
  abandonAbove?: number;
}

export interface OptimiserResult {
  /** Best parameters found (always within the bounds). */
  params: Float64Array;
  /**
   * Standard deviation of each parameter from the covariance (J^T J)^-1 at the
   * solution, unscaled (exact for correctly weighted residuals; the model
   * layer scales it by sqrt(reduced chi-squared), as HyperSpy reports std).
   * NaN when the covariance is singular or not computed.
   */
  std: Float64Array;
  /** Sum of squared residuals at `params`. */
  chisq: number;
  status: StopReason;
  /** Whether `status` counts as converged. */
  converged: boolean;
  /** A sentence on why the fit stopped. */
  message: string;
  evaluations: number;
  jacobianEvaluations: number;
  iterations: number;
  /** 1 for each parameter that ends on a bound. */
  atBound: Uint8Array;
}

export interface Optimiser {
  readonly name: string;
  fit(
    problem: LeastSquaresProblem,
    start: Float64Array,
    options?: OptimiserOptions,
  ): OptimiserResult;
}

export const DEFAULT_FTOL = 1.49012e-8;
export const DEFAULT_XTOL = 1.49012e-8;

export interface ResolvedOptimiserOptions {
  lower: Float64Array;
  upper: Float64Array;
  ftol: number;
  xtol: number;
  gtol: number;
  maxEvaluations: number;
  covariance: boolean;
  initialDamping: number;
  abandonAbove: number;
}

/** Applies defaults and validates options; errors say which option is wrong. */
export function resolveOptions(
  nParams: number,
  options: OptimiserOptions = {},
): ResolvedOptimiserOptions {
  const lower = new Float64Array(nParams).fill(-Infinity);
  const upper = new Float64Array(nParams).fill(Infinity);
  if (options.lower) {
    if (options.lower.length !== nParams)
      throw new Error(`optimiser: ${options.lower.length} lower bounds for ${nParams} parameters`);
    lower.set(options.lower);
  }
  if (options.upper) {
    if (options.upper.length !== nParams)
      throw new Error(`optimiser: ${options.upper.length} upper bounds for ${nParams} parameters`);
    upper.set(options.upper);
  }
  for (let k = 0; k < nParams; k++) {
    if (Number.isNaN(lower[k]!) || Number.isNaN(upper[k]!))
      throw new Error(`optimiser: bound of parameter ${k} is NaN`);
    if (lower[k]! > upper[k]!) {
      throw new Error(
        `optimiser: parameter ${k} has lower bound ${lower[k]} above upper bound ${upper[k]}`,
      );
    }
  }
  const positive = (name: string, v: number | undefined, dflt: number): number => {
    const value = v ?? dflt;
    if (!(value >= 0) || !Number.isFinite(value))
      throw new Error(`optimiser: ${name} must be a finite number >= 0, got ${v}`);
    return value;
  };
  const maxEvaluations = options.maxEvaluations ?? 100 * (nParams + 1);
  if (!Number.isInteger(maxEvaluations) || maxEvaluations < 1) {
    throw new Error(
      `optimiser: maxEvaluations must be a positive integer, got ${options.maxEvaluations}`,
    );
  }
  return {
    lower,
    upper,
    ftol: positive('ftol', options.ftol, DEFAULT_FTOL),
    xtol: positive('xtol', options.xtol, DEFAULT_XTOL),
    gtol: positive('gtol', options.gtol, 0),
    maxEvaluations,
    covariance: options.covariance ?? true,
    initialDamping: positive('initialDamping', options.initialDamping, 1),
    abandonAbove: options.abandonAbove ?? Infinity,
  };
}

export function isConverged(status: StopReason): boolean {
  return (
    status === 'ftol' ||
    status === 'xtol' ||
    status === 'gtol' ||
    status === 'zero-residuals' ||
    status === 'linear'
  );
}

const MESSAGES: Record<StopReason, string> = {
  ftol: 'converged: the relative reduction of chi-squared fell below ftol',
  xtol: 'converged: the relative step fell below xtol',
  gtol: 'converged: the gradient is orthogonal to the residuals within gtol',
  'zero-residuals': 'converged: the residuals are zero',
  'max-evaluations': 'stopped: the cap on model evaluations was reached before convergence',
  'max-iterations': 'stopped: the iteration limit was reached before convergence',
  failed: 'failed: the model gave non-finite values',
  linear: 'converged: a linear problem, solved exactly by linear least squares',
  abandoned:
    'stopped: the fit stalled far above the sum of squares asked for (abandonAbove), with no step predicted to reach it',
};

export function stopMessage(status: StopReason): string {
  return MESSAGES[status];
}
