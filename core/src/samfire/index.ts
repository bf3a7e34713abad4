/** The public surface of SAMFire (pure: the file writer is in ./node/backup-file.ts). */
export { Samfire, type AcceptedFits, type PixelPick, type SamfireMetadata } from './engine.js';
export { setCoreCount, type SamfireOptions } from './engine-options.js';
export type { ProgressEvent, RetestEvent, SamfireEvents } from './samfire-events.js';
export {
  parseBackup,
  BACKUP_FORMAT,
  BACKUP_VERSION,
  type BackupWriter,
  type EngineState,
  type RunOrder,
  type SamfireBackup,
} from './backup.js';
export { applyModelState, modelFromState, modelState, type ModelState } from './model-state.js';
export { createKernel, type PixelKernel } from './kernel.js';
export { workerInit, modelSpec } from './worker-init.js';
export { storeResult } from './pixel-store.js';
export { FITTED, IGNORED } from './marker.js';
export type { FitStatistics, GoodnessTest } from './goodness/goodness-test.js';
export { RedChisqTest, RED_CHISQ_TEST } from './goodness/red-chisq-test.js';
export { InformationCriterionTest } from './goodness/information-criterion-test.js';
export { AicTest, AIC_TEST } from './goodness/aic-test.js';
export { AiccTest, AICC_TEST } from './goodness/aicc-test.js';
export { BicTest, BIC_TEST } from './goodness/bic-test.js';
export {
  createGoodnessTest,
  goodnessTestKinds,
  registerGoodnessTest,
  type GoodnessTestFactory,
} from './goodness/registry.js';
export type { Weight } from './weights/weight.js';
export { RedChisqWeight } from './weights/red-chisq-weight.js';
export {
  Strategy,
  type HistogramPlot,
  type MarkerPlot,
  type ParameterHistogram,
  type StrategyFlavour,
  type StrategyHost,
  type StrategyPlot,
  type StrategySnapshot,
} from './strategies/strategy.js';
export { StrategyList } from './strategies/strategy-list.js';
export { LocalStrategy } from './strategies/local/local-strategy.js';
export {
  RedChisqStrategy,
  type RedChisqStrategyOptions,
} from './strategies/local/red-chisq-strategy.js';
export { GlobalStrategy } from './strategies/global/global-strategy.js';
export {
  HistogramStrategy,
  type HistogramStrategyOptions,
} from './strategies/global/histogram-strategy.js';
export { HistogramSegmenter } from './strategies/global/histogram-segmenter.js';
export {
  histogram,
  histogramModes,
  type BinRule,
  type Histogram,
} from './strategies/global/histogram.js';
export {
  registerStrategyKind,
  strategyFromSnapshot,
  type StrategyFactory,
} from './strategies/strategy-registry.js';
export { InProcessPool, type InProcessPoolOptions } from '../pool/in-process-pool.js';
