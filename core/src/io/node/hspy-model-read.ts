/**
 * Stored models in HyperSpy files: `Analysis/models/<name>/_dict` read into
 * plain records while the file is open (hspy-read.ts); hspy-model-build.ts
 * turns a record into a Model on request. Parsing never throws: a damaged
 * model keeps its error for the moment someone asks for it, so the signal
 * and the other models of the file stay readable.
 *
 * Component kinds are HyperSpy's `_id_name`s. Two need a translation:
 *   - HyperSpy 1.7's new Polynomial (id eab91275-...) has one parameter per
 *     coefficient, a0 (constant) to aN; ours keeps HyperSpy's legacy form,
 *     one `coefficients` parameter, highest power first;
 *   - components HyperSpy lacks (PseudoVoigt) are written as an Expression
 *     with the attribute `samfire_kind` naming ours.
 */
import { FileFormatError } from '../errors.js';
import { H5T_ARRAY, H5T_FLOAT, H5T_INTEGER, describe, isBoolEnum } from './hspy-h5read.js';
import type { H5DatasetView, H5GroupView, H5Value } from './hspy-h5read.js';

/** `_id_name` of HyperSpy 1.7's (non-legacy) Polynomial. */
export const POLYNOMIAL_ID = 'eab91275-88db-4855-917a-cdcbe7209592';

export interface MapRecord {
  values: Float64Array;
  std: Float64Array;
  isSet: Uint8Array;
  /** Values per pixel. */
  length: number;
}

export interface ParameterRecord {
  name: string;
  value: number[];
  std: number[];
  free: boolean;
  /** One [bmin, bmax] per value (a multi-valued parameter may have one each). */
  bounds: [number | null, number | null][];
  units: string;
  map: MapRecord | null;
  /** HyperSpy's `self` id (a decimal string), or null. */
  id: string | null;
  /** Ids of the parameters tied to this one (its `_twins`). */
  twins: string[];
  /** `twin_function_expr` ('' when absent). */
  twinFunctionExpr: string;
  twinInverseFunctionExpr: string;
}

export interface ComponentRecord {
  kind: string;
  name: string;
  active: boolean;
  activeMap: Uint8Array | null;
  order: number | null;
  expression: string | null;
  /** An Expression's `rename_pars`: name in the formula -> name of the stored parameter. */
  renames: Map<string, string>;
  samfireKind: string | null;
  /** Our options (JSON) of a component kept in the group HyperSpy ignores. */
  samfireOptions: string | null;
  /** EELSCLEdge: HyperSpy's element_subshell, GOS and fine-structure settings. */
  elementSubshell: string | null;
  gos: string | null;
  fineStructureActive: boolean | null;
  fineStructureWidth: number | null;
  /** The family a Gaussian of an expanded XrayFamily belongs to. */
  samfireFamily: string | null;
  /** The position in our model of a component kept in the group HyperSpy ignores. */
  index: number | null;
  parameters: ParameterRecord[];
}

export interface ModelRecord {
  name: string;
  /** The `_signal` attribute: '/Experiments/<group>' (or null when absent). */
  signalPath: string | null;
  components: ComponentRecord[];
  /**
   * Components HyperSpy holds expanded (EDS families as Gaussians, the
   * calibration left out), as we wrote them, in `_dict/samfire_components`;
   * null when there is no such group.
   */
  expanded: ComponentRecord[] | null;
  channelSwitches: Uint8Array | null;
  chisq: Float64Array | null;
  /** HyperSpy's dof: the number of free parameters at each pixel. */
  freeParameters: Float64Array | null;
  /** The model group's string attributes (HyperSpy's `_signal`, `date`, ...; our app state). */
  attributes: Record<string, string>;
}

export type ModelEntry = { ok: true; record: ModelRecord } | { ok: false; error: FileFormatError };

// --- reading values -------------------------------------------------------------

function str(v: H5Value | undefined): string | null {
  return typeof v === 'string' ? v : null;
}

function num(v: H5Value | undefined): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}

function bool(v: H5Value | undefined, fallback: boolean): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  return fallback;
}

function numbers(v: H5Value | null): number[] | null {
  if (v === null) return null;
  if (typeof v === 'number') return [v];
  if (ArrayBuffer.isView(v)) return Array.from(v as ArrayLike<number | bigint>, Number);
  if (Array.isArray(v)) return v.map((x: H5Value) => num(x) ?? NaN);
  return null;
}

/** Children named 0, 1, ... of a HyperSpy list group `_list_<N>_<key>`, in index order. */
function listGroup(g: H5GroupView, key: string): H5GroupView[] | null {
  const pattern = new RegExp(`^_list_(\\d+)_${key}$`);
  const name = g.keys().find((k) => pattern.test(k));
  if (name === undefined) return g.attrs().has(`_list_empty_${key}`) ? [] : null;
  const list = g.group(name)!;
  const n = Number(pattern.exec(name)![1]);
  const out: H5GroupView[] = [];
  for (let i = 0; i < n; i++) {
    const item = list.group(String(i));
    if (item === null) throw new Error(`${list.path} lacks item ${i} of ${n}`);
    out.push(item);
  }
  return out;
}

/** A bound: a float, or open ('_None_', read as null). */
function bound(v: H5Value | undefined): number | null {
  const n = num(v);
  return n === null || Number.isNaN(n) ? null : n;
}

/**
 * A parameter's `_bounds`: a group `_tuple_2__bounds` (attributes 0 and 1),
 * a dataset `_tuple__bounds` of 2 floats, or for a multi-valued parameter a
 * group `_tuple_N__bounds` of such pairs. Open when absent.
 */
function readBounds(p: H5GroupView): [number | null, number | null][] {
  const d = p.dataset('_tuple__bounds') ?? p.dataset('_list__bounds');
  if (d !== null) {
    const v = numbers(d.value()) ?? [];
    const pairs: [number | null, number | null][] = [];
    for (let i = 0; i + 1 < v.length; i += 2) pairs.push([bound(v[i]), bound(v[i + 1])]);
    return pairs.length > 0 ? pairs : [[null, null]];
  }
  const name = p.keys().find((k) => /^_(?:tuple|list)_\d+__bounds$/.test(k));
  if (name === undefined) return [[null, null]];
  const g = p.group(name)!;
  const attrs = g.attrs();
  if (attrs.has('0') || attrs.has('1')) return [[bound(attrs.get('0')), bound(attrs.get('1'))]];
  // One pair per value: subgroups `_tuple_2_<i>` or datasets `_tuple_<i>`.
  const pairs: [number | null, number | null][] = [];
  for (let i = 0; ; i++) {
    const sub = g.group(`_tuple_2_${i}`) ?? g.group(`_list_2_${i}`);
    if (sub !== null) {
      const a = sub.attrs();
      pairs.push([bound(a.get('0')), bound(a.get('1'))]);
      continue;
    }
    const ds = g.dataset(`_tuple_${i}`) ?? g.dataset(`_list_${i}`);
    if (ds === null) break;
    const v = numbers(ds.value()) ?? [];
    pairs.push([bound(v[0]), bound(v[1])]);
  }
  return pairs.length > 0 ? pairs : [[null, null]];
}

/** Decodes one numeric member (scalar or array of `length`) of every element of a compound. */
function readMember(
  bytes: Uint8Array,
  stride: number,
  count: number,
  member: {
    offset: number;
    size: number;
    type: number;
    signed: boolean;
    array_type?: { type: number; size: number; signed: boolean };
  },
  out: Float64Array,
  length: number,
): void {
  const base = member.type === H5T_ARRAY && member.array_type ? member.array_type : member;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = base.size;
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < length; j++) {
      const at = i * stride + member.offset + j * size;
      let v: number;
      if (base.type === H5T_FLOAT)
        v = size === 8 ? view.getFloat64(at, true) : view.getFloat32(at, true);
      else if (size === 1) v = base.signed ? view.getInt8(at) : view.getUint8(at);
      else if (size === 2) v = base.signed ? view.getInt16(at, true) : view.getUint16(at, true);
      else if (size === 4) v = base.signed ? view.getInt32(at, true) : view.getUint32(at, true);
      else v = Number(base.signed ? view.getBigInt64(at, true) : view.getBigUint64(at, true));
      out[i * length + j] = v;
    }
  }
}

/** The compound `map` dataset: fields values, std (f8, or f8 arrays of `length`) and is_set. */
function readMap(d: H5DatasetView): MapRecord {
  const { bytes, shape, meta } = d.raw();
  const members = meta.compound_type?.members;
  if (!members) throw new Error(`${d.path} is not a compound dataset`);
  const field = (name: string) => {
    const m = members.find((x) => x.name === name);
    if (!m) throw new Error(`${d.path} has no field '${name}'`);
    const base = m.type === H5T_ARRAY && m.array_type ? m.array_type : m;
    if (base.type !== H5T_FLOAT && base.type !== H5T_INTEGER && !isBoolEnum(base)) {
      throw new Error(`${d.path} field '${name}' is not numeric`);
    }
    return m;
  };
  const values = field('values');
  const std = field('std');
  const isSet = field('is_set');
  const length =
    values.type === H5T_ARRAY ? (values.array_type?.shape ?? [1]).reduce((n, x) => n * x, 1) : 1;
  const count = shape.reduce((n, x) => n * x, 1);
  const out: MapRecord = {
    values: new Float64Array(count * length),
    std: new Float64Array(count * length),
    isSet: new Uint8Array(count),
    length,
  };
  readMember(bytes, meta.size, count, values, out.values, length);
  readMember(bytes, meta.size, count, std, out.std, length);
  const set = new Float64Array(count);
  readMember(
    bytes,
    meta.size,
    count,
    { ...isSet, type: isBoolEnum(isSet) ? H5T_INTEGER : isSet.type },
    set,
    1,
  );
  for (let i = 0; i < count; i++) out.isSet[i] = set[i] ? 1 : 0;
  return out;
}

function readParameter(p: H5GroupView): ParameterRecord {
  const a = p.attrs();
  const name = str(a.get('name')) ?? str(a.get('_id_name'));
  if (name === null) throw new Error(`${p.path} has no name`);
  const value = numbers(
    p.dataset('_tuple_value')?.value() ??
      p.dataset('_list_value')?.value() ??
      a.get('value') ??
      null,
  ) ?? [0];
  const stdRaw =
    p.dataset('_tuple_std')?.value() ?? p.dataset('_list_std')?.value() ?? a.get('std') ?? null;
  const std = (numbers(stdRaw) ?? value.map(() => NaN)).map((x) => (Number.isFinite(x) ? x : NaN));
  const map = p.dataset('map');
  const self = a.get('self');
  const twinsRaw =
    p.dataset('_list__twins')?.value() ?? p.dataset('_tuple__twins')?.value() ?? null;
  const twins =
    twinsRaw === null
      ? []
      : ArrayBuffer.isView(twinsRaw)
        ? Array.from(twinsRaw as ArrayLike<number | bigint>, (x) => String(x))
        : typeof twinsRaw === 'number' || typeof twinsRaw === 'bigint'
          ? [String(twinsRaw)]
          : [];
  return {
    id: typeof self === 'number' || typeof self === 'bigint' ? String(self) : null,
    twins,
    twinFunctionExpr: str(a.get('twin_function_expr')) ?? '',
    twinInverseFunctionExpr: str(a.get('twin_inverse_function_expr')) ?? '',
    name,
    value,
    std,
    free: bool(a.get('free'), true),
    bounds: readBounds(p),
    units: str(a.get('units')) ?? '',
    map: map === null ? null : readMap(map),
  };
}

function boolArray(d: H5DatasetView | null): Uint8Array | null {
  if (d === null) return null;
  const a = d.typedArray();
  return Uint8Array.from(a as ArrayLike<number | bigint>, (x) => (Number(x) ? 1 : 0));
}

function float64Array(d: H5DatasetView | null): Float64Array | null {
  if (d === null) return null;
  const a = d.typedArray();
  return Float64Array.from(a as ArrayLike<number | bigint>, Number);
}

function readComponent(c: H5GroupView): ComponentRecord {
  const a = c.attrs();
  const kind = str(a.get('_id_name'));
  if (kind === null) throw new Error(`${c.path} has no _id_name`);
  const parameters = (listGroup(c, 'parameters') ?? []).map(readParameter);
  return {
    kind,
    name: str(a.get('name')) ?? kind,
    active: bool(a.get('active'), true),
    activeMap: bool(a.get('active_is_multidimensional'), false)
      ? boolArray(c.dataset('_active_array'))
      : null,
    order: num(a.get('order')),
    expression: str(a.get('expression')),
    renames: new Map(
      [...(c.group('rename_pars')?.attrs() ?? new Map<string, H5Value>())].flatMap(([k, v]) =>
        typeof v === 'string' ? [[k, v] as [string, string]] : [],
      ),
    ),
    samfireKind: str(a.get('samfire_kind')),
    samfireOptions: str(a.get('samfire_options')),
    elementSubshell: str(a.get('element_subshell')),
    gos: str(a.get('GOS')),
    fineStructureActive: a.has('fine_structure_active')
      ? bool(a.get('fine_structure_active'), false)
      : null,
    fineStructureWidth: num(a.get('fine_structure_width')),
    samfireFamily: str(a.get('samfire_family')),
    index: num(a.get('index')),
    parameters,
  };
}

/** The `samfire_components` group (members 0, 1, ...), or null. */
function readExpanded(dict: H5GroupView): ComponentRecord[] | null {
  const g = dict.group('samfire_components');
  if (g === null) return null;
  const out: ComponentRecord[] = [];
  for (let i = 0; ; i++) {
    const c = g.group(String(i));
    if (c === null) break;
    out.push(readComponent(c));
  }
  return out;
}

/** Reads `Analysis/models/<name>` (an open group) into a record, or keeps what went wrong. */
export function readModelEntry(g: H5GroupView, name: string, fileName: string): ModelEntry {
  try {
    const dict = g.group('_dict');
    if (dict === null) throw new Error('it has no _dict group');
    const components = listGroup(dict, 'components');
    if (components === null) throw new Error('it lists no components');
    return {
      ok: true,
      record: {
        name,
        signalPath: str(g.attrs().get('_signal')),
        components: components.map(readComponent),
        expanded: readExpanded(dict),
        channelSwitches: boolArray(dict.dataset('channel_switches')),
        chisq: float64Array(dict.dataset('chisq.data')),
        freeParameters: float64Array(dict.dataset('dof.data')),
        attributes: Object.fromEntries(
          [...g.attrs()].filter((e): e is [string, string] => typeof e[1] === 'string'),
        ),
      },
    };
  } catch (err) {
    return {
      ok: false,
      error: new FileFormatError(fileName, `model '${name}' cannot be read: ${describe(err)}`, {
        cause: err,
      }),
    };
  }
}
