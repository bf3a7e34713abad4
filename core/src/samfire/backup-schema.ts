/**
 * The schema of a SAMFire backup file (backup.ts), checked in full when a
 * backup is read: a tampered, truncated-and-repaired or older file is refused
 * with a message naming the field (`backup.engine.marker[12]: expected a
 * finite number or "NaN", got "x"`) instead of reaching the engine.
 *
 * The types in backup.ts, model-state.ts and the protocol stay the documented
 * declarations; the assertions at the end make any difference between them
 * and this schema a compile error, so a field added there must be added here.
 */
import * as s from '../util/schema.js';
import type { Infer } from '../util/schema.js';
import type { EngineState, PendingJobState, SamfireBackup } from './backup.js';
import type { EncodedFloats, Json } from './json.js';
import type { ComponentSnapshot, ModelSnapshot, ParameterSnapshot } from './model-state.js';

const BIG = 2 ** 31 - 1;

/** Floats as JSON: finite numbers, or the strings of the non-finite ones. */
const encodedFloats = s.custom((x, where): EncodedFloats => {
  if (!Array.isArray(x)) s.fail(where, `expected a list of numbers, got ${s.describeValue(x)}`);
  for (let i = 0; i < x.length; i++) {
    const v: unknown = x[i];
    if (
      typeof v === 'number'
        ? !Number.isFinite(v)
        : v !== 'NaN' && v !== 'Infinity' && v !== '-Infinity'
    )
      s.fail(`${where}[${i}]`, `expected a finite number or "NaN", got ${s.describeValue(v)}`);
  }
  return x as EncodedFloats;
});

/** 0/1 flags per pixel. */
const flags = s.custom((x, where): number[] => {
  if (!Array.isArray(x)) s.fail(where, `expected a list of 0 and 1, got ${s.describeValue(x)}`);
  for (let i = 0; i < x.length; i++)
    if (x[i] !== 0 && x[i] !== 1)
      s.fail(`${where}[${i}]`, `expected 0 or 1, got ${s.describeValue(x[i])}`);
  return x as number[];
});

const json = s.plainRecord as s.Schema<{ [key: string]: Json }>;

const twinState = s.object({
  component: s.string(),
  parameter: s.string(),
  expression: s.string(10_000),
  inverse: s.text(10_000),
});

const parameterState = s.object({
  name: s.string(),
  free: s.boolean,
  bmin: s.nullable(s.finite()),
  bmax: s.nullable(s.finite()),
  units: s.text(200),
  value: encodedFloats,
  std: encodedFloats,
  map: s.object({ values: encodedFloats, std: encodedFloats, isSet: flags }),
  twin: s.optional(s.nullable(twinState)),
});

const componentState = s.object({
  name: s.string(),
  kind: s.string(),
  options: json,
  active: s.boolean,
  activeMap: s.nullable(flags),
  parameters: s.list(parameterState, 10_000),
});

export const modelStateSchema = s.object({
  components: s.list(componentState, 10_000),
  chisq: encodedFloats,
  dof: encodedFloats,
  redChisq: encodedFloats,
  channelSwitches: flags,
});

const goodnessTestSpec = s.object({ kind: s.string(), tolerance: s.finite() });

const workerFitOptions = s.object({
  optimizer: s.optional(s.string()),
  lossFunction: s.optional(s.oneOf(['ls', 'ML-poisson'])),
  bounded: s.optional(s.boolean),
  ftol: s.optional(s.finite({ min: 0 })),
  xtol: s.optional(s.finite({ min: 0 })),
  gtol: s.optional(s.finite({ min: 0 })),
  maxEvaluations: s.optional(s.integer(1, BIG)),
  initialDamping: s.optional(s.finite({ min: 0 })),
  maxStarts: s.optional(s.integer(1, BIG)),
});

const pendingJob = s.object({
  pixel: s.integer(0, BIG),
  priority: s.number,
  start: s.list(s.nullable(s.list(encodedFloats, 100_000)), 10_000),
});

const engineState = s.object({
  marker: encodedFloats,
  count: s.integer(0, Number.MAX_SAFE_INTEGER),
  optionalComponents: s.list(s.integer(0, 10_000), 10_000),
  goodnessTest: goodnessTestSpec,
  strategies: s.list(
    s.object({ kind: s.string(), name: s.string(), settings: json }),
    1000,
    1,
    'no strategies',
  ),
  activeStrategy: s.integer(0, 999),
  updateEvery: s.integer(0, Number.MAX_SAFE_INTEGER),
  plotEvery: s.integer(0, Number.MAX_SAFE_INTEGER),
  saveEvery: s.integer(0, Number.MAX_SAFE_INTEGER),
  random: s.object({
    seed: s.integer(0, 2 ** 32 - 1),
    draws: s.integer(0, Number.MAX_SAFE_INTEGER),
  }),
  order: s.oneOf(['pick', 'arrival']),
  window: s.integer(0, Number.MAX_SAFE_INTEGER),
  fitOptions: workerFitOptions,
  accepted: s.optional(flags),
  judgedBy: s.optional(goodnessTestSpec),
  pending: s.list(pendingJob, 10_000_000),
});

/** A backup's contents once its format and version are known. */
export const backupBody = s.object(
  {
    format: s.literal('samfire-backup'),
    version: s.literal(1),
    signal: s.object({
      title: s.text(10_000),
      navigationShape: s.list(s.integer(0, BIG), 3),
      channels: s.integer(1, BIG),
    }),
    model: modelStateSchema,
    engine: engineState,
  },
  (b, where) => {
    const pixels = b.signal.navigationShape.reduce((a, n) => a * n, 1);
    if (b.engine.marker.length !== pixels)
      s.fail(
        `${where}.engine.marker`,
        `holds ${b.engine.marker.length} values for ${pixels} pixels`,
      );
    if (b.engine.activeStrategy >= b.engine.strategies.length)
      s.fail(
        `${where}.engine.activeStrategy`,
        `${b.engine.activeStrategy} is past the ${b.engine.strategies.length} strategies`,
      );
    if (b.model.channelSwitches.length !== b.signal.channels)
      s.fail(
        `${where}.model.channelSwitches`,
        `holds ${b.model.channelSwitches.length} flags for ${b.signal.channels} channels`,
      );
  },
);

// --- the schema and the declared types must agree (a compile error otherwise) ---
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;
export type BackupSchemaAgrees = [
  Assert<Equal<Infer<typeof parameterState>, ParameterSnapshot>>,
  Assert<Equal<Infer<typeof componentState>, ComponentSnapshot>>,
  Assert<Equal<Infer<typeof modelStateSchema>, ModelSnapshot>>,
  Assert<Equal<Infer<typeof pendingJob>, PendingJobState>>,
  Assert<Equal<Infer<typeof engineState>, EngineState>>,
  Assert<Equal<Infer<typeof backupBody>, SamfireBackup>>,
];
