/**
 * A stored model's record (hspy-model-read.ts) as a Model of this project:
 * components by HyperSpy's `_id_name` (with HyperSpy 1.7's new Polynomial
 * and our PseudoVoigt-as-Expression translated), parameters with their
 * bounds and maps, per-pixel active flags, the signal range and the fit
 * statistics, HyperSpy's dof (free parameters) turned into ours (fitted
 * channels minus free parameters).
 */
import { componentKinds } from '../../components/index.js';
import '../../kinds/index.js';
import type { Component } from '../../model/component.js';
import type { Parameter } from '../../model/parameter.js';
import { Model } from '../../model/model.js';
import type { Signal } from '../../model/signal.js';
import { metaNumber } from '../../util/metadata.js';
import { FileFormatError } from '../errors.js';
import { describe } from './hspy-h5read.js';
import {
  POLYNOMIAL_ID,
  type ComponentRecord,
  type MapRecord,
  type ModelRecord,
  type ParameterRecord,
} from './hspy-model-read.js';

interface Resolved {
  kind: string;
  options: Record<string, unknown>;
  parameters: ParameterRecord[];
}

/** Merges HyperSpy's a0..aN into one `coefficients` parameter, highest power first. */
function mergePolynomial(c: ComponentRecord, fail: (problem: string) => never): ParameterRecord {
  const terms = c.parameters
    .map((p) => ({ p, power: /^a(\d+)$/.exec(p.name) }))
    .filter((t): t is { p: ParameterRecord; power: RegExpExecArray } => t.power !== null)
    .map((t) => ({ p: t.p, power: Number(t.power[1]) }))
    .sort((x, y) => y.power - x.power);
  const order = terms.length - 1;
  if (order < 0 || terms.some((t, i) => t.power !== order - i)) {
    fail(`its parameters ${c.parameters.map((p) => p.name).join(', ')} are not a0 to aN`);
  }
  const first = terms[0]!.p;
  if (terms.some((t) => t.p.free !== first.free))
    fail('its coefficients are not all free or all fixed');
  const length = terms.length;
  let map: MapRecord | null = null;
  if (terms.every((t) => t.p.map !== null)) {
    const count = first.map!.isSet.length;
    map = {
      values: new Float64Array(count * length),
      std: new Float64Array(count * length),
      isSet: new Uint8Array(count).fill(1),
      length,
    };
    terms.forEach((t, j) => {
      const m = t.p.map!;
      for (let i = 0; i < count; i++) {
        map!.values[i * length + j] = m.values[i]!;
        map!.std[i * length + j] = m.std[i]!;
        if (!m.isSet[i]) map!.isSet[i] = 0;
      }
    });
  }
  return {
    name: 'coefficients',
    value: terms.map((t) => t.p.value[0] ?? 0),
    std: terms.map((t) => t.p.std[0] ?? NaN),
    free: first.free,
    bounds: terms.map((t) => t.p.bounds[0] ?? [null, null]),
    units: first.units,
    map,
    id: null,
    twins: [],
    twinFunctionExpr: '',
    twinInverseFunctionExpr: '',
  };
}

function resolveKind(
  c: ComponentRecord,
  signal: Signal,
  fail: (problem: string) => never,
): Resolved {
  if (c.kind === POLYNOMIAL_ID) {
    const coefficients = mergePolynomial(c, fail);
    return {
      kind: 'Polynomial',
      options: { order: coefficients.value.length - 1 },
      parameters: [coefficients],
    };
  }
  if (c.kind === 'EELSCLEdge') return eelsEdgeKind(c, signal, fail);
  if (c.kind === 'XrayFamily' || c.kind === 'EdsCalibration') {
    let options: Record<string, unknown> = {};
    if (c.samfireOptions !== null) {
      try {
        options = JSON.parse(c.samfireOptions) as Record<string, unknown>;
      } catch {
        fail(`its samfire_options are not JSON`);
      }
    }
    return { kind: c.kind, options, parameters: c.parameters };
  }
  const kind = c.kind === 'Expression' && c.samfireKind !== null ? c.samfireKind : c.kind;
  if (!componentKinds().includes(kind)) {
    fail(
      `its kind '${kind}' is not a known component kind (known: ${componentKinds().join(', ')})`,
    );
  }
  if (kind === 'Polynomial') {
    const order = c.order ?? (c.parameters[0]?.value.length ?? 1) - 1;
    return { kind, options: { order }, parameters: c.parameters };
  }
  if (kind === 'Expression') {
    if (c.expression === null) fail('it is an Expression without an expression');
    return { kind, options: { expression: c.expression }, parameters: c.parameters };
  }
  return { kind, options: {}, parameters: c.parameters };
}

/**
 * An EELSCLEdge: ours (samfire_options) as written; HyperSpy's from its
 * element_subshell and fine-structure settings, the beam energy and
 * collection angle from the signal's metadata (as HyperSpy takes them), the
 * number of fine-structure values from the stored parameter.
 */
function eelsEdgeKind(
  c: ComponentRecord,
  signal: Signal,
  fail: (problem: string) => never,
): Resolved {
  let options: Record<string, unknown>;
  if (c.samfireOptions !== null) {
    try {
      options = JSON.parse(c.samfireOptions) as Record<string, unknown>;
    } catch {
      return fail('its samfire_options are not JSON');
    }
  } else {
    if (c.gos !== null && c.gos !== 'hydrogenic')
      fail(`it uses the ${c.gos} GOS; only the hydrogenic model is available here`);
    const es = c.elementSubshell ?? fail('it has no element_subshell');
    const m =
      /^([A-Z][a-z]?)_(\w+)$/.exec(es) ?? fail(`element_subshell '${es}' is not like 'O_K'`);
    const meta = signal.metadata;
    const fs = c.parameters.find((p) => p.name === 'fine_structure_coeff');
    options = {
      element: m[1],
      subshell: m[2],
      beamEnergy: metaNumber(meta, 'Acquisition_instrument.TEM.beam_energy') ?? 200,
      collectionAngle:
        metaNumber(meta, 'Acquisition_instrument.TEM.Detector.EELS.collection_angle') ?? 10,
      fineStructureActive: c.fineStructureActive === true,
      fineStructureWidth: c.fineStructureWidth ?? 30,
      fineStructureCount: Math.max(1, fs?.value.length ?? 10),
    };
  }
  return { kind: 'EELSCLEdge', options, parameters: c.parameters };
}

/** One [bmin, bmax] for the whole parameter: the values' bounds must agree. */
function commonBounds(
  p: ParameterRecord,
  fail: (problem: string) => never,
): [number | null, number | null] {
  const [first, ...rest] = p.bounds;
  if (first === undefined) return [null, null];
  if (rest.some(([lo, hi]) => lo !== first[0] || hi !== first[1])) {
    fail(
      `parameter '${p.name}' has different bounds per value, which this program cannot represent`,
    );
  }
  return first;
}

/**
 * The components of our model in order: with a `samfire_components` group
 * (an EDS model written expanded), its components at their recorded
 * positions, the rest of HyperSpy's list in order around them, and the
 * Gaussians of expanded families left out (their family holds them). Ids of
 * tied parameters are per group (scope).
 */
function componentOrder(
  record: ModelRecord,
  fileName: string,
): { c: ComponentRecord; scope: 'list' | 'expanded' }[] {
  if (record.expanded === null) return record.components.map((c) => ({ c, scope: 'list' }));
  const rest = record.components
    .filter((c) => c.samfireFamily === null)
    .map((c) => ({ c, scope: 'list' as const }));
  const total = rest.length + record.expanded.length;
  const slots: ({ c: ComponentRecord; scope: 'list' | 'expanded' } | null)[] = new Array<null>(
    total,
  ).fill(null);
  for (const c of record.expanded) {
    const i = c.index;
    if (i === null || !Number.isInteger(i) || i < 0 || i >= total || slots[i] !== null) {
      throw new FileFormatError(
        fileName,
        `model '${record.name}': component '${c.name}' of samfire_components has index ${i}, not a free position from 0 to ${total - 1}`,
      );
    }
    slots[i] = { c, scope: 'expanded' };
  }
  let next = 0;
  return slots.map((s) => s ?? rest[next++]!);
}

/**
 * Builds the Model of `record` on `signal`. Errors are FileFormatErrors
 * naming the file, the model and the component.
 */
export function buildModel(record: ModelRecord, signal: Signal, fileName: string): Model {
  const modelName = record.name;
  const model = new Model(signal);
  const nav = signal.navigationSize;
  /** Our parameter and its record, by HyperSpy id, to restore the ties at the end. */
  const byId = new Map<
    string,
    { p: Parameter; stored: ParameterRecord; where: string; scope: string }
  >();
  for (const { c, scope } of componentOrder(record, fileName)) {
    const where = `component '${c.name}' (${c.kind}) of model '${modelName}'`;
    const fail: (problem: string) => never = (problem) => {
      throw new FileFormatError(fileName, `${where}: ${problem}`);
    };
    const resolved = resolveKind(c, signal, fail);
    let component: Component;
    try {
      component = model.append({ kind: resolved.kind, name: c.name, options: resolved.options });
    } catch (err) {
      return fail(describe(err));
    }
    // A renamed Expression parameter keeps its name in the formula here.
    const formulaName = new Map([...c.renames].map(([formula, stored]) => [stored, formula]));
    for (const stored of resolved.parameters) {
      const ours =
        resolved.kind === 'Expression'
          ? (formulaName.get(stored.name) ?? stored.name)
          : stored.name;
      const p = component.parameters.find((q) => q.name === ours);
      if (p === undefined) {
        fail(
          `it has a parameter '${stored.name}' that ${resolved.kind} does not have (${component.parameters.map((q) => q.name).join(', ')})`,
        );
      }
      try {
        const [bmin, bmax] = commonBounds(stored, fail);
        p.set({ bmin, bmax, free: stored.free, units: stored.units });
        if (stored.value.length === p.length && stored.value.every(Number.isFinite))
          p.setValues(stored.value);
        if (stored.std.length === p.length) p.currentStd.set(stored.std);
      } catch (err) {
        if (err instanceof FileFormatError) throw err;
        fail(`parameter '${stored.name}': ${describe(err)}`);
      }
      if (stored.map !== null) {
        if (stored.map.isSet.length !== nav || stored.map.length !== p.length) {
          fail(
            `parameter '${stored.name}' has a map of ${stored.map.isSet.length} pixels x ${stored.map.length} values; the signal has ${nav} pixels and the parameter ${p.length} values`,
          );
        }
        p.map = { values: stored.map.values, std: stored.map.std, isSet: stored.map.isSet };
      }
      if (stored.id !== null) byId.set(`${scope}:${stored.id}`, { p, stored, where, scope });
    }
    component.active = c.active;
    if (c.activeMap !== null) {
      if (c.activeMap.length !== nav)
        fail(`its active map has ${c.activeMap.length} pixels, the signal ${nav}`);
      component.setActiveMap(c.activeMap);
    }
  }
  // Ties: each master lists the ids of the parameters tied to it.
  for (const master of byId.values()) {
    for (const id of master.stored.twins) {
      const tied = byId.get(`${master.scope}:${id}`);
      if (!tied) {
        throw new FileFormatError(
          fileName,
          `${master.where}: parameter '${master.stored.name}' lists a tied parameter (id ${id}) that the model does not have`,
        );
      }
      try {
        tied.p.setTwin(
          master.p,
          tied.stored.twinFunctionExpr === '' ? 'x' : tied.stored.twinFunctionExpr,
          tied.stored.twinInverseFunctionExpr,
        );
      } catch (err) {
        throw new FileFormatError(fileName, `${tied.where}: ${describe(err)}`, { cause: err });
      }
    }
  }
  const where = (what: string) => `model '${modelName}': ${what}`;
  if (record.channelSwitches !== null) {
    if (record.channelSwitches.length !== signal.channels) {
      throw new FileFormatError(
        fileName,
        where(`${record.channelSwitches.length} channel switches for ${signal.channels} channels`),
      );
    }
    model.setChannelSwitches(record.channelSwitches);
  }
  const { chisq, freeParameters } = record;
  if (chisq !== null) {
    if (chisq.length !== nav)
      throw new FileFormatError(
        fileName,
        where(`chisq has ${chisq.length} pixels, the signal ${nav}`),
      );
    const fitted = model.fittedChannels;
    for (let i = 0; i < nav; i++) {
      const x = chisq[i]!;
      const free =
        freeParameters !== null && freeParameters.length === nav ? freeParameters[i]! : NaN;
      if (!Number.isFinite(x) || !Number.isFinite(free)) continue;
      // HyperSpy's dof counts free parameters; ours is fitted channels minus free parameters.
      const dof = fitted - free;
      model.chisq[i] = x;
      model.dof[i] = dof;
      model.redChisq[i] = x / dof;
    }
  }
  return model;
}
