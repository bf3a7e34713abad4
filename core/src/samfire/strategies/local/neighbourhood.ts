/**
 * The neighbours of a pixel within per-dimension radii: an offset o is inside
 * when sum((o_i / r_i)^2) <= 1, and its distance is its Euclidean length in
 * pixels. Offsets are listed once per (shape, radii); finding a pixel's
 * neighbours then writes into caller-owned buffers, allocating nothing.
 */
export class Neighbourhood {
  readonly shape: Int32Array;
  readonly radii: Float64Array;
  /** Number of offsets (the pixel itself excluded). */
  readonly size: number;
  /** Offsets, size x dims, row-major. */
  readonly offsets: Int32Array;
  /** Euclidean length of each offset in pixels. */
  readonly distance: Float64Array;
  readonly #strides: Int32Array;
  readonly #position: Int32Array;

  constructor(shape: readonly number[], radii: readonly number[]) {
    const dims = shape.length;
    if (radii.length !== dims) {
      throw new Error(`neighbourhood: ${radii.length} radii for ${dims} navigation dimensions`);
    }
    for (const r of radii) {
      if (!(r >= 0) || !Number.isFinite(r))
        throw new Error(`neighbourhood: radius must be finite and >= 0, got ${r}`);
    }
    this.shape = Int32Array.from(shape);
    this.radii = Float64Array.from(radii);
    this.#strides = new Int32Array(dims);
    for (let d = dims - 1, s = 1; d >= 0; d--) {
      this.#strides[d] = s;
      s *= shape[d]!;
    }
    this.#position = new Int32Array(dims);
    const offsets: number[] = [];
    const distance: number[] = [];
    const o = new Int32Array(dims);
    const reach = radii.map((r) => Math.floor(r));
    for (let d = 0; d < dims; d++) o[d] = -reach[d]!;
    const next = (): boolean => {
      for (let d = dims - 1; d >= 0; d--) {
        if (o[d]! < reach[d]!) {
          o[d]!++;
          return true;
        }
        o[d] = -reach[d]!;
      }
      return false;
    };
    if (dims > 0) {
      do {
        let inside = 0;
        let length2 = 0;
        let zero = true;
        for (let d = 0; d < dims; d++) {
          const od = o[d]!;
          if (od !== 0) zero = false;
          length2 += od * od;
          // A zero radius admits only a zero offset along that dimension.
          if (od !== 0) inside += (od / radii[d]!) ** 2;
        }
        if (!zero && inside <= 1) {
          offsets.push(...o);
          distance.push(Math.sqrt(length2));
        }
      } while (next());
    }
    this.size = distance.length;
    this.offsets = Int32Array.from(offsets);
    this.distance = Float64Array.from(distance);
  }

  /**
   * Neighbours of `pixel` inside the grid: their flat indices into `pixels`
   * and the index of their offset into `which`; returns how many.
   */
  collect(pixel: number, pixels: Int32Array, which: Int32Array): number {
    const dims = this.shape.length;
    const pos = this.#position;
    let rest = pixel;
    for (let d = dims - 1; d >= 0; d--) {
      const n = this.shape[d]!;
      pos[d] = rest % n;
      rest = Math.floor(rest / n);
    }
    let count = 0;
    for (let k = 0; k < this.size; k++) {
      let flat = 0;
      let inside = true;
      for (let d = 0; d < dims; d++) {
        const c = pos[d]! + this.offsets[k * dims + d]!;
        if (c < 0 || c >= this.shape[d]!) {
          inside = false;
          break;
        }
        flat += c * this.#strides[d]!;
      }
      if (!inside) continue;
      pixels[count] = flat;
      which[count] = k;
      count++;
    }
    return count;
  }
}
