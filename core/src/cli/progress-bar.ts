/** A one-line progress bar with rate and ETA for a terminal (stderr). */
import type { ProgressEvent } from '../samfire/samfire-events.js';

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  if (seconds < 60) return `${seconds.toFixed(0)}s`;
  const m = Math.floor(seconds / 60);
  return m < 60
    ? `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** The bar for a progress event over `total` pixels, `width` characters wide. */
export function progressLine(p: ProgressEvent, total: number, width = 30): string {
  const fraction = total > 0 ? Math.min(1, p.done / total) : 1;
  const filled = Math.round(fraction * width);
  return (
    `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${total} done, ${p.left} left, ` +
    `${p.rate.toFixed(0)} px/s, ETA ${duration(p.eta)}`
  );
}

export class ProgressBar {
  #last = '';
  constructor(
    readonly total: number,
    readonly stream: { write(s: string): unknown; isTTY?: boolean },
  ) {}

  update(p: ProgressEvent): void {
    const line = progressLine(p, this.total);
    if (line === this.#last) return;
    this.#last = line;
    // On a terminal redraw in place; in a log write whole lines.
    this.stream.write(this.stream.isTTY ? `\r${line}` : `${line}\n`);
  }

  finish(): void {
    if (this.stream.isTTY && this.#last) this.stream.write('\n');
  }
}
