/**
 * `@samfire/core`: the pure fitting API. Runs anywhere JavaScript runs (Node,
 * an Electron utility process, a browser worker): nothing here touches Node,
 * the DOM or Electron.
 *
 * - data: dtypes, axes, signals (with their noise variance);
 * - components: the built-in kinds, their registry and the helpers a new kind needs;
 * - models: Model, Parameter, parameter maps, information criteria;
 * - optimisers: the bounded Levenberg-Marquardt (`lm`) and `mljs`;
 * - the fit report;
 * - SAMFire: the engine, its strategies, goodness tests and weights, backups
 *   as data, model states, the worker-pool contract and the in-process pool;
 * - files as bytes: FileFormatError and the readers and writers that parse
 *   or produce bytes in memory (DM3/DM4, EMSA, NumPy, Ripple, result maps);
 * - EDS: the X-ray line database and its look-ups;
 * - the domain example (a synthetic map with known truth) and the seeded Random.
 *
 * Files by path, Node pools, backup files and the host's Node side are in
 * `@samfire/core/node`; the host's service layer in `@samfire/core/host`; the
 * app's typed contract in `@samfire/core/api`. Everything not listed here is
 * internal and may change without notice.
 */

// Data
// The EDS and EELS component kinds register themselves here.
import './kinds/index.js';

export {
  DTYPES,
  DTYPE_SIZE,
  allocate,
  arrayMatchesDType,
  dtypeOf,
  isDType,
  readAsFloat64,
  toFloat64,
  type DType,
  type NumericArray,
} from './model/dtype.js';
export {
  axisBinWidths,
  axisValues,
  checkAxis,
  indexToValue,
  isUniformAxis,
  nonUniformAxis,
  valueToIndex,
  type AxisSpec,
} from './model/axis.js';
export {
  Signal,
  varianceAt,
  type PoissonOptions,
  type SignalOptions,
  type Variance,
} from './model/signal.js';

// Components
export {
  componentKinds,
  createComponentFunction,
  exponential,
  expression,
  gaussian,
  lorentzian,
  offset,
  polynomial,
  powerLaw,
  pseudoVoigt,
  registerComponentKind,
  type ComponentFactory,
  type ComponentFunction,
  type ParameterSpec,
} from './components/index.js';
export { centralDifferenceJacobian, slotCount } from './components/component.js';
export { ExpressionError, type ExpressionOptions } from './components/expression.js';
export type { PolynomialOptions } from './components/polynomial.js';

// Models
export { Component } from './model/component.js';
export { Parameter, type ParameterSettings } from './model/parameter.js';
export { createParameterMap, type ParameterMap } from './model/parameter-map.js';
export { compileTie, IDENTITY_TIE, type TieFunction, type TieSpec } from './model/tie.js';
export {
  Model,
  slotNames,
  tieSpecs,
  type ComponentInput,
  type FitOptions,
  type FitResult,
  type SignalRangeUnit,
} from './model/model.js';
export {
  informationCriteria,
  POISSON_FLOOR,
  poissonDeviance,
  poissonLogLikelihood,
  type InformationCriteria,
} from './model/information-criteria.js';
export { LOSS_FUNCTIONS, isLossFunction, type LossFunction } from './model/model-problem.js';

// Optimisers
export {
  OPTIMIZER_NAMES,
  LevenbergMarquardt,
  MljsLevenbergMarquardt,
  createOptimiser,
  isOptimizerName,
  type OptimizerName,
} from './optimiser/index.js';
export {
  DEFAULT_FTOL,
  DEFAULT_XTOL,
  isConverged,
  stopMessage,
  type LeastSquaresProblem,
  type Optimiser,
  type OptimiserOptions,
  type OptimiserResult,
  type StopReason,
} from './optimiser/optimiser.js';
export type { MljsOptions } from './optimiser/ml-lm-adapter.js';

// The fit report
export {
  fitReport,
  fitSummary,
  type FitSummary,
  type ParameterSummary,
} from './report/fit-report.js';
export {
  diagnoseFit,
  type DiagnosisKind,
  type FitDiagnosis,
  type ResidualRegion,
} from './report/diagnosis.js';

// SAMFire: the engine
export {
  Samfire,
  type AcceptedFits,
  type PixelPick,
  type SamfireMetadata,
} from './samfire/engine.js';
export { setCoreCount, type SamfireOptions } from './samfire/engine-options.js';
export type { ProgressEvent, RetestEvent, SamfireEvents } from './samfire/samfire-events.js';
export { FITTED, IGNORED } from './samfire/marker.js';
export {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  parseBackup,
  type BackupWriter,
  type EngineState,
  type RunOrder,
  type SamfireBackup,
} from './samfire/backup.js';
export {
  applyModelState,
  modelFromState,
  modelState,
  type ComponentSnapshot,
  type ModelSnapshot,
  type ParameterSnapshot,
  type TwinSnapshot,
} from './samfire/model-state.js';

// SAMFire: strategies
export {
  Strategy,
  type HistogramPlot,
  type MarkerPlot,
  type ParameterHistogram,
  type StrategyFlavour,
  type StrategyHost,
  type StrategyPlot,
  type StrategySnapshot,
} from './samfire/strategies/strategy.js';
export { StrategyList } from './samfire/strategies/strategy-list.js';
export { LocalStrategy } from './samfire/strategies/local/local-strategy.js';
export {
  RED_CHISQ_STRATEGY,
  RedChisqStrategy,
  type RedChisqStrategyOptions,
} from './samfire/strategies/local/red-chisq-strategy.js';
export { GlobalStrategy } from './samfire/strategies/global/global-strategy.js';
export {
  HISTOGRAM_STRATEGY,
  HistogramStrategy,
  type HistogramStrategyOptions,
} from './samfire/strategies/global/histogram-strategy.js';
export { HistogramSegmenter } from './samfire/strategies/global/histogram-segmenter.js';
export {
  histogram,
  histogramModes,
  type BinRule,
  type Histogram,
} from './samfire/strategies/global/histogram.js';
export {
  registerStrategyKind,
  strategyFromSnapshot,
  type StrategyFactory,
} from './samfire/strategies/strategy-registry.js';

// SAMFire: goodness tests and weights
export type { FitStatistics, GoodnessTest } from './goodness/goodness-test.js';
export { RED_CHISQ_TEST, RedChisqTest } from './goodness/red-chisq-test.js';
export {
  InformationCriterionTest,
  type CriterionName,
} from './goodness/information-criterion-test.js';
export { AIC_TEST, AicTest } from './goodness/aic-test.js';
export { AICC_TEST, AiccTest } from './goodness/aicc-test.js';
export { BIC_TEST, BicTest } from './goodness/bic-test.js';
export { DEVIANCE_TEST, DevianceTest } from './goodness/deviance-test.js';
export {
  createGoodnessTest,
  goodnessTestKinds,
  hasGoodnessTest,
  registerGoodnessTest,
  type GoodnessTestFactory,
} from './goodness/registry.js';
export type { Weight } from './samfire/weights/weight.js';
export { RedChisqWeight } from './samfire/weights/red-chisq-weight.js';

// SAMFire: pools (the contract every pool serves, its messages, the pixel
// kernel the workers run, and the in-process pool)
export type { PoolEvents, PoolJob, WorkerPool } from './pool/pool.js';
export type {
  ComponentSpec,
  FromWorker,
  GoodnessTestSpec,
  ModelSpec,
  ParameterSpecData,
  PixelResult,
  PixelStart,
  ToWorker,
  WorkerFitOptions,
  WorkerInit,
} from './pool/protocol.js';
export { describeMessage, isFromWorker, isToWorker } from './pool/guards.js';
export { InProcessPool, type InProcessPoolOptions } from './pool/in-process-pool.js';
export { createKernel, type PixelKernel } from './kernel/kernel.js';
export { modelSpec, workerInit, type WorkerInitOptions } from './samfire/worker-init.js';
export { storeResult } from './samfire/pixel-store.js';

// EDS: the X-ray line database
export {
  DEFAULT_BEAM_ENERGY,
  DEFAULT_RESOLUTION_MNKA,
  FANO_SLOPE,
  MERGE_SPREAD,
  MN_KA_ENERGY,
  WEAK_LINE,
  XRAY_FAMILIES,
  XRAY_SOURCE,
  detectorFwhm,
  elementLines,
  elementSymbols,
  familyOfShell,
  lineGroup,
  linesNear,
  parseLineName,
  xrayElement,
  xrayFamilies,
  xrayFamily,
  xrayLine,
  type FamilyLine,
  type FamilyOptions,
  type LineNear,
  type LineNearOptions,
  type NamedLine,
  type XrayEdge,
  type XrayElement,
  type XrayFamily,
  type XrayFamilyName,
  type XrayLine,
  orbitalOccupancy,
  sourceOccupancy,
} from './eds/xray-lines.js';
// Linear whole-map fits (only amplitudes and coefficients free) and their refinement
export {
  fitLinear,
  type LinearFitOptions,
  type LinearFitResult,
  type LinearWeighting,
} from './linear/linear-fit.js';
export { linearDesign, type LinearDesign, type SlotTarget } from './linear/linear-design.js';
export { NnlsWorkspace, nnlsGram, thinQr } from './linear/dense.js';
export { refinePixels, type RefineOptions, type RefineResult } from './linear/refine.js';
// EDS: the model (families, calibration, backgrounds) and its calibration
export {
  bremsstrahlungComponent,
  edsCalibrationComponent,
  familyLineGeometry,
  xrayFamilyComponent,
  xrayFamilyOptions,
  type FamilyLineSpec,
  type XrayFamilyOptions,
} from './eds/eds-components.js';
export {
  BACKGROUND,
  CALIBRATION,
  CALIBRATION_PARAMETERS,
  DEFAULT_BACKGROUND_ORDER,
  DEFAULT_BREMSSTRAHLUNG_CUTOFF,
  buildEdsModel,
  calibrate,
  edsCalibration,
  edsFamilies,
  edsFamilyComponents,
  edsSampleMetadata,
  edsSettings,
  energyUnit,
  sumSignal,
  type CalibrateOptions,
  type CalibrationResult,
  type EdsBackground,
  type EdsModelOptions,
  type EdsSettings,
} from './eds/eds-model.js';
export {
  EXPANDED_KINDS,
  expandForHyperspy,
  needsExpansion,
  type HyperspyExpansion,
} from './eds/hyperspy-expansion.js';

// EELS: ionisation edges (hydrogenic cross sections), backgrounds, low loss
export {
  differentialCrossSection,
  integratedCrossSection,
  kinematics,
  nearEdgeExponent,
  nearEdgeFactor,
  reducedGos,
  screenedCharge,
  RYDBERG,
  type HydrogenicEdge,
  type HydrogenicShell,
  type Kinematics,
} from './eels/hydrogenic.js';
export {
  eelsClEdge,
  eelsEdgeOptions,
  resolveEdge,
  type EelsEdgeOptions,
  type ResolvedEdge,
} from './eels/edge-component.js';
export {
  addEdges,
  eelsMicroscope,
  fitPowerLaw,
  type AddEdgesOptions,
  type AddedEdges,
  type PowerLawFit,
} from './eels/eels-model.js';
export { alignZeroLoss, thicknessMap, type ZeroLossAlignment } from './eels/low-loss.js';
export {
  HC_EV_NM,
  wavelengthToEnergy,
  type JacobianMode,
  type WavelengthToEnergyOptions,
} from './cl/energy-axis.js';
export { findSpikes, removeSpikes, type Spike, type SpikeOptions } from './cl/spikes.js';

// Files as bytes
export { FileFormatError } from './io/errors.js';
export { bytesSource, type ByteSource, type ReadOptions, type ReadProgress } from './io/source.js';
export { readDm } from './io/dm.js';
export { readMsa, writeMsa, type MsaKeyword, type MsaWriteOptions } from './io/msa.js';
export { readNpy, signalFromNpy, writeNpy, type NpyArray } from './io/npy.js';
export { readRipple, writeRipple, type RippleFileNames } from './io/ripple.js';
export { readSer, readSerHeader, type SerHeader, type SerOptions } from './io/tia/ser.js';
export { emiMetadata, emiObjects, type EmiObject } from './io/tia/emi.js';
export {
  parsePtsTree,
  readPts,
  readPtsHeader,
  type PtsHeader,
  type PtsReadOptions,
  type PtsTree,
} from './io/jeol/pts.js';
export { readJeolImage } from './io/jeol/img.js';
export { readJeolEds } from './io/jeol/eds.js';
export { mapToCsv, mapToNpy, resultMap, resultMapNames, type ResultMap } from './io/export.js';

// Examples and utilities
export {
  domainExampleModel,
  makeDomainExample,
  type DomainExample,
  type DomainExampleOptions,
  type DomainTruthMaps,
} from './examples/domain.js';
export { Random } from './util/random.js';
