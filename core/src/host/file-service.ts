/** The host's file service: opening (paths, uploads, the example), choosing a signal, writing files, crash sessions. */
import type { HostFileApi } from '../api/host-api.js';
import type { DatasetSource, OpenProgress, OpenResult } from '../api/types.js';
import { makeDomainExample } from '../examples/domain.js';
import type { ReadOptions, ReadProgress } from '../io/source.js';
import type { Model } from '../model/model.js';
import type { Signal } from '../model/signal.js';
import type { HostDeps, ProjectFile, SessionRecord, SessionVariance } from './host-deps.js';
import { isImage, showsMapField } from './acquisition.js';
import { Listeners } from './listeners.js';
import { decodeProjectState, encodeProjectState, type ProjectState } from './project-state.js';
import { applyVarianceSetting, varianceFromSignals } from './variance-file.js';
import type { ProjectStateInput, Workspace } from './workspace.js';

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** The stored model of each signal of a project file, with the app state saved beside it (none for other files). */
type Models = (signalIndex: number) => { model: Model | null; state: string | null };
const noModels: Models = () => ({ model: null, state: null });

/** A project's models as the open path reads them. */
function projectModels(project: ProjectFile): Models {
  return (i) => ({ model: project.model(i), state: project.state?.(i) ?? null });
}

/** Decodes a project's saved app state; a state that cannot be used is reported, not fatal. */
function projectInput(state: string | null, signal: Signal): ProjectStateInput {
  if (state === null) return { state: null, problem: null };
  try {
    return { state: decodeProjectState(state, signal.navigationSize), problem: null };
  } catch (e) {
    return { state: null, problem: e instanceof Error ? e.message : String(e) };
  }
}

export interface FileServiceHandle {
  api: HostFileApi;
  /** Reopens what the session record names; returns false when there is nothing to reopen. */
  reopenSession(): Promise<boolean>;
  /** Records the variance the user chose, so that a crash session reopens with it. */
  recordVariance(variance: SessionVariance): Promise<void>;
  /**
   * The open signal was processed (converted to energy, spikes removed): the
   * file no longer holds what is open, so no crash session is offered for it
   * (its run backup would be restored onto the unprocessed data), and Save
   * asks for a new name rather than overwrite the file.
   */
  processed(): Promise<void>;
}

export function createFileService(
  ws: Workspace,
  deps: HostDeps,
  checkIdle: (action: string) => void,
  /** What the project saves of the app (the fit service's dataset settings and seeds). */
  projectState: () => ProjectState | null = () => null,
): FileServiceHandle {
  /** Files with several signals wait here until the user picks one. */
  const choices = new Map<string, { signals: Signal[]; source: DatasetSource; models: Models }>();
  let nextToken = 1;
  let projectPath: string | null = null;
  /**
   * Every open takes a ticket; cancelOpen cancels every ticket handed out so
   * far. The readers that stream (.bcf, .emd, .hspy ...) stop between blocks
   * when their read is aborted; any other read runs to its end and its
   * result is dropped. Either way the dataset open before stays open.
   */
  let lastTicket = 0;
  let cancelledUpTo = 0;
  const ticket = (): number => ++lastTicket;
  const isCancelled = (t: number): boolean => t <= cancelledUpTo;
  /** The reads in progress, aborted by cancelOpen. */
  const reads = new Set<AbortController>();
  const openProgress = new Listeners<OpenProgress>();

  /** Reads a file for an open: its progress announced, abortable by cancelOpen, shared when the pool shares. */
  const read = async <T>(path: string, fn: (options: ReadOptions) => Promise<T>): Promise<T> => {
    const name = baseName(path);
    const controller = new AbortController();
    reads.add(controller);
    // At most one event per percent of the work (and the last one).
    let lastShown = -Infinity;
    const onProgress = (p: ReadProgress): void => {
      if (controller.signal.aborted || !(p.total > 0)) return;
      if (p.done < p.total && p.done - lastShown < p.total / 100) return;
      lastShown = p.done;
      openProgress.emit({ name, done: p.done, total: p.total, stage: p.stage ?? null });
    };
    try {
      return await fn({
        onProgress,
        signal: controller.signal,
        sharedMemory: deps.sharedMemory ?? false,
      });
    } finally {
      reads.delete(controller);
    }
  };
  /** An AbortError from a read that cancelOpen aborted. */
  const wasAborted = (e: unknown, t: number): boolean =>
    isCancelled(t) && e instanceof Error && e.name === 'AbortError';

  /** What the session file says is open (null: nothing, or not recorded). */
  let current: SessionRecord | null = null;
  const remember = async (source: DatasetSource, signalIndex: number): Promise<void> => {
    const kind = source.kind === 'example' ? 'example' : 'path';
    current = { source: { kind, path: source.path, name: source.name }, signalIndex };
    if (!deps.backups) return;
    await deps.backups.writeSession(current).catch(() => undefined);
  };

  /** Puts a recorded variance back on the open signal (a file read again). */
  const applyVariance = async (v: SessionVariance): Promise<void> => {
    const { signal } = ws.require();
    if (v.kind !== 'file') applyVarianceSetting(signal, v);
    else {
      const { data } = varianceFromSignals(await deps.readSignals(v.path), signal, v.name);
      ws.loadVariance(data, v.name);
    }
    ws.changed();
  };

  const opened = async (
    signals: Signal[],
    source: DatasetSource,
    index: number,
    record = true,
    models: Models = noModels,
  ): Promise<OpenResult> => {
    const signal = signals[index];
    if (!signal)
      throw new Error(
        `${source.name}: it holds ${signals.length} signal(s); there is no signal ${index}`,
      );
    const stored = models(index);
    // A map comes with the file's electron images of its field, for the navigator.
    const images = isImage(signal)
      ? []
      : signals.filter((s) => isImage(s) && showsMapField(s, signal));
    const dataset = ws.open(
      signal,
      source,
      index,
      signals.length,
      stored.model,
      projectInput(stored.state, signal),
      images,
    );
    projectPath = source.path?.toLowerCase().endsWith('.hspy') ? source.path : null;
    if (record) await remember(source, index);
    return { kind: 'opened', dataset };
  };

  const openSignals = async (
    signals: Signal[],
    source: DatasetSource,
    models: Models,
  ): Promise<OpenResult> => {
    if (signals.length === 0) throw new Error(`${source.name}: the file holds no signal`);
    // The file's images (HAADF, SE ...) go with its map to the navigator:
    // the user picks among the maps and spectra only, when there are several.
    const offered = signals.some((s) => !isImage(s))
      ? signals.flatMap((s, index) => (isImage(s) ? [] : [index]))
      : signals.map((_, index) => index);
    if (offered.length === 1) return opened(signals, source, offered[0]!, true, models);
    const token = `choice-${nextToken++}`;
    choices.clear();
    choices.set(token, { signals, source, models });
    return {
      kind: 'choose',
      token,
      fileName: source.name,
      signals: offered.map((index) => {
        const s = signals[index]!;
        return {
          index,
          title: s.title,
          signalType: s.signalType,
          shape: s.shape,
          dtype: s.dtype,
        };
      }),
    };
  };

  const openPath = async (
    path: string,
    kind: DatasetSource['kind'],
    t = ticket(),
  ): Promise<OpenResult> => {
    checkIdle('open another file');
    let project: ProjectFile | null;
    let signals: Signal[];
    try {
      project = await read(path, (o) => deps.readProject(path, o));
      signals = project ? project.signals : await read(path, (o) => deps.readSignals(path, o));
    } catch (e) {
      if (wasAborted(e, t)) return { kind: 'cancelled' };
      throw e;
    }
    if (isCancelled(t)) return { kind: 'cancelled' };
    const source: DatasetSource = {
      kind,
      name: baseName(path),
      path: kind === 'path' ? path : null,
    };
    return openSignals(signals, source, project ? projectModels(project) : noModels);
  };

  const openExample = async (record = true): Promise<OpenResult> => {
    checkIdle('open the example');
    const { signal } = makeDomainExample();
    return opened(
      [signal],
      { kind: 'example', name: 'Example: domains 7x15x400', path: null },
      0,
      record,
    );
  };

  const api: HostFileApi = {
    openPath: ({ path }) => openPath(path, 'path'),
    openUpload: async ({ files }) => {
      if (files.length === 0) throw new Error('no file was dropped');
      const t = ticket();
      const path = await deps.storeUpload(files);
      if (isCancelled(t)) return { kind: 'cancelled' };
      return openPath(path, 'upload', t);
    },
    cancelOpen: async () => {
      cancelledUpTo = lastTicket;
      for (const c of reads) c.abort();
    },
    onOpenProgress: openProgress.on,
    openExample: () => openExample(),
    chooseSignal: async ({ token, index }) => {
      const choice = choices.get(token);
      if (!choice) throw new Error('that choice has expired: open the file again');
      checkIdle('open another signal');
      choices.delete(token);
      return opened(choice.signals, choice.source, index, true, choice.models);
    },
    readableExtensions: async () => deps.readableExtensions(),
    writeBytes: ({ path, bytes }) => deps.writeFile(path, bytes),
    saveProjectTo: async ({ path }) => {
      const { signal } = ws.require();
      if (!deps.saveProject) {
        throw new Error(
          'saving projects as .hspy needs the HyperSpy file writer, which is not available in this build yet',
        );
      }
      const state = projectState();
      await deps.saveProject(
        path,
        signal,
        { samfire: ws.require().model },
        state ? encodeProjectState(state) : null,
      );
      projectPath = path;
    },
    projectPath: async () => projectPath,
  };

  return {
    api,
    processed: async () => {
      // Save asks for a name: the file opened holds the unprocessed data.
      projectPath = null;
      if (!current) return;
      current = null;
      await deps.backups?.writeSession(null).catch(() => undefined);
    },
    recordVariance: async (variance) => {
      if (!current) return;
      current = { ...current, variance };
      // The run's backup stays: the variance changed between runs, not the data.
      await deps.backups?.writeSession(current, true).catch(() => undefined);
    },
    reopenSession: async () => {
      const session = await deps.backups?.readSession();
      if (!session) return false;
      // Reopen without recording: recording a session drops the backup we are about to restore.
      if (session.source.kind === 'example') await openExample(false);
      else if (session.source.path) {
        const project = await deps.readProject(session.source.path);
        const signals = project ? project.signals : await deps.readSignals(session.source.path);
        await opened(
          signals,
          { kind: 'path', name: session.source.name, path: session.source.path },
          session.signalIndex,
          false,
          project ? projectModels(project) : noModels,
        );
      } else return false;
      current = session;
      // The variance the run used; a variance file gone since leaves the file's default.
      if (session.variance) await applyVariance(session.variance).catch(() => undefined);
      return true;
    },
  };
}
