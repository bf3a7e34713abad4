/** Progress text for the run panel: "42 / 105 pixels · 12.3 px/s · ETA 5 s". */
import type { FitProgress } from '@samfire/core/api';

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '–';
  if (s < 60) return `${Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - 60 * m)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function progressText(p: FitProgress): string {
  const parts = [`${p.pixelsDone} / ${p.pixels} pixels`];
  if (p.state === 'running' && p.rate > 0)
    parts.push(`${p.rate.toFixed(1)} px/s`, `ETA ${formatSeconds(p.etaSeconds)}`);
  parts.push(p.state);
  return parts.join(' · ');
}
