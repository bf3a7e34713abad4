/**
 * What the fits that still fail have in common, from their diagnoses (the
 * host's diagnoseFit on each refitted pixel): how many misfit with
 * structure and where most of those sit, how many are noise-like and by
 * what factor the variance is off. One line for the refit's notice.
 */
import type { FitDiagnosisInfo } from '@samfire/core/api';
import { formatNumber } from './parse.js';

/** Failing fits' diagnoses, summed up as they arrive. */
export class FailureTally {
  #structure: { start: number; end: number }[] = [];
  #noise: number[] = [];
  #none = 0;
  #unclear = 0;

  add(d: FitDiagnosisInfo): void {
    if (d.kind === 'structure' && d.region) this.#structure.push(d.region);
    else if (d.kind === 'noise' && Number.isFinite(d.meanSquare)) this.#noise.push(d.meanSquare);
    else if (d.kind === 'none') this.#none++;
    else this.#unclear++;
  }

  get count(): number {
    return this.#structure.length + this.#noise.length + this.#none + this.#unclear;
  }

  /** '' when nothing failed. */
  text(units: string): string {
    const parts: string[] = [];
    const u = units ? ` ${units}` : '';
    if (this.#structure.length > 0) {
      const where = commonWindow(this.#structure);
      parts.push(
        `${this.#structure.length} miss a feature in the model (${where.count} of them at ${formatNumber(where.start, 4)}–${formatNumber(where.end, 4)}${u})`,
      );
    }
    if (this.#noise.length > 0) {
      parts.push(
        `${this.#noise.length} are noise-like, ${formatNumber(median(this.#noise), 3)}× the variance (median): check the noise model`,
      );
    }
    if (this.#none > 0)
      parts.push(`${this.#none} fit as well as the noise allows (the test is stricter)`);
    if (this.#unclear > 0) parts.push(`${this.#unclear} have too few channels in the range`);
    return parts.length > 0 ? `Of the ${this.count} still failing: ${parts.join('; ')}.` : '';
  }
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const h = v.length >> 1;
  return v.length % 2 === 1 ? v[h]! : (v[h - 1]! + v[h]!) / 2;
}

/**
 * The place most windows share: the window whose centre has the most
 * others' centres within one window width, and the extent of those.
 */
function commonWindow(windows: { start: number; end: number }[]): {
  start: number;
  end: number;
  count: number;
} {
  let best = { start: windows[0]!.start, end: windows[0]!.end, count: 0 };
  for (const w of windows) {
    const centre = (w.start + w.end) / 2;
    const width = Math.max(w.end - w.start, Number.EPSILON);
    let count = 0;
    let start = Infinity;
    let end = -Infinity;
    for (const o of windows) {
      if (Math.abs((o.start + o.end) / 2 - centre) > width) continue;
      count++;
      start = Math.min(start, o.start);
      end = Math.max(end, o.end);
    }
    if (count > best.count) best = { start, end, count };
  }
  return best;
}
