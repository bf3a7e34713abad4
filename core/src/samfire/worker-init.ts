/**
 * A Model as the plain data workers need (protocol.ts): the component kinds,
 * names, options, free flags and bounds, the signal axis and range, the
 * spectra, the variance description and the parameter maps as starting
 * values. Typed arrays throughout, so structured clone copies them cheaply.
 */
import { toFloat64 } from '../model/dtype.js';
import type { Model } from '../model/model.js';
import type { Parameter } from '../model/parameter.js';
import type { Variance } from '../model/signal.js';
import type {
  GoodnessTestSpec,
  ModelSpec,
  TwinSpec,
  WorkerFitOptions,
  WorkerInit,
} from '../pool/protocol.js';

export function modelSpec(model: Model): ModelSpec {
  const where = new Map<Parameter, { component: number; parameter: number }>();
  model.components.forEach((c, ci) =>
    c.parameters.forEach((p, pi) => where.set(p, { component: ci, parameter: pi })),
  );
  const twin = (p: Parameter): TwinSpec | null => {
    if (p.twin === null) return null;
    const at = where.get(p.twin);
    if (!at)
      throw new Error(
        `parameter '${p.fullName}' is tied to '${p.twin.fullName}', which is not in the model`,
      );
    return { ...at, expression: p.twinFunctionExpr };
  };
  return {
    components: model.components.map((c) => ({
      kind: c.kind,
      name: c.name,
      options: { ...c.fn.options },
      active: c.active,
      parameters: c.parameters.map((p) => ({
        name: p.name,
        length: p.length,
        free: p.free,
        bmin: p.bmin,
        bmax: p.bmax,
        twin: twin(p),
      })),
    })),
    axis: { ...model.signal.signalAxis },
    channelSwitches: Uint8Array.from(model.channelSwitches),
  };
}

/**
 * Each component's maps as pixels x slots (the kernel's layout). Where a
 * parameter's map is not set, the current value stands in, as fetching
 * such a pixel would leave it.
 */
export function componentMaps(model: Model): Float64Array[] {
  const pixels = model.signal.navigationSize;
  return model.components.map((c) => {
    const size = c.fn.size;
    const out = new Float64Array(pixels * size);
    let offset = 0;
    for (const p of c.parameters) {
      const { values, isSet } = p.map;
      const len = p.length;
      for (let px = 0; px < pixels; px++) {
        for (let j = 0; j < len; j++) {
          out[px * size + offset + j] = isSet[px] ? values[px * len + j]! : p.current[j]!;
        }
      }
      offset += len;
    }
    return out;
  });
}

function workerVariance(variance: Variance): Variance {
  return variance.kind === 'array'
    ? { kind: 'array', data: toFloat64(variance.data) }
    : { ...variance };
}

export interface WorkerInitOptions {
  optional: readonly number[];
  goodness: GoodnessTestSpec;
  fit: WorkerFitOptions;
}

export function workerInit(model: Model, options: WorkerInitOptions): WorkerInit {
  const signal = model.signal;
  return {
    model: modelSpec(model),
    pixels: signal.navigationSize,
    // The signal's own array (no copy, whatever its dtype): the in-process pool
    // reads it directly, worker threads share it when it is over shared memory.
    data: signal.data,
    variance: workerVariance(signal.variance),
    maps: componentMaps(model),
    optional: [...options.optional],
    goodness: { ...options.goodness },
    fit: { ...options.fit },
  };
}
