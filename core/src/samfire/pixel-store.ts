/**
 * Stores a worker's result for one pixel into the model: every parameter's
 * map (values, std, isSet), the per-pixel active flags, and the chisq, dof
 * and redChisq maps.
 */
import type { Model } from '../model/model.js';
import type { PixelResult } from '../pool/protocol.js';

export function storeResult(model: Model, pixel: number, result: PixelResult): void {
  const components = model.components;
  const slots = components.reduce((n, c) => n + c.fn.size, 0);
  if (result.values.length !== slots || result.std.length !== slots) {
    throw new Error(
      `result for pixel ${pixel}: ${result.values.length} values and ${result.std.length} std for ${slots} parameter slots`,
    );
  }
  if (result.active.length !== components.length) {
    throw new Error(
      `result for pixel ${pixel}: ${result.active.length} active flags for ${components.length} components`,
    );
  }
  let s = 0;
  components.forEach((c, ci) => {
    for (const p of c.parameters) {
      const { values, std, isSet } = p.map;
      const o = pixel * p.length;
      for (let j = 0; j < p.length; j++, s++) {
        values[o + j] = result.values[s]!;
        std[o + j] = result.std[s]!;
      }
      isSet[pixel] = 1;
    }
    const active = c.activeMap;
    if (active) active[pixel] = result.active[ci] ? 1 : 0;
  });
  model.chisq[pixel] = result.chisq;
  model.dof[pixel] = result.dof;
  model.redChisq[pixel] = result.redChisq;
}

/**
 * Forgets the fit stored at `pixel`: NaN chisq, dof and redChisq, and every
 * parameter's map unset there (views and exports show NaN), as for a pixel
 * whose fit failed. Per-pixel active flags are left as they are.
 */
export function clearStoredFit(model: Model, pixel: number): void {
  for (const c of model.components) for (const p of c.parameters) p.map.isSet[pixel] = 0;
  model.chisq[pixel] = NaN;
  model.dof[pixel] = NaN;
  model.redChisq[pixel] = NaN;
}
