/**
 * Runtime checks for worker messages. Whatever crosses a thread or process
 * boundary arrives as `unknown`; these guards are the one place that turns it
 * back into the protocol's types, so both ends fail loudly on a stray or
 * malformed message instead of reading `undefined` fields later.
 *
 * They check shapes and element types, not values (a NaN chi-squared is
 * still a result): that is the kernel's and the engine's business.
 */
import type {
  ComponentSpec,
  FromWorker,
  ModelSpec,
  PixelResult,
  PixelStart,
  ToWorker,
  WorkerInit,
} from './protocol.js';

type Fields = Record<string, unknown>;

function isObject(x: unknown): x is Fields {
  return typeof x === 'object' && x !== null;
}

function isInt(x: unknown): x is number {
  return Number.isInteger(x);
}

function isNumber(x: unknown): x is number {
  return typeof x === 'number';
}

function isNumberList(x: unknown): x is number[] {
  return Array.isArray(x) && x.every(isNumber);
}

function isNullableNumber(x: unknown): x is number | null {
  return x === null || isNumber(x);
}

function isParameter(x: unknown): boolean {
  return (
    isObject(x) &&
    typeof x.name === 'string' &&
    isInt(x.length) &&
    typeof x.free === 'boolean' &&
    isNullableNumber(x.bmin) &&
    isNullableNumber(x.bmax) &&
    (x.twin === undefined || x.twin === null || isTwin(x.twin))
  );
}

function isTwin(x: unknown): boolean {
  return (
    isObject(x) && isInt(x.component) && isInt(x.parameter) && typeof x.expression === 'string'
  );
}

function isComponent(x: unknown): x is ComponentSpec {
  return (
    isObject(x) &&
    typeof x.kind === 'string' &&
    typeof x.name === 'string' &&
    isObject(x.options) &&
    typeof x.active === 'boolean' &&
    Array.isArray(x.parameters) &&
    x.parameters.every(isParameter)
  );
}

function isModel(x: unknown): x is ModelSpec {
  return (
    isObject(x) &&
    Array.isArray(x.components) &&
    x.components.every(isComponent) &&
    isObject(x.axis) &&
    isInt(x.axis.size) &&
    x.channelSwitches instanceof Uint8Array
  );
}

/** An `array` variance may be any numeric typed array (it travels as the data's dtype). */
function isVariance(x: unknown): boolean {
  if (!isObject(x)) return false;
  switch (x.kind) {
    case 'none':
      return true;
    case 'array':
      return ArrayBuffer.isView(x.data) && !(x.data instanceof DataView);
    case 'constant':
      return isNumber(x.value);
    case 'poisson':
      return isNumber(x.gain) && isNumber(x.offset) && isNumber(x.floor);
    default:
      return false;
  }
}

function isInit(x: unknown): x is WorkerInit {
  return (
    isObject(x) &&
    isModel(x.model) &&
    isInt(x.pixels) &&
    ArrayBuffer.isView(x.data) &&
    !(x.data instanceof DataView) &&
    isVariance(x.variance) &&
    Array.isArray(x.maps) &&
    x.maps.every((m) => m instanceof Float64Array) &&
    Array.isArray(x.optional) &&
    x.optional.every(isInt) &&
    isObject(x.goodness) &&
    typeof x.goodness.kind === 'string' &&
    isNumber(x.goodness.tolerance) &&
    isObject(x.fit)
  );
}

function isPixelStart(x: unknown): x is PixelStart {
  return (
    isObject(x) &&
    Array.isArray(x.components) &&
    x.components.every(
      (c) => c === null || (isObject(c) && Array.isArray(c.slots) && c.slots.every(isNumberList)),
    )
  );
}

function isPixelResult(x: unknown): x is PixelResult {
  return (
    isObject(x) &&
    isInt(x.pixel) &&
    typeof x.good === 'boolean' &&
    x.values instanceof Float64Array &&
    x.std instanceof Float64Array &&
    x.active instanceof Uint8Array &&
    isNumber(x.chisq) &&
    isNumber(x.dof) &&
    isNumber(x.redChisq) &&
    isInt(x.fits) &&
    typeof x.status === 'string'
  );
}

/** A message for a worker (host -> worker). */
export function isToWorker(x: unknown): x is ToWorker {
  if (!isObject(x)) return false;
  switch (x.type) {
    case 'init':
      return isInit(x.init);
    case 'fit':
      return isInt(x.job) && isInt(x.pixel) && isPixelStart(x.start);
    case 'stop':
      return true;
    default:
      return false;
  }
}

/** A message from a worker (worker -> host). */
export function isFromWorker(x: unknown): x is FromWorker {
  if (!isObject(x)) return false;
  switch (x.type) {
    case 'ready':
      return true;
    case 'result':
      return isInt(x.job) && isPixelResult(x.result);
    case 'error':
      return isInt(x.job) && isInt(x.pixel) && typeof x.message === 'string';
    default:
      return false;
  }
}

/** A short description of an unexpected message for error text (never the whole payload). */
export function describeMessage(x: unknown): string {
  if (isObject(x) && typeof x.type === 'string') return `a malformed '${x.type}' message`;
  return `an unknown message (${x === null ? 'null' : typeof x})`;
}
