/**
 * Cathodoluminescence: a spectrum on a wavelength axis to the same spectrum on
 * an energy axis, E = hc / lambda. The energy axis is non-uniform (its step
 * grows as 1 / lambda^2) and runs towards increasing energy (the channels are
 * reversed when the wavelength increases).
 *
 * The intensity: a spectral density per unit wavelength becomes one per unit
 * energy through the Jacobian |d lambda / d E| = lambda^2 / hc (LumiSpy's
 * approach), so that a peak's area is the same in both; the variance goes by
 * the square of the Jacobian, so that fits in energy weight the channels
 * right.
 *
 * The decision for binned signals (counts per channel): the counts in a
 * channel are the photons that fell into it, whatever the axis is called, so
 * by default (`jacobian: 'auto'`) a binned signal keeps its counts per channel
 * and its variance; its energy axis stays binned, and a fit then multiplies
 * the model by each channel's width in energy (the gradient of the energies),
 * which plays the Jacobian's part. A non-binned signal is scaled by the
 * Jacobian. `'always'` scales every signal, `'never'` none.
 */
import { axisValues, nonUniformAxis, type AxisSpec } from '../model/axis.js';
import { Signal, type Variance } from '../model/signal.js';

/** h c in eV nm (CODATA 2018: h, c and e are exact). */
export const HC_EV_NM = ((6.62607015e-34 * 299792458) / 1.602176634e-19) * 1e9;

export type JacobianMode = 'always' | 'auto' | 'never';

export interface WavelengthToEnergyOptions {
  /** Whether to scale the intensity by lambda^2 / hc; see the module comment. Default 'auto'. */
  jacobian?: JacobianMode;
}

/** Factor from the axis's units to nm; errors name the units. */
export function toNanometres(units: string): number {
  const u = units.trim();
  switch (u) {
    case '':
    case 'nm':
      return 1;
    case 'µm':
    case 'μm':
    case 'um':
      return 1e3;
    case 'Å':
    case 'A':
    case 'angstrom':
      return 0.1;
    case 'm':
      return 1e9;
    default:
      throw new Error(
        `wavelength to energy: the signal axis is in '${units}', not a wavelength (nm, µm, Å or m)`,
      );
  }
}

/**
 * The signal on an energy axis (eV, increasing, non-uniform). Returns a new
 * signal (float64 data); the input is left as it is.
 */
export function wavelengthToEnergy(
  signal: Signal,
  options: WavelengthToEnergyOptions = {},
): Signal {
  const mode = options.jacobian ?? 'auto';
  if (mode !== 'always' && mode !== 'auto' && mode !== 'never') {
    throw new Error(
      `wavelength to energy: jacobian must be 'always', 'auto' or 'never', got '${String(mode)}'`,
    );
  }
  const axis = signal.signalAxis;
  const perNm = toNanometres(axis.units);
  const lambda = axisValues(axis);
  const n = lambda.length;
  for (let i = 0; i < n; i++) {
    const l = lambda[i]! * perNm;
    if (!(l > 0)) {
      throw new Error(
        `wavelength to energy: channel ${i} is at ${lambda[i]} ${axis.units || 'nm'}; wavelengths must be positive`,
      );
    }
    lambda[i] = l;
  }
  const binned = axis.isBinned ?? false;
  const scaled = mode === 'always' || (mode === 'auto' && !binned);
  // Energies increase as wavelengths decrease: channel j of the result is
  // channel order[j] of the input.
  const reverse = n > 1 && lambda[n - 1]! > lambda[0]!;
  const order = Int32Array.from({ length: n }, (_, j) => (reverse ? n - 1 - j : j));
  const energy = Float64Array.from(order, (i) => HC_EV_NM / lambda[i]!);
  const jac = Float64Array.from(order, (i) => (lambda[i]! * lambda[i]!) / HC_EV_NM);

  const pixels = signal.navigationSize;
  const data = new Float64Array(pixels * n);
  const spectrum = new Float64Array(n);
  const v = signal.variance;
  // Variance kinds that survive unchanged: none always; a Poisson estimate or a
  // constant when the intensity is not scaled (the counts are the same).
  const keepVariance = v.kind === 'none' || (!scaled && v.kind !== 'array');
  const variance = keepVariance ? null : new Float64Array(pixels * n);
  const vin = new Float64Array(n);
  for (let p = 0; p < pixels; p++) {
    signal.readSpectrum(p, spectrum);
    const base = p * n;
    for (let j = 0; j < n; j++) {
      const i = order[j]!;
      data[base + j] = scaled ? spectrum[i]! * jac[j]! : spectrum[i]!;
    }
    if (variance) {
      signal.readVariance(p, spectrum, vin);
      for (let j = 0; j < n; j++) {
        const i = order[j]!;
        const f = scaled ? jac[j]! * jac[j]! : 1;
        variance[base + j] = vin[i]! * f;
      }
    }
  }
  const energyAxis: AxisSpec = nonUniformAxis({
    name: 'Energy',
    units: 'eV',
    values: energy,
    navigate: false,
    isBinned: binned,
  });
  const out = new Signal({
    data,
    axes: [...signal.navigationAxes.map((a) => ({ ...a })), energyAxis],
    title: signal.title,
    signalType: signal.signalType,
    metadata: structuredClone(signal.metadata),
  });
  const newVariance: Variance = variance ? { kind: 'array', data: variance } : { ...v };
  out.setVariance(newVariance);
  return out;
}
