/**
 * The request shapes several methods share, declared once as schemas
 * (../util/schema.ts): types.ts takes their TypeScript types from here, and
 * the guards check them at run time. The per-method argument schemas are in
 * contract.ts.
 */
import * as s from '../util/schema.js';
import type { Infer } from '../util/schema.js';

export { MAX_NAME, MAX_PATH } from '../util/schema.js';

/** A pixel index (flat, in data order). */
export const pixel = s.integer(0, 2 ** 31 - 1);

/** A path the user chose (dialogs, command line, the browser-mode file browser). */
export const path = s.string(s.MAX_PATH);

export const uploadedFile = s.object({
  name: s.string(255),
  bytes: s.bytes,
});

/** Uploaded files (a .rpl comes with its .raw). */
export const uploads = s.list(uploadedFile, 8);

/** Which image the navigator shows. */
export const imageRequest = s.tagged(
  'kind',
  {
    sum: s.object({ kind: s.literal('sum') }),
    parameter: s.object({
      kind: s.literal('parameter'),
      /** "component.parameter". */
      parameter: s.string(),
      /** The coefficient of a multi-valued parameter. */
      index: s.optional(s.integer(0, 1000)),
      field: s.optional(s.oneOf(['values', 'std'])),
    }),
    redChisq: s.object({ kind: s.literal('redChisq') }),
    marker: s.object({ kind: s.literal('marker') }),
    active: s.object({ kind: s.literal('active'), component: s.string() }),
    seeds: s.object({ kind: s.literal('seeds') }),
    /** An electron image that came with the map (DatasetSummary.images[index]), resampled to the navigator. */
    image: s.object({ kind: s.literal('image'), index: s.integer(0, 1000) }),
  },
  (got) => `unknown image kind ${got}`,
);

const span = s.custom((x, where): [number, number] => {
  const pair = s.pair(s.integer(0, 2 ** 31 - 1)).check(x, where);
  if (pair[0] > pair[1]) s.fail(where, `the first (${pair[0]}) is after the last (${pair[1]})`);
  return pair;
});

/**
 * A rectangle of the navigator (rows and columns inclusive, as the navigator
 * shows them: row first) and how its spectra combine.
 */
export const regionRequest = s.object({
  rows: span,
  cols: span,
  reduce: s.oneOf(['sum', 'mean']),
});

export const mapFormat = s.oneOf(['csv', 'npy']);

/** The noise variance a user can choose (explicit arrays come from files: see VarianceSetting). */
export const varianceChoice = s.tagged(
  'kind',
  {
    none: s.object({ kind: s.literal('none') }),
    poisson: s.object({
      kind: s.literal('poisson'),
      gain: s.finite({ positive: true }),
      offset: s.finite(),
    }),
    constant: s.object({ kind: s.literal('constant'), value: s.finite({ positive: true }) }),
  },
  (got) => `expected none, poisson or constant, got ${got}`,
);

/** The spike detector's parameters (core/src/cl/spikes.ts findSpikes). */
export const spikeRequest = s.object({
  threshold: s.finite({ positive: true, max: 1e6 }),
  window: s.integer(3, 101),
});

/** An axis range in axis values. */
export const axisRange = s.object({ start: s.finite(), end: s.finite() });

export const addComponentRequest = s.object({
  kind: s.string(),
  name: s.optional(s.string()),
  options: s.optional(s.plainRecord),
  /**
   * The part of the signal axis the user sees (axis values): the new
   * component is placed from the data there (within the signal range), on
   * what the model's other components leave at the current pixel. Absent:
   * the whole signal range.
   */
  view: s.optional(axisRange),
});

const parameterValue = s.custom((x, where): number | number[] =>
  Array.isArray(x) ? s.list(s.finite(), 1000).check(x, where) : s.finite().check(x, where),
);

export const parameterEdit = s.object(
  {
    /** "component.parameter". */
    parameter: s.string(),
    value: s.optional(parameterValue),
    free: s.optional(s.boolean),
    bmin: s.optional(s.nullable(s.finite())),
    bmax: s.optional(s.nullable(s.finite())),
    /** Also copy the value to every pixel (a starting guess everywhere). @default false */
    allPixels: s.optional(s.boolean),
  },
  (e, where) => {
    if (e.bmin != null && e.bmax != null && e.bmin > e.bmax)
      s.fail(where, `bmin ${e.bmin} is above bmax ${e.bmax}`);
  },
);

export const fitOptionsSetting = s.object(
  {
    optimizer: s.oneOf(['lm', 'mljs']),
    bounded: s.boolean,
    /**
     * What each fit minimises: 'ls' least squares, 'ML-poisson' the Poisson
     * deviance of the counts (maximum likelihood; lm only). @default 'ls'
     */
    lossFunction: s.optional(s.oneOf(['ls', 'ML-poisson'])),
    ftol: s.optional(s.finite({ min: 0 })),
    xtol: s.optional(s.finite({ min: 0 })),
    gtol: s.optional(s.finite({ min: 0 })),
    maxEvaluations: s.optional(s.integer(1, 1e7)),
  },
  (f, where) => {
    if (f.lossFunction === 'ML-poisson' && f.optimizer !== 'lm')
      s.fail(`${where}.lossFunction`, `'ML-poisson' needs optimizer 'lm', not '${f.optimizer}'`);
  },
);

export const goodnessSetting = s.object({
  kind: s.string(),
  tolerance: s.finite({ positive: true }),
});

/** A strategy as plain data: the engine's registry kind, a name and its settings (radii, bins). */
export const strategySetting = s.object({
  kind: s.string(),
  name: s.string(),
  settings: s.plainRecord,
});

const natsUrl = s.custom((x, where): string => {
  const url = s.string(s.MAX_PATH).check(x, where);
  if (!/^(nats|tls):\/\/[^/\s]+/.test(url.split(',')[0]!.trim()))
    s.fail(where, `expected nats://HOST:4222 or tls://HOST:4222, got '${url}'`);
  return url;
});

/**
 * Where a run's fits go: worker threads or processes on this machine
 * ('local', the default), or `samfire worker` processes on other hosts
 * through a NATS JetStream server ('nats'). Passwords and tokens are not
 * settings: the host reads them from SAMFIRE_NATS_PASSWORD and
 * SAMFIRE_NATS_TOKEN.
 */
export const poolSetting = s.tagged(
  'kind',
  {
    local: s.object({ kind: s.literal('local') }),
    nats: s.object({
      kind: s.literal('nats'),
      /** nats://HOST:4222 or tls://HOST:4222 (several separated by commas). */
      url: natsUrl,
      user: s.optional(s.string()),
      /** An NKey/JWT credentials file on the host. */
      credsFile: s.optional(path),
      /** The CA of the server's TLS certificate (a file on the host). */
      tlsCaFile: s.optional(path),
    }),
  },
  (got) => `unknown pool kind ${got}`,
);

export const samfireSettings = s.object({
  strategies: s.list(strategySetting, 50, 1, 'keep at least one strategy'),
  activeStrategy: s.integer(0, 49),
  goodness: goodnessSetting,
  /** Fit workers (processes or threads). */
  workers: s.integer(0, 256),
  /** Where the fits run. @default { kind: 'local' } */
  pool: s.optional(poolSetting),
  updateEvery: s.integer(0, 1e9),
  /** 0 = no live plots. */
  plotEvery: s.integer(0, 1e9),
  /** 0 = no backups. */
  saveEvery: s.integer(0, 1e9),
  /** null = a fresh seed per run. */
  randomSeed: s.nullable(s.integer(0, 2 ** 32 - 1)),
  fit: fitOptionsSetting,
});

/** A change to some of the settings (the strategy list as a whole). */
export const settingsPatch = s.partial(samfireSettings, (p, where) => {
  if (p.activeStrategy !== undefined && p.strategies && p.activeStrategy >= p.strategies.length)
    s.fail(
      `${where}.activeStrategy`,
      `${p.activeStrategy} is past the ${p.strategies.length} strategies`,
    );
});

// --- EDS models from a list of elements ------------------------------------------

/** An element symbol as the periodic table writes it (whether it has lines is the service's business). */
export const elementSymbol = s.custom((x, where): string => {
  const e = s.string(3).check(x, where);
  if (!/^[A-Z][a-z]?$/.test(e))
    s.fail(where, `expected an element symbol (Fe, Ce), got ${s.describeValue(e)}`);
  return e;
});

/** An energy range on the axis, its start below its end. */
export const energyRange = s.object({ start: s.finite(), end: s.finite() }, (r, where) => {
  if (!(r.start < r.end)) s.fail(where, `the start (${r.start}) must be below the end (${r.end})`);
});

/** A beam energy in keV (an electron microscope's: up to a few hundred keV). */
export const beamEnergy = s.custom((x, where): number => {
  const e = s.finite().check(x, where);
  if (!(e > 0 && e <= 1000)) s.fail(where, `must be between 0 and 1000 keV, got ${e}`);
  return e;
});

/** A collection semi-angle, mrad. */
export const collectionAngle = s.custom((x, where): number => {
  const a = s.finite().check(x, where);
  if (!(a > 0 && a <= 1000)) s.fail(where, `must be between 0 and 1000 mrad, got ${a}`);
  return a;
});

/** Ionisation edges of one element to add to an EELS model (addEdges). */
export const eelsEdgesRequest = s.object({
  element: elementSymbol,
  /** keV */
  beamEnergy,
  /** mrad */
  collectionAngle,
  /** A fine-structure (ELNES) region above each onset. */
  fineStructure: s.boolean,
});

export const edsBackgroundSetting = s.tagged(
  'kind',
  {
    polynomial: s.object({ kind: s.literal('polynomial'), order: s.integer(0, 10) }),
    bremsstrahlung: s.object({ kind: s.literal('bremsstrahlung') }),
  },
  (got) => `expected polynomial or bremsstrahlung, got ${got}`,
);

export const edsBuildRequest = s.object({
  elements: s.list(elementSymbol, 118, 1, 'choose at least one element'),
  background: edsBackgroundSetting,
  /** keV */
  beamEnergy,
  /** Axis units. */
  range: energyRange,
  /** FWHM of Mn Kα, eV (default: the metadata's, else 130 eV). */
  resolution: s.optional(
    s.custom((x, where): number => {
      const r = s.finite().check(x, where);
      if (!(r > 0 && r < 10_000)) s.fail(where, `must be between 0 and 10000 eV, got ${r}`);
      return r;
    }),
  ),
});

export const edsLinesRequest = s.object({
  /** No element chosen yet: no markers (an empty list is fine here). */
  elements: s.list(elementSymbol, 118),
  /** keV; the lines the beam cannot excite are left out. */
  beamEnergy,
  /** Axis units; the lines outside are left out. */
  range: energyRange,
});

export const edsLinesNearRequest = s.object({
  /** On the signal axis (axis units). */
  position: s.finite(),
  /** keV; the lines the beam cannot excite are left out. */
  beamEnergy,
  /** At most this many lines. @default 8 */
  limit: s.optional(s.integer(1, 100)),
});

export const edsCalibrateRequest = s.object({ region: s.nullable(regionRequest) });

export type EdsBackgroundSetting = Infer<typeof edsBackgroundSetting>;
export type EelsEdgesRequest = Infer<typeof eelsEdgesRequest>;
export type EdsBuildRequest = Infer<typeof edsBuildRequest>;
export type EdsLinesRequest = Infer<typeof edsLinesRequest>;
export type EdsLinesNearRequest = Infer<typeof edsLinesNearRequest>;
export type UploadedFile = Infer<typeof uploadedFile>;
export type ImageRequest = Infer<typeof imageRequest>;
export type RegionRequest = Infer<typeof regionRequest>;
export type MapFormat = Infer<typeof mapFormat>;
export type VarianceChoice = Infer<typeof varianceChoice>;
export type AddComponentRequest = Infer<typeof addComponentRequest>;
export type ParameterEdit = Infer<typeof parameterEdit>;
export type FitOptionsSetting = Infer<typeof fitOptionsSetting>;
export type GoodnessSetting = Infer<typeof goodnessSetting>;
export type StrategySetting = Infer<typeof strategySetting>;
export type SamfireSettings = Infer<typeof samfireSettings>;
export type PoolSetting = Infer<typeof poolSetting>;
