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
 * All buffers live in a workspace reused from fit to fit: nothing is allocated
 * per channel or per iteration.
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
  type StopReason,
} from './optimiser.js';

const SQRT_EPS = Math.sqrt(2.220446049250313e-16);

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
  readonly r: Float64Array;
  readonly rTrial: Float64Array;
  readonly rFd: Float64Array;
  readonly jac: Float64Array;
  nfev = 0;
  njev = 0;

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
    const { lower, upper } = opt;
    const ws = this.#workspace(n, m);
    const { p, pTrial, step, g, diag, a, s, rhs, work, active, jac } = ws;
    let r = ws.r;
    let rTrial = ws.rTrial;

    for (let k = 0; k < n; k++) {
      const v = start[k]!;
      if (!Number.isFinite(v)) throw new Error(`lm: starting value of parameter ${k} is ${v}`);
      p[k] = v < lower[k]! ? lower[k]! : v > upper[k]! ? upper[k]! : v;
    }

    ws.nfev = 0;
    ws.njev = 0;
    let iterations = 0;
    let status: StopReason = 'failed';

    problem.residuals(p, r);
    ws.nfev++;
    let f = sumSquares(r, m);
    diag.fill(0);
    let mu = opt.initialDamping;
    let haveNormal = false;
    let nu = 2;
    // Accepted steps in a row that reduced f by less than STALL (relative).
    let stalls = 0;

    if (!Number.isFinite(f)) {
      status = 'failed';
    } else if (f === 0) {
      status = 'zero-residuals';
      evaluateJacobian(problem, ws, r, upper);
    } else if (!evaluateJacobian(problem, ws, r, upper)) {
      status = 'failed';
    } else {
      outer: for (;;) {
        iterations++;
        // Normal equations: A = J J^T (J is stored parameter-major), g = J r.
        haveNormal = normalEquations(jac, r, n, m, a, g);
        if (!haveNormal) {
          status = 'failed';
          break;
        }
        // Scaling and the gradient test over the parameters free to move.
        let nActive = 0;
        let gnorm = 0;
        const rnorm = Math.sqrt(f);
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
        if (nActive === 0 || gnorm <= opt.gtol) {
          status = 'gtol';
          break;
        }
        // Only amplitudes free: one linear least-squares solve is the answer
        // (the Jacobian, so A, is the same at the solution: the covariance
        // below holds there too).
        if (
          iterations === 1 &&
          problem.linear === true &&
          nActive === n &&
          gaussNewtonPoint(ws, lower, upper)
        ) {
          problem.residuals(pTrial, rTrial);
          ws.nfev++;
          const fTrial = sumSquares(rTrial, m);
          // Rounding aside, the exact minimum is no worse than the start.
          if (Number.isFinite(fTrial) && fTrial <= f * (1 + 1e-9)) {
            p.set(pTrial);
            const t = r;
            r = rTrial;
            rTrial = t;
            f = fTrial;
            status = fTrial === 0 ? 'zero-residuals' : 'linear';
            break;
          }
        }
        if (
          stalls >= 2 &&
          f > opt.abandonAbove &&
          gaussNewtonFloor(ws, nActive, f) > opt.abandonAbove
        ) {
          status = 'abandoned';
          break;
        }

        // Inner loop: damped steps until one is accepted or a stop test holds.
        for (;;) {
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
          if (!choleskyInPlace(s, nActive)) {
            mu *= nu;
            nu *= 2;
            if (!(mu < 1e300)) {
              status = 'failed';
              break outer;
            }
            continue;
          }
          choleskySolveInPlace(s, nActive, rhs);
          step.fill(0);
          for (let x = 0; x < nActive; x++) {
            const kx = active[x]!;
            step[kx] = rhs[x]! / diag[kx]!;
          }
          // Project the trial point into the box; `step` becomes the projected step.
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
          // Predicted reduction of the linearised model for the projected step.
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
          const pred = -(2 * gd + dad);

          problem.residuals(pTrial, rTrial);
          ws.nfev++;
          let fTrial = sumSquares(rTrial, m);
          if (!Number.isFinite(fTrial)) fTrial = Infinity;
          const actred = f - fTrial;
          const rho = pred > 0 ? actred / pred : actred > 0 ? 1 : -1;
          const relPred = pred / f;
          const relAct = actred / f;
          const accepted = fTrial < f && rho > 1e-4;
          if (accepted) {
            stalls = actred < STALL * f ? stalls + 1 : 0;
            p.set(pTrial);
            const t = r;
            r = rTrial;
            rTrial = t;
            f = fTrial;
            const q = 2 * rho - 1;
            mu *= Math.max(0.1, 1 - q * q * q);
            nu = 2;
          } else {
            mu *= nu;
            nu *= 2;
          }

          let stop: StopReason | null = null;
          if (f === 0) stop = 'zero-residuals';
          else if (Math.abs(relAct) <= opt.ftol && relPred <= opt.ftol && rho <= 2) stop = 'ftol';
          else if (Math.sqrt(dnorm2) <= opt.xtol * Math.sqrt(pnorm2) || dnorm2 === 0) stop = 'xtol';
          else if (ws.nfev >= opt.maxEvaluations) stop = 'max-evaluations';
          else if (!(mu < 1e300)) stop = 'xtol';

          if (stop) {
            status = stop;
            break outer;
          }
          if (accepted) {
            evaluateJacobian(problem, ws, r, upper);
            break;
          }
        }
      }
    }
    const params = new Float64Array(p);
    const std = new Float64Array(n).fill(NaN);
    const atBound = new Uint8Array(n);
    for (let k = 0; k < n; k++) atBound[k] = p[k]! <= lower[k]! || p[k]! >= upper[k]! ? 1 : 0;
    // As in MINPACK, the covariance comes from the last Jacobian evaluated:
    // after a converged step that is the one before it, which differs from
    // the final point by less than the stop tolerances. Only a fit that
    // never built the normal equations (zero residuals at the start) builds
    // them here.
    if (opt.covariance && status !== 'failed' && Number.isFinite(f) && !haveNormal) {
      haveNormal = normalEquations(jac, r, n, m, a, g);
    }
    if (opt.covariance && status !== 'failed' && Number.isFinite(f) && haveNormal) {
      // Scale by the column norms so near-singular units do not break Cholesky.
      for (let k = 0; k < n; k++) work[k] = Math.sqrt(a[k * n + k]!) || 1;
      for (let k = 0; k < n; k++)
        for (let l = 0; l <= k; l++) s[k * n + l] = a[k * n + l]! / (work[k]! * work[l]!);
      if (choleskyInPlace(s, n)) {
        choleskyInverseDiagonal(s, n, std, rhs);
        for (let k = 0; k < n; k++) {
          const v = std[k]! / (work[k]! * work[k]!);
          std[k] = v >= 0 && Number.isFinite(v) ? Math.sqrt(v) : NaN;
        }
      } else {
        std.fill(NaN);
      }
    }
    return {
      params,
      std,
      chisq: f,
      status,
      converged: isConverged(status),
      message: stopMessage(status),
      evaluations: ws.nfev,
      jacobianEvaluations: ws.njev,
      iterations,
      atBound,
    };
  }
}
