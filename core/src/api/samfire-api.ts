/**
 * The one contract between the user interface and the code that opens files
 * and fits: the preload exposes it as `window.samfire` (Electron), the browser
 * client builds it over a WebSocket (browser mode), and the host implements
 * it. Change it here and every side stops compiling until it follows.
 *
 * Conventions (after VS Code's channels): every method takes at most one
 * argument, a plain object checked by guards.ts on the receiving side, and
 * returns a Promise of plain data (types.ts). Members named `onX` are events:
 * `onX(cb)` subscribes and returns the function that unsubscribes.
 * Errors arrive as rejected promises whose message names the thing
 * ("no component named 'g2'"), ready to show.
 */
import type {
  AddComponentRequest,
  AppCommand,
  ComponentKindInfo,
  DatasetSummary,
  FolderAccessInfo,
  FolderListing,
  FitProgress,
  FitStatus,
  HostStatus,
  ImageRequest,
  MapFormat,
  ModelState,
  NavigatorImage,
  OpenProgress,
  OpenResult,
  ParameterEdit,
  PixelFitOutcome,
  RecentFile,
  RegionFitOutcome,
  RegionRequest,
  RunEvent,
  RunPlot,
  SamfireCatalogue,
  SamfireSettings,
  SaveResult,
  SessionBackup,
  ShellInfo,
  SpectrumView,
  UploadedFile,
  VarianceLoadResult,
  VarianceSetting,
} from './types.js';

export type Unsubscribe = () => void;
export type Listener<T> = (value: T) => void;

/** The shell around the UI: what it can do, its menu, and the health of the service host. */
export interface AppApi {
  info(): Promise<ShellInfo>;
  /** Menu items and shortcuts (Electron); never fires in browser mode. */
  onCommand(cb: Listener<AppCommand>): Unsubscribe;
  /** The service host crashed, or was restarted (and maybe restored from a backup). */
  onHostStatus(cb: Listener<HostStatus>): Unsubscribe;
  /**
   * The shell was handed a file to open (Electron: its menu's Open Recent, a
   * file from the OS or a second launch; the path is in the recent list):
   * the UI asks about unsaved results first, then opens it with
   * file.openRecent. Never fires in browser mode.
   */
  onOpenRequest(cb: Listener<RecentFile>): Unsubscribe;
}

export interface FileApi {
  /** A native open dialog (Electron); `{ kind: 'cancelled' }` when dismissed. Browser mode: use openUpload. */
  openDialog(): Promise<OpenResult>;
  /** A file from the recent list (only paths the user chose before are accepted). */
  openRecent(request: { path: string }): Promise<OpenResult>;
  /** Files dropped on the window or uploaded (a .rpl with its .raw). */
  openUpload(request: { files: UploadedFile[] }): Promise<OpenResult>;
  /** The built-in example (a 7x15 domain-structured map with its model). */
  openExample(): Promise<OpenResult>;
  /**
   * Abandons the open in progress: its call answers `{ kind: 'cancelled' }`
   * once the host is done reading, and the dataset open before stays open.
   */
  cancelOpen(): Promise<void>;
  /** Picks one signal of a file that holds several (after an OpenResult of kind 'choose'). */
  chooseSignal(request: { token: string; index: number }): Promise<OpenResult>;
  recent(): Promise<RecentFile[]>;
  /** Browser mode: the folders open to the page (the desktop app answers available: false). */
  folders(): Promise<FolderAccessInfo>;
  /** Opens a folder to the page (remembered in the browser settings file). */
  addFolder(request: { path: string }): Promise<FolderAccessInfo>;
  removeFolder(request: { path: string }): Promise<FolderAccessInfo>;
  /** Lists a folder inside the chosen ones (null: the chosen folders). */
  browse(request: { path: string | null }): Promise<FolderListing>;
  /** Opens a file by its path, inside a chosen folder; it joins the recent list. */
  openByPath(request: { path: string }): Promise<OpenResult>;
  /**
   * Saves bytes made by the UI (a PNG of a chart) or by the host (mapFile):
   * a save dialog in Electron; browser mode answers `download` and the page
   * saves them itself.
   */
  saveBytes(request: { suggestedName: string; bytes: Uint8Array }): Promise<SaveResult>;
  /** Saves data, model and results as .hspy (`as`: always ask for a name). */
  saveProject(request: { as: boolean }): Promise<SaveResult>;
  /** The file types the host reads, for dialogs and upload pickers (".msa", ...). */
  readableExtensions(): Promise<string[]>;
  /** The run backup an earlier session left (after a crash or power cut), or null. */
  lastSession(): Promise<SessionBackup | null>;
  /** Reopens that session's dataset and restores its run from the backup (then Resume goes on). */
  resumeSession(): Promise<OpenResult>;
  /** Forgets that session and its backup (the user chose not to resume). */
  discardSession(): Promise<void>;
  /** Progress of the open in progress (large files: the readers that stream report it). */
  onOpenProgress(cb: Listener<OpenProgress>): Unsubscribe;
}

export interface DatasetApi {
  summary(): Promise<DatasetSummary | null>;
  image(request: ImageRequest): Promise<NavigatorImage>;
  spectrum(request: { pixel: number }): Promise<SpectrumView>;
  /** The sum or mean spectrum of a rectangle of the navigator, with the model (see fit.fitRegion). */
  regionSpectrum(request: { region: RegionRequest }): Promise<SpectrumView>;
  /** A map as file contents (CSV text or .npy) with a suggested file name. */
  mapFile(request: {
    image: ImageRequest;
    format: MapFormat;
  }): Promise<{ name: string; bytes: Uint8Array }>;
  onChanged(cb: Listener<DatasetSummary | null>): Unsubscribe;
}

export interface ModelApi {
  state(): Promise<ModelState>;
  componentKinds(): Promise<ComponentKindInfo[]>;
  /** Makes `pixel` current: the table shows (and edits go to) its values. */
  setPixel(request: { pixel: number }): Promise<ModelState>;
  addComponent(request: AddComponentRequest): Promise<ModelState>;
  removeComponent(request: { component: string }): Promise<ModelState>;
  renameComponent(request: { component: string; name: string }): Promise<ModelState>;
  setParameter(request: ParameterEdit): Promise<ModelState>;
  setActive(request: { component: string; active: boolean }): Promise<ModelState>;
  setOptional(request: { component: string; optional: boolean }): Promise<ModelState>;
  /** In axis values; null fits the whole axis. */
  setSignalRange(request: { range: { start: number; end: number } | null }): Promise<ModelState>;
  setVariance(request: { variance: VarianceSetting }): Promise<ModelState>;
  /**
   * Loads a noise variance from a file the user picks in a native open dialog
   * (Electron; browser mode: loadVarianceUpload). The file holds one signal
   * of the data's shape, or one spectrum (the same variance at every pixel);
   * every value positive and finite. A bad file is refused with a message
   * naming it, and the variance in use stays. Refused while SAMFire runs.
   */
  loadVarianceDialog(): Promise<VarianceLoadResult>;
  /** The same from uploaded files (browser mode; a .rpl with its .raw). */
  loadVarianceUpload(request: { files: UploadedFile[] }): Promise<ModelState>;
  /** Copies the current pixel's values to every pixel not fitted yet. */
  assignToAll(): Promise<ModelState>;
  undo(): Promise<ModelState>;
  redo(): Promise<ModelState>;
  onChanged(cb: Listener<ModelState>): Unsubscribe;
}

export interface FitApi {
  catalogue(): Promise<SamfireCatalogue>;
  settings(): Promise<SamfireSettings>;
  /** Replaces the given settings (the strategy list as a whole); refused while running. */
  updateSettings(request: Partial<SamfireSettings>): Promise<SamfireSettings>;
  /** Fits one pixel from its current values and judges it; a good fit can be kept as a seed. */
  fitPixel(request: { pixel: number; seed: boolean }): Promise<PixelFitOutcome>;
  /**
   * Fits the model to a region's mean spectrum, writes the values as
   * starting values at the region's pixels not fitted yet, then fits the
   * seed pixel (the current pixel when inside the region, else its centre)
   * from them; a good seed-pixel fit is kept as a seed when `seed`.
   */
  fitRegion(request: { region: RegionRequest; seed: boolean }): Promise<RegionFitOutcome>;
  /** Marks or unmarks seed pixels (a seed must hold a good fit to start a run from). */
  setSeeds(request: { pixels: number[]; seed: boolean }): Promise<FitStatus>;
  status(): Promise<FitStatus>;
  /** Starts a run (or resumes a stopped one from where it stopped). */
  start(): Promise<FitStatus>;
  stop(): Promise<FitStatus>;
  resume(): Promise<FitStatus>;
  onProgress(cb: Listener<FitProgress>): Unsubscribe;
  onPlot(cb: Listener<RunPlot>): Unsubscribe;
  onRunEvent(cb: Listener<RunEvent>): Unsubscribe;
}

export interface SamfireApi {
  app: AppApi;
  file: FileApi;
  dataset: DatasetApi;
  model: ModelApi;
  fit: FitApi;
}

export type ServiceName = keyof SamfireApi;

/** Names of the members of T that are events (`onX`). */
export type EventMembers<T> = { [K in keyof T]: K extends `on${string}` ? K : never }[keyof T];
/** Names of the members of T that are calls. */
export type MethodMembers<T> = Exclude<keyof T, EventMembers<T>>;

/** The argument of a call (undefined for a call that takes none). */
export type ArgOf<
  S extends ServiceName,
  M extends MethodMembers<SamfireApi[S]>,
> = SamfireApi[S][M] extends (arg: infer A) => unknown ? A : undefined;

export type ResultOf<
  S extends ServiceName,
  M extends MethodMembers<SamfireApi[S]>,
> = SamfireApi[S][M] extends (...args: never[]) => Promise<infer R> ? R : never;

/** The payload of an event. */
export type PayloadOf<
  S extends ServiceName,
  E extends EventMembers<SamfireApi[S]>,
> = SamfireApi[S][E] extends (cb: Listener<infer P>) => Unsubscribe ? P : never;
