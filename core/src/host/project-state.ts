/**
 * What a project (.hspy) keeps of the app beside the data and the model:
 * the dataset's SAMFire settings (strategies, goodness test, random seed,
 * fit options) and its seed pixels. It travels as one JSON string attribute,
 * `samfire_studio`, on the model's group (`Analysis/models/samfire`), where
 * HyperSpy 1.7 reads it into the metadata as a plain string and restores the
 * model without looking at it (test/interop checks this).
 *
 * Settings of the machine (workers, live-plot and backup pace) are not the
 * dataset's and are not saved: they stay what the user set in this app.
 */
import { checkSettingsPatch } from '../api/guards.js';
import type { SamfireSettings } from '../api/types.js';
import { createGoodnessTest } from '../goodness/registry.js';
import { strategyFromSnapshot } from '../samfire/strategies/strategy-registry.js';

/** The attribute on the model group that holds the project state. */
export const PROJECT_STATE_ATTRIBUTE = 'samfire_studio';
const FORMAT = 'samfire-studio-project';
const VERSION = 1;

/** The settings that belong to a dataset (and its project), not to the machine. */
export const DATASET_SETTING_KEYS = [
  'strategies',
  'activeStrategy',
  'goodness',
  'randomSeed',
  'fit',
] as const;

export type DatasetSettings = Pick<SamfireSettings, (typeof DATASET_SETTING_KEYS)[number]>;

export function datasetSettings(s: SamfireSettings): DatasetSettings {
  return structuredClone({
    strategies: s.strategies,
    activeStrategy: s.activeStrategy,
    goodness: s.goodness,
    randomSeed: s.randomSeed,
    fit: s.fit,
  });
}

export interface ProjectState {
  settings: DatasetSettings;
  /** Seed pixels (flat indices, C order of the navigation axes). */
  seeds: number[];
}

export function encodeProjectState(state: ProjectState): string {
  return JSON.stringify({ format: FORMAT, version: VERSION, ...state });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads a project state back for a dataset of `pixels` pixels; throws an
 * Error saying what is wrong (the caller falls back to defaults and says so).
 */
export function decodeProjectState(text: string, pixels: number): ProjectState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${PROJECT_STATE_ATTRIBUTE} is not JSON`);
  }
  if (!isRecord(raw) || raw['format'] !== FORMAT)
    throw new Error(`${PROJECT_STATE_ATTRIBUTE} is not a SAMFire Studio project state`);
  if (raw['version'] !== VERSION)
    throw new Error(
      `${PROJECT_STATE_ATTRIBUTE} has version ${String(raw['version'])}; this app reads version ${VERSION}`,
    );
  const patch = checkSettingsPatch(raw['settings'], `${PROJECT_STATE_ATTRIBUTE}.settings`);
  const missing = DATASET_SETTING_KEYS.filter((k) => patch[k] === undefined);
  if (missing.length > 0)
    throw new Error(`${PROJECT_STATE_ATTRIBUTE}.settings lacks ${missing.join(', ')}`);
  const settings = patch as DatasetSettings;
  if (settings.activeStrategy >= settings.strategies.length)
    throw new Error(
      `${PROJECT_STATE_ATTRIBUTE}.settings.activeStrategy ${settings.activeStrategy} is past the ${settings.strategies.length} strategies`,
    );
  // Kinds this build does not know (or bad radii) fail here rather than at Start.
  settings.strategies.forEach((s) => strategyFromSnapshot(s));
  createGoodnessTest(settings.goodness);
  const seeds = raw['seeds'];
  if (
    !Array.isArray(seeds) ||
    !seeds.every((p) => Number.isInteger(p) && (p as number) >= 0 && (p as number) < pixels)
  )
    throw new Error(
      `${PROJECT_STATE_ATTRIBUTE}.seeds must list pixel indices below ${pixels}, got ${JSON.stringify(seeds).slice(0, 80)}`,
    );
  return { settings, seeds: [...new Set(seeds as number[])].sort((a, b) => a - b) };
}
