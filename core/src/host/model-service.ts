/** The model service: the parameter table, component edits, signal range, noise, undo and redo. */
import type { HostModelApi } from '../api/host-api.js';
import type { ComponentKindInfo, ModelState, VarianceSetting } from '../api/types.js';
import { componentKinds, createComponentFunction } from '../components/index.js';
import '../kinds/index.js';
import type { HostDeps, SessionVariance } from './host-deps.js';
import { createEdsService } from './eds-service.js';
import { createEelsService } from './eels-service.js';
import { placeComponent, placementData } from './placement.js';
import { applyVarianceSetting, varianceFromSignals } from './variance-file.js';
import type { Workspace } from './workspace.js';

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

const DEFAULT_OPTIONS: Record<string, Record<string, unknown>> = {
  Polynomial: { order: 2 },
  Expression: { expression: 'A * x + B' },
};

/**
 * Kinds that only a model builder can make (it knows the X-ray lines and the
 * energy axis, or the element and microscope): buildEdsModel and addEdges add
 * them; the generic Add list leaves them out.
 */
const BUILDER_KINDS = new Set(['XrayFamily', 'EdsCalibration', 'EELSCLEdge']);

/** The kinds the Add list offers: every registered kind a user can add with default options. */
export function addableKinds(): string[] {
  return componentKinds().filter((k) => !BUILDER_KINDS.has(k));
}

export function kindInfo(kind: string): ComponentKindInfo {
  const fn = createComponentFunction(kind, DEFAULT_OPTIONS[kind] ?? {});
  return {
    kind,
    parameters: fn.parameters.map((p) => p.name),
    options: Object.keys(DEFAULT_OPTIONS[kind] ?? {}),
  };
}

export function createModelService(
  ws: Workspace,
  checkIdle: (action: string) => void,
  files: Pick<HostDeps, 'readSignals' | 'storeUpload'>,
  /** Told the variance the user chose (the session record keeps it for crash recovery). */
  varianceChosen: (variance: SessionVariance) => Promise<void> = async () => undefined,
): HostModelApi {
  /**
   * Reads a variance file and uses it; a file that cannot be read or does not
   * fit (variance-file.ts) is refused and the variance in use stays.
   * Like setVariance, not an undoable edit: the variance belongs to the data.
   */
  const loadVariance = async (path: string): Promise<ModelState> => {
    const name = baseName(path);
    const action = 'load a noise variance';
    checkIdle(action);
    const { signal } = ws.require();
    const { data } = varianceFromSignals(await files.readSignals(path), signal, name);
    // The file was read while other calls could run: check again before changing anything.
    checkIdle(action);
    if (ws.require().signal !== signal)
      throw new Error(`${name}: another dataset was opened meanwhile`);
    ws.loadVariance(data, name);
    await varianceChosen({ kind: 'file', path, name });
    return ws.changed();
  };
  const edit = async (
    label: string,
    change: Parameters<Workspace['edit']>[1],
  ): Promise<ModelState> => {
    checkIdle(label);
    return ws.edit(label, change);
  };
  return {
    state: async () => ws.modelState(),
    componentKinds: async () => addableKinds().map(kindInfo),
    setPixel: async ({ pixel }) => {
      ws.setPixel(pixel);
      return ws.changed();
    },
    addComponent: ({ kind, name, options, view }) =>
      edit(`add component ${name ?? kind}`, (model) => {
        // What the components already there leave at this pixel: the new one goes on that.
        const residual = placementData(model, ws.pixel);
        const c = model.append({
          kind,
          ...(name === undefined ? {} : { name }),
          options: options ?? DEFAULT_OPTIONS[kind] ?? {},
        });
        placeComponent(model, c, residual, view);
        // It starts from these values everywhere (the other pixels' fits start from them too).
        for (const p of c.parameters) p.assignToAll();
      }),
    removeComponent: ({ component }) =>
      edit(`remove component ${component}`, (model) => {
        const c = model.remove(component);
        ws.setOptional(c.name, false);
      }),
    renameComponent: ({ component, name }) =>
      edit(`rename ${component} to ${name}`, (model) => {
        model.rename(component, name);
        ws.renameOptional(component, name);
      }),
    setParameter: (e) =>
      edit(`edit ${e.parameter}`, (model) => {
        const p = model.parameter(e.parameter);
        p.set({
          ...(e.value === undefined ? {} : { value: e.value }),
          ...(e.free === undefined ? {} : { free: e.free }),
          ...(e.bmin === undefined ? {} : { bmin: e.bmin }),
          ...(e.bmax === undefined ? {} : { bmax: e.bmax }),
        });
        // Typed values belong to this pixel (and stay when the user moves on).
        if (e.value !== undefined) p.store(ws.pixel);
        if (e.allPixels) p.assignToAll();
      }),
    setActive: ({ component, active }) =>
      edit(`${active ? 'switch on' : 'switch off'} ${component}`, (model) => {
        const c = model.component(component);
        c.active = active;
        if (c.activeMap) c.store(ws.pixel);
      }),
    setOptional: ({ component, optional }) =>
      edit(`${optional ? 'make optional' : 'make required'} ${component}`, (model) => {
        ws.setOptional(model.component(component).name, optional);
      }),
    setSignalRange: ({ range }) =>
      edit('change the signal range', (model) => {
        if (range === null) model.resetSignalRange();
        else model.setSignalRange(range.start, range.end);
        if (model.fittedChannels === 0) throw new Error('signal range: no channel is left to fit');
      }),
    setVariance: async ({ variance }) => {
      checkIdle('change the noise variance');
      const { signal } = ws.require();
      // In-process callers skip the guard: refuse an array here too.
      if ((variance as VarianceSetting).kind === 'array')
        throw new Error('a variance array cannot be set here: load it from a file');
      applyVarianceSetting(signal, variance);
      await varianceChosen(variance);
      return ws.changed();
    },
    loadVariancePath: ({ path }) => loadVariance(path),
    loadVarianceUpload: async ({ files: uploads }) => {
      checkIdle('load a noise variance');
      ws.require();
      if (uploads.length === 0) throw new Error('no variance file was given');
      return loadVariance(await files.storeUpload(uploads));
    },
    assignToAll: () =>
      edit('copy values to all pixels', (model) => {
        for (const c of model.components) {
          for (const p of c.parameters) {
            for (let px = 0; px < p.map.isSet.length; px++) {
              if (p.map.isSet[px]) continue;
              p.map.values.set(p.current, px * p.length);
              p.map.std.fill(NaN, px * p.length, (px + 1) * p.length);
            }
          }
        }
      }),
    undo: async () => {
      checkIdle('undo');
      return ws.undo();
    },
    redo: async () => {
      checkIdle('redo');
      return ws.redo();
    },
    ...createEdsService(ws, checkIdle),
    ...createEelsService(ws, checkIdle),
    onChanged: ws.modelChanged.on,
  };
}
