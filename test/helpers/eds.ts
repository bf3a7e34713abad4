/**
 * A synthetic EDS map with known truth for the EDS tests: Si, Fe and Ag on a
 * keV axis whose nominal calibration (what the "file" says) is off from the
 * true one the data are made with; Poisson noise; amplitudes in smooth
 * gradients across the map.
 */
import { Signal, buildEdsModel, edsCalibration, edsFamilyComponents } from '@samfire/core';
import { mulberry32, poissonNoise } from './random.js';

export const SIDE = 10;
export const CHANNELS = 1024;
/** Nominal axis (what the file says) and the truth the data are made with. */
export const NOMINAL = { offset: -0.2, scale: 0.01 };
export const TRUE = { offset: -0.2 + 0.0062, scale: 0.01 * 1.0025, fwhm: 127 };
export const ELEMENTS = ['Si', 'Fe', 'Ag'];

export function edsSignal(data: Float64Array, metadata: Record<string, unknown> = {}): Signal {
  return new Signal({
    data,
    axes: [
      { name: 'y', size: SIDE, offset: 0, scale: 1, units: 'nm', navigate: true },
      { name: 'x', size: SIDE, offset: 0, scale: 1, units: 'nm', navigate: true },
      {
        name: 'Energy',
        size: CHANNELS,
        offset: NOMINAL.offset,
        scale: NOMINAL.scale,
        units: 'keV',
        navigate: false,
        isBinned: true,
      },
    ],
    signalType: 'EDS_SEM',
    metadata,
  });
}

/** True amplitudes (counts) per family and pixel: smooth gradients. */
export function truthAmplitude(family: string, pixel: number): number {
  const y = Math.floor(pixel / SIDE);
  const x = pixel % SIDE;
  if (family === 'Si_K') return 3000 + 150 * x;
  if (family === 'Fe_K') return 5000 - 200 * y;
  if (family === 'Ag_L') return 2000 + 100 * (x + y);
  throw new Error(family);
}

/** The synthetic map: the EDS model at the true calibration, Poisson noise. */
export function synthetic(seed = 7): { signal: Signal; mean: Float64Array } {
  const n = SIDE * SIDE;
  const mean = new Float64Array(n * CHANNELS);
  const generator = buildEdsModel(edsSignal(new Float64Array(n * CHANNELS)), {
    elements: ELEMENTS,
    range: [1.0, 9.0],
    beamEnergy: 20,
    initialAmplitudes: false,
  });
  const cal = edsCalibration(generator);
  cal.parameter('offset').value = TRUE.offset;
  cal.parameter('scale').value = TRUE.scale;
  cal.parameter('fwhm_MnKa').value = TRUE.fwhm;
  // Background: 8 - 0.5 E counts per channel (coefficients per keV, binned).
  generator.parameter('background.coefficients').setValues([0, -50, 800]);
  const spectrum = new Float64Array(CHANNELS);
  for (let p = 0; p < n; p++) {
    for (const f of edsFamilyComponents(generator))
      f.parameter('A').value = truthAmplitude(f.name, p);
    generator.evaluate(spectrum);
    mean.set(spectrum, p * CHANNELS);
  }
  const signal = edsSignal(poissonNoise(mulberry32(seed), mean), {
    Sample: { elements: ELEMENTS },
    Acquisition_instrument: {
      SEM: { beam_energy: 20, Detector: { EDS: { energy_resolution_MnKa: 133 } } },
    },
  });
  signal.estimatePoissonianNoiseVariance();
  return { signal, mean };
}
