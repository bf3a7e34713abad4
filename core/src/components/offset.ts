/**
 * Offset: f(x) = offset; df/doffset = 1. Its estimate is the background
 * level: the lower of the medians of the first and the last fifth of the
 * range (peaks in the middle do not lift it; noise averages out).
 */
import type { ComponentFunction } from './component.js';
import { median, selectWindow } from './estimate.js';

export function offset(): ComponentFunction {
  return {
    kind: 'Offset',
    options: {},
    parameters: [{ name: 'offset', value: 0, linear: true }],
    size: 1,
    analyticJacobian: true,
    estimate(x, y, p, range) {
      const w = selectWindow(x, y, range);
      const n = w.y.length;
      if (n === 0) {
        p[0] = 0;
        return { fromData: false, note: 'no channel in the range: offset 0' };
      }
      const edge = Math.max(1, Math.min(n, Math.ceil(n / 5)));
      const level = Math.min(median(w.y.subarray(0, edge)), median(w.y.subarray(n - edge)));
      p[0] = level;
      return { fromData: true, note: 'the background level at the ends of the range' };
    },
    evaluate(_x, n, p, out) {
      out.fill(p[0]!, 0, n);
    },
    jacobian(_x, n, _p, out, rows) {
      const r = rows[0]!;
      if (r >= 0) out.fill(1, r * n, r * n + n);
    },
  };
}
