/**
 * Plain data that crosses the API: numbers, strings, arrays, plain objects
 * and typed arrays (maps and spectra travel as Float64Array, flags as
 * Uint8Array). No classes, no functions: every transport (Electron IPC and
 * utility-process messages by structured clone, WebSocket by wire.ts) carries
 * these unchanged, NaN and infinities included.
 */
import type { AxisSpec } from '../model/axis.js';
import type { PlainValue } from '../util/schema.js';
import type {
  ImageRequest,
  RegionRequest,
  GoodnessSetting,
  StrategySetting,
  VarianceChoice,
} from './schemas.js';

// The request shapes are declared once, as schemas (schemas.ts); their types come from there.
export type { PlainValue } from '../util/schema.js';
export type {
  AddComponentRequest,
  EdsBackgroundSetting,
  EdsBuildRequest,
  EdsLinesNearRequest,
  EdsLinesRequest,
  EelsEdgesRequest,
  FitOptionsSetting,
  GoodnessSetting,
  ImageRequest,
  MapFormat,
  ParameterEdit,
  PoolSetting,
  RegionRequest,
  SamfireSettings,
  StrategySetting,
  UploadedFile,
  VarianceChoice,
} from './schemas.js';

// --- files and datasets ------------------------------------------------------

/** An axis as the app shows it: the model's axis shape (model/axis.ts), every field given. */
export type AxisInfo = Required<Omit<AxisSpec, 'values'>> & {
  /**
   * False for a non-uniform axis (an energy axis converted from a
   * wavelength): `offset` is then its first value and `scale` its mean step,
   * and the spectrum view's `x` holds every channel's value.
   */
  uniform: boolean;
};

/** An electron image of the open map's file (ImageRequest kind 'image'). */
export interface ElectronImageInfo {
  index: number;
  title: string;
  /** Its own [rows, cols] (the navigator shows it resampled to the map's pixels). */
  shape: [number, number];
}

/**
 * The acquisition's numbers a fit needs, as the file's metadata gives them
 * (HyperSpy's names): null where the file does not say.
 */
export interface AcquisitionInfo {
  /** 'SEM' or 'TEM' (Acquisition_instrument's key), or null. */
  instrument: string | null;
  /** keV */
  beamEnergy: number | null;
  /** The detector: its type or name (Detector.EDS.detector_type), or null. */
  detector: string | null;
  /** Seconds. */
  liveTime: number | null;
  realTime: number | null;
  /** eV (FWHM of Mn Kα). */
  energyResolutionMnKa: number | null;
  /** Degrees. */
  elevationAngle: number | null;
  azimuthAngle: number | null;
  /** Sample.elements and Sample.xray_lines. */
  elements: string[];
  xrayLines: string[];
  /** The signal axis' calibration when its units are an energy: offset and scale per channel. */
  energyCalibration: { offset: number; scale: number; units: string } | null;
  /** Whether the file's own header was kept (written to .hspy as original_metadata). */
  hasOriginalMetadata: boolean;
}

/** Where the open dataset came from. `path` is null for uploads and the example. */
export interface DatasetSource {
  kind: 'path' | 'upload' | 'example';
  name: string;
  path: string | null;
}

/**
 * What kind of numbers a dataset holds (host/views.ts dataValues, on a
 * sample of the data): 'counts' all whole numbers >= 0 (some above 0);
 * 'non-integer' some finite value not a whole number; 'other' neither
 * (negative whole numbers, all zero, no finite value).
 */
export type DataValues = 'counts' | 'non-integer' | 'other';

export interface DatasetSummary {
  /** Increases with every dataset opened in this host (lets views drop stale answers). */
  id: number;
  source: DatasetSource;
  title: string;
  signalType: string;
  dtype: string;
  /** Data shape in C order (navigation axes first, signal axis last). */
  shape: number[];
  navigationShape: number[];
  pixels: number;
  channels: number;
  /** Size of the data in bytes. */
  bytes: number;
  axes: AxisInfo[];
  /** Which signal of the file this is, and how many the file holds. */
  signalIndex: number;
  signalCount: number;
  /**
   * The electron images (HAADF, SE, BSE ...) the file holds beside this
   * map: the navigator offers each as an alternative to the sum.
   */
  images: ElectronImageInfo[];
  /** What a fit needs to know of the acquisition, from the file's metadata. */
  acquisition: AcquisitionInfo;
  /** True when the counts look normalised (no integer-like counts, all below ~1): redChisq will mislead. */
  looksNormalised: boolean;
  /** What kind of numbers the data hold (see DataValues). */
  values: DataValues;
  /**
   * Where the SAMFire settings come from: the defaults (a new file), or the
   * project that was opened (saved with it). Settings never carry over from
   * the file open before.
   */
  settingsFrom: 'defaults' | 'project';
  /** Why the project's saved settings could not be used (then the defaults are), or null. */
  settingsProblem: string | null;
  /**
   * The processing steps applied since the file was opened (convert to
   * energy, remove spikes), oldest first: dataset.revert goes back one.
   */
  steps: string[];
  /** Why the signal axis cannot be converted to energy (it is not a wavelength), or null. */
  energyProblem: string | null;
}

/** One spike found by dataset.findSpikes (core/src/cl/spikes.ts). */
export interface SpikeFound {
  /** Flat pixel index, and its position along the navigation axes (data order). */
  pixel: number;
  position: number[];
  channel: number;
  /** The signal axis's value at the channel (on a non-uniform axis, its own value). */
  x: number;
  /** The value found, and the running median there (what removal puts in its place). */
  value: number;
  median: number;
  /** (value - median) / robust noise: how many standard deviations above. */
  score: number;
}

/** What dataset.findSpikes found, for the user to review before removing them. */
export interface SpikeReport {
  threshold: number;
  window: number;
  /** Spikes found in all, and pixels with at least one. */
  count: number;
  pixels: number;
  /** The spikes, pixel then channel order; at most a thousand (the highest scores kept). */
  spikes: SpikeFound[];
  xUnits: string;
}

/** One signal of a file that holds several, for the user to pick from. */
export interface SignalChoice {
  index: number;
  title: string;
  signalType: string;
  shape: number[];
  dtype: string;
}

export type OpenResult =
  | { kind: 'opened'; dataset: DatasetSummary }
  /** The file holds several signals: call file.chooseSignal with the token and an index. */
  | { kind: 'choose'; token: string; fileName: string; signals: SignalChoice[] }
  | { kind: 'cancelled' };

/**
 * How far the open in progress is (file.onOpenProgress): `done` of `total`
 * units of work (bytes read or pixels decoded), and what is being done.
 */
export interface OpenProgress {
  /** The file being opened. */
  name: string;
  done: number;
  total: number;
  /** What the reader is doing ("decoding the hypermap"), or null. */
  stage: string | null;
}

export interface RecentFile {
  path: string;
  name: string;
}

/**
 * Opening by path in browser mode: the folders the user opened to the page
 * (on the command line with --folder, or added in the page). `available` is
 * false in the desktop app, which has its own dialogs.
 */
export interface FolderAccessInfo {
  available: boolean;
  folders: string[];
}

export interface FolderEntry {
  name: string;
  /** The path to open or browse (inside a chosen folder). */
  path: string;
  kind: 'folder' | 'file';
  bytes: number;
}

/** A folder's sub-folders and readable files; `path` null lists the chosen folders themselves. */
export interface FolderListing {
  path: string | null;
  /** The folder above, while it is still inside a chosen folder. */
  parent: string | null;
  entries: FolderEntry[];
  /** Entries not listed (over the listing's limit). */
  more: number;
}

export type SaveResult =
  | { kind: 'saved'; path: string }
  | { kind: 'cancelled' }
  | { kind: 'download'; name: string; bytes: Uint8Array };

/**
 * A run backup left by an earlier session (the app crashed or lost power
 * during a run): what the user is offered to resume on start.
 */
export interface SessionBackup {
  /** The dataset's name ("Example: domains 7x15x400", "map.dm4"). */
  name: string;
  /** Results the backup holds, of `pixels`. */
  results: number;
  pixels: number;
}

export interface ShellInfo {
  /** Which shell hosts the API: the desktop app or a browser talking to a local Node host. */
  shell: 'electron' | 'browser';
  appVersion: string;
  platform: string;
  /** Whether native open/save dialogs exist (browser mode: use uploads and downloads). */
  dialogs: boolean;
  /** Browser mode: the most bytes one call may carry (uploads), set by --max-upload. */
  maxUploadBytes?: number;
}

/** Menu items and shortcuts the shell forwards to the UI. */
export type AppCommand =
  | 'open'
  | 'open-example'
  | 'save-project'
  | 'save-project-as'
  | 'export-maps'
  | 'undo'
  | 'redo'
  | 'fit-pixel'
  | 'start'
  | 'stop';

/** The service host (the process that parses and fits): its crashes are reported and it restarts. */
export interface HostStatus {
  state: 'running' | 'crashed' | 'restarted';
  message: string;
  /** After a restart: whether the dataset and run were restored from the last backup. */
  restored: boolean;
}

// --- navigator images and spectra --------------------------------------------

export interface NavigatorImage {
  request: ImageRequest;
  label: string;
  units: string;
  /** [rows, cols]; a 1D navigation is [1, n], a single spectrum [1, 1]. */
  shape: [number, number];
  /**
   * rows x cols, C order; NaN where undefined: result images (parameters, std, reduced χ², on/off)
   * are NaN at every pixel without a stored fit (core/src/model/fitted.ts).
   */
  values: Float64Array;
  /** Finite range (NaN when no finite value). */
  min: number;
  max: number;
}

export interface SpectrumComponentCurve {
  name: string;
  values: Float64Array;
}

export interface SpectrumView {
  /** The pixel (for a region: its seed pixel, where a region fit is kept as a seed). */
  pixel: number;
  position: number[];
  /** Calibrated signal axis values. */
  x: Float64Array;
  data: Float64Array;
  /** The model at this pixel's stored (or current) values; null without components. */
  model: Float64Array | null;
  components: SpectrumComponentCurve[];
  /** data - model. */
  residual: Float64Array | null;
  /** 1 per channel in the signal range. */
  channelSwitches: Uint8Array;
  /** NaN when the pixel was never fitted. */
  redChisq: number;
  xLabel: string;
  xUnits: string;
  /** Set when this is a region's sum or mean (dataset.regionSpectrum), not one pixel's spectrum. */
  region?: RegionRequest & { pixels: number };
}

// --- the model -------------------------------------------------------------

export interface ParameterState {
  name: string;
  /** "component.parameter". */
  fullName: string;
  /** At the model's current pixel (several for Polynomial coefficients). */
  values: number[];
  std: number[];
  free: boolean;
  bmin: number | null;
  bmax: number | null;
  units: string;
  /** Whether the values were fitted or typed at this pixel (else they are the model's defaults). */
  isSet: boolean;
  /**
   * Per value: the bound a free parameter sits on at this pixel (within a
   * tolerance relative to the bound range, core/src/model/at-bound.ts), or
   * null. Its std is then no uncertainty.
   */
  atBound: ('bmin' | 'bmax' | null)[];
}

export interface ComponentState {
  name: string;
  kind: string;
  options: { [key: string]: PlainValue };
  /** On at the current pixel. */
  active: boolean;
  /** Switched on and off per pixel by AICc during a SAMFire run. */
  optional: boolean;
  parameters: ParameterState[];
}

export type VarianceSetting =
  | VarianceChoice
  /**
   * Explicit variances: came with the dataset's file (`source` null), or
   * loaded by the user from a file (`source` names it; model.loadVariance*).
   * `oneSpectrum`: one variance spectrum shared by every pixel.
   */
  | { kind: 'array'; source: string | null; oneSpectrum: boolean };

/** What a variance dialog gave: the model with the loaded variance, or nothing (dismissed). */
export type VarianceLoadResult = { kind: 'loaded'; model: ModelState } | { kind: 'cancelled' };

export interface ComponentKindInfo {
  kind: string;
  parameters: string[];
  /** Options the kind needs (Polynomial: order; Expression: expression). */
  options: string[];
}

export interface ModelState {
  /** The pixel whose values the parameter table shows. */
  pixel: number;
  position: number[];
  components: ComponentState[];
  /** Signal range in axis values, or null for the whole axis. */
  signalRange: { start: number; end: number } | null;
  channelSwitches: Uint8Array;
  variance: VarianceSetting;
  canUndo: boolean;
  canRedo: boolean;
  /** What undo/redo would undo or redo ("add component g"). */
  undoLabel: string | null;
  redoLabel: string | null;
}

// --- fitting --------------------------------------------------------------

/** What the host knows about settings it accepts (kinds with their default settings). */
export interface SamfireCatalogue {
  strategies: StrategySetting[];
  goodnessTests: string[];
  optimizers: string[];
  maxWorkers: number;
}

/** What the built-in goodness tests look at, for one fit (api/goodness-text.ts). */
export interface GoodnessStatistics {
  redChisq: number;
  /** Poisson deviance over the degrees of freedom (the `deviance` test's D/ν). */
  deviancePerDof: number;
  aic: number;
  aicc: number;
  bic: number;
}

export interface PixelFitOutcome {
  pixel: number;
  position: number[];
  redChisq: number;
  chisq: number;
  dof: number;
  /** The goodness test's verdict on this fit. */
  good: boolean;
  goodness: GoodnessSetting;
  converged: boolean;
  status: string;
  message: string;
  /** Parameters that ended on a bound ("g.sigma", "p.coefficients[1]"). */
  atBound: string[];
  /** What the goodness tests look at, so that a verdict can be recomputed when the test changes. */
  statistics: GoodnessStatistics;
  /** lmfit-style text report. */
  report: string;
  /** What the residual says: why a failing fit fails (noise model or missing feature, and where). */
  diagnosis: FitDiagnosisInfo;
}

/** The residual's diagnosis of one fit (core's diagnoseFit, as the app shows it). */
export interface FitDiagnosisInfo {
  /**
   * 'none': like the noise; 'noise': white residual, the variance is off;
   * 'structure': the model misses a feature; 'unclear': too few channels.
   */
  kind: 'none' | 'noise' | 'structure' | 'unclear';
  /** Mean square of (data - model) / sqrt(variance) over the fitted channels (about 1 when good). */
  meanSquare: number;
  /** Correlation of neighbouring normalised residuals (about 0 when good). */
  lag1: number;
  /** Where the residual is largest (axis values), for 'structure'. */
  region: { start: number; end: number; excess: 'above' | 'below'; sigmas: number } | null;
  text: string;
}

/** A region fit (fit.fitRegion): the fit of the region's mean, and the seed pixel's fit from it. */
export interface RegionFitOutcome {
  region: {
    pixels: number;
    redChisq: number;
    /** The goodness test's verdict on the mean's fit. */
    good: boolean;
    /** Region pixels without a fit that now start from the mean's values. */
    started: number;
    report: string;
  };
  /** The seed pixel fitted from the mean's values (a seed when good and asked for). */
  seed: PixelFitOutcome;
}

export type RunState =
  'idle' | 'starting' | 'running' | 'stopping' | 'stopped' | 'finished' | 'failed';

export interface FitProgress {
  state: RunState;
  pixels: number;
  pixelsDone: number;
  pixelsLeft: number;
  /** Results received in this run (good and bad). */
  count: number;
  /** Pixels per second over the recent results. */
  rate: number;
  /** Seconds to go at the current rate (NaN when unknown). */
  etaSeconds: number;
  activeStrategy: number;
  elapsedSeconds: number;
}

export interface MarkerPlotData {
  kind: 'marker';
  strategy: string;
  shape: [number, number];
  marker: Float64Array;
}

export interface HistogramPlotData {
  kind: 'histograms';
  strategy: string;
  histograms: { parameter: string; edges: Float64Array; counts: Float64Array }[];
}

export type RunPlot = MarkerPlotData | HistogramPlotData;

export interface FitStatus extends FitProgress {
  /** Set when the last run failed or a worker fault was reported. */
  message: string | null;
  seeds: number[];
  /** Seeds whose stored fit fails the current goodness test (a run does not start from them). */
  failingSeeds: number[];
  /** Which engine runs: the SAMFire engine, or the fallback sweep while it is not available. */
  engine: 'samfire' | 'sweep';
}

export interface RunEvent {
  /** 'retested': the stored fits were judged by the current goodness test (after it changed, or seeds that fail it). */
  kind:
    | 'strategy-changed'
    | 'backup-written'
    | 'fault'
    | 'stopped'
    | 'finished'
    | 'failed'
    | 'retested';
  message: string;
  activeStrategy: number;
}

// --- EDS models from a list of elements ----------------------------------------

/** What the EDS builder starts from: the dataset's metadata and the line database. */
export interface EdsSetup {
  /** Why no EDS model can be built for this dataset (its axis is not in eV or keV), or null. */
  problem: string | null;
  /** The elements the metadata lists (Sample.elements), preselected. */
  elements: string[];
  /** keV: the metadata's beam energy, else a default. */
  beamEnergy: number;
  beamEnergyFromMetadata: boolean;
  /** FWHM of Mn Kα, eV (metadata or default). */
  resolution: number;
  /** The default range (axis units). */
  range: { start: number; end: number };
  /** The signal axis's units (eV or keV). */
  units: string;
  /** Every element of the line database with a line, by atomic number: [Z, symbol]. */
  table: [number, string][];
  /** The model's calibration (after a build or a calibration), or null when it has none. */
  calibration: EdsCalibrationValues | null;
}

/** A line to mark on the spectrum (one of the model's lines: Fe_Ka, Fe_Kb, Ce_La...). */
export interface EdsLineMarker {
  /** Element_line, e.g. Fe_Ka. */
  name: string;
  element: string;
  family: 'K' | 'L' | 'M';
  /** Where the line lands on the signal axis (axis units, through the model's calibration if any). */
  position: number;
  /** Table energy, eV. */
  energy: number;
  /** Weight within its family. */
  weight: number;
}

/** A line near a position on the axis ("what is this peak?"). */
export interface EdsLineNear extends EdsLineMarker {
  /** Line position minus the position asked about (axis units). */
  distance: number;
}

/** The model's energy calibration and resolution. */
export interface EdsCalibrationValues {
  /** True energy of channel 0 (axis units). */
  offset: number;
  /** Energy per channel (axis units). */
  scale: number;
  /** FWHM of Mn Kα, eV. */
  fwhmMnKa: number;
  /** Whether each is free in the model. */
  free: { offset: boolean; scale: boolean; fwhmMnKa: boolean };
}

export interface EdsCalibrationOutcome {
  model: ModelState;
  calibration: EdsCalibrationValues;
  /** Standard deviations of the calibration fit. */
  std: { offset: number; scale: number; fwhmMnKa: number };
  /** The nominal axis (as the file gives it), to compare with. */
  axis: { offset: number; scale: number };
  /** Pixels summed. */
  pixels: number;
  /** Reduced chi-squared of the sum spectrum's fit. */
  redChisq: number;
}

/** An ionisation edge the EELS builder can add: on the signal axis, with its onset. */
export interface EelsEdgeChoice {
  element: string;
  /** 'K' or 'L3' (the L2,3 edge). */
  subshell: string;
  /** eV */
  onset: number;
}

/** What the EELS edge builder starts from: the microscope in the metadata and the edges on the axis. */
export interface EelsSetup {
  /** Why no edges can be added (not an energy-loss axis in eV), or null. */
  problem: string | null;
  /** Whether the dataset says it is EELS (its signal type). */
  eels: boolean;
  /** keV: the metadata's, else 200. */
  beamEnergy: number;
  beamEnergyFromMetadata: boolean;
  /** mrad: the metadata's collection semi-angle, else 10. */
  collectionAngle: number;
  collectionAngleFromMetadata: boolean;
  /** Edges with an onset on the axis (10 eV or more before its end), by onset. */
  edges: EelsEdgeChoice[];
}

/** What adding an element's edges did. */
export interface EelsEdgesOutcome {
  model: ModelState;
  /** The edge components added (O_K, Fe_L3...). */
  edges: string[];
  /** The fitting range set, and the pre-edge window the background was started from (eV). */
  range: { start: number; end: number };
  window: { start: number; end: number };
  /** What the builder assumed or could not do (a short window, r outside its bounds...). */
  notes: string[];
}

/** One cluster worker as the pool last heard of it (its heartbeats). */
export interface ClusterWorkerInfo {
  name: string;
  host: string;
  concurrency: number;
  /** What its last heartbeat said, or 'lost' when it fell silent. */
  state: 'idle' | 'loading' | 'fitting' | 'bye' | 'lost';
  /** Whether it serves this pool's current run. */
  onThisRun: boolean;
  pixels: number;
  pixelsPerSecond: number;
  inHand: number;
  /** Milliseconds since its last heartbeat. */
  silentMs: number;
}

/** The cluster pool of a run: its server, its workers, and what it dropped or redelivered. */
export interface ClusterStatus {
  url: string;
  connected: boolean;
  run: string | null;
  workers: ClusterWorkerInfo[];
  /** Answers dropped because their job was already answered. */
  duplicates: number;
  /** Job messages answered after JetStream delivered them again (their first worker was lost). */
  redelivered: number;
}
