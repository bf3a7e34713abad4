/**
 * A Model's state as JSON-able data (components, parameters with their
 * maps, per-pixel active flags, fit statistics, signal range), and back.
 * The signal's data are not included: a state goes back onto a model of the
 * same signal. (The app's view of a model at one pixel is another thing:
 * ModelState in api/types.ts.)
 */
import { Model } from '../model/model.js';
import type { Signal } from '../model/signal.js';
import {
  decodeBytes,
  decodeFloats,
  encodeBytes,
  encodeFloats,
  type EncodedFloats,
  type Json,
} from './json.js';

export interface ParameterSnapshot {
  name: string;
  free: boolean;
  bmin: number | null;
  bmax: number | null;
  units: string;
  value: EncodedFloats;
  std: EncodedFloats;
  map: { values: EncodedFloats; std: EncodedFloats; isSet: number[] };
  /** The parameter it is tied to, by names, and the formulas; null or absent when untied. */
  twin?: TwinSnapshot | null;
}

export interface TwinSnapshot {
  component: string;
  parameter: string;
  expression: string;
  inverse: string;
}

export interface ComponentSnapshot {
  name: string;
  kind: string;
  options: { [key: string]: Json };
  active: boolean;
  activeMap: number[] | null;
  parameters: ParameterSnapshot[];
}

export interface ModelSnapshot {
  components: ComponentSnapshot[];
  chisq: EncodedFloats;
  dof: EncodedFloats;
  redChisq: EncodedFloats;
  channelSwitches: number[];
}

/** Checks that component options are plain JSON data (they travel in backups). */
function jsonOptions(
  options: Readonly<Record<string, unknown>>,
  where: string,
): { [key: string]: Json } {
  const text = JSON.stringify(options);
  const back: unknown = JSON.parse(text);
  if (JSON.stringify(back) !== text || typeof back !== 'object' || back === null) {
    throw new Error(`${where}: options are not plain JSON data`);
  }
  return back as { [key: string]: Json };
}

/** A bound as JSON: an infinite bound is no bound. */
function bound(v: number | null): number | null {
  return v !== null && Number.isFinite(v) ? v : null;
}

export function modelState(model: Model): ModelSnapshot {
  return {
    components: model.components.map((c) => ({
      name: c.name,
      kind: c.kind,
      options: jsonOptions(c.fn.options, `component '${c.name}'`),
      active: c.active,
      activeMap: c.activeMap ? encodeBytes(c.activeMap) : null,
      parameters: c.parameters.map((p) => ({
        name: p.name,
        free: p.free,
        bmin: bound(p.bmin),
        bmax: bound(p.bmax),
        units: p.units,
        twin:
          p.twin === null
            ? null
            : {
                component: p.twin.componentName,
                parameter: p.twin.name,
                expression: p.twinFunctionExpr,
                inverse: p.twinInverseFunctionExpr,
              },
        value: encodeFloats(p.current),
        std: encodeFloats(p.currentStd),
        map: {
          values: encodeFloats(p.map.values),
          std: encodeFloats(p.map.std),
          isSet: encodeBytes(p.map.isSet),
        },
      })),
    })),
    chisq: encodeFloats(model.chisq),
    dof: encodeFloats(model.dof),
    redChisq: encodeFloats(model.redChisq),
    channelSwitches: encodeBytes(model.channelSwitches),
  };
}

/** Puts a saved state onto a model with the same components (names and kinds, in order). */
export function applyModelState(model: Model, state: ModelSnapshot): void {
  const nav = model.signal.navigationSize;
  const comps = model.components;
  if (state.components.length !== comps.length) {
    throw new Error(
      `model state: ${state.components.length} components for a model with ${comps.length}`,
    );
  }
  // Check everything before changing anything, so a mismatch leaves the model as it was.
  state.components.forEach((cs, ci) => {
    const c = comps[ci]!;
    if (c.name !== cs.name || c.kind !== cs.kind) {
      throw new Error(
        `model state: component ${ci} is '${cs.name}' (${cs.kind}), the model's is '${c.name}' (${c.kind})`,
      );
    }
    if (
      cs.parameters.length !== c.parameters.length ||
      cs.parameters.some((ps, pi) => ps.name !== c.parameters[pi]!.name)
    ) {
      throw new Error(`model state: parameters of component '${c.name}' do not match the model's`);
    }
  });
  const decoded = state.components.map((cs, ci) => {
    const c = comps[ci]!;
    return {
      activeMap: cs.activeMap
        ? decodeBytes(cs.activeMap, `component '${c.name}' active map`, nav)
        : null,
      parameters: cs.parameters.map((ps, pi) => {
        const p = c.parameters[pi]!;
        const what = `parameter '${p.fullName}'`;
        return {
          value: decodeFloats(ps.value, `${what} value`, p.length),
          std: decodeFloats(ps.std, `${what} std`, p.length),
          values: decodeFloats(ps.map.values, `${what} map values`, nav * p.length),
          mapStd: decodeFloats(ps.map.std, `${what} map std`, nav * p.length),
          isSet: decodeBytes(ps.map.isSet, `${what} map isSet`, nav),
        };
      }),
    };
  });
  // Masters by name, checked before anything changes.
  const masters = state.components.map((cs, ci) =>
    cs.parameters.map((ps, pi) => {
      const t = ps.twin;
      if (t === undefined || t === null) return null;
      const owner = comps.find((c) => c.name === t.component);
      const master = owner?.parameters.find((q) => q.name === t.parameter);
      if (!master) {
        throw new Error(
          `model state: parameter '${comps[ci]!.parameters[pi]!.fullName}' is tied to '${t.component}.${t.parameter}', which the model does not have`,
        );
      }
      return { master, expression: t.expression, inverse: t.inverse };
    }),
  );
  const chisq = decodeFloats(state.chisq, 'model state chisq', nav);
  const dof = decodeFloats(state.dof, 'model state dof', nav);
  const redChisq = decodeFloats(state.redChisq, 'model state redChisq', nav);
  const switches = decodeBytes(
    state.channelSwitches,
    'model state channel switches',
    model.signal.channels,
  );
  state.components.forEach((cs, ci) => {
    const c = comps[ci]!;
    const d = decoded[ci]!;
    c.active = cs.active;
    if (d.activeMap) c.setActiveMap(d.activeMap);
    else c.activeIsMultidimensional = false;
    cs.parameters.forEach((ps, pi) => {
      const p = c.parameters[pi]!;
      const dp = d.parameters[pi]!;
      p.set({ bmin: ps.bmin, bmax: ps.bmax, free: ps.free, units: ps.units });
      p.current.set(dp.value);
      p.currentStd.set(dp.std);
      p.map.values.set(dp.values);
      p.map.std.set(dp.mapStd);
      p.map.isSet.set(dp.isSet);
    });
  });
  // Ties last: every master's values are in place. Untie first so that the
  // new set of ties cannot be refused for a cycle through an old one.
  for (const c of comps) for (const p of c.parameters) p.setTwin(null);
  masters.forEach((list, ci) =>
    list.forEach((t, pi) => {
      if (t) comps[ci]!.parameters[pi]!.setTwin(t.master, t.expression, t.inverse);
    }),
  );
  model.chisq.set(chisq);
  model.dof.set(dof);
  model.redChisq.set(redChisq);
  model.setChannelSwitches(switches);
}

/** A new model on `signal` with the saved components and state. */
export function modelFromState(signal: Signal, state: ModelSnapshot): Model {
  const model = new Model(
    signal,
    state.components.map((c) => ({ kind: c.kind, name: c.name, options: c.options })),
  );
  applyModelState(model, state);
  return model;
}
