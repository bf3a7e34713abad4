/**
 * ml-levenberg-marquardt (mljs) behind the Optimiser interface, as the
 * selectable baseline `mljs`.
 *
 * It cannot fit our problems as they are: its `weights` option leaves the fit
 * at the start, and it evaluates the model one x at a time through a closure.
 * So the problem it sees is whitened and scaled here: its data are zeros
 * indexed by residual number, its "model" returns our weighted residuals
 * (computed once per parameter vector and cached), and its parameters are
 * ours divided by a scale per parameter: 1 / (norm of the Jacobian's column
 * at the start), so that every scaled parameter moves the residuals alike
 * and its undamped, unscaled lambda I means the same to an area of 3e5 as
 * to a width of 15 (|start| when there is no Jacobian). Its only stop test is
 * an absolute error threshold, so it usually runs to maxIterations. The
 * analytic Jacobian is passed through (scaled) when the problem has one.
 */
import { levenbergMarquardt } from 'ml-levenberg-marquardt';
import {
  isConverged,
  resolveOptions,
  stopMessage,
  type LeastSquaresProblem,
  type Optimiser,
  type OptimiserOptions,
  type OptimiserResult,
  type StopReason,
} from './optimiser.js';

export interface MljsOptions {
  /** mljs iteration cap. @default 100 */
  maxIterations?: number;
  /** mljs damping, in the scaled parameters (unit Jacobian columns). @default 1 */
  damping?: number;
}

function columnScales(problem: LeastSquaresProblem, start: Float64Array): Float64Array {
  const n = problem.nParams;
  const m = problem.nResiduals;
  const scale = new Float64Array(n);
  for (let k = 0; k < n; k++) scale[k] = Math.abs(start[k]!) > 0 ? Math.abs(start[k]!) : 1;
  if (!problem.jacobian) return scale;
  const jac = new Float64Array(n * m);
  problem.jacobian(start, jac);
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += jac[k * m + i]! * jac[k * m + i]!;
    if (s > 0 && Number.isFinite(s)) scale[k] = 1 / Math.sqrt(s);
  }
  return scale;
}

export class MljsLevenbergMarquardt implements Optimiser {
  readonly name = 'mljs';
  readonly #maxIterations: number;
  readonly #damping: number;

  constructor(options: MljsOptions = {}) {
    this.#maxIterations = options.maxIterations ?? 100;
    this.#damping = options.damping ?? 1;
  }

  fit(
    problem: LeastSquaresProblem,
    start: Float64Array,
    options: OptimiserOptions = {},
  ): OptimiserResult {
    const n = problem.nParams;
    const m = problem.nResiduals;
    if (problem.objective) {
      throw new Error(
        "mljs minimises sums of squares only; use optimizer 'lm' for a maximum-likelihood fit (ML-poisson)",
      );
    }
    const opt = resolveOptions(n, options);
    const scale = columnScales(problem, start);
    const p = new Float64Array(n);
    const r = new Float64Array(m);
    let cached: number[] | null = null;
    let evaluations = 0;
    const compute = (q: number[]): void => {
      if (cached && cached.every((v, k) => v === q[k])) return;
      for (let k = 0; k < n; k++) p[k] = q[k]! * scale[k]!;
      problem.residuals(p, r);
      evaluations++;
      cached = q.slice();
    };
    const jac = problem.jacobian ? new Float64Array(n * m) : null;
    let jacFor: number[] | null = null;
    const jacobianFunction = (q: number[]) => {
      if (!jacFor || !jacFor.every((v, k) => v === q[k])) {
        for (let k = 0; k < n; k++) p[k] = q[k]! * scale[k]!;
        problem.jacobian!(p, jac!);
        jacFor = q.slice();
      }
      // A fresh array per x: mljs may keep the rows it is given.
      return (i: number): number[] => Array.from(scale, (s, k) => jac![k * m + i]! * s);
    };
    const x = Array.from({ length: m }, (_, i) => i);
    const y = new Array<number>(m).fill(0);
    const minValues = Array.from(opt.lower, (v, k) =>
      Number.isFinite(v) ? v / scale[k]! : -Number.MAX_VALUE,
    );
    const maxValues = Array.from(opt.upper, (v, k) =>
      Number.isFinite(v) ? v / scale[k]! : Number.MAX_VALUE,
    );
    const initialValues = Array.from(start, (v, k) =>
      Math.min(maxValues[k]!, Math.max(minValues[k]!, v / scale[k]!)),
    );
    const result = levenbergMarquardt(
      { x, y },
      (q: number[]) => {
        compute(q);
        return (i: number) => r[i]!;
      },
      {
        initialValues,
        minValues,
        maxValues,
        damping: this.#damping,
        maxIterations: this.#maxIterations,
        gradientDifference: 1e-6,
        centralDifference: false,
        errorTolerance: 1e-10,
        ...(jac ? { jacobianFunction } : {}),
      },
    );
    const params = new Float64Array(n);
    for (let k = 0; k < n; k++) params[k] = result.parameterValues[k]! * scale[k]!;
    problem.residuals(params, r);
    evaluations++;
    let chisq = 0;
    for (let i = 0; i < m; i++) chisq += r[i]! * r[i]!;
    const status: StopReason = !Number.isFinite(chisq)
      ? 'failed'
      : result.iterations >= this.#maxIterations
        ? 'max-iterations'
        : 'ftol';
    const atBound = new Uint8Array(n);
    for (let k = 0; k < n; k++)
      atBound[k] = params[k]! <= opt.lower[k]! || params[k]! >= opt.upper[k]! ? 1 : 0;
    return {
      params,
      std: new Float64Array(n).fill(NaN),
      chisq,
      status,
      converged: isConverged(status),
      message: status === 'ftol' ? 'converged: mljs error tolerance reached' : stopMessage(status),
      evaluations,
      jacobianEvaluations: result.iterations,
      iterations: result.iterations,
      atBound,
    };
  }
}
