/**
 * A Model as HyperSpy 1.7.3 stores it (`Analysis/models/<name>`), so that
 * `s.models.restore(name)` rebuilds it: the `_dict` tree with its
 * `_whitelist` groups (which attributes HyperSpy saved, and which it passes
 * to a component's constructor: 'init'), per-parameter compound `map`s,
 * per-pixel active arrays, the channel switches and the chisq and dof maps.
 * The attribute sets per component kind are the ones HyperSpy itself writes.
 */
import { expandForHyperspy, needsExpansion } from '../../eds/hyperspy-expansion.js';
import type { Component } from '../../model/component.js';
import type { Model } from '../../model/model.js';
import type { Parameter } from '../../model/parameter.js';
import type { H5Attribute, H5Dataset, H5Group, H5Type } from './hspy-hdf5.js';
import {
  BOOL,
  F64,
  I64,
  attr,
  dataset,
  group,
  leBytes,
  numericDataset,
  whitelist,
} from './hspy-tree.js';

/**
 * Our PseudoVoigt as a HyperSpy Expression (HyperSpy 1.7 has no such
 * component); `samfire_kind` lets our reader restore the original kind.
 * `gamma` is a function to sympy, so the formula says `hwhm` and
 * `rename_pars` renames it (as HyperSpy's own components do).
 */
const PSEUDO_VOIGT_EXPRESSION =
  'A*(eta*hwhm/(pi*((x - centre)**2 + hwhm**2)) + (1 - eta)*sqrt(log(2)/pi)/hwhm*exp(-log(2)*(x - centre)**2/hwhm**2))';
const PSEUDO_VOIGT_RENAMES = { hwhm: 'gamma' };

/**
 * Our Bremsstrahlung as a HyperSpy Expression (`samfire_kind` names ours):
 * Kramers' law times the absorption factor, 0 outside 0 < x < beam_energy
 * as ours is (max(E0 - x, 0) and the sign factor written with Abs and sign).
 */
export const BREMSSTRAHLUNG_EXPRESSION =
  'A*(beam_energy - x + Abs(beam_energy - x))/(2*Abs(x))*exp(-(cutoff/Abs(x))**3)*(1 + sign(x))/2';

/** The group under a model's `_dict` that keeps the components a HyperSpy file holds expanded. */
export const SAMFIRE_COMPONENTS = 'samfire_components';

/** HyperSpy's own components evaluated with numexpr record the module they use. */
const NUMEXPR_KINDS = new Set(['Gaussian', 'Lorentzian', 'PowerLaw', 'Exponential']);

const COMPONENT_WHITELIST = {
  _active_array: '',
  _id_name: '',
  active: '',
  active_is_multidimensional: '',
  name: '',
};

const PARAMETER_WHITELIST = {
  _bounds: '',
  _id_name: '',
  _linear: '',
  ext_bounded: '',
  ext_force_positive: '',
  free: '',
  map: '',
  name: '',
  self: 'id',
  std: '',
  twin_function_expr: '',
  twin_inverse_function_expr: '',
  units: '',
  value: '',
};

/** HyperSpy's axes-manager summary, e.g. '(15, 7|400)': navigation then signal sizes, each reversed. */
export function dimensionsText(model: Model): string {
  const { signal } = model;
  const imageAxes = signal.metadata['signalDimension'] === 2 ? 2 : 1;
  const sizes = signal.axes.map((a) => a.size);
  const nav = sizes.slice(0, sizes.length - imageAxes).reverse();
  const sig = sizes.slice(sizes.length - imageAxes).reverse();
  return `(${nav.join(', ')}|${sig.join(', ')})`;
}

/** Navigation shape in data order: the shape of every per-pixel map ([1] for one spectrum, as HyperSpy has it). */
function navigationShape(model: Model): number[] {
  const shape = model.signal.navigationShape;
  return shape.length === 0 ? [1] : shape;
}

function localDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** The compound `map`: values and std (arrays for a multi-valued parameter) and is_set. */
function mapDataset(p: Parameter, shape: readonly number[]): H5Dataset {
  const n = p.length;
  const valueType: H5Type = n === 1 ? F64 : { class: 'array', dims: [n], base: F64 };
  const type: H5Type = {
    class: 'compound',
    members: [
      { name: 'values', type: valueType },
      { name: 'std', type: valueType },
      { name: 'is_set', type: BOOL },
    ],
  };
  const pixels = p.map.isSet.length;
  const stride = 16 * n + 1;
  const bytes = new Uint8Array(pixels * stride);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < pixels; i++) {
    const at = i * stride;
    for (let j = 0; j < n; j++) {
      view.setFloat64(at + 8 * j, p.map.values[i * n + j]!, true);
      view.setFloat64(at + 8 * n + 8 * j, p.map.std[i * n + j]!, true);
    }
    bytes[at + 16 * n] = p.map.isSet[i] ? 1 : 0;
  }
  return dataset(type, shape, bytes);
}

/**
 * Parameter ids (HyperSpy's `self`) and, per master, the ids of the
 * parameters tied to it: HyperSpy stores a twin as the master's `_twins`
 * list of ids, the tied parameter holding `twin_function_expr` and
 * `twin_inverse_function_expr` and `free = False`.
 */
export interface ParameterIds {
  id: Map<Parameter, number>;
  twins: Map<Parameter, Parameter[]>;
}

export function parameterIds(components: readonly Component[], model: string): ParameterIds {
  const id = new Map<Parameter, number>();
  let next = 1;
  for (const c of components) for (const p of c.parameters) id.set(p, next++);
  const twins = new Map<Parameter, Parameter[]>();
  for (const c of components) {
    for (const p of c.parameters) {
      if (p.twin === null) continue;
      if (!id.has(p.twin)) {
        throw new Error(
          `model '${model}': parameter '${p.fullName}' is tied to '${p.twin.fullName}', which is not in the model`,
        );
      }
      twins.set(p.twin, [...(twins.get(p.twin) ?? []), p]);
    }
  }
  return { id, twins };
}

function parameterGroup(
  p: Parameter,
  kind: string,
  ids: ParameterIds,
  shape: readonly number[],
): H5Group {
  const tied = ids.twins.get(p) ?? [];
  const attrs: H5Attribute[] = [
    attr.str('_id_name', p.name),
    // HyperSpy's legacy Polynomial cannot be fitted linearly and says so.
    attr.bool('_linear', kind === 'Polynomial' ? false : p.linear),
    ...(tied.length === 0 ? [attr.none('_list_empty__twins')] : []),
    attr.bool('ext_bounded', false),
    attr.bool('ext_force_positive', false),
    attr.bool('free', p.free),
    attr.str('name', p.name),
    attr.i64('self', ids.id.get(p)!),
    attr.str('twin_function_expr', p.twin === null ? '' : p.twinFunctionExpr),
    attr.str('twin_inverse_function_expr', p.twin === null ? '' : p.twinInverseFunctionExpr),
    attr.str('units', p.units),
  ];
  const g = group(attrs, [['_whitelist', whitelist(PARAMETER_WHITELIST)]]);
  if (tied.length > 0) {
    g.children.set(
      '_list__twins',
      dataset(I64, [tied.length], leBytes(BigInt64Array.from(tied, (t) => BigInt(ids.id.get(t)!)))),
    );
  }
  if (p.length === 1) {
    attrs.push(attr.f64('value', p.current[0]!), attr.floatOrNone('std', p.currentStd[0]!));
    g.children.set(
      '_tuple_2__bounds',
      group([attr.floatOrNone('0', p.bmin), attr.floatOrNone('1', p.bmax)]),
    );
  } else {
    g.children.set('_tuple_value', numericDataset(Float64Array.from(p.current), [p.length]));
    if (p.currentStd.some((s) => !Number.isNaN(s))) {
      g.children.set('_tuple_std', numericDataset(Float64Array.from(p.currentStd), [p.length]));
    } else {
      attrs.push(attr.none('std'));
    }
    const pairs = Array.from({ length: p.length }, (_x, j): [string, H5Group] => [
      `_tuple_2_${j}`,
      group([attr.floatOrNone('0', p.bmin), attr.floatOrNone('1', p.bmax)]),
    ]);
    g.children.set(`_tuple_${p.length}__bounds`, group([], pairs));
  }
  g.children.set('map', mapDataset(p, shape));
  return g;
}

/** Kind-specific attributes and whitelist entries, as HyperSpy writes them. */
function kindAttributes(
  c: Component,
  model: string,
  /** The signal axis' step (HyperSpy sizes an edge's fine structure in channels). */
  scale: number,
): {
  attrs: H5Attribute[];
  extra: Record<string, string>;
  kind: string;
  children: [string, H5Group][];
} {
  const options = c.fn.options;
  switch (c.kind) {
    case 'Gaussian':
    case 'Lorentzian':
    case 'PowerLaw':
    case 'Exponential':
    case 'Offset':
      return {
        kind: c.kind,
        attrs: NUMEXPR_KINDS.has(c.kind) ? [attr.str('module', 'numexpr')] : [],
        extra: NUMEXPR_KINDS.has(c.kind) ? { module: 'init' } : {},
        children: [],
      };
    case 'Polynomial':
      return {
        kind: 'Polynomial',
        attrs: [attr.i64('order', Number(options['order']))],
        extra: { order: 'init' },
        children: [],
      };
    case 'EELSCLEdge': {
      // HyperSpy rebuilds it as EELSCLEdge(element_subshell, GOS='hydrogenic'),
      // the beam energy and collection angle from the signal's metadata;
      // `samfire_options` keeps ours (beam energy, angle, fine-structure layout).
      const es = `${String(options['element'])}_${String(options['subshell'])}`;
      // HyperSpy gives the fine structure round(smoothing * width / scale) + 4
      // values: the smoothing that makes that our count, so it accepts ours.
      const width = Number(options['fineStructureWidth'] ?? 30);
      const count = c.parameter('fine_structure_coeff').length;
      const smoothing = ((count - 4) * scale) / width;
      return {
        kind: 'EELSCLEdge',
        attrs: [
          attr.str('GOS', 'hydrogenic'),
          attr.str('element_subshell', es),
          attr.bool('fine_structure_active', options['fineStructureActive'] === true),
          attr.f64('fine_structure_smoothing', smoothing),
          attr.f64('fine_structure_width', width),
          attr.str('samfire_options', JSON.stringify(options)),
        ],
        extra: {
          GOS: 'init',
          element_subshell: 'init',
          fine_structure_active: '',
          fine_structure_smoothing: '',
          fine_structure_width: '',
        },
        children: [],
      };
    }
    case 'XrayFamily':
    case 'EdsCalibration':
      // Only in the group HyperSpy ignores (see SAMFIRE_COMPONENTS).
      return {
        kind: c.kind,
        attrs: [attr.str('samfire_options', JSON.stringify(options))],
        extra: {},
        children: [],
      };
    case 'Expression':
    case 'PseudoVoigt':
    case 'Bremsstrahlung': {
      const text =
        c.kind === 'PseudoVoigt'
          ? PSEUDO_VOIGT_EXPRESSION
          : c.kind === 'Bremsstrahlung'
            ? BREMSSTRAHLUNG_EXPRESSION
            : String(options['expression']);
      const attrs = [
        attr.none('_list_empty_linear_parameter_list'),
        // sympy's derivatives of Abs and sign are not numeric: HyperSpy differentiates numerically.
        attr.bool('compute_gradients', c.kind !== 'Bremsstrahlung'),
        attr.str('expression', text),
        attr.str('module', 'numpy'),
        attr.none('position'),
      ];
      if (c.kind === 'PseudoVoigt' || c.kind === 'Bremsstrahlung')
        attrs.push(attr.str('samfire_kind', c.kind));
      return {
        kind: 'Expression',
        attrs,
        extra: {
          compute_gradients: 'init',
          expression: 'init',
          linear_parameter_list: 'init',
          module: 'init',
          name: 'init',
          position: 'init',
          rename_pars: 'init',
        },
        children: [
          [
            'rename_pars',
            group(
              c.kind === 'PseudoVoigt'
                ? Object.entries(PSEUDO_VOIGT_RENAMES).map(([k, v]) => attr.str(k, v))
                : [],
            ),
          ],
        ],
      };
    }
    default:
      throw new Error(
        `model '${model}': component '${c.name}' is of kind '${c.kind}', which HyperSpy files cannot hold`,
      );
  }
}

function componentGroup(
  c: Component,
  model: Model,
  name: string,
  ids: ParameterIds,
  extraAttrs: H5Attribute[] = [],
): H5Group {
  const k = kindAttributes(c, name, Math.abs(model.signal.signalAxis.scale));
  const shape = navigationShape(model);
  // HyperSpy has no per-pixel active flag for a single spectrum: the one pixel's flag is `active`.
  const single = model.signal.navigationShape.length === 0;
  const activeMap = single ? null : c.activeMap;
  const attrs: H5Attribute[] = [
    attr.str('_id_name', k.kind),
    attr.bool('active', single ? c.isActiveAt(0) : c.active),
    attr.bool('active_is_multidimensional', activeMap !== null),
    attr.str('name', c.name),
    ...k.attrs,
    ...extraAttrs,
  ];
  const g = group(attrs, [
    ['_whitelist', whitelist({ ...COMPONENT_WHITELIST, ...k.extra })],
    ...k.children,
  ]);
  if (activeMap === null) attrs.push(attr.none('_active_array'));
  else
    g.children.set(
      '_active_array',
      dataset(
        BOOL,
        shape,
        Uint8Array.from(activeMap, (x) => (x ? 1 : 0)),
      ),
    );
  const params = c.parameters.map((p, j): [string, H5Group] => [
    String(j),
    parameterGroup(p, k.kind, ids, shape),
  ]);
  g.children.set(`_list_${params.length}_parameters`, group([], params));
  return g;
}

/**
 * The `Analysis/models/<name>` group of `model`, whose signal is stored at
 * `/Experiments/<signalGroup>`.
 */
export function modelGroup(
  model: Model,
  name: string,
  signalGroup: string,
  now = new Date(),
  /** Further string attributes of the model's group (an app's own state; HyperSpy keeps them as metadata). */
  extra: Readonly<Record<string, string>> = {},
): H5Group {
  const shape = navigationShape(model);
  // EDS families and their calibration go to HyperSpy as Gaussians (eds/hyperspy-expansion.ts).
  const plan = needsExpansion(model) ? expandForHyperspy(model) : null;
  const list = plan ? plan.components : [...model.components];
  const ids = parameterIds(list, name);
  const components = list.map((c, i): [string, H5Group] => {
    const line = plan?.lineOf.get(c);
    const extra = line
      ? [attr.str('samfire_family', line.family), attr.str('samfire_line', line.line)]
      : [];
    return [String(i), componentGroup(c, model, name, ids, extra)];
  });
  const fitted = model.fittedChannels;
  const freeParameters = BigInt64Array.from(model.dof, (dof, i) =>
    Number.isFinite(dof) && Number.isFinite(model.chisq[i]!)
      ? BigInt(Math.round(fitted - dof))
      : 0n,
  );
  // HyperSpy's EDS models also keep their X-ray lines and background components (none here).
  const eds = model.signal.signalType.startsWith('EDS')
    ? [attr.none('_list_empty_background_components'), attr.none('_list_empty_xray_lines')]
    : [];
  const dict = group(
    [
      ...eds,
      attr.bool('convolved', false),
      attr.none('free_parameters_boundaries'),
      attr.none('low_loss'),
    ],
    [
      [
        '_whitelist',
        whitelist({
          channel_switches: '',
          'chisq.data': '',
          convolved: '',
          'dof.data': '',
          free_parameters_boundaries: '',
          low_loss: 'sig',
        }),
      ],
      [
        'channel_switches',
        dataset(
          BOOL,
          [model.channelSwitches.length],
          Uint8Array.from(model.channelSwitches, (x) => (x ? 1 : 0)),
        ),
      ],
      ['chisq.data', dataset(F64, shape, leBytes(Float64Array.from(model.chisq)))],
      ['dof.data', dataset(I64, shape, leBytes(freeParameters))],
    ],
  );
  if (plan) {
    const originals = plan.originals.map((o) => o.component);
    const hiddenIds = parameterIds(originals, name);
    dict.children.set(
      SAMFIRE_COMPONENTS,
      group(
        [attr.i64('version', 1)],
        plan.originals.map((o, i): [string, H5Group] => [
          String(i),
          componentGroup(o.component, model, name, hiddenIds, [attr.i64('index', o.index)]),
        ]),
      ),
    );
  }
  if (components.length === 0) dict.attrs.push(attr.none('_list_empty_components'));
  else dict.children.set(`_list_${components.length}_components`, group([], components));
  return group(
    [
      attr.str('_signal', `/Experiments/${signalGroup}`),
      attr.str('date', localDate(now)),
      attr.str('dimensions', dimensionsText(model)),
      ...Object.entries(extra).map(([k, v]) => attr.str(k, v)),
    ],
    [
      ['_dict', dict],
      [
        'components',
        group(
          [],
          list.map((c): [string, H5Group] => [c.name, group()]),
        ),
      ],
    ],
  );
}
