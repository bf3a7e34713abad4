/** Offset: f(x) = offset; df/doffset = 1. */
import type { ComponentFunction } from './component.js';

export function offset(): ComponentFunction {
  return {
    kind: 'Offset',
    options: {},
    parameters: [{ name: 'offset', value: 0, linear: true }],
    size: 1,
    analyticJacobian: true,
    evaluate(_x, n, p, out) {
      out.fill(p[0]!, 0, n);
    },
    jacobian(_x, n, _p, out, rows) {
      const r = rows[0]!;
      if (r >= 0) out.fill(1, r * n, r * n + n);
    },
  };
}
