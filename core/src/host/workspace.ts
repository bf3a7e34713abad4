/**
 * The host's state: the open dataset (signal and summary), its model, the
 * current pixel, the optional components, the seeds and the edit history.
 * One per host; the services read and change it, and it announces changes
 * through its events.
 */
import type {
  DatasetSource,
  DatasetSummary,
  ModelState,
  PlainValue,
  VarianceSetting,
} from '../api/types.js';
import { domainExampleModel } from '../examples/domain.js';
import { boundHit } from '../model/at-bound.js';
import { indexToValue } from '../model/axis.js';
import { Model } from '../model/model.js';
import type { Signal, Variance } from '../model/signal.js';
import { modelFromState, modelState } from '../samfire/model-state.js';
import { History } from './history.js';
import type { RegionFit } from './region.js';
import type { ProjectState } from './project-state.js';
import { Listeners } from './listeners.js';
import { summarise } from './views.js';

export interface OpenDataset {
  signal: Signal;
  summary: DatasetSummary;
  model: Model;
  /** What the project opened kept of the app (settings, seeds); null for other files. */
  project: ProjectState | null;
  /** The electron images that came with the map (HAADF, SE ...), for the navigator. */
  images: readonly Signal[];
}

/** The app state a project file holds: its text, decoded by the caller (null: none, or not a project). */
export interface ProjectStateInput {
  state: ProjectState | null;
  /** Why the saved state could not be used. */
  problem: string | null;
}

export class Workspace {
  readonly datasetChanged = new Listeners<DatasetSummary | null>();
  readonly modelChanged = new Listeners<ModelState>();
  /** Called before the model object is replaced or the dataset closes (the fit service drops its engine). */
  readonly beforeModelReplaced = new Listeners<void>();
  #open: OpenDataset | null = null;
  #nextId = 1;
  #pixel = 0;
  #optional = new Set<string>();
  readonly seeds = new Set<number>();
  readonly history = new History();
  /** The last region fit (fit.fitRegion), to draw the region with it; dropped by edits and opens. */
  regionFit: RegionFit | null = null;
  /** The variance the user loaded from a file, and the file's name (while that variance is in use). */
  #loadedVariance: LoadedVarianceSource | null = null;
  /** The processing steps applied since the open, each with what it replaced (for revert). */
  readonly #steps: ProcessingStep[] = [];
  /**
   * True while a processing step replaces the signal (or revert puts one
   * back): the dataset changes, but it is the same work (the fit service
   * keeps its settings).
   */
  processing = false;

  get dataset(): OpenDataset | null {
    return this.#open;
  }

  /** The open dataset, or an error the user can act on. */
  require(): OpenDataset {
    if (!this.#open) throw new Error('no dataset is open: open a file or the example first');
    return this.#open;
  }

  get pixel(): number {
    return this.#pixel;
  }

  get optional(): ReadonlySet<string> {
    return this.#optional;
  }

  /** Opens a signal; the example comes with its model, any other file with an empty one and a Poisson variance when none is known. */
  open(
    signal: Signal,
    source: DatasetSource,
    signalIndex: number,
    signalCount: number,
    stored: Model | null = null,
    project: ProjectStateInput = { state: null, problem: null },
    images: readonly Signal[] = [],
  ): DatasetSummary {
    this.beforeModelReplaced.emit();
    const example = source.kind === 'example';
    const model = stored ?? (example ? domainExampleModel(signal) : new Model(signal));
    if (signal.variance.kind === 'none' && !example) signal.estimatePoissonianNoiseVariance();
    const summary = summarise(
      signal,
      this.#nextId++,
      source,
      signalIndex,
      signalCount,
      {
        settingsFrom: project.state ? 'project' : 'defaults',
        settingsProblem: project.problem,
      },
      images,
    );
    this.#open = { signal, summary, model, project: project.state, images };
    this.#steps.length = 0;
    this.#pixel = 0;
    this.#loadedVariance = null;
    this.regionFit = null;
    // Components switched per pixel in a saved project were optional in its run.
    this.#optional = new Set(
      example
        ? ['l2']
        : model.components.filter((c) => c.activeIsMultidimensional).map((c) => c.name),
    );
    model.fetchStoredValues(0);
    this.seeds.clear();
    // The seeds the project kept; in another file with a stored model, every pixel fitted there.
    if (project.state) for (const p of project.state.seeds) this.seeds.add(p);
    else if (stored)
      for (let p = 0; p < model.chisq.length; p++)
        if (Number.isFinite(model.chisq[p])) this.seeds.add(p);
    this.history.clear();
    this.datasetChanged.emit(summary);
    this.modelChanged.emit(this.modelState());
    return summary;
  }

  /** The labels of the processing steps applied since the open, oldest first. */
  get steps(): string[] {
    return this.#steps.map((s) => s.label);
  }

  /**
   * A processing step (convert to energy, remove spikes): the open signal is
   * replaced by `signal`, a new signal of the same navigation shape, and what
   * it replaced is kept for revertStep. `keepModel`: the model (components,
   * values, maps) and the seeds carry over, for a signal on the same axis;
   * else the model starts empty and there are no seeds. The current pixel
   * stays; model undo starts again (its states are of the old signal).
   */
  replaceSignal(label: string, signal: Signal, keepModel: boolean): DatasetSummary {
    const open = this.require();
    if (signal.navigationSize !== open.signal.navigationSize)
      throw new Error(`${label}: the new signal has another navigation shape`);
    const model = keepModel ? modelFromState(signal, modelState(open.model)) : new Model(signal);
    if (signal.variance.kind === 'none') signal.estimatePoissonianNoiseVariance();
    this.beforeModelReplaced.emit();
    this.#steps.push({
      label,
      open: { ...open },
      optional: [...this.#optional],
      seeds: [...this.seeds],
      loadedVariance: this.#loadedVariance,
    });
    if (!keepModel) {
      this.#optional = new Set();
      this.seeds.clear();
    }
    this.#loadedVariance = null;
    const summary = this.#summary(signal, open);
    this.#open = { ...open, signal, model, summary };
    return this.#replaced();
  }

  /** Goes back one processing step: the signal, model, seeds and variance as they were before it. */
  revertStep(): DatasetSummary {
    this.require();
    const step = this.#steps.pop();
    if (!step) throw new Error('nothing to revert: the data are as the file holds them');
    this.beforeModelReplaced.emit();
    const before = step.open;
    this.#optional = new Set(step.optional);
    this.seeds.clear();
    for (const p of step.seeds) this.seeds.add(p);
    this.#loadedVariance = step.loadedVariance;
    this.#open = { ...before, summary: this.#summary(before.signal, before) };
    return this.#replaced();
  }

  /** A summary of `signal` as the open dataset's next state (a new id: views drop stale answers). */
  #summary(signal: Signal, open: OpenDataset): DatasetSummary {
    const s = open.summary;
    return summarise(
      signal,
      this.#nextId++,
      s.source,
      s.signalIndex,
      s.signalCount,
      { settingsFrom: s.settingsFrom, settingsProblem: s.settingsProblem },
      open.images,
      this.steps,
    );
  }

  /** After the signal was replaced: the pixel's values, no region fit, no undo; announced. */
  #replaced(): DatasetSummary {
    const open = this.require();
    this.#pixel = Math.min(this.#pixel, open.signal.navigationSize - 1);
    open.model.fetchStoredValues(this.#pixel);
    this.regionFit = null;
    this.history.clear();
    this.processing = true;
    try {
      this.datasetChanged.emit(open.summary);
    } finally {
      this.processing = false;
    }
    this.modelChanged.emit(this.modelState());
    return open.summary;
  }

  /**
   * Set by the fit service while a run goes: moving to a pixel then only
   * changes which values the table shows (the run's results land in the maps).
   */
  running = false;

  /** Makes `pixel` current; when idle, its stored values become the model's current ones (edits and fits start from them). */
  setPixel(pixel: number): void {
    const { model } = this.require();
    model.signal.checkPixel(pixel);
    this.#pixel = pixel;
    if (!this.running) model.fetchStoredValues(pixel);
  }

  /** After a run: the model's current values are the current pixel's again (the run filled the maps). */
  syncPixel(): void {
    if (this.#open) this.setPixel(this.#pixel);
  }

  /**
   * Runs an edit of the model, recording the state before it for undo, and
   * announces the new state. A failed edit leaves the model as it was.
   */
  edit(label: string, change: (model: Model) => void): ModelState {
    const open = this.require();
    const before = { label, model: modelState(open.model), optional: [...this.#optional] };
    try {
      change(open.model);
    } catch (e) {
      this.#restore(before.model, before.optional);
      throw e;
    }
    this.history.push(before);
    this.regionFit = null;
    return this.changed();
  }

  /**
   * Replaces the model by a new one of the same signal (an EDS model built
   * from a list of elements), recording the old one for undo, and announces
   * the new state. A build that fails leaves the model as it was.
   */
  replaceModel(label: string, build: (signal: Signal) => Model): ModelState {
    const open = this.require();
    const before = { label, model: modelState(open.model), optional: [...this.#optional] };
    const model = build(open.signal);
    if (model.signal !== open.signal) throw new Error(`${label}: the model is of another signal`);
    this.beforeModelReplaced.emit();
    open.model = model;
    this.#optional = new Set();
    model.fetchStoredValues(this.#pixel);
    this.history.push(before);
    this.regionFit = null;
    return this.changed();
  }

  /** Uses a variance loaded from the file `name` (checked by the caller: variance-file.ts). */
  loadVariance(data: Float64Array, name: string): void {
    const { signal } = this.require();
    signal.setVariance({ kind: 'array', data });
    this.#loadedVariance = { variance: signal.variance, name };
  }

  setOptional(name: string, on: boolean): void {
    if (on) this.#optional.add(name);
    else this.#optional.delete(name);
  }

  renameOptional(from: string, to: string): void {
    if (this.#optional.delete(from)) this.#optional.add(to);
  }

  undo(): ModelState {
    const open = this.require();
    const entry = this.history.undo({
      model: modelState(open.model),
      optional: [...this.#optional],
    });
    if (!entry) throw new Error('nothing to undo');
    this.#restore(entry.model, entry.optional);
    return this.changed();
  }

  redo(): ModelState {
    const open = this.require();
    const entry = this.history.redo({
      model: modelState(open.model),
      optional: [...this.#optional],
    });
    if (!entry) throw new Error('nothing to redo');
    this.#restore(entry.model, entry.optional);
    return this.changed();
  }

  /**
   * Takes a run backup's model (components, values, maps) when the open one
   * is not the model the run fitted: a file reopened after a crash comes
   * with an empty model, the components the user built are in the backup.
   * Returns the model the backup can be restored onto.
   */
  adoptBackupModel(state: ReturnType<typeof modelState>): Model {
    const open = this.require();
    const same =
      open.model.components.length === state.components.length &&
      open.model.components.every(
        (c, i) =>
          c.name === state.components[i]!.name &&
          c.kind === state.components[i]!.kind &&
          JSON.stringify(c.fn.options) === JSON.stringify(state.components[i]!.options),
      );
    if (!same) this.#restore(state, [...this.#optional]);
    this.history.clear();
    return open.model;
  }

  /** Puts a saved model state back (a new Model object: the components may differ). */
  #restore(state: ReturnType<typeof modelState>, optional: readonly string[]): void {
    const open = this.require();
    this.beforeModelReplaced.emit();
    open.model = modelFromState(open.signal, state);
    this.#optional = new Set(optional);
    open.model.fetchStoredValues(this.#pixel);
  }

  /** Announces the model's state (after an edit, a fit, a run). */
  changed(): ModelState {
    const state = this.modelState();
    this.modelChanged.emit(state);
    return state;
  }

  modelState(): ModelState {
    const { model, signal } = this.require();
    const pixel = this.#pixel;
    const switches = model.channelSwitches;
    let first = -1;
    let last = -1;
    let all = true;
    switches.forEach((s, i) => {
      if (s) {
        if (first < 0) first = i;
        last = i;
      } else all = false;
    });
    const axis = signal.signalAxis;
    // The values stored at the pixel (what its spectrum is drawn with), whatever a run or a
    // fit elsewhere left in the model's current values.
    const components = model.atStoredValues(pixel, () =>
      model.components.map((c) => ({
        name: c.name,
        kind: c.kind,
        options: plainOptions(c.fn.options),
        active: c.isActiveAt(pixel),
        optional: this.#optional.has(c.name),
        parameters: c.parameters.map((p) => {
          const values = Array.from(p.current);
          return {
            name: p.name,
            fullName: p.fullName,
            values,
            std: Array.from(p.currentStd),
            free: p.free,
            bmin: p.bmin,
            bmax: p.bmax,
            units: p.units,
            isSet: p.map.isSet[pixel] === 1,
            atBound: values.map((v) => (p.free ? boundHit(v, p.bmin, p.bmax) : null)),
          };
        }),
      })),
    );
    return {
      pixel,
      position: signal.pixelPosition(pixel),
      components,
      signalRange:
        all || first < 0
          ? null
          : { start: indexToValue(axis, first), end: indexToValue(axis, last) },
      channelSwitches: Uint8Array.from(switches),
      variance: varianceSetting(signal, this.#loadedVariance),
      canUndo: this.history.undoLabel !== null,
      canRedo: this.history.redoLabel !== null,
      undoLabel: this.history.undoLabel,
      redoLabel: this.history.redoLabel,
    };
  }
}

/** A processing step: its label and what it replaced. */
interface ProcessingStep {
  label: string;
  open: OpenDataset;
  optional: string[];
  seeds: number[];
  loadedVariance: LoadedVarianceSource | null;
}

/** A variance loaded by the user, with the name of its file. */
export interface LoadedVarianceSource {
  variance: Variance;
  name: string;
}

/** The variance as the UI shows it; `loaded` names the file of a variance the user loaded. */
export function varianceSetting(
  signal: Signal,
  loaded: LoadedVarianceSource | null = null,
): VarianceSetting {
  const v = signal.variance;
  switch (v.kind) {
    case 'none':
      return { kind: 'none' };
    case 'poisson':
      return { kind: 'poisson', gain: v.gain, offset: v.offset };
    case 'constant':
      return { kind: 'constant', value: v.value };
    case 'array':
      return {
        kind: 'array',
        // Only while the loaded variance is still the one in use.
        source: loaded !== null && loaded.variance === v ? loaded.name : null,
        oneSpectrum: v.data.length === signal.channels && signal.navigationSize > 1,
      };
  }
}

function plainOptions(options: Readonly<Record<string, unknown>>): { [key: string]: PlainValue } {
  return JSON.parse(JSON.stringify(options)) as { [key: string]: PlainValue };
}
