/**
 * Runtime checks for every request payload: `unknown` in, typed out. Whatever
 * arrives over IPC, a WebSocket or a process boundary goes through these
 * before a service sees it; a bad payload is refused with an ApiInputError
 * that names the method and the field, and nothing runs.
 *
 * The checks are about shape and ranges a caller controls (types, finite
 * numbers, non-empty names, sizes). Whether a component or a pixel exists is
 * the service's business: it knows the model.
 */
import type { HostApi } from './host-api.js';
import type { MethodMembers, SamfireApi } from './samfire-api.js';
import type {
  AddComponentRequest,
  FitOptionsSetting,
  GoodnessSetting,
  ImageRequest,
  MapFormat,
  ParameterEdit,
  PlainValue,
  RegionRequest,
  PoolSetting,
  SamfireSettings,
  StrategySetting,
  UploadedFile,
  VarianceSetting,
} from './types.js';

export class ApiInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiInputError';
  }
}

type Fields = Record<string, unknown>;
type Check<T> = (x: unknown, where: string) => T;

function fail(where: string, what: string): never {
  throw new ApiInputError(`${where}: ${what}`);
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'a list';
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  if (typeof x === 'string') return x.length > 40 ? 'a long string' : JSON.stringify(x);
  if (typeof x === 'number') return String(x);
  return typeof x;
}

function object(x: unknown, where: string): Fields {
  if (typeof x !== 'object' || x === null || Array.isArray(x) || ArrayBuffer.isView(x)) {
    fail(where, `expected an object, got ${describe(x)}`);
  }
  return x as Fields;
}

/** An object with only the given keys (extra fields are refused: they are a caller's mistake). */
function record(x: unknown, where: string, keys: readonly string[]): Fields {
  const o = object(x, where);
  for (const k of Object.keys(o)) if (!keys.includes(k)) fail(where, `unexpected field '${k}'`);
  return o;
}

const MAX_NAME = 200;
const MAX_PATH = 4096;

function string(x: unknown, where: string, max = MAX_NAME): string {
  if (typeof x !== 'string') fail(where, `expected a string, got ${describe(x)}`);
  if (x.length === 0) fail(where, 'must not be empty');
  if (x.length > max) fail(where, `longer than ${max} characters`);
  return x;
}

function boolean(x: unknown, where: string): boolean {
  if (typeof x !== 'boolean') fail(where, `expected true or false, got ${describe(x)}`);
  return x;
}

function finite(x: unknown, where: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x))
    fail(where, `expected a finite number, got ${describe(x)}`);
  return x;
}

function integer(x: unknown, where: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(x)) fail(where, `expected an integer, got ${describe(x)}`);
  const n = x as number;
  if (n < min || n > max) fail(where, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function nullableFinite(x: unknown, where: string): number | null {
  return x === null ? null : finite(x, where);
}

function optional<T>(o: Fields, key: string, where: string, check: Check<T>): T | undefined {
  return o[key] === undefined ? undefined : check(o[key], `${where}.${key}`);
}

function list<T>(x: unknown, where: string, check: Check<T>, max = 100_000): T[] {
  if (!Array.isArray(x)) fail(where, `expected a list, got ${describe(x)}`);
  if (x.length > max) fail(where, `more than ${max} items`);
  return x.map((v, i) => check(v, `${where}[${i}]`));
}

function oneOf<T extends string>(x: unknown, where: string, values: readonly T[]): T {
  if (typeof x !== 'string' || !(values as readonly string[]).includes(x)) {
    fail(where, `expected one of ${values.join(', ')}, got ${describe(x)}`);
  }
  return x as T;
}

function bytes(x: unknown, where: string): Uint8Array {
  if (!(x instanceof Uint8Array)) fail(where, `expected bytes (a Uint8Array), got ${describe(x)}`);
  return x;
}

function plainValue(x: unknown, where: string, depth = 0): PlainValue {
  if (depth > 8) fail(where, 'nested too deeply');
  if (x === null || typeof x === 'boolean' || typeof x === 'string') return x;
  if (typeof x === 'number') return finite(x, where);
  if (Array.isArray(x)) return list(x, where, (v, w) => plainValue(v, w, depth + 1), 10_000);
  return plainRecord(x, where, depth + 1);
}

function plainRecord(x: unknown, where: string, depth = 0): { [key: string]: PlainValue } {
  const o = object(x, where);
  const out: { [key: string]: PlainValue } = {};
  for (const [k, v] of Object.entries(o)) out[k] = plainValue(v, `${where}.${k}`, depth);
  return out;
}

/** Calls that take no argument accept nothing else. */
function none(x: unknown, where: string): undefined {
  if (x !== undefined && x !== null) fail(where, `takes no argument, got ${describe(x)}`);
  return undefined;
}

// --- shared request shapes ----------------------------------------------------

export const checkImageRequest: Check<ImageRequest> = (x, where) => {
  const kind = object(x, where).kind;
  switch (kind) {
    case 'sum':
    case 'redChisq':
    case 'marker':
    case 'seeds':
      record(x, where, ['kind']);
      return { kind };
    case 'parameter': {
      const o = record(x, where, ['kind', 'parameter', 'index', 'field']);
      const out: ImageRequest = { kind, parameter: string(o.parameter, `${where}.parameter`) };
      const index = optional(o, 'index', where, (v, w) => integer(v, w, 0, 1000));
      const field = optional(o, 'field', where, (v, w) => oneOf(v, w, ['values', 'std'] as const));
      if (index !== undefined) out.index = index;
      if (field !== undefined) out.field = field;
      return out;
    }
    case 'active': {
      const o = record(x, where, ['kind', 'component']);
      return { kind, component: string(o.component, `${where}.component`) };
    }
    default:
      return fail(`${where}.kind`, `unknown image kind ${describe(kind)}`);
  }
};

const checkUpload: Check<UploadedFile> = (x, where) => {
  const o = record(x, where, ['name', 'bytes']);
  return { name: string(o.name, `${where}.name`, 255), bytes: bytes(o.bytes, `${where}.bytes`) };
};

const checkVariance: Check<VarianceSetting> = (x, where) => {
  const kind = object(x, where).kind;
  switch (kind) {
    case 'none':
      record(x, where, ['kind']);
      return { kind };
    case 'poisson': {
      const o = record(x, where, ['kind', 'gain', 'offset']);
      const gain = finite(o.gain, `${where}.gain`);
      if (!(gain > 0)) fail(`${where}.gain`, `must be positive, got ${gain}`);
      return { kind, gain, offset: finite(o.offset, `${where}.offset`) };
    }
    case 'constant': {
      const o = record(x, where, ['kind', 'value']);
      const value = finite(o.value, `${where}.value`);
      if (!(value > 0)) fail(`${where}.value`, `must be positive, got ${value}`);
      return { kind, value };
    }
    default:
      return fail(`${where}.kind`, `expected none, poisson or constant, got ${describe(kind)}`);
  }
};

const checkAddComponent: Check<AddComponentRequest> = (x, where) => {
  const o = record(x, where, ['kind', 'name', 'options', 'view']);
  const out: AddComponentRequest = { kind: string(o.kind, `${where}.kind`) };
  const name = optional(o, 'name', where, string);
  const options = optional(o, 'options', where, (v, w) => plainRecord(v, w));
  const view = optional(o, 'view', where, (v, w) => {
    const r = record(v, w, ['start', 'end']);
    return { start: finite(r.start, `${w}.start`), end: finite(r.end, `${w}.end`) };
  });
  if (name !== undefined) out.name = name;
  if (options !== undefined) out.options = options;
  if (view !== undefined) out.view = view;
  return out;
};

const checkParameterEdit: Check<ParameterEdit> = (x, where) => {
  const o = record(x, where, ['parameter', 'value', 'free', 'bmin', 'bmax', 'allPixels']);
  const out: ParameterEdit = { parameter: string(o.parameter, `${where}.parameter`) };
  const value = optional(o, 'value', where, (v, w) =>
    Array.isArray(v) ? list(v, w, finite, 1000) : finite(v, w),
  );
  const free = optional(o, 'free', where, boolean);
  const bmin = optional(o, 'bmin', where, nullableFinite);
  const bmax = optional(o, 'bmax', where, nullableFinite);
  const allPixels = optional(o, 'allPixels', where, boolean);
  if (value !== undefined) out.value = value;
  if (free !== undefined) out.free = free;
  if (bmin !== undefined) out.bmin = bmin;
  if (bmax !== undefined) out.bmax = bmax;
  if (allPixels !== undefined) out.allPixels = allPixels;
  if (bmin != null && bmax != null && bmin > bmax)
    fail(where, `bmin ${bmin} is above bmax ${bmax}`);
  return out;
};

const checkStrategy: Check<StrategySetting> = (x, where) => {
  const o = record(x, where, ['kind', 'name', 'settings']);
  return {
    kind: string(o.kind, `${where}.kind`),
    name: string(o.name, `${where}.name`),
    settings: plainRecord(o.settings, `${where}.settings`),
  };
};

const checkGoodness: Check<GoodnessSetting> = (x, where) => {
  const o = record(x, where, ['kind', 'tolerance']);
  const tolerance = finite(o.tolerance, `${where}.tolerance`);
  if (!(tolerance > 0)) fail(`${where}.tolerance`, `must be positive, got ${tolerance}`);
  return { kind: string(o.kind, `${where}.kind`), tolerance };
};

const checkFitOptions: Check<FitOptionsSetting> = (x, where) => {
  const o = record(x, where, ['optimizer', 'bounded', 'ftol', 'xtol', 'gtol', 'maxEvaluations']);
  const out: FitOptionsSetting = {
    optimizer: oneOf(o.optimizer, `${where}.optimizer`, ['lm', 'mljs'] as const),
    bounded: boolean(o.bounded, `${where}.bounded`),
  };
  for (const k of ['ftol', 'xtol', 'gtol'] as const) {
    const v = optional(o, k, where, finite);
    if (v !== undefined) {
      if (v < 0) fail(`${where}.${k}`, `must not be negative, got ${v}`);
      out[k] = v;
    }
  }
  const maxEvaluations = optional(o, 'maxEvaluations', where, (v, w) => integer(v, w, 1, 1e7));
  if (maxEvaluations !== undefined) out.maxEvaluations = maxEvaluations;
  return out;
};

const checkPool: Check<PoolSetting> = (x, where) => {
  const o = record(x, where, ['kind', 'url', 'user', 'credsFile', 'tlsCaFile']);
  const kind = oneOf(o.kind, `${where}.kind`, ['local', 'nats'] as const);
  if (kind === 'local') {
    for (const k of ['url', 'user', 'credsFile', 'tlsCaFile'])
      if (o[k] !== undefined) fail(`${where}.${k}`, `only goes with kind 'nats'`);
    return { kind };
  }
  const text = (v: unknown, w: string): string => {
    if (typeof v !== 'string' || v.trim() === '' || v.length > 4096)
      fail(w, `expected a non-empty text, got ${JSON.stringify(v)}`);
    return v as string;
  };
  const url = text(o.url, `${where}.url`);
  if (!/^(nats|tls):\/\/[^/\s]+/.test(url.split(',')[0]!.trim()))
    fail(`${where}.url`, `expected nats://HOST:4222 or tls://HOST:4222, got '${url}'`);
  const out: PoolSetting = { kind, url };
  for (const k of ['user', 'credsFile', 'tlsCaFile'] as const) {
    const v = optional(o, k, where, text);
    if (v !== undefined) out[k] = v;
  }
  return out;
};

const SETTINGS_KEYS = [
  'strategies',
  'activeStrategy',
  'goodness',
  'workers',
  'pool',
  'updateEvery',
  'plotEvery',
  'saveEvery',
  'randomSeed',
  'fit',
] as const;

export const checkSettingsPatch: Check<Partial<SamfireSettings>> = (x, where) => {
  const o = record(x, where, SETTINGS_KEYS);
  const out: Partial<SamfireSettings> = {};
  const strategies = optional(o, 'strategies', where, (v, w) => list(v, w, checkStrategy, 50));
  if (strategies !== undefined) {
    if (strategies.length === 0) fail(`${where}.strategies`, 'keep at least one strategy');
    out.strategies = strategies;
  }
  const active = optional(o, 'activeStrategy', where, (v, w) => integer(v, w, 0, 49));
  if (active !== undefined) out.activeStrategy = active;
  const goodness = optional(o, 'goodness', where, checkGoodness);
  if (goodness !== undefined) out.goodness = goodness;
  const workers = optional(o, 'workers', where, (v, w) => integer(v, w, 0, 256));
  if (workers !== undefined) out.workers = workers;
  const pool = optional(o, 'pool', where, checkPool);
  if (pool !== undefined) out.pool = pool;
  for (const k of ['updateEvery', 'plotEvery', 'saveEvery'] as const) {
    const v = optional(o, k, where, (val, w) => integer(val, w, 0, 1e9));
    if (v !== undefined) out[k] = v;
  }
  if (o.randomSeed !== undefined) {
    out.randomSeed =
      o.randomSeed === null ? null : integer(o.randomSeed, `${where}.randomSeed`, 0, 2 ** 32 - 1);
  }
  const fit = optional(o, 'fit', where, checkFitOptions);
  if (fit !== undefined) out.fit = fit;
  if (
    out.activeStrategy !== undefined &&
    out.strategies &&
    out.activeStrategy >= out.strategies.length
  ) {
    fail(
      `${where}.activeStrategy`,
      `${out.activeStrategy} is past the ${out.strategies.length} strategies`,
    );
  }
  return out;
};

const pixel = (x: unknown, where: string): number => integer(x, where, 0, 2 ** 31 - 1);

/** A navigator rectangle: [first, last] rows and columns (inclusive, first <= last), sum or mean. */
export const checkRegion: Check<RegionRequest> = (x, where) => {
  const o = record(x, where, ['rows', 'cols', 'reduce']);
  const span = (v: unknown, w: string): [number, number] => {
    const pair = list(v, w, (e, we) => integer(e, we, 0, 2 ** 31 - 1), 2);
    if (pair.length !== 2) fail(w, `expected [first, last], got ${pair.length} number(s)`);
    if (pair[0]! > pair[1]!) fail(w, `the first (${pair[0]}) is after the last (${pair[1]})`);
    return [pair[0]!, pair[1]!];
  };
  return {
    rows: span(o.rows, `${where}.rows`),
    cols: span(o.cols, `${where}.cols`),
    reduce: oneOf(o.reduce, `${where}.reduce`, ['sum', 'mean'] as const),
  };
};
const componentRef = (x: unknown, where: string): { component: string } => ({
  component: string(record(x, where, ['component']).component, `${where}.component`),
});

// --- per-method guards ----------------------------------------------------------

type Guards<Api> = {
  [S in keyof Api]: {
    [M in MethodMembers<Api[S]>]: (
      x: unknown,
    ) => Api[S][M] extends (arg: infer A) => unknown ? A : undefined;
  };
};

const datasetGuards: Guards<SamfireApi>['dataset'] = {
  summary: (x) => none(x, 'dataset.summary'),
  image: (x) => checkImageRequest(x, 'dataset.image'),
  spectrum: (x) => ({
    pixel: pixel(record(x, 'dataset.spectrum', ['pixel']).pixel, 'dataset.spectrum.pixel'),
  }),
  regionSpectrum: (x) => ({
    region: checkRegion(
      record(x, 'dataset.regionSpectrum', ['region']).region,
      'dataset.regionSpectrum.region',
    ),
  }),
  mapFile: (x) => {
    const o = record(x, 'dataset.mapFile', ['image', 'format']);
    return {
      image: checkImageRequest(o.image, 'dataset.mapFile.image'),
      format: oneOf<MapFormat>(o.format, 'dataset.mapFile.format', ['csv', 'npy']),
    };
  },
};

/** The model guards the renderer's API and the host's share (each adds its own way to load a variance). */
const modelGuards: Omit<Guards<SamfireApi>['model'], 'loadVarianceDialog'> = {
  state: (x) => none(x, 'model.state'),
  componentKinds: (x) => none(x, 'model.componentKinds'),
  setPixel: (x) => ({
    pixel: pixel(record(x, 'model.setPixel', ['pixel']).pixel, 'model.setPixel.pixel'),
  }),
  addComponent: (x) => checkAddComponent(x, 'model.addComponent'),
  removeComponent: (x) => componentRef(x, 'model.removeComponent'),
  renameComponent: (x) => {
    const o = record(x, 'model.renameComponent', ['component', 'name']);
    return {
      component: string(o.component, 'model.renameComponent.component'),
      name: string(o.name, 'model.renameComponent.name'),
    };
  },
  setParameter: (x) => checkParameterEdit(x, 'model.setParameter'),
  setActive: (x) => {
    const o = record(x, 'model.setActive', ['component', 'active']);
    return {
      component: string(o.component, 'model.setActive.component'),
      active: boolean(o.active, 'model.setActive.active'),
    };
  },
  setOptional: (x) => {
    const o = record(x, 'model.setOptional', ['component', 'optional']);
    return {
      component: string(o.component, 'model.setOptional.component'),
      optional: boolean(o.optional, 'model.setOptional.optional'),
    };
  },
  setSignalRange: (x) => {
    const o = record(x, 'model.setSignalRange', ['range']);
    if (o.range === null) return { range: null };
    const r = record(o.range, 'model.setSignalRange.range', ['start', 'end']);
    return {
      range: {
        start: finite(r.start, 'model.setSignalRange.range.start'),
        end: finite(r.end, 'model.setSignalRange.range.end'),
      },
    };
  },
  setVariance: (x) => ({
    variance: checkVariance(
      record(x, 'model.setVariance', ['variance']).variance,
      'model.setVariance.variance',
    ),
  }),
  loadVarianceUpload: (x) => ({
    files: list(
      record(x, 'model.loadVarianceUpload', ['files']).files,
      'model.loadVarianceUpload.files',
      checkUpload,
      8,
    ),
  }),
  assignToAll: (x) => none(x, 'model.assignToAll'),
  undo: (x) => none(x, 'model.undo'),
  redo: (x) => none(x, 'model.redo'),
};

const fitGuards: Guards<SamfireApi>['fit'] = {
  catalogue: (x) => none(x, 'fit.catalogue'),
  settings: (x) => none(x, 'fit.settings'),
  updateSettings: (x) => checkSettingsPatch(x, 'fit.updateSettings'),
  fitPixel: (x) => {
    const o = record(x, 'fit.fitPixel', ['pixel', 'seed']);
    return {
      pixel: pixel(o.pixel, 'fit.fitPixel.pixel'),
      seed: boolean(o.seed, 'fit.fitPixel.seed'),
    };
  },
  fitRegion: (x) => {
    const o = record(x, 'fit.fitRegion', ['region', 'seed']);
    return {
      region: checkRegion(o.region, 'fit.fitRegion.region'),
      seed: boolean(o.seed, 'fit.fitRegion.seed'),
    };
  },
  setSeeds: (x) => {
    const o = record(x, 'fit.setSeeds', ['pixels', 'seed']);
    return {
      pixels: list(o.pixels, 'fit.setSeeds.pixels', pixel),
      seed: boolean(o.seed, 'fit.setSeeds.seed'),
    };
  },
  status: (x) => none(x, 'fit.status'),
  start: (x) => none(x, 'fit.start'),
  stop: (x) => none(x, 'fit.stop'),
  resume: (x) => none(x, 'fit.resume'),
};

/** Guards for the renderer-facing API (what main and the browser server accept). */
export const apiGuards: Guards<SamfireApi> = {
  app: { info: (x) => none(x, 'app.info') },
  file: {
    openDialog: (x) => none(x, 'file.openDialog'),
    openRecent: (x) => ({
      path: string(record(x, 'file.openRecent', ['path']).path, 'file.openRecent.path', MAX_PATH),
    }),
    openUpload: (x) => ({
      files: list(
        record(x, 'file.openUpload', ['files']).files,
        'file.openUpload.files',
        checkUpload,
        8,
      ),
    }),
    openExample: (x) => none(x, 'file.openExample'),
    cancelOpen: (x) => none(x, 'file.cancelOpen'),
    chooseSignal: (x) => {
      const o = record(x, 'file.chooseSignal', ['token', 'index']);
      return {
        token: string(o.token, 'file.chooseSignal.token'),
        index: integer(o.index, 'file.chooseSignal.index', 0, 10_000),
      };
    },
    recent: (x) => none(x, 'file.recent'),
    folders: (x) => none(x, 'file.folders'),
    addFolder: (x) => ({
      path: string(record(x, 'file.addFolder', ['path']).path, 'file.addFolder.path', MAX_PATH),
    }),
    removeFolder: (x) => ({
      path: string(
        record(x, 'file.removeFolder', ['path']).path,
        'file.removeFolder.path',
        MAX_PATH,
      ),
    }),
    browse: (x) => {
      const o = record(x, 'file.browse', ['path']);
      return { path: o.path === null ? null : string(o.path, 'file.browse.path', MAX_PATH) };
    },
    openByPath: (x) => ({
      path: string(record(x, 'file.openByPath', ['path']).path, 'file.openByPath.path', MAX_PATH),
    }),
    saveBytes: (x) => {
      const o = record(x, 'file.saveBytes', ['suggestedName', 'bytes']);
      return {
        suggestedName: string(o.suggestedName, 'file.saveBytes.suggestedName', 255),
        bytes: bytes(o.bytes, 'file.saveBytes.bytes'),
      };
    },
    saveProject: (x) => ({
      as: boolean(record(x, 'file.saveProject', ['as']).as, 'file.saveProject.as'),
    }),
    readableExtensions: (x) => none(x, 'file.readableExtensions'),
    lastSession: (x) => none(x, 'file.lastSession'),
    resumeSession: (x) => none(x, 'file.resumeSession'),
    discardSession: (x) => none(x, 'file.discardSession'),
  },
  dataset: datasetGuards,
  model: {
    ...modelGuards,
    loadVarianceDialog: (x) => none(x, 'model.loadVarianceDialog'),
  },
  fit: fitGuards,
};

/** Guards for the host's API (what the service host accepts from its shell). */
export const hostGuards: Guards<HostApi> = {
  file: {
    openPath: (x) => ({
      path: string(record(x, 'file.openPath', ['path']).path, 'file.openPath.path', MAX_PATH),
    }),
    openUpload: apiGuards.file.openUpload,
    openExample: apiGuards.file.openExample,
    cancelOpen: apiGuards.file.cancelOpen,
    chooseSignal: apiGuards.file.chooseSignal,
    readableExtensions: apiGuards.file.readableExtensions,
    writeBytes: (x) => {
      const o = record(x, 'file.writeBytes', ['path', 'bytes']);
      return {
        path: string(o.path, 'file.writeBytes.path', MAX_PATH),
        bytes: bytes(o.bytes, 'file.writeBytes.bytes'),
      };
    },
    saveProjectTo: (x) => ({
      path: string(
        record(x, 'file.saveProjectTo', ['path']).path,
        'file.saveProjectTo.path',
        MAX_PATH,
      ),
    }),
    projectPath: (x) => none(x, 'file.projectPath'),
    lastSession: apiGuards.file.lastSession,
    resumeSession: apiGuards.file.resumeSession,
    discardSession: apiGuards.file.discardSession,
  },
  dataset: datasetGuards,
  model: {
    ...modelGuards,
    loadVariancePath: (x) => ({
      path: string(
        record(x, 'model.loadVariancePath', ['path']).path,
        'model.loadVariancePath.path',
        MAX_PATH,
      ),
    }),
  },
  fit: fitGuards,
};

/** The guard of `service.method` in a guard table, or null when the method is not on it. */
export function guardFor(
  table: Guards<SamfireApi> | Guards<HostApi>,
  service: string,
  method: string,
): ((x: unknown) => unknown) | null {
  if (!Object.hasOwn(table, service)) return null;
  const methods = (table as Record<string, Record<string, (x: unknown) => unknown>>)[service]!;
  return Object.hasOwn(methods, method) ? methods[method]! : null;
}
