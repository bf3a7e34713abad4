/** Parsing what people type into number fields: plain, scientific, blank for "none". */

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const bad = <T = never>(message: string): Parsed<T> => ({ ok: false, message });

/** A finite number: "12", "-3.5", "1e3", " 2 " (comma as decimal point too: "2,5"). */
export function parseNumber(text: string): Parsed<number> {
  const t = text.trim().replace(/^(-?\d+),(\d+)$/, '$1.$2');
  if (t === '') return bad('type a number');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t))
    return bad(`'${text.trim()}' is not a number`);
  const v = Number(t);
  return Number.isFinite(v) ? ok(v) : bad(`'${text.trim()}' is too large`);
}

/** A whole number within [min, max]. */
export function parseInteger(text: string, min: number, max: number): Parsed<number> {
  const n = parseNumber(text);
  if (!n.ok) return n;
  if (!Number.isInteger(n.value)) return bad(`${n.value} is not a whole number`);
  if (n.value < min || n.value > max) return bad(`must be between ${min} and ${max}`);
  return n;
}

/** A bound: blank, "none" or "-" for no bound, else a number. */
export function parseBound(text: string): Parsed<number | null> {
  const t = text.trim().toLowerCase();
  if (t === '' || t === 'none' || t === '-' || t === '—') return ok(null);
  return parseNumber(text);
}

/** Several numbers separated by commas, semicolons or spaces ("1, 2.5, 3"). */
export function parseNumberList(text: string): Parsed<number[]> {
  const parts = text
    .split(/[\s;]+|,(?=\s)|,(?=-?\d)/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (parts.length === 0) return bad('type at least one number');
  const out: number[] = [];
  for (const p of parts) {
    const n = parseNumber(p);
    if (!n.ok) return n;
    out.push(n.value);
  }
  return ok(out);
}

/** Numbers for display: the one formatter the UI and the fit reports share (significant digits, exponent past 1e5 or below 1e-3). */
export { formatNumber } from '@samfire/core/api';

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} bytes` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}
