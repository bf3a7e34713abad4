/**
 * The weighted least-squares problem of one pixel: residuals
 * r_i = (scale * sum_c f_c(x_i) - y_i) / sigma_i over the fitted channels, and
 * their Jacobian with respect to the free parameter slots. Built once per
 * model structure and reused for every pixel: per pixel only the data, the
 * weights and the starting values change. Plain data in (component functions
 * and arrays), so workers can build the same problem without a Model.
 *
 * Tied slots (setTies) follow their masters: every writeFree (so every
 * residuals and jacobian call) recomputes them, masters first, and keeps
 * d slot / d root along the chain. A tied slot whose root is a free slot
 * gets a Jacobian row of its own in a scratch block past the free rows; the
 * chain rule then adds it, times d slot / d root, to the root's row.
 *
 * With the loss 'ML-poisson' the problem is the Poisson likelihood of the
 * counts instead (HyperSpy's loss_function="ML-poisson"): the objective is
 * the deviance D = 2 sum [y ln(y / mu) - (y - mu)] and the residuals and
 * Jacobian are those of Fisher scoring, r_i = (mu_i - y_i) / sqrt(mu_i) and
 * J_i = (d mu_i / d p) / sqrt(mu_i): J r is half the gradient of D and
 * J J^T half its expected Hessian (the Fisher information), so `lm` runs
 * as for least squares and its covariance is the inverse Fisher information.
 * The weights (1 / sigma) play no part. Below mu = POISSON_FLOOR a channel's
 * deviance goes on as its quadratic expansion at the floor (steep where
 * counts were seen, with its minimum at mu = 0 where none were), so a model
 * that dips to zero or below somewhere (a background from a poor start)
 * still has a finite objective that pushes it back up.
 */
import type { ComponentFunction } from '../components/component.js';
import type { LeastSquaresProblem } from '../optimiser/optimiser.js';
import { POISSON_FLOOR } from './information-criteria.js';
import { compileTie, orderTies, type TieFunction, type TieSpec } from './tie.js';

/**
 * What a fit minimises: 'ls' the weighted sum of squares, 'ML-poisson' the
 * Poisson deviance of the counts (maximum likelihood), as HyperSpy names them.
 */
export type LossFunction = 'ls' | 'ML-poisson';
export const LOSS_FUNCTIONS: readonly LossFunction[] = ['ls', 'ML-poisson'];

export function isLossFunction(v: unknown): v is LossFunction {
  return v === 'ls' || v === 'ML-poisson';
}

export class ModelProblem implements LeastSquaresProblem {
  readonly components: readonly ComponentFunction[];
  /** Axis values of the fitted channels. */
  readonly x: Float64Array;
  /** Data of the fitted channels. */
  readonly y: Float64Array;
  /** 1 / sigma of the fitted channels. */
  readonly w: Float64Array;
  /** Every parameter slot of every component, in component order. */
  readonly slots: Float64Array;
  /** First slot of each component. */
  readonly offsets: Int32Array;
  /** 1 where the component takes part in the fit. */
  readonly active: Uint8Array;
  /** 1 where the slot is free (of an active component). */
  readonly free: Uint8Array;
  readonly nResiduals: number;
  #nParams = 0;
  readonly #freeSlots: Int32Array;
  /** 1 where the slot's parameter enters the model linearly (an amplitude). */
  readonly #linearSlot: Uint8Array;
  #linear = false;
  readonly #views: Float64Array[];
  readonly #rows: Int32Array[];
  readonly #tmp: Float64Array;
  /** w * scale, for a binned axis (scale != 1). */
  readonly #jw: Float64Array;
  readonly #scale: number;
  /** Per-channel bin widths (a binned non-uniform axis), or null. */
  readonly #widths: Float64Array | null;
  /** Ties in evaluation order, their compiled formulas and per-tie state. */
  #ties: TieSpec[] = [];
  #tieFns: TieFunction[] = [];
  /** Per tie: the root slot (the first untied master up the chain). */
  #tieRoot = new Int32Array(0);
  /** Per tie: d slot / d root at the current slots. */
  #tieChain = new Float64Array(0);
  /** Per tie: its Jacobian row in the scratch block, or -1 (root not free, or inactive). */
  #tieRow = new Int32Array(0);
  /** Per slot: index of the tie that sets it, or -1. */
  #tieOfSlot: Int32Array;
  /** Number of ties with a Jacobian row (rows nParams .. nParams + this - 1 of #jacobianScratch). */
  #tiedRows = 0;
  #jacobianScratch = new Float64Array(0);
  /** Component index of each slot. */
  readonly #componentOfSlot: Int32Array;
  readonly #tieOut = new Float64Array(2);
  #poisson = false;
  /** Poisson: the expected counts of the last residuals evaluation. */
  readonly #mu: Float64Array;
  /** Poisson: 1 / sqrt(max(mu, floor)) per channel, the Fisher weights of the Jacobian. */
  readonly #fw: Float64Array;
  /** Poisson: the free parameters #mu and #fw belong to (NaN: none). */
  readonly #muAt: Float64Array;
  readonly #rScratch: Float64Array;
  /** Poisson: the deviance (continued below the floor) at #muAt. */
  #deviance = NaN;
  readonly #devianceObjective = (): number => this.#deviance;
  /** See LeastSquaresProblem.objective: the deviance under ML-poisson, else absent. */
  objective: ((residuals: Float64Array) => number) | undefined = undefined;

  /**
   * @param x axis values of the fitted channels
   * @param scale multiplies the model: the axis scale for binned signals, else
   *   1; or, for a binned non-uniform axis, the bin width of every fitted channel
   */
  constructor(
    components: readonly ComponentFunction[],
    x: Float64Array,
    scale: number | Float64Array = 1,
  ) {
    if (typeof scale !== 'number' && scale.length !== x.length) {
      throw new Error(`model problem: ${scale.length} bin widths for ${x.length} channels`);
    }
    this.components = components;
    this.x = x;
    this.nResiduals = x.length;
    this.y = new Float64Array(x.length);
    this.w = new Float64Array(x.length).fill(1);
    this.offsets = new Int32Array(components.length);
    let total = 0;
    components.forEach((c, i) => {
      this.offsets[i] = total;
      total += c.size;
    });
    this.slots = new Float64Array(total);
    this.active = new Uint8Array(components.length).fill(1);
    this.free = new Uint8Array(total);
    this.#freeSlots = new Int32Array(total);
    this.#linearSlot = new Uint8Array(total);
    components.forEach((c, i) => {
      let s = this.offsets[i]!;
      for (const p of c.parameters) {
        const len = p.length ?? 1;
        for (let j = 0; j < len; j++) this.#linearSlot[s++] = p.linear ? 1 : 0;
      }
    });
    this.#views = components.map((c, i) =>
      this.slots.subarray(this.offsets[i], this.offsets[i]! + c.size),
    );
    this.#rows = components.map((c) => new Int32Array(c.size).fill(-1));
    this.#tmp = new Float64Array(x.length);
    this.#jw = new Float64Array(x.length);
    this.#scale = typeof scale === 'number' ? scale : NaN;
    this.#widths = typeof scale === 'number' ? null : Float64Array.from(scale);
    this.#tieOfSlot = new Int32Array(total).fill(-1);
    this.#mu = new Float64Array(x.length);
    this.#fw = new Float64Array(x.length);
    this.#muAt = new Float64Array(total).fill(NaN);
    this.#rScratch = new Float64Array(x.length);
    this.#componentOfSlot = new Int32Array(total);
    components.forEach((c, i) =>
      this.#componentOfSlot.fill(i, this.offsets[i], this.offsets[i]! + c.size),
    );
  }

  /** The ties in evaluation order (masters first). */
  get ties(): readonly TieSpec[] {
    return this.#ties;
  }

  /**
   * Sets the tied slots (replacing any). Throws on a slot out of range, a
   * slot tied twice or a cycle, naming the slots through `name`. Call
   * `configure` afterwards.
   */
  setTies(ties: readonly TieSpec[], name?: (slot: number) => string): void {
    const total = this.slots.length;
    for (const t of ties) {
      if (!(Number.isInteger(t.slot) && t.slot >= 0 && t.slot < total))
        throw new Error(`tie: slot ${t.slot} is outside the problem's ${total} slots`);
      if (!(Number.isInteger(t.master) && t.master >= 0 && t.master < total))
        throw new Error(`tie: master slot ${t.master} is outside the problem's ${total} slots`);
    }
    const ordered = orderTies(ties, name);
    const label = name ?? ((s: number) => `slot ${s}`);
    this.#tieFns = ordered.map((t) => compileTie(t.expression, `tie of ${label(t.slot)}`));
    this.#ties = ordered;
    this.#tieOfSlot.fill(-1);
    ordered.forEach((t, k) => (this.#tieOfSlot[t.slot] = k));
    const n = ordered.length;
    this.#tieRoot = new Int32Array(n);
    this.#tieChain = new Float64Array(n);
    this.#tieRow = new Int32Array(n).fill(-1);
    ordered.forEach((t, k) => {
      const up = this.#tieOfSlot[t.master]!;
      this.#tieRoot[k] = up >= 0 ? this.#tieRoot[up]! : t.master;
    });
  }

  /** Recomputes the tied slots from their masters (masters first). */
  applyTies(): void {
    const ties = this.#ties;
    const slots = this.slots;
    const out = this.#tieOut;
    for (let k = 0; k < ties.length; k++) {
      const t = ties[k]!;
      this.#tieFns[k]!.evaluate(slots[t.master]!, out);
      slots[t.slot] = out[0]!;
      const up = this.#tieOfSlot[t.master]!;
      this.#tieChain[k] = up >= 0 ? out[1]! * this.#tieChain[up]! : out[1]!;
    }
  }

  /**
   * The std of each tied slot whose root is free, from the root's (delta
   * method: |d slot / d root| std(root)), into `std` (per slot).
   */
  tiedStd(std: Float64Array): void {
    for (let k = 0; k < this.#ties.length; k++) {
      if (this.#tieRow[k]! < 0) continue;
      std[this.#ties[k]!.slot] = Math.abs(this.#tieChain[k]!) * std[this.#tieRoot[k]!]!;
    }
  }

  get nParams(): number {
    return this.#nParams;
  }

  /** What the fit minimises (see LossFunction). @default 'ls' */
  get loss(): LossFunction {
    return this.#poisson ? 'ML-poisson' : 'ls';
  }

  set loss(value: LossFunction) {
    if (!isLossFunction(value)) {
      throw new Error(
        `unknown loss function '${String(value)}' (known: ${LOSS_FUNCTIONS.join(', ')})`,
      );
    }
    this.#poisson = value === 'ML-poisson';
    this.objective = this.#poisson ? this.#devianceObjective : undefined;
    this.#muAt.fill(NaN);
  }

  /**
   * The residuals are affine in the free parameters (see
   * LeastSquaresProblem.linear): every free parameter enters the model
   * linearly (after configure) and the loss is least squares. Under
   * ML-poisson the weights follow the model, so the problem is not linear,
   * though still convex (see `affine`).
   */
  get linear(): boolean {
    return this.#linear && !this.#poisson;
  }

  /**
   * Every free parameter enters the model linearly: the model is a sum of
   * components, each linear in its amplitude, so with only amplitudes free
   * the model is affine in them and either loss is convex, with one minimum.
   */
  get affine(): boolean {
    return this.#linear;
  }

  /** Slot index of each free parameter, in the order of the optimiser's vector. */
  get freeSlots(): Int32Array {
    return this.#freeSlots.subarray(0, this.#nParams);
  }

  /** Recomputes the free-parameter layout after `active` or `free` changed. */
  configure(): void {
    let k = 0;
    this.components.forEach((c, ci) => {
      const rows = this.#rows[ci]!;
      const off = this.offsets[ci]!;
      for (let s = 0; s < c.size; s++) {
        if (this.active[ci] && this.free[off + s] && this.#tieOfSlot[off + s]! < 0) {
          rows[s] = k;
          this.#freeSlots[k++] = off + s;
        } else {
          rows[s] = -1;
        }
      }
    });
    this.#nParams = k;
    let linear = k > 0;
    for (let j = 0; j < k && linear; j++) linear = this.#linearSlot[this.#freeSlots[j]!] === 1;
    // Tied slots of active components whose root is free get scratch rows.
    let extra = 0;
    for (let t = 0; t < this.#ties.length; t++) {
      const tie = this.#ties[t]!;
      const ci = this.#componentOfSlot[tie.slot]!;
      const rootFree = this.#rowOfSlot(this.#tieRoot[t]!) >= 0;
      const row = this.active[ci] && rootFree ? k + extra++ : -1;
      this.#tieRow[t] = row;
      this.#rows[ci]![tie.slot - this.offsets[ci]!] = row;
      if (row < 0) continue;
      // Linear stays linear only through affine ties onto linear slots, all along the chain.
      if (!this.#linearSlot[tie.slot] || !this.#chainAffine(t)) linear = false;
    }
    this.#tiedRows = extra;
    if (extra > 0 && this.#jacobianScratch.length < (k + extra) * this.nResiduals) {
      this.#jacobianScratch = new Float64Array((k + extra) * this.nResiduals);
    }
    this.#linear = linear;
    this.#muAt.fill(NaN);
    this.applyTies();
  }

  /** Row of a slot in the optimiser's Jacobian (free slot of an active component), or -1. */
  #rowOfSlot(slot: number): number {
    const ci = this.#componentOfSlot[slot]!;
    if (!this.active[ci] || !this.free[slot] || this.#tieOfSlot[slot]! >= 0) return -1;
    return this.#rows[ci]![slot - this.offsets[ci]!]!;
  }

  #chainAffine(t: number): boolean {
    for (let k = t; k >= 0; k = this.#tieOfSlot[this.#ties[k]!.master]!) {
      if (!this.#tieFns[k]!.affine) return false;
    }
    return true;
  }

  /** Free parameter values from the slots into `out`. */
  readFree(out: Float64Array): void {
    for (let k = 0; k < this.#nParams; k++) out[k] = this.slots[this.#freeSlots[k]!]!;
  }

  /** Free parameter values from `p` into the slots, then the tied slots from their masters. */
  writeFree(p: Float64Array): void {
    for (let k = 0; k < this.#nParams; k++) this.slots[this.#freeSlots[k]!] = p[k]!;
    if (this.#ties.length > 0) this.applyTies();
  }

  /** The model (scale included) at the current slots on the fitted channels into `out`. */
  evaluateModel(out: Float64Array): void {
    const n = this.nResiduals;
    out.fill(0, 0, n);
    const tmp = this.#tmp;
    for (let c = 0; c < this.components.length; c++) {
      if (!this.active[c]) continue;
      this.components[c]!.evaluate(this.x, n, this.#views[c]!, tmp);
      for (let i = 0; i < n; i++) out[i] = out[i]! + tmp[i]!;
    }
    const widths = this.#widths;
    if (widths) for (let i = 0; i < n; i++) out[i] = out[i]! * widths[i]!;
    else if (this.#scale !== 1) {
      const scale = this.#scale;
      for (let i = 0; i < n; i++) out[i] = out[i]! * scale;
    }
  }

  residuals(p: Float64Array, out: Float64Array): void {
    this.writeFree(p);
    this.evaluateModel(out);
    if (this.#poisson) {
      this.#poissonResiduals(p, out);
      return;
    }
    const { y, w } = this;
    for (let i = 0; i < this.nResiduals; i++) out[i] = (out[i]! - y[i]!) * w[i]!;
  }

  /**
   * The expected counts in `out` become the Fisher-scoring residuals; the
   * counts, Fisher weights and deviance are kept for `jacobian` and
   * `objective` at `p`.
   */
  #poissonResiduals(p: Float64Array, out: Float64Array): void {
    const { y } = this;
    const mu = this.#mu;
    const fw = this.#fw;
    const t = POISSON_FLOOR;
    const sqrtT = Math.sqrt(t);
    let d = 0;
    for (let i = 0; i < this.nResiduals; i++) {
      const yi = y[i]!;
      const m = out[i]!;
      mu[i] = m;
      if (m >= t) {
        const s = 1 / Math.sqrt(m);
        fw[i] = s;
        out[i] = (m - yi) * s;
        d += yi > 0 ? yi * Math.log(yi / m) - (yi - m) : m;
      } else {
        // Half the deviance continued at the floor: value, slope (1 - y/t) and
        // curvature max(y, t) / t^2 there; the residual gives r * fw = half the slope.
        const dm = m - t;
        const slope = 1 - yi / t;
        const curvature = (yi > t ? yi : t) / (t * t);
        fw[i] = 1 / sqrtT;
        out[i] = (slope + curvature * dm) * sqrtT;
        d +=
          (yi > 0 ? yi * Math.log(yi / t) - (yi - t) : t) + slope * dm + 0.5 * curvature * dm * dm;
      }
    }
    this.#deviance = 2 * d;
    this.#muAt.set(p.subarray(0, this.#nParams));
  }

  /** Whether #mu and #fw were computed at `p` (the free parameters). */
  #poissonAt(p: Float64Array): boolean {
    const at = this.#muAt;
    for (let k = 0; k < this.#nParams; k++) if (at[k] !== p[k]) return false;
    return true;
  }

  /**
   * The Jacobian of the residuals: each component's derivatives times
   * w_i * scale. Components that take weights (weightsJacobian) apply them as
   * they write; the rows of the others are weighted afterwards.
   */
  jacobian(p: Float64Array, out: Float64Array): void {
    this.writeFree(p);
    const n = this.nResiduals;
    const nFree = this.#nParams;
    const target = this.#tiedRows > 0 ? this.#jacobianScratch : out;
    const scale = this.#scale;
    let jw = this.w;
    if (this.#poisson) {
      // The Fisher weights at p (the residuals at p computed them, unless
      // something evaluated elsewhere since).
      if (!this.#poissonAt(p)) this.residuals(p, this.#rScratch);
      jw = this.#fw;
    }
    const widths = this.#widths;
    if (widths) {
      const base = jw;
      jw = this.#jw;
      for (let i = 0; i < n; i++) jw[i] = base[i]! * widths[i]!;
    } else if (scale !== 1) {
      const base = jw;
      jw = this.#jw;
      for (let i = 0; i < n; i++) jw[i] = base[i]! * scale;
    }
    for (let c = 0; c < this.components.length; c++) {
      if (!this.active[c]) continue;
      const fn = this.components[c]!;
      const rows = this.#rows[c]!;
      if (fn.weightsJacobian) {
        fn.jacobian(this.x, n, this.#views[c]!, target, rows, jw);
        continue;
      }
      fn.jacobian(this.x, n, this.#views[c]!, target, rows);
      for (let s = 0; s < rows.length; s++) {
        const r = rows[s]!;
        if (r < 0) continue;
        const base = r * n;
        for (let i = 0; i < n; i++) target[base + i] = target[base + i]! * jw[i]!;
      }
    }
    if (this.#tiedRows === 0) return;
    // Chain rule: each tied row, times d slot / d root, into its root's row.
    // A free row no component wrote (a free slot whose every use is through
    // ties) must start from zero: components write only their own rows.
    for (let t = 0; t < this.#ties.length; t++) {
      const row = this.#tieRow[t]!;
      if (row < 0) continue;
      const root = this.#rowOfSlot(this.#tieRoot[t]!);
      const factor = this.#tieChain[t]!;
      const from = row * n;
      const to = root * n;
      for (let i = 0; i < n; i++) target[to + i] = target[to + i]! + factor * target[from + i]!;
    }
    out.set(target.subarray(0, nFree * n));
  }
}
