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
 */
import type { ComponentFunction } from '../components/component.js';
import type { LeastSquaresProblem } from '../optimiser/optimiser.js';
import { compileTie, orderTies, type TieFunction, type TieSpec } from './tie.js';

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

  /**
   * @param x axis values of the fitted channels
   * @param scale multiplies the model (the axis scale for binned signals, else 1)
   */
  constructor(components: readonly ComponentFunction[], x: Float64Array, scale = 1) {
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
    this.#scale = scale;
    this.#tieOfSlot = new Int32Array(total).fill(-1);
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

  /**
   * Every free parameter enters the model linearly (after configure): the
   * model is a sum of components, each linear in its amplitude, so with only
   * amplitudes free the residuals are affine in them.
   */
  get linear(): boolean {
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
    const scale = this.#scale;
    if (scale !== 1) for (let i = 0; i < n; i++) out[i] = out[i]! * scale;
  }

  residuals(p: Float64Array, out: Float64Array): void {
    this.writeFree(p);
    this.evaluateModel(out);
    const { y, w } = this;
    for (let i = 0; i < this.nResiduals; i++) out[i] = (out[i]! - y[i]!) * w[i]!;
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
    if (scale !== 1) {
      jw = this.#jw;
      const w = this.w;
      for (let i = 0; i < n; i++) jw[i] = w[i]! * scale;
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
