/**
 * Every method and event of the app's services, declared once. Each call
 * names the schema of its one argument (../util/schema.ts) and its result
 * type; each event its payload type. From these tables come:
 * - the TypeScript interfaces (samfire-api.ts: SamfireApi, the renderer's
 *   view; host-api.ts: HostApi, the service host's);
 * - the allowlists of methods and events (channels.ts);
 * - the runtime guards of every argument (guards.ts), whose errors name the
 *   method and the field (`fit.fitPixel.pixel: expected an integer, got 1.5`).
 *
 * Adding a method is one entry here and its implementation in the service
 * (core/src/host/); see ARCHITECTURE.md, "Adding a host method".
 *
 * Conventions (after VS Code's channels): every method takes at most one
 * argument, a plain object, and returns a Promise of plain data (types.ts).
 * Members named `onX` are events: `onX(cb)` subscribes and returns the
 * function that unsubscribes. Errors arrive as rejected promises whose
 * message names the thing ("no component named 'g2'"), ready to show.
 */
import * as s from '../util/schema.js';
import type { Schema } from '../util/schema.js';
import * as r from './schemas.js';
import type {
  AppCommand,
  ClusterStatus,
  ComponentKindInfo,
  DatasetSummary,
  EdsCalibrationOutcome,
  EdsLineMarker,
  EdsLineNear,
  EdsSetup,
  EelsEdgesOutcome,
  EelsSetup,
  FitProgress,
  FitStatus,
  FolderAccessInfo,
  FolderListing,
  HostStatus,
  ModelState,
  NavigatorImage,
  OpenProgress,
  OpenResult,
  PixelFitOutcome,
  RecentFile,
  RegionFitOutcome,
  RunEvent,
  RunPlot,
  SamfireCatalogue,
  SamfireSettings,
  SaveResult,
  SessionBackup,
  ShellInfo,
  SpectrumView,
  SpikeReport,
  VarianceLoadResult,
} from './types.js';

/** A call: its argument's schema, and (as a type only) its result. */
export interface CallSpec<A, R> {
  readonly kind: 'call';
  readonly arg: Schema<A>;
  /** Never set: carries the result type. */
  readonly result?: R;
}

/** An event and (as a type only) its payload. */
export interface EventSpec<P> {
  readonly kind: 'event';
  /** Never set: carries the payload type. */
  readonly payload?: P;
}

/** A call taking `arg` (a schema): `call(schema).returns<Result>()`. */
export function call<A>(arg: Schema<A>): { returns<R>(): CallSpec<A, R> } {
  return { returns: () => ({ kind: 'call', arg }) };
}

/** A call taking no argument and answering an R. */
export function query<R>(): CallSpec<undefined, R> {
  return { kind: 'call', arg: s.none };
}

export function event<P>(): EventSpec<P> {
  return { kind: 'event' };
}

export type ServiceSpec = Record<string, CallSpec<unknown, unknown> | EventSpec<unknown>>;

// --- the services ---------------------------------------------------------------

/** The shell around the UI: what it can do, its menu, and the health of the service host. */
export const appContract = {
  info: query<ShellInfo>(),
  /** Menu items and shortcuts (Electron); never fires in browser mode. */
  onCommand: event<AppCommand>(),
  /** The service host crashed, or was restarted (and maybe restored from a backup). */
  onHostStatus: event<HostStatus>(),
  /**
   * The shell was handed a file to open (Electron: its menu's Open Recent, a
   * file from the OS or a second launch; the path is in the recent list):
   * the UI asks about unsaved results first, then opens it with
   * file.openRecent. Never fires in browser mode.
   */
  onOpenRequest: event<RecentFile>(),
};

/** The file calls the renderer and the host share. */
const fileShared = {
  /** Files dropped on the window or uploaded (a .rpl with its .raw). */
  openUpload: call(s.object({ files: r.uploads })).returns<OpenResult>(),
  /** The built-in example (a 7x15 domain-structured map with its model). */
  openExample: query<OpenResult>(),
  /**
   * Abandons the open in progress: its call answers `{ kind: 'cancelled' }`
   * once the host is done reading, and the dataset open before stays open.
   */
  cancelOpen: query<void>(),
  /** Picks one signal of a file that holds several (after an OpenResult of kind 'choose'). */
  chooseSignal: call(
    s.object({ token: s.string(), index: s.integer(0, 10_000) }),
  ).returns<OpenResult>(),
  /** The file types the host reads, for dialogs and upload pickers (".msa", ...). */
  readableExtensions: query<string[]>(),
  /** Progress of the open in progress (large files: the readers that stream report it). */
  onOpenProgress: event<OpenProgress>(),
};

/** Resuming an earlier session's run backup (offered by the UI on start). */
export const sessionContract = {
  /** The run backup an earlier session left (after a crash or power cut), or null. */
  lastSession: query<SessionBackup | null>(),
  /** Reopens that session's dataset and restores its run from the backup (then Resume goes on). */
  resumeSession: query<OpenResult>(),
  /** Forgets that session and its backup (the user chose not to resume). */
  discardSession: query<void>(),
};

const pathRequest = s.object({ path: r.path });

export const fileContract = {
  ...fileShared,
  ...sessionContract,
  /** A native open dialog (Electron); `{ kind: 'cancelled' }` when dismissed. Browser mode: use openUpload. */
  openDialog: query<OpenResult>(),
  /** A file from the recent list (only paths the user chose before are accepted). */
  openRecent: call(pathRequest).returns<OpenResult>(),
  recent: query<RecentFile[]>(),
  /** Browser mode: the folders open to the page (the desktop app answers available: false). */
  folders: query<FolderAccessInfo>(),
  /** Opens a folder to the page (remembered in the browser settings file). */
  addFolder: call(pathRequest).returns<FolderAccessInfo>(),
  removeFolder: call(pathRequest).returns<FolderAccessInfo>(),
  /** Lists a folder inside the chosen ones (null: the chosen folders). */
  browse: call(s.object({ path: s.nullable(r.path) })).returns<FolderListing>(),
  /** Opens a file by its path, inside a chosen folder; it joins the recent list. */
  openByPath: call(pathRequest).returns<OpenResult>(),
  /**
   * Saves bytes made by the UI (a PNG of a chart) or by the host (mapFile):
   * a save dialog in Electron; browser mode answers `download` and the page
   * saves them itself.
   */
  saveBytes: call(s.object({ suggestedName: s.string(255), bytes: s.bytes })).returns<SaveResult>(),
  /** Saves data, model and results as .hspy (`as`: always ask for a name). */
  saveProject: call(s.object({ as: s.boolean })).returns<SaveResult>(),
};

export const datasetContract = {
  summary: query<DatasetSummary | null>(),
  image: call(r.imageRequest).returns<NavigatorImage>(),
  spectrum: call(s.object({ pixel: r.pixel })).returns<SpectrumView>(),
  /** The sum or mean spectrum of a rectangle of the navigator, with the model (see fit.fitRegion). */
  regionSpectrum: call(s.object({ region: r.regionRequest })).returns<SpectrumView>(),
  /** A map as file contents (CSV text or .npy) with a suggested file name. */
  mapFile: call(s.object({ image: r.imageRequest, format: r.mapFormat })).returns<{
    name: string;
    bytes: Uint8Array;
  }>(),
  /**
   * Converts a signal on a wavelength axis (nm, µm, Å, m) to a non-uniform
   * energy axis in eV (cl/energy-axis.ts wavelengthToEnergy: E = hc/λ, the
   * intensity scaled by the Jacobian unless binned). A processing step: the
   * model starts empty, and revert goes back to the wavelength data.
   * Refused, naming the dataset, when the axis is not a wavelength.
   */
  convertToEnergy: query<DatasetSummary>(),
  /** Finds spikes (cosmic rays) in every spectrum, for review (cl/spikes.ts findSpikes); changes nothing. */
  findSpikes: call(r.spikeRequest).returns<SpikeReport>(),
  /**
   * Finds the spikes with these parameters again and replaces each by the
   * running median of its neighbours (removeSpikes); a processing step that
   * keeps the model. Refused when there is no spike to remove.
   */
  removeSpikes: call(r.spikeRequest).returns<DatasetSummary>(),
  /** Goes back one processing step (the data, model and seeds as they were before it). */
  revert: query<DatasetSummary>(),
  onChanged: event<DatasetSummary | null>(),
};

const componentRequest = s.object({ component: s.string() });

/** The model calls the renderer and the host share (each adds its own way to load a variance). */
const modelShared = {
  state: query<ModelState>(),
  componentKinds: query<ComponentKindInfo[]>(),
  /** Makes `pixel` current: the table shows (and edits go to) its values. */
  setPixel: call(s.object({ pixel: r.pixel })).returns<ModelState>(),
  addComponent: call(r.addComponentRequest).returns<ModelState>(),
  removeComponent: call(componentRequest).returns<ModelState>(),
  renameComponent: call(
    s.object({ component: s.string(), name: s.string() }),
  ).returns<ModelState>(),
  setParameter: call(r.parameterEdit).returns<ModelState>(),
  setActive: call(s.object({ component: s.string(), active: s.boolean })).returns<ModelState>(),
  setOptional: call(s.object({ component: s.string(), optional: s.boolean })).returns<ModelState>(),
  /** In axis values; null fits the whole axis. */
  setSignalRange: call(s.object({ range: s.nullable(r.axisRange) })).returns<ModelState>(),
  setVariance: call(s.object({ variance: r.varianceChoice })).returns<ModelState>(),
  /** Loads a noise variance from uploaded files (browser mode; a .rpl with its .raw); see loadVarianceDialog. */
  loadVarianceUpload: call(s.object({ files: r.uploads })).returns<ModelState>(),
  /** Copies the current pixel's values to every pixel not fitted yet. */
  assignToAll: query<ModelState>(),
  undo: query<ModelState>(),
  redo: query<ModelState>(),
  /** What the EDS builder starts from (the metadata's elements, beam energy, range; the table). */
  edsSetup: query<EdsSetup>(),
  /**
   * Replaces the model by an EDS model of the chosen elements (buildEdsModel:
   * a calibration, a background, one family per element line family in
   * range, amplitudes started from the mean spectrum); one undoable edit.
   */
  buildEdsModel: call(r.edsBuildRequest).returns<ModelState>(),
  /** The lines of these elements within the range and the beam's reach, for markers. */
  edsLines: call(r.edsLinesRequest).returns<EdsLineMarker[]>(),
  /** Lines of any element near a position on the axis, nearest first ("what is this peak?"). */
  edsLinesNear: call(r.edsLinesNearRequest).returns<EdsLineNear[]>(),
  /**
   * Fits the calibration (offset, scale, FWHM of Mn Kα) on the sum spectrum
   * of every pixel, or of a region, then fixes it (calibrate); one undoable
   * edit. Refused while SAMFire runs.
   */
  calibrateEds: call(r.edsCalibrateRequest).returns<EdsCalibrationOutcome>(),
  /** What the EELS edge builder starts from (the metadata's microscope, the edges on the axis). */
  eelsSetup: query<EelsSetup>(),
  /**
   * Adds the K and L2,3 edges of an element on the axis (addEdges: onsets
   * from the table, a power law if there is none, started in the pre-edge
   * window of the current pixel, the fitting range set); one undoable edit.
   */
  addEelsEdges: call(r.eelsEdgesRequest).returns<EelsEdgesOutcome>(),
  onChanged: event<ModelState>(),
};

export const modelContract = {
  ...modelShared,
  /**
   * Loads a noise variance from a file the user picks in a native open dialog
   * (Electron; browser mode: loadVarianceUpload). The file holds one signal
   * of the data's shape, or one spectrum (the same variance at every pixel);
   * every value positive and finite. A bad file is refused with a message
   * naming it, and the variance in use stays. Refused while SAMFire runs.
   */
  loadVarianceDialog: query<VarianceLoadResult>(),
};

export const fitContract = {
  catalogue: query<SamfireCatalogue>(),
  settings: query<SamfireSettings>(),
  /** Replaces the given settings (the strategy list as a whole); refused while running. */
  updateSettings: call(r.settingsPatch).returns<SamfireSettings>(),
  /** Fits one pixel from its current values and judges it; a good fit can be kept as a seed. */
  fitPixel: call(s.object({ pixel: r.pixel, seed: s.boolean })).returns<PixelFitOutcome>(),
  /**
   * Fits the model to a region's mean spectrum, writes the values as
   * starting values at the region's pixels not fitted yet, then fits the
   * seed pixel (the current pixel when inside the region, else its centre)
   * from them; a good seed-pixel fit is kept as a seed when `seed`.
   */
  fitRegion: call(
    s.object({ region: r.regionRequest, seed: s.boolean }),
  ).returns<RegionFitOutcome>(),
  /** Marks or unmarks seed pixels (a seed must hold a good fit to start a run from). */
  setSeeds: call(s.object({ pixels: s.list(r.pixel), seed: s.boolean })).returns<FitStatus>(),
  status: query<FitStatus>(),
  /**
   * The cluster pool of the current (or last) run: its workers, their hosts
   * and rates; null when the run is on this machine or none has started.
   */
  cluster: query<ClusterStatus | null>(),
  /** Starts a run (or resumes a stopped one from where it stopped). */
  start: query<FitStatus>(),
  stop: query<FitStatus>(),
  resume: query<FitStatus>(),
  onProgress: event<FitProgress>(),
  onPlot: event<RunPlot>(),
  onRunEvent: event<RunEvent>(),
};

/** What the renderer reaches (window.samfire; main and the browser server check it). */
export const samfireContract = {
  app: appContract,
  file: fileContract,
  dataset: datasetContract,
  model: modelContract,
  fit: fitContract,
};

// --- the host's side --------------------------------------------------------------

/**
 * The file calls of the service host: the shared ones, and the few a shell
 * makes once the user has chosen a path in one of its dialogs.
 */
export const hostFileContract = {
  ...fileShared,
  /** A path the user chose in a dialog, or passed on the command line or by the OS. */
  openPath: call(pathRequest).returns<OpenResult>(),
  /** Writes bytes to a path the user chose in a save dialog (atomically). */
  writeBytes: call(s.object({ path: r.path, bytes: s.bytes })).returns<void>(),
  /** Saves the project (.hspy) to a path the user chose. */
  saveProjectTo: call(pathRequest).returns<void>(),
  /** The path of the open dataset's project, when it was opened from or saved to one. */
  projectPath: query<string | null>(),
};

/** The model service without the dialog (the shell shows it, then calls loadVariancePath). */
export const hostModelContract = {
  ...modelShared,
  /** Loads the noise variance from a file the user chose in a dialog (see loadVarianceDialog). */
  loadVariancePath: call(pathRequest).returns<ModelState>(),
};

/**
 * What the service host implements: the renderer's services without what
 * only a shell can do (dialogs, the recent list, the menu).
 */
export const hostContract = {
  file: { ...hostFileContract, ...sessionContract },
  dataset: datasetContract,
  model: hostModelContract,
  fit: fitContract,
};

// --- types from the tables ------------------------------------------------------------

export type { Listener, Unsubscribe } from '../util/listeners.js';
import type { Listener, Unsubscribe } from '../util/listeners.js';

/** The TypeScript interface of one service table (documentation comments carried over). */
export type ServiceOf<C> = {
  -readonly [K in keyof C]: C[K] extends CallSpec<infer A, infer R>
    ? [A] extends [undefined]
      ? () => Promise<R>
      : (request: A) => Promise<R>
    : C[K] extends EventSpec<infer P>
      ? (cb: Listener<P>) => Unsubscribe
      : never;
};

/** The interfaces of every service of a contract. */
export type ApiOf<C> = { -readonly [S in keyof C]: ServiceOf<C[S]> };

/** The names of a table's calls, and of its events. */
export type CallNames<C> = {
  [K in keyof C]: C[K] extends CallSpec<unknown, unknown> ? K : never;
}[keyof C];
export type EventNames<C> = {
  [K in keyof C]: C[K] extends EventSpec<unknown> ? K : never;
}[keyof C];

/** The calls of each service of a contract, in declaration order. */
export function callsOf<C extends Record<string, ServiceSpec>>(
  contract: C,
): { [S in keyof C]: readonly CallNames<C[S]>[] } {
  return Object.fromEntries(
    Object.entries(contract).map(([service, table]) => [
      service,
      Object.keys(table).filter((k) => table[k]!.kind === 'call'),
    ]),
  ) as unknown as { [S in keyof C]: readonly CallNames<C[S]>[] };
}

/** The events of each service of a contract, in declaration order. */
export function eventsOf<C extends Record<string, ServiceSpec>>(
  contract: C,
): { [S in keyof C]: readonly EventNames<C[S]>[] } {
  return Object.fromEntries(
    Object.entries(contract).map(([service, table]) => [
      service,
      Object.keys(table).filter((k) => table[k]!.kind === 'event'),
    ]),
  ) as unknown as { [S in keyof C]: readonly EventNames<C[S]>[] };
}
