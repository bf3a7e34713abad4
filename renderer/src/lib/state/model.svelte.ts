/**
 * The model builder's state: the model at the current pixel, the component
 * library, edits (each one undoable), drafts typed into the parameter table
 * and their validation errors. Typed values belong to the current pixel.
 */
import type {
  AddComponentRequest,
  ComponentKindInfo,
  ModelApi,
  ModelState,
  ParameterState,
  PlainValue,
  VarianceChoice,
} from '@samfire/core/api';
import { peakEdits } from '../charts/peak-handles.js';
import type { PeakHandle } from '../charts/peak-handles.js';
import {
  checkElementDraft,
  checkParameterDraft,
  elementName,
} from '../logic/parameter-validation.js';
import type { FieldError, ParameterDraft, ParameterField } from '../logic/parameter-validation.js';
import type { Feedback } from './store-deps.js';

/** What the model store needs: the model service, and the rest of the app it affects. */
export interface ModelDeps extends Feedback {
  model: ModelApi;
  /** The pixel the navigator shows (the model's state is of that pixel). */
  pixel(): number;
  /** The part of the spectrum's axis in view (a new component is placed there). */
  visibleRange(): { start: number; end: number } | undefined;
  /** Whether a SAMFire run is going (the model is not edited then). */
  running(): boolean;
  /** An edit was made: the results are unsaved and every view shows the new model. */
  onedited(): Promise<void>;
}

/** A copy of a record without one key. */
function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  const out = { ...record };
  delete out[key];
  return out;
}

export class ModelStore {
  state = $state.raw<ModelState | null>(null);
  kinds = $state.raw<ComponentKindInfo[]>([]);
  /**
   * Typed, not yet applied: `drafts[fullName][field]`; one value of a
   * multi-valued parameter under its element name (`drafts['p.coefficients[1]'].value`).
   */
  drafts = $state<Record<string, ParameterDraft>>({});
  /** Why a draft was refused, field by field: `errors[fullName]` (or the element name). */
  errors = $state<Record<string, FieldError[]>>({});
  /** Also copy typed values to every pixel (a starting guess everywhere). */
  allPixels = $state(false);
  /** The add-component form, kept across tab switches. */
  addKind = $state('Gaussian');
  addName = $state('');
  readonly #deps: ModelDeps;

  constructor(deps: ModelDeps) {
    this.#deps = deps;
    deps.model.onChanged((m) => {
      this.state = m;
    });
  }

  async load(): Promise<void> {
    const s = this.#deps;
    this.drafts = {};
    this.errors = {};
    const [state, kinds] = await Promise.all([
      s.guard('Could not read the model', () => s.model.state()),
      this.kinds.length > 0
        ? Promise.resolve(this.kinds)
        : s.model.componentKinds().catch(() => []),
    ]);
    this.state = state;
    this.kinds = kinds;
  }

  /**
   * Runs a model edit and redraws the views; `what` names it in an error ("Could not add g").
   * An edit that resolves null did nothing (a dialog was dismissed).
   */
  async #edit(what: string, edit: () => Promise<ModelState | null>): Promise<boolean> {
    const s = this.#deps;
    if (s.running()) {
      s.notify('warning', `Cannot ${what} while SAMFire runs`, 'Stop the run first.');
      return false;
    }
    const state = await s.guard(`Could not ${what}`, edit);
    if (!state) return false;
    this.state = state;
    await s.onedited();
    return true;
  }

  /** A model edit made elsewhere (the EDS builder): the same checks, notices and redraws. */
  runEdit(what: string, edit: () => Promise<ModelState | null>): Promise<boolean> {
    return this.#edit(what, edit);
  }

  /** Adds a component, placed by the host from the data in the visible part of the spectrum. */
  add(request: AddComponentRequest): Promise<boolean> {
    const m = this.#deps.model;
    const view = this.#deps.visibleRange();
    return this.#edit(`add ${request.name ?? request.kind}`, () =>
      m.addComponent({ ...request, ...(view && !request.view ? { view } : {}) }),
    );
  }

  remove(component: string): Promise<boolean> {
    const m = this.#deps.model;
    return this.#edit(`remove ${component}`, () => m.removeComponent({ component }));
  }

  rename(component: string, name: string): Promise<boolean> {
    const m = this.#deps.model;
    return this.#edit(`rename ${component}`, () => m.renameComponent({ component, name }));
  }

  setActive(component: string, active: boolean): Promise<boolean> {
    const m = this.#deps.model;
    return this.#edit(`switch ${component} ${active ? 'on' : 'off'}`, () =>
      m.setActive({ component, active }),
    );
  }

  setOptional(component: string, optional: boolean): Promise<boolean> {
    const m = this.#deps.model;
    return this.#edit(`make ${component} ${optional ? 'optional' : 'required'}`, () =>
      m.setOptional({ component, optional }),
    );
  }

  setFree(p: ParameterState, free: boolean): Promise<boolean> {
    const m = this.#deps.model;
    return this.#edit(`${free ? 'free' : 'fix'} ${p.fullName}`, () =>
      m.setParameter({ parameter: p.fullName, free }),
    );
  }

  /** Keeps what was typed in a field (applied on Enter or when the field is left). */
  type(p: ParameterState, field: ParameterField, text: string): void {
    this.drafts = { ...this.drafts, [p.fullName]: { ...this.drafts[p.fullName], [field]: text } };
  }

  /** Validates and applies the draft of a row; returns whether it went through. */
  async commit(p: ParameterState): Promise<boolean> {
    const draft = this.drafts[p.fullName];
    if (!draft) return true;
    const check = checkParameterDraft(p, draft);
    const rest = without(this.errors, p.fullName);
    if (check.errors.length > 0) {
      this.errors = { ...rest, [p.fullName]: check.errors };
      return false;
    }
    this.errors = rest;
    this.drafts = without(this.drafts, p.fullName);
    if (!check.edit) return true;
    const edit = {
      ...check.edit,
      ...(this.allPixels && check.edit.value !== undefined ? { allPixels: true } : {}),
    };
    const m = this.#deps.model;
    return this.#edit(`set ${p.fullName}`, () => m.setParameter(edit));
  }

  /** Keeps what was typed for one value of a multi-valued parameter. */
  typeElement(p: ParameterState, index: number, text: string): void {
    this.drafts = { ...this.drafts, [elementName(p.fullName, index)]: { value: text } };
  }

  /** Validates and applies what was typed for one value of a multi-valued parameter. */
  async commitElement(p: ParameterState, index: number): Promise<boolean> {
    const key = elementName(p.fullName, index);
    const text = this.drafts[key]?.value;
    if (text === undefined) return true;
    const check = checkElementDraft(p, index, text);
    const rest = without(this.errors, key);
    if (check.errors.length > 0) {
      this.errors = { ...rest, [key]: check.errors };
      return false;
    }
    this.errors = rest;
    this.drafts = without(this.drafts, key);
    if (!check.edit) return true;
    const edit = { ...check.edit, ...(this.allPixels ? { allPixels: true } : {}) };
    const m = this.#deps.model;
    return this.#edit(`set ${key}`, () => m.setParameter(edit));
  }

  /**
   * Applies every typed value before a fit or a run; returns the messages of
   * those refused (they stay in the table, marked, for the user to fix), so
   * that nothing typed is dropped silently.
   */
  async commitAll(): Promise<string[]> {
    const params = (this.state?.components ?? []).flatMap((c) => c.parameters);
    for (const key of Object.keys(this.drafts)) {
      const p = params.find((q) => q.fullName === key);
      if (p) {
        await this.commit(p);
        continue;
      }
      const m = /^(.*)\[(\d+)\]$/.exec(key);
      const q = m ? params.find((x) => x.fullName === m[1]) : undefined;
      if (q && m) await this.commitElement(q, Number(m[2]));
    }
    return Object.values(this.errors).flatMap((list) => list.map((e) => e.message));
  }

  /** Forgets a row's draft (Escape). */
  revert(p: ParameterState, index: number | null = null): void {
    const key = index === null ? p.fullName : elementName(p.fullName, index);
    this.drafts = without(this.drafts, key);
    this.errors = without(this.errors, key);
  }

  /** Reads the model's state at the current pixel again (during a run, its results arrive). */
  async refreshState(): Promise<void> {
    const s = this.#deps;
    const pixel = s.pixel();
    const state = await s.model.state().catch(() => null);
    if (state && state.pixel === s.pixel() && pixel === s.pixel()) this.state = state;
  }

  /** Moves a peak's top (a handle dropped on the spectrum): its centre, then its amplitude. */
  async movePeak(handle: PeakHandle, x: number, y: number): Promise<void> {
    const m = this.#deps.model;
    for (const edit of peakEdits(handle, x, y)) {
      if (!(await this.#edit(`set ${edit.parameter}`, () => m.setParameter(edit)))) return;
    }
  }

  setSignalRange(range: { start: number; end: number } | null): Promise<boolean> {
    const m = this.#deps.model;
    return this.#edit('set the signal range', () => m.setSignalRange({ range }));
  }

  setVariance(variance: VarianceChoice): Promise<boolean> {
    const m = this.#deps.model;
    return this.#edit('set the noise variance', () => m.setVariance({ variance }));
  }

  /** Loads a noise variance from a file picked in the native dialog (Electron). */
  async loadVarianceDialog(): Promise<boolean> {
    const m = this.#deps.model;
    const loaded = await this.#edit('load the variance', async () => {
      const r = await m.loadVarianceDialog();
      return r.kind === 'loaded' ? r.model : null;
    });
    if (loaded) this.#varianceLoaded();
    return loaded;
  }

  /** Loads a noise variance from files the user picked in the page (browser mode; a .rpl with its .raw). */
  async loadVarianceFiles(files: readonly File[]): Promise<boolean> {
    if (files.length === 0) return false;
    const names = files.map((f) => f.name).join(' + ');
    const m = this.#deps.model;
    const loaded = await this.#edit(`load the variance from ${names}`, async () => {
      const uploads = await Promise.all(
        files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })),
      );
      return m.loadVarianceUpload({ files: uploads });
    });
    if (loaded) this.#varianceLoaded();
    return loaded;
  }

  #varianceLoaded(): void {
    const v = this.state?.variance;
    if (v?.kind !== 'array') return;
    this.#deps.notify(
      'success',
      `Variance loaded from ${v.source ?? 'the file'}`,
      v.oneSpectrum ? 'One spectrum, the same at every pixel.' : 'One value per data point.',
    );
  }

  assignToAll(): Promise<boolean> {
    const m = this.#deps.model;
    return this.#edit('copy the values to all pixels', () => m.assignToAll());
  }

  undo(): Promise<void> {
    if (!this.state?.canUndo) return Promise.resolve();
    const m = this.#deps.model;
    return this.#edit(`undo ${this.state.undoLabel ?? ''}`.trim(), () => m.undo()).then(
      () => undefined,
    );
  }

  redo(): Promise<void> {
    if (!this.state?.canRedo) return Promise.resolve();
    const m = this.#deps.model;
    return this.#edit(`redo ${this.state.redoLabel ?? ''}`.trim(), () => m.redo()).then(
      () => undefined,
    );
  }

  /** Default options for a kind (Polynomial: order 2). */
  static defaultOptions(kind: string): { [key: string]: PlainValue } | undefined {
    if (kind === 'Polynomial') return { order: 2 };
    if (kind === 'Expression') return { expression: 'A * x + B' };
    return undefined;
  }
}
