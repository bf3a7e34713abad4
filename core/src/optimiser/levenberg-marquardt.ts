/**
 * The project's own bounded Levenberg-Marquardt optimiser (`lm`).
 *
 * Minimises S(p) = sum_i r_i(p)^2 with the normal equations solved in scaled
 * variables: (D^-1 J^T J D^-1 + mu I) D step = -D^-1 J^T r, where D holds the
 * largest column norms of J seen so far (MINPACK's `diag`, mode 1), so the
 * damping is invariant to the units of the parameters (an area of 3e5 and a
 * width of 15 are damped alike). The damping mu follows Nielsen's rule: on an
 * accepted step mu *= max(1/10, 1 - (2 rho - 1)^3) (Nielsen uses 1/3; 1/10
 * reaches Gauss-Newton steps sooner on good steps and saves about one
 * evaluation in seven from near starts), on a rejected one mu grows
 * by a doubling factor, with rho the ratio of actual to predicted reduction.
 * It starts at 1 (a step about half the Gauss-Newton one in scaled units):
 * on the reference pixels that both reaches HyperSpy's minima from far
 * starts more often than 1e-3 and needs fewer evaluations from near ones.
 *
 * Bounds are honoured by projection with an active set: a parameter on a bound
 * whose gradient points outwards is held for that iteration, the others take
 * the damped step, and the trial point is projected back into the box. The
 * predicted reduction is computed for the projected step, so a step that the
 * bounds cut short is judged fairly.
 *
 * Stop tests follow MINPACK's lmder: ftol on the relative actual and predicted
 * reductions, xtol on the scaled relative step, gtol on the cosine between the
 * residual vector and the Jacobian's columns, and a cap on evaluations.
 *
 * The standard deviations come from the covariance (J^T J)^-1 at the solution.
 *
 * A problem with its own objective (LeastSquaresProblem.objective: the
 * Poisson deviance of ML-poisson) is minimised the same way, by Fisher
 * scoring with the same damping: its residuals and Jacobian are the scaled
 * ones whose J r and J J^T are half the gradient and half the expected
 * Hessian, and the objective takes the place of the sum of squares in the
 * acceptance and stop tests. The covariance is then the inverse Fisher
 * information.
 *
 * All buffers live in a workspace reused from fit to fit: nothing is allocated
 * per channel or per iteration.
 *
 * The code reads as the algorithm: `fit` validates and calls `iterate`, whose
 * loop is normal equations, `scaleAndSelect` (scaling, active set, gradient
 * test), `linearSolve`, `shouldAbandon` and `takeStep`; a step is
 * `dampedStep`, `projectStep`, `judgeStep` and `stopTest`; the std come
 * from `covarianceStd`.
 */
import {
  choleskyInPlace,
  choleskyInverseDiagonal,
  choleskySolveInPlace,
} from './linear-algebra.js';
import {
  isConverged,
  resolveOptions,
  stopMessage,
  type LeastSquaresProblem,
  type Optimiser,
  type OptimiserOptions,
  type OptimiserResult,
  type ResolvedOptimiserOptions,
  type StopReason,
} from './optimiser.js';

const SQRT_EPS = Math.sqrt(2.220446049250313e-16);

/**
 * Buffers and the running state of one fit, reused from fit to fit (one
 * workspace per parameter count): the named steps below read and update it.
 */
class Workspace {
  readonly p: Float64Array;
  readonly pTrial: Float64Array;
  readonly step: Float64Array;
  readonly g: Float64Array;
  readonly diag: Float64Array;
  readonly a: Float64Array;
  readonly s: Float64Array;
  readonly rhs: Float64Array;
  readonly work: Float64Array;
  readonly active: Int32Array;
  /** Residuals at p (swapped with rTrial when a step is accepted). */
  r: Float64Array;
  /** Residuals at pTrial. */
  rTrial: Float64Array;
  readonly rFd: Float64Array;
  readonly jac: Float64Array;
  nfev = 0;
  njev = 0;
  /** The objective at p (the sum of squares, or the problem's objective). */
  f = 0;
  /** Damping, and its growth factor on rejected steps. */
  mu = 1;
  nu = 2;
  /** Accepted steps in a row that reduced f by less than STALL (relative). */
  stalls = 0;
  iterations = 0;
  /** Whether a and g hold the normal equations of the last Jacobian. */
  haveNormal = false;
  /** Parameters free to move this iteration: active[0..nActive). */
  nActive = 0;
  /** Largest cosine between the residuals and a free column of J. */
  gnorm = 0;
  /** Scaled squared norms of the last step and of p (the xtol test). */
  dnorm2 = 0;
  pnorm2 = 0;

  constructor(
    readonly n: number,
    readonly m: number,
  ) {
    this.p = new Float64Array(n);
    this.pTrial = new Float64Array(n);
    this.step = new Float64Array(n);
    this.g = new Float64Array(n);
    this.diag = new Float64Array(n);
    this.a = new Float64Array(n * n);
    this.s = new Float64Array(n * n);
    this.rhs = new Float64Array(n);
    this.work = new Float64Array(n);
    this.active = new Int32Array(n);
    this.r = new Float64Array(m);
    this.rTrial = new Float64Array(m);
    this.rFd = new Float64Array(m);
    this.jac = new Float64Array(n * m);
  }

  /** Clears the counters and the running state for a new fit. */
  reset(initialDamping: number): void {
    this.nfev = 0;
    this.njev = 0;
    this.iterations = 0;
    this.f = 0;
    this.diag.fill(0);
    this.mu = initialDamping;
    this.nu = 2;
    this.stalls = 0;
    this.haveNormal = false;
  }

  /** pTrial and its residuals become the current point. */
  acceptTrial(fTrial: number): void {
    this.p.set(this.pTrial);
    const t = this.r;
    this.r = this.rTrial;
    this.rTrial = t;
    this.f = fTrial;
  }
}

/** Sum of squares; NaN or infinite when any value is (squares cannot cancel). */
function sumSquares(a: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i]! * a[i]!;
  return s;
}

/**
 * The Jacobian at ws.p into ws.jac (analytic, or forward differences stepping
 * inwards at an upper bound); false if it is not finite. A function of its
 * own, not a closure, so the optimiser's hot loops keep their locals in
 * registers.
 */
function evaluateJacobian(
  problem: LeastSquaresProblem,
  ws: Workspace,
  r: Float64Array,
  upper: Float64Array,
): boolean {
  const { n, m, p, jac, rFd } = ws;
  ws.njev++;
  if (problem.jacobian) {
    problem.jacobian(p, jac);
  } else {
    for (let k = 0; k < n; k++) {
      const pk = p[k]!;
      let h = SQRT_EPS * Math.abs(pk);
      if (h === 0) h = SQRT_EPS;
      if (pk + h > upper[k]!) h = -h;
      p[k] = pk + h;
      problem.residuals(p, rFd);
      ws.nfev++;
      p[k] = pk;
      const row = k * m;
      for (let i = 0; i < m; i++) jac[row + i] = (rFd[i]! - r[i]!) / h;
    }
  }
  return true;
}

/** Dot product of rows `ra` and `rb` (length m) of the parameter-major J. */
function dot(jac: Float64Array, ra: number, rb: number, m: number): number {
  let s = 0;
  for (let i = 0; i < m; i++) s += jac[ra + i]! * jac[rb + i]!;
  return s;
}

/**
 * A = J J^T and g = J r for J stored parameter-major (n rows of m). The rows
 * go in groups of 3: each pair of groups is one pass over the channels with
 * up to 9 accumulators (6 loads feed 9 products; a diagonal group 3 loads 6
 * products), and g takes one pass per group (4 loads, 3 products). Rows left
 * over (n not a multiple of 3) use plain dot products. Every entry is still
 * one sequential sum over the channels, so the result is the same to the
 * bit as row-by-row dot products; only the loads are shared. Returns false
 * when A or g is not finite (a NaN or infinity anywhere in J or r shows up on
 * A's diagonal or in g).
 */
function normalEquations(
  jac: Float64Array,
  r: Float64Array,
  n: number,
  m: number,
  a: Float64Array,
  g: Float64Array,
): boolean {
  const full = n - (n % 3);
  for (let k = 0; k < full; k += 3) {
    const r0 = k * m;
    const r1 = r0 + m;
    const r2 = r1 + m;
    let g0 = 0;
    let g1 = 0;
    let g2 = 0;
    for (let i = 0; i < m; i++) {
      const ri = r[i]!;
      g0 += jac[r0 + i]! * ri;
      g1 += jac[r1 + i]! * ri;
      g2 += jac[r2 + i]! * ri;
    }
    g[k] = g0;
    g[k + 1] = g1;
    g[k + 2] = g2;
    // The diagonal block: 6 products of 3 rows.
    let d00 = 0;
    let d10 = 0;
    let d11 = 0;
    let d20 = 0;
    let d21 = 0;
    let d22 = 0;
    for (let i = 0; i < m; i++) {
      const x0 = jac[r0 + i]!;
      const x1 = jac[r1 + i]!;
      const x2 = jac[r2 + i]!;
      d00 += x0 * x0;
      d10 += x1 * x0;
      d11 += x1 * x1;
      d20 += x2 * x0;
      d21 += x2 * x1;
      d22 += x2 * x2;
    }
    a[k * n + k] = d00;
    a[(k + 1) * n + k] = d10;
    a[(k + 1) * n + k + 1] = d11;
    a[(k + 2) * n + k] = d20;
    a[(k + 2) * n + k + 1] = d21;
    a[(k + 2) * n + k + 2] = d22;
    // Blocks left of the diagonal: rows k..k+2 against rows l..l+2.
    for (let l = 0; l < k; l += 3) {
      const s0 = l * m;
      const s1 = s0 + m;
      const s2 = s1 + m;
      let a00 = 0;
      let a01 = 0;
      let a02 = 0;
      let a10 = 0;
      let a11 = 0;
      let a12 = 0;
      let a20 = 0;
      let a21 = 0;
      let a22 = 0;
      for (let i = 0; i < m; i++) {
        const x0 = jac[r0 + i]!;
        const x1 = jac[r1 + i]!;
        const x2 = jac[r2 + i]!;
        const y0 = jac[s0 + i]!;
        const y1 = jac[s1 + i]!;
        const y2 = jac[s2 + i]!;
        a00 += x0 * y0;
        a01 += x0 * y1;
        a02 += x0 * y2;
        a10 += x1 * y0;
        a11 += x1 * y1;
        a12 += x1 * y2;
        a20 += x2 * y0;
        a21 += x2 * y1;
        a22 += x2 * y2;
      }
      const b0 = k * n + l;
      const b1 = b0 + n;
      const b2 = b1 + n;
      a[b0] = a00;
      a[b0 + 1] = a01;
      a[b0 + 2] = a02;
      a[b1] = a10;
      a[b1 + 1] = a11;
      a[b1 + 2] = a12;
      a[b2] = a20;
      a[b2 + 1] = a21;
      a[b2 + 2] = a22;
    }
  }
  for (let k = full; k < n; k++) {
    const rowK = k * m;
    let gk = 0;
    for (let i = 0; i < m; i++) gk += jac[rowK + i]! * r[i]!;
    g[k] = gk;
    for (let l = 0; l <= k; l++) a[k * n + l] = dot(jac, rowK, l * m, m);
  }
  for (let k = 0; k < n; k++) for (let l = 0; l < k; l++) a[l * n + k] = a[k * n + l]!;
  for (let k = 0; k < n; k++)
    if (!Number.isFinite(a[k * n + k]!) || !Number.isFinite(g[k]!)) return false;
  return true;
}

/** An accepted step reducing f by less than this fraction counts as a stall (see abandonAbove). */
const STALL = 0.05;

/**
 * Solves the normal equations without damping over the parameters free to
 * move (ws.active[0..nActive)), in variables scaled by ws.diag:
 * (D^-1 A D^-1) z = D^-1 g into ws.rhs (the Gauss-Newton step is -z / D).
 * Uses ws.s as scratch; false when A is singular there.
 */
function solveUndamped(ws: Workspace, nActive: number): boolean {
  const { n, a, g, diag, s, rhs, active } = ws;
  for (let x = 0; x < nActive; x++) {
    const kx = active[x]!;
    const dx = diag[kx]!;
    for (let y = 0; y <= x; y++) {
      const ky = active[y]!;
      s[x * nActive + y] = a[kx * n + ky]! / (dx * diag[ky]!);
    }
    rhs[x] = g[kx]! / dx;
  }
  if (!choleskyInPlace(s, nActive)) return false;
  choleskySolveInPlace(s, nActive, rhs);
  return true;
}

/**
 * The sum of squares the undamped Gauss-Newton step from ws.p predicts,
 * f - (g^T A^-1 g) over the parameters free to move (ws.active), from the
 * normal equations in ws.a and ws.g; -Infinity when A is singular there (no
 * prediction, so no reason to give up).
 */
function gaussNewtonFloor(ws: Workspace, nActive: number, f: number): number {
  if (!solveUndamped(ws, nActive)) return -Infinity;
  const { g, diag, rhs, active } = ws;
  // The predicted reduction is g'^T z with g' = D^-1 g.
  let gz = 0;
  for (let x = 0; x < nActive; x++) gz += (g[active[x]!]! / diag[active[x]!]!) * rhs[x]!;
  return f - gz;
}

/**
 * The undamped Gauss-Newton point p - A^-1 g into ws.pTrial, every parameter
 * free to move (ws.active = 0..n-1). For a linear problem that is the exact
 * least-squares solution. False when A is singular or the point leaves the
 * bounds (then the bounded minimum lies on a bound: the damped, projected
 * iterations find it).
 */
function gaussNewtonPoint(ws: Workspace, lower: Float64Array, upper: Float64Array): boolean {
  const { n, diag, rhs, p, pTrial } = ws;
  if (!solveUndamped(ws, n)) return false;
  for (let k = 0; k < n; k++) {
    const t = p[k]! - rhs[k]! / diag[k]!;
    if (!(t >= lower[k]! && t <= upper[k]!)) return false;
    pTrial[k] = t;
  }
  return true;
}

/**
 * Residuals at `p` into `out`, counted; returns the objective there: the sum
 * of squares, or the problem's own (LeastSquaresProblem.objective).
 */
function evaluateAt(
  problem: LeastSquaresProblem,
  ws: Workspace,
  p: Float64Array,
  out: Float64Array,
): number {
  problem.residuals(p, out);
  ws.nfev++;
  const objective = problem.objective;
  return objective ? objective(out) : sumSquares(out, ws.m);
}

/** The starting point, clamped into the bounds; throws on a non-finite value. */
function loadStart(ws: Workspace, start: Float64Array, lower: Float64Array, upper: Float64Array) {
  const { n, p } = ws;
  for (let k = 0; k < n; k++) {
    const v = start[k]!;
    if (!Number.isFinite(v)) throw new Error(`lm: starting value of parameter ${k} is ${v}`);
    p[k] = v < lower[k]! ? lower[k]! : v > upper[k]! ? upper[k]! : v;
  }
}

/**
 * Updates the scaling ws.diag from the column norms of J, picks the
 * parameters free to move this iteration into ws.active (a parameter on a
 * bound whose gradient points outwards is held) and measures ws.gnorm, the
 * gradient test's cosine over them.
 */
function scaleAndSelect(ws: Workspace, lower: Float64Array, upper: Float64Array): void {
  const { n, a, g, diag, p, active } = ws;
  let nActive = 0;
  let gnorm = 0;
  const rnorm = Math.sqrt(ws.f);
  for (let k = 0; k < n; k++) {
    const colNorm = Math.sqrt(a[k * n + k]!);
    if (colNorm > diag[k]!) diag[k] = colNorm;
    if (diag[k] === 0) diag[k] = 1;
    const gk = g[k]!;
    const held = (p[k]! <= lower[k]! && gk > 0) || (p[k]! >= upper[k]! && gk < 0);
    if (held) continue;
    active[nActive++] = k;
    if (colNorm > 0) {
      const c = Math.abs(gk) / (colNorm * rnorm);
      if (c > gnorm) gnorm = c;
    }
  }
  ws.nActive = nActive;
  ws.gnorm = gnorm;
}

/**
 * Only amplitudes free (LeastSquaresProblem.linear), first iteration: the
 * undamped Gauss-Newton point is the exact minimum, taken when it lies in the
 * bounds and is no worse than the start (rounding aside). The Jacobian, so A,
 * is the same there: the covariance holds too. Returns the stop reason, or
 * null to go on with damped steps.
 */
function linearSolve(
  problem: LeastSquaresProblem,
  ws: Workspace,
  lower: Float64Array,
  upper: Float64Array,
): StopReason | null {
  if (!gaussNewtonPoint(ws, lower, upper)) return null;
  const fTrial = evaluateAt(problem, ws, ws.pTrial, ws.rTrial);
  if (!(Number.isFinite(fTrial) && fTrial <= ws.f * (1 + 1e-9))) return null;
  ws.acceptTrial(fTrial);
  return fTrial === 0 ? 'zero-residuals' : 'linear';
}

/** Whether to give up: stalled above `abandonAbove`, with no Gauss-Newton step predicted below it. */
function shouldAbandon(ws: Workspace, abandonAbove: number): boolean {
  return (
    ws.stalls >= 2 && ws.f > abandonAbove && gaussNewtonFloor(ws, ws.nActive, ws.f) > abandonAbove
  );
}

/**
 * The damped normal equations over the free parameters, in scaled
 * variables: (D^-1 A D^-1 + mu I) z = -D^-1 g, the step z / D into ws.step
 * (zero for held parameters). False when Cholesky fails at this damping.
 */
function dampedStep(ws: Workspace): boolean {
  const { n, a, g, diag, s, rhs, active, step, mu, nActive } = ws;
  for (let x = 0; x < nActive; x++) {
    const kx = active[x]!;
    const dx = diag[kx]!;
    for (let y = 0; y <= x; y++) {
      const ky = active[y]!;
      s[x * nActive + y] = a[kx * n + ky]! / (dx * diag[ky]!);
    }
    s[x * nActive + x] = s[x * nActive + x]! + mu;
    rhs[x] = -g[kx]! / dx;
  }
  if (!choleskyInPlace(s, nActive)) return false;
  choleskySolveInPlace(s, nActive, rhs);
  step.fill(0);
  for (let x = 0; x < nActive; x++) {
    const kx = active[x]!;
    step[kx] = rhs[x]! / diag[kx]!;
  }
  return true;
}

/**
 * Projects p + step into the box as ws.pTrial (ws.step becomes the projected
 * step, ws.dnorm2 and ws.pnorm2 its and p's scaled squared norms) and
 * returns the reduction of the sum of squares the linearised model predicts
 * for the projected step, so a step the bounds cut short is judged fairly.
 */
function projectStep(ws: Workspace, lower: Float64Array, upper: Float64Array): number {
  const { n, a, g, diag, p, pTrial, step } = ws;
  let dnorm2 = 0;
  let pnorm2 = 0;
  for (let k = 0; k < n; k++) {
    let t = p[k]! + step[k]!;
    if (t < lower[k]!) t = lower[k]!;
    else if (t > upper[k]!) t = upper[k]!;
    pTrial[k] = t;
    const d = t - p[k]!;
    step[k] = d;
    dnorm2 += diag[k]! * diag[k]! * d * d;
    pnorm2 += diag[k]! * diag[k]! * p[k]! * p[k]!;
  }
  ws.dnorm2 = dnorm2;
  ws.pnorm2 = pnorm2;
  let gd = 0;
  let dad = 0;
  for (let k = 0; k < n; k++) {
    const dk = step[k]!;
    if (dk === 0) continue;
    gd += g[k]! * dk;
    let ad = 0;
    for (let l = 0; l < n; l++) ad += a[k * n + l]! * step[l]!;
    dad += dk * ad;
  }
  return -(2 * gd + dad);
}

/** A rejected step or a failed factorisation: more damping, growing faster each time. */
function raiseDamping(ws: Workspace): void {
  ws.mu *= ws.nu;
  ws.nu *= 2;
}

/**
 * Accepts the trial point or not (it must lower f with rho, the ratio of
 * actual to predicted reduction, above 1e-4) and adapts the damping
 * (Nielsen's rule on acceptance). Returns whether it was accepted.
 */
function judgeStep(ws: Workspace, fTrial: number, actred: number, rho: number): boolean {
  const accepted = fTrial < ws.f && rho > 1e-4;
  if (accepted) {
    ws.stalls = actred < STALL * ws.f ? ws.stalls + 1 : 0;
    ws.acceptTrial(fTrial);
    const q = 2 * rho - 1;
    ws.mu *= Math.max(0.1, 1 - q * q * q);
    ws.nu = 2;
  } else {
    raiseDamping(ws);
  }
  return accepted;
}

/** MINPACK's stop tests after a step (ftol, xtol, the evaluation cap), or null to go on. */
function stopTest(
  ws: Workspace,
  opt: ResolvedOptimiserOptions,
  relAct: number,
  relPred: number,
  rho: number,
): StopReason | null {
  if (ws.f === 0) return 'zero-residuals';
  if (Math.abs(relAct) <= opt.ftol && relPred <= opt.ftol && rho <= 2) return 'ftol';
  if (Math.sqrt(ws.dnorm2) <= opt.xtol * Math.sqrt(ws.pnorm2) || ws.dnorm2 === 0) return 'xtol';
  if (ws.nfev >= opt.maxEvaluations) return 'max-evaluations';
  if (!(ws.mu < 1e300)) return 'xtol';
  return null;
}

/**
 * Damped steps from the current point until one is accepted (then the
 * Jacobian at the new point is evaluated and null returned) or a stop test
 * holds (its reason returned).
 */
function takeStep(
  problem: LeastSquaresProblem,
  ws: Workspace,
  opt: ResolvedOptimiserOptions,
): StopReason | null {
  const { lower, upper } = opt;
  for (;;) {
    if (!dampedStep(ws)) {
      raiseDamping(ws);
      if (!(ws.mu < 1e300)) return 'failed';
      continue;
    }
    const pred = projectStep(ws, lower, upper);
    let fTrial = evaluateAt(problem, ws, ws.pTrial, ws.rTrial);
    if (!Number.isFinite(fTrial)) fTrial = Infinity;
    const f = ws.f;
    const actred = f - fTrial;
    const rho = pred > 0 ? actred / pred : actred > 0 ? 1 : -1;
    const accepted = judgeStep(ws, fTrial, actred, rho);
    const stop = stopTest(ws, opt, actred / f, pred / f, rho);
    if (stop) return stop;
    if (accepted) {
      evaluateJacobian(problem, ws, ws.r, upper);
      return null;
    }
  }
}

/**
 * The iterations from the start in ws.p: normal equations, scaling and the
 * gradient test, the linear shortcut, the abandon test, then a damped step,
 * until a stop reason.
 */
function iterate(
  problem: LeastSquaresProblem,
  ws: Workspace,
  opt: ResolvedOptimiserOptions,
): StopReason {
  const { n, m, jac, a, g } = ws;
  ws.f = evaluateAt(problem, ws, ws.p, ws.r);
  if (!Number.isFinite(ws.f)) return 'failed';
  if (ws.f === 0) {
    evaluateJacobian(problem, ws, ws.r, opt.upper);
    return 'zero-residuals';
  }
  if (!evaluateJacobian(problem, ws, ws.r, opt.upper)) return 'failed';
  for (;;) {
    ws.iterations++;
    // Normal equations: A = J J^T (J is stored parameter-major), g = J r.
    ws.haveNormal = normalEquations(jac, ws.r, n, m, a, g);
    if (!ws.haveNormal) return 'failed';
    scaleAndSelect(ws, opt.lower, opt.upper);
    if (ws.nActive === 0 || ws.gnorm <= opt.gtol) return 'gtol';
    if (ws.iterations === 1 && problem.linear === true && ws.nActive === n) {
      const solved = linearSolve(problem, ws, opt.lower, opt.upper);
      if (solved) return solved;
    }
    if (shouldAbandon(ws, opt.abandonAbove)) return 'abandoned';
    const stop = takeStep(problem, ws, opt);
    if (stop) return stop;
  }
}

/**
 * Std of each parameter from the covariance (J^T J)^-1 into `std` (NaN when
 * singular). As in MINPACK, it comes from the last Jacobian evaluated: after
 * a converged step that is the one before it, which differs from the final
 * point by less than the stop tolerances. Only a fit that never built the
 * normal equations (zero residuals at the start) builds them here.
 */
function covarianceStd(ws: Workspace, std: Float64Array): void {
  const { n, m, a, g, s, rhs, work, jac } = ws;
  if (!ws.haveNormal) ws.haveNormal = normalEquations(jac, ws.r, n, m, a, g);
  if (!ws.haveNormal) return;
  // Scale by the column norms so near-singular units do not break Cholesky.
  for (let k = 0; k < n; k++) work[k] = Math.sqrt(a[k * n + k]!) || 1;
  for (let k = 0; k < n; k++)
    for (let l = 0; l <= k; l++) s[k * n + l] = a[k * n + l]! / (work[k]! * work[l]!);
  if (!choleskyInPlace(s, n)) {
    std.fill(NaN);
    return;
  }
  choleskyInverseDiagonal(s, n, std, rhs);
  for (let k = 0; k < n; k++) {
    const v = std[k]! / (work[k]! * work[k]!);
    std[k] = v >= 0 && Number.isFinite(v) ? Math.sqrt(v) : NaN;
  }
}

export class LevenbergMarquardt implements Optimiser {
  readonly name = 'lm';
  /**
   * Workspaces by parameter count, for one residual count: SAMFire's kernel
   * alternates subsets of different sizes from fit to fit.
   */
  #ws: (Workspace | undefined)[] = [];
  #m = -1;

  #workspace(n: number, m: number): Workspace {
    if (m !== this.#m) {
      this.#ws = [];
      this.#m = m;
    }
    let ws = this.#ws[n];
    if (!ws) {
      ws = new Workspace(n, m);
      this.#ws[n] = ws;
    }
    return ws;
  }

  fit(
    problem: LeastSquaresProblem,
    start: Float64Array,
    options: OptimiserOptions = {},
  ): OptimiserResult {
    const n = problem.nParams;
    const m = problem.nResiduals;
    if (start.length !== n)
      throw new Error(`lm: ${start.length} starting values for ${n} parameters`);
    if (n < 1) throw new Error('lm: no free parameters to fit');
    if (m < n) throw new Error(`lm: ${m} residuals cannot determine ${n} parameters`);
    const opt = resolveOptions(n, options);
    const ws = this.#workspace(n, m);
    loadStart(ws, start, opt.lower, opt.upper);
    ws.reset(opt.initialDamping);
    const status = iterate(problem, ws, opt);

    const { p } = ws;
    const f = ws.f;
    const params = new Float64Array(p);
    const std = new Float64Array(n).fill(NaN);
    const atBound = new Uint8Array(n);
    for (let k = 0; k < n; k++)
      atBound[k] = p[k]! <= opt.lower[k]! || p[k]! >= opt.upper[k]! ? 1 : 0;
    if (opt.covariance && status !== 'failed' && Number.isFinite(f)) covarianceStd(ws, std);
    return {
      params,
      std,
      chisq: f,
      status,
      converged: isConverged(status),
      message: stopMessage(status),
      evaluations: ws.nfev,
      jacobianEvaluations: ws.njev,
      iterations: ws.iterations,
      atBound,
    };
  }
}
