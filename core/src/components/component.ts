/**
 * What a component kind is: its parameters and its pure, allocation-free
 * evaluation and Jacobian on an array of axis values. Per-model state (names,
 * current values, maps, active flags) lives in model/component.ts.
 */

import type { Estimate, EstimateRange } from './estimate.js';

export type { Estimate, EstimateRange } from './estimate.js';

export interface ParameterSpec {
  /** HyperSpy's parameter name (A, centre, sigma, gamma, r, origin, coefficients, ...). */
  readonly name: string;
  /** Number of values: 1, or order + 1 for Polynomial's coefficients. @default 1 */
  readonly length?: number;
  /** Default value. @default 0 */
  readonly value?: number;
  /** Free by default. @default true */
  readonly free?: boolean;
  readonly bmin?: number | null;
  readonly bmax?: number | null;
  readonly units?: string;
  /** The component is linear in this parameter (an amplitude). @default false */
  readonly linear?: boolean;
}

/**
 * A component kind with its options resolved (e.g. a Polynomial of order 2).
 * `evaluate` and `jacobian` read the component's parameter values packed in
 * `p` in the order of `parameters` (a multi-valued parameter takes `length`
 * consecutive slots).
 */
export interface ComponentFunction {
  /** HyperSpy's `_id_name`: Gaussian, Lorentzian, Polynomial, ... */
  readonly kind: string;
  /** Options that recreate this function with `createComponentFunction` (plain data). */
  readonly options: Readonly<Record<string, unknown>>;
  readonly parameters: readonly ParameterSpec[];
  /** Total number of parameter slots. */
  readonly size: number;
  /** out[i] = f(x[i]) for i < n. */
  evaluate(x: Float64Array, n: number, p: Float64Array, out: Float64Array): void;
  /**
   * Partial derivatives: for each slot k with rows[k] >= 0,
   * out[rows[k] * n + i] = df(x[i]) / dp[k]. Slots with rows[k] < 0 are skipped.
   */
  jacobian(
    x: Float64Array,
    n: number,
    p: Float64Array,
    out: Float64Array,
    rows: Int32Array,
    weights?: Float64Array,
  ): void;
  /** Whether `jacobian` is exact (false: finite differences). */
  readonly analyticJacobian: boolean;
  /**
   * True when `jacobian` honours `weights`: given them, it writes
   * weights[i] * df(x[i]) / dp[k] (one pass instead of a second one over the
   * rows to weight them). Components without it get their rows weighted by
   * the caller.
   */
  readonly weightsJacobian?: boolean;
  /**
   * Starting values from data: writes this component's slots of `p` from the
   * channels of (x, y) whose axis value lies in `range` (every channel when
   * absent). `y` is what this component should account for (the data minus
   * the model's other components, per unit of the axis for binned data).
   * Never writes NaN or an infinity: without usable data it falls back to
   * values taken from the range and says so in the returned note. Slots it
   * cannot estimate keep the values `p` holds.
   */
  estimate?(x: Float64Array, y: Float64Array, p: Float64Array, range?: EstimateRange): Estimate;
}

export function slotCount(parameters: readonly ParameterSpec[]): number {
  return parameters.reduce((n, p) => n + (p.length ?? 1), 0);
}

/**
 * Central-difference Jacobian for components without an analytic one.
 * `scratch` needs 2 * n values.
 */
export function centralDifferenceJacobian(
  fn: Pick<ComponentFunction, 'evaluate' | 'size'>,
  x: Float64Array,
  n: number,
  p: Float64Array,
  out: Float64Array,
  rows: Int32Array,
  scratch: Float64Array,
): void {
  const plus = scratch.subarray(0, n);
  const minus = scratch.subarray(n, 2 * n);
  for (let k = 0; k < fn.size; k++) {
    const row = rows[k]!;
    if (row < 0) continue;
    const pk = p[k]!;
    const h = 6.0554544523933395e-6 * Math.max(Math.abs(pk), 1); // cbrt(eps)
    p[k] = pk + h;
    fn.evaluate(x, n, p, plus);
    p[k] = pk - h;
    fn.evaluate(x, n, p, minus);
    p[k] = pk;
    const base = row * n;
    const inv = 1 / (2 * h);
    for (let i = 0; i < n; i++) out[base + i] = (plus[i]! - minus[i]!) * inv;
  }
}
