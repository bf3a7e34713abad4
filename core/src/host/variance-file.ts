/**
 * A noise variance read from a file the user chose: the checks that decide
 * whether it can weigh the fits of the open dataset. Pure (the host reads the
 * file with its usual readers and passes the signals here).
 *
 * Accepted: exactly one signal, whose data have the dataset's shape (one
 * variance per data element) or are one spectrum of the dataset's channels
 * (the same variance at every pixel), with every value positive and finite.
 * Anything else is refused with a FileFormatError naming the file and the
 * problem; nothing is changed then.
 */
import { FileFormatError } from '../io/errors.js';
import { toFloat64 } from '../model/dtype.js';
import type { Signal } from '../model/signal.js';

export interface LoadedVariance {
  /** One value per data element, or one spectrum (`oneSpectrum`). */
  data: Float64Array;
  oneSpectrum: boolean;
}

function shapeText(shape: readonly number[]): string {
  return shape.length === 0 ? '()' : shape.join('×');
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

/** "pixel [0, 2], channel 17" (or "channel 17" for one spectrum). */
function where(index: number, target: Signal, oneSpectrum: boolean): string {
  const channels = target.channels;
  const channel = index % channels;
  if (oneSpectrum || target.navigationSize === 1) return `channel ${channel}`;
  const position = target.pixelPosition(Math.floor(index / channels));
  return `pixel [${position.join(', ')}], channel ${channel}`;
}

function count(n: number, what: string): string {
  return n === 1 ? `1 ${what} is` : `${n} ${what}s are`;
}

/**
 * The variance `signals` (what the readers found in `fileName`) give for
 * `target`, or a FileFormatError saying why they cannot.
 */
export function varianceFromSignals(
  signals: readonly Signal[],
  target: Signal,
  fileName: string,
): LoadedVariance {
  const fail = (problem: string): never => {
    throw new FileFormatError(fileName, problem);
  };
  if (signals.length === 0) fail('the file holds no signal, so no variance');
  if (signals.length > 1) {
    fail(
      `the file holds ${signals.length} signals; a variance file must hold exactly one (save the variance on its own)`,
    );
  }
  const source = signals[0]!;
  const shape = source.shape;
  let oneSpectrum: boolean;
  if (sameShape(shape, target.shape)) oneSpectrum = false;
  else if (source.navigationSize === 1 && source.channels === target.channels) oneSpectrum = true;
  else {
    return fail(
      `a variance of shape ${shapeText(shape)} does not fit the data: give the data's shape ${shapeText(target.shape)}, or one spectrum of ${target.channels} channels`,
    );
  }
  const data = toFloat64(source.data);
  let notFinite = 0;
  let negative = 0;
  let zero = 0;
  let firstNotFinite = -1;
  let firstNegative = -1;
  let firstZero = -1;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v > 0 && v < Infinity) continue;
    if (!Number.isFinite(v)) {
      if (notFinite++ === 0) firstNotFinite = i;
    } else if (v < 0) {
      if (negative++ === 0) firstNegative = i;
    } else if (zero++ === 0) firstZero = i;
  }
  if (notFinite > 0) {
    fail(
      `${count(notFinite, 'value')} not finite (NaN or infinite; the first is ${data[firstNotFinite]} at ${where(firstNotFinite, target, oneSpectrum)}): every variance must be a positive, finite number`,
    );
  }
  if (negative > 0) {
    fail(
      `${count(negative, 'value')} negative (the first is ${data[firstNegative]} at ${where(firstNegative, target, oneSpectrum)}): a variance cannot be negative`,
    );
  }
  if (zero > 0) {
    fail(
      `${count(zero, 'value')} zero (the first at ${where(firstZero, target, oneSpectrum)}): a zero variance gives its channel infinite weight in the fit, so every variance must be positive`,
    );
  }
  return { data, oneSpectrum };
}

/** A variance given by settings (not an array) put on `signal`: none, a Poisson estimate or a constant. */
export function applyVarianceSetting(
  signal: Signal,
  v:
    | { kind: 'none' }
    | { kind: 'poisson'; gain: number; offset: number }
    | { kind: 'constant'; value: number },
): void {
  if (v.kind === 'poisson')
    signal.estimatePoissonianNoiseVariance({ gain: v.gain, offset: v.offset });
  else
    signal.setVariance(v.kind === 'none' ? { kind: 'none' } : { kind: 'constant', value: v.value });
}
