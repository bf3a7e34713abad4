/** The public surface of @samfire/core. */
export * from './model/dtype.js';
export * from './model/axis.js';
export * from './model/signal.js';
export * from './model/parameter-map.js';
export * from './model/parameter.js';
export * from './model/component.js';
export * from './model/model.js';
export * from './model/model-problem.js';
export * from './model/pixel-fitter.js';
export * from './model/information-criteria.js';
export * from './components/index.js';
export { centralDifferenceJacobian, slotCount } from './components/component.js';
export * from './optimiser/index.js';
export * from './report/fit-report.js';
export * from './examples/domain.js';
export { Random } from './util/random.js';
