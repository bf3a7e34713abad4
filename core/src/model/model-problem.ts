/**
 * The weighted least-squares problem of one pixel: residuals
 * r_i = (scale * sum_c f_c(x_i) - y_i) / sigma_i over the fitted channels, and
 * their Jacobian with respect to the free parameter slots. Built once per
 * model structure and reused for every pixel: per pixel only the data, the
 * weights and the starting values change. Plain data in (component functions
 * and arrays), so workers can build the same problem without a Model.
 */
import type { ComponentFunction } from '../components/component.js';
import type { LeastSquaresProblem } from '../optimiser/optimiser.js';

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
        if (this.active[ci] && this.free[off + s]) {
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
    this.#linear = linear;
  }

  /** Free parameter values from the slots into `out`. */
  readFree(out: Float64Array): void {
    for (let k = 0; k < this.#nParams; k++) out[k] = this.slots[this.#freeSlots[k]!]!;
  }

  /** Free parameter values from `p` into the slots. */
  writeFree(p: Float64Array): void {
    for (let k = 0; k < this.#nParams; k++) this.slots[this.#freeSlots[k]!] = p[k]!;
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
        fn.jacobian(this.x, n, this.#views[c]!, out, rows, jw);
        continue;
      }
      fn.jacobian(this.x, n, this.#views[c]!, out, rows);
      for (let s = 0; s < rows.length; s++) {
        const r = rows[s]!;
        if (r < 0) continue;
        const base = r * n;
        for (let i = 0; i < n; i++) out[base + i] = out[base + i]! * jw[i]!;
      }
    }
  }
}
