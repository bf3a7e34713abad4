/**
 * The candidate front: the pixels with marker > 0 (and perhaps some that
 * dropped to <= 0 since, pruned at the next pick), in increasing order. A
 * local strategy's candidates are a thin front, so a pick scans it instead
 * of the whole marker (O(front) instead of O(pixels) per pick: 65,536
 * pixels made the scans 4e9 steps). Rebuilt after any bulk change of the
 * marker (invalidate()); kept up to date through raised() in between.
 */
import { collectMaxima } from './marker.js';

export class CandidateFront {
  readonly #marker: Float64Array;
  readonly #running: Uint8Array;
  /** The pixels of the last maxima(), scanAll() or the front's maxima, first `n` of them. */
  readonly candidates: Int32Array;
  #front: number[] = [];
  readonly #inFront: Uint8Array;
  #dirty = true;

  /** Over the engine's marker and its running flags (1 while a pixel is handed out). */
  constructor(marker: Float64Array, running: Uint8Array) {
    this.#marker = marker;
    this.#running = running;
    this.candidates = new Int32Array(marker.length);
    this.#inFront = new Uint8Array(marker.length);
  }

  /** The marker changed in bulk: the next maxima() rebuilds the front from a scan. */
  invalidate(): void {
    this.#dirty = true;
  }

  /** A strategy raised the marker of `pixel` above 0. */
  raised(pixel: number): void {
    if (this.#dirty || this.#inFront[pixel]) return;
    this.#inFront[pixel] = 1;
    const front = this.#front;
    // Keep increasing order (ties are broken by position in pixel order).
    let lo = 0;
    let hi = front.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (front[mid]! < pixel) lo = mid + 1;
      else hi = mid;
    }
    if (lo === front.length) front.push(pixel);
    else front.splice(lo, 0, pixel);
  }

  /** collectMaxima over the whole marker into `candidates` (for strategies that report no raises). */
  scanAll(): number {
    return collectMaxima(this.#marker, this.#running, this.candidates);
  }

  /**
   * collectMaxima over the front, into `candidates`: the same pixels in the
   * same order as a scan of the whole marker gives. Drops the pixels no
   * longer > 0.
   */
  maxima(): number {
    const marker = this.#marker;
    const running = this.#running;
    const inFront = this.#inFront;
    if (this.#dirty) {
      inFront.fill(0);
      const front: number[] = [];
      for (let p = 0; p < marker.length; p++) {
        if (marker[p]! > 0) {
          front.push(p);
          inFront[p] = 1;
        }
      }
      this.#front = front;
      this.#dirty = false;
    }
    const front = this.#front;
    const out = this.candidates;
    let max = 0;
    let n = 0;
    let kept = 0;
    for (let j = 0; j < front.length; j++) {
      const p = front[j]!;
      const v = marker[p]!;
      if (!(v > 0)) {
        inFront[p] = 0;
        continue;
      }
      front[kept++] = p;
      if (running[p]) continue;
      if (v > max) {
        max = v;
        n = 0;
      }
      if (v === max) out[n++] = p;
    }
    front.length = kept;
    return n;
  }
}
