/**
 * The DigitalMicrograph reader names what a fit needs as HyperSpy 1.7.3
 * does (beam energy, collection and convergence angles, the Poisson gain of
 * Variance_linear_model, the stage, the microscope), compared with
 * HyperSpy's reading of the same real files: every value we map that
 * HyperSpy maps too is equal, and the EELS files' fit-relevant ones are
 * there. The Poisson estimate then uses the file's gain, as HyperSpy's
 * estimate_poissonian_noise_variance does.
 */
import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSignalFile } from '@samfire/core/node';
import {
  hyperspyAvailable,
  hyperspyLoad,
  hyperspyMissing,
  type HsResult,
  type HsSignal,
} from '../../helpers/hyperspy-load.js';
import { SHARED } from '../../helpers/shared-dir.js';

const HS_IO = '/usr/lib/python3/dist-packages/hyperspy/tests/io/';
const EELS_SI = `${HS_IO}dm4_3D_data/EELS_SI.dm4`;
const EELS_SPECTRUM = `${SHARED}data/io/dm3/test-EELS_spectrum.dm3`;
const files = [
  EELS_SI,
  EELS_SPECTRUM,
  ...['dm3', 'dm4'].flatMap((d) =>
    readdirSync(`${SHARED}data/io/${d}`)
      .filter((f) => f.startsWith('3D_'))
      .sort()
      .map((f) => `${SHARED}data/io/${d}/${f}`),
  ),
];

/** Every leaf of a metadata tree as [dotted path, value]. */
function leaves(tree: unknown, path = ''): [string, unknown][] {
  if (typeof tree !== 'object' || tree === null || Array.isArray(tree)) return [[path, tree]];
  return Object.entries(tree).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
}

function at(tree: unknown, path: string): unknown {
  let v: unknown = tree;
  for (const key of path.split('.')) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

let reference: HsResult[] = [];
beforeAll(async () => {
  if (hyperspyAvailable) reference = await hyperspyLoad(files.map((file) => ({ file })));
}, 600_000);

if (!hyperspyAvailable) console.warn(`DM metadata tests skipped: ${hyperspyMissing}`);

describe.skipIf(!hyperspyAvailable)('DM metadata as HyperSpy 1.7.3 names it', () => {
  files.forEach((file, k) => {
    it(file.replace(HS_IO, '').replace(SHARED, 'shared'), async () => {
      const ref = reference[k]!;
      expect('error' in ref ? ref.error : null, `${file}: HyperSpy failed`).toBeNull();
      const hs = (ref as { signals: HsSignal[] }).signals[0]!.metadata;
      const [ours] = await readSignalFile(file);
      const mapped = Object.fromEntries(
        Object.entries(ours!.metadata).filter(([key]) => key !== 'dm'),
      );
      const compared = leaves(mapped).filter(([path]) => path !== 'signalDimension');
      expect(compared.length, `${file}: nothing mapped`).toBeGreaterThan(0);
      for (const [path, value] of compared) {
        const theirs = at(hs, path);
        if (theirs === undefined) continue;
        if (typeof value === 'number' && typeof theirs === 'number')
          expect(value, `${file} ${path}`).toBeCloseTo(theirs, 9);
        else expect(value, `${file} ${path}`).toEqual(theirs);
      }
      // What HyperSpy maps of the fit-relevant fields, we map too.
      for (const path of [
        'Acquisition_instrument.TEM.beam_energy',
        'Acquisition_instrument.TEM.convergence_angle',
        'Acquisition_instrument.TEM.Detector.EELS.collection_angle',
        'Signal.Noise_properties.Variance_linear_model.gain_factor',
        'Signal.Noise_properties.Variance_linear_model.gain_offset',
      ]) {
        if (at(hs, path) !== undefined)
          expect(at(mapped, path), `${file} ${path} (HyperSpy: ${String(at(hs, path))})`).toEqual(
            at(hs, path),
          );
      }
    });
  });

  it('gives the EELS spectrum image its microscope and the Poisson gain of the file', async () => {
    const [s] = await readSignalFile(EELS_SI);
    expect(at(s!.metadata, 'Acquisition_instrument.TEM.beam_energy')).toBe(200);
    expect(at(s!.metadata, 'Acquisition_instrument.TEM.Detector.EELS.collection_angle')).toBe(62);
    s!.estimatePoissonianNoiseVariance();
    expect(s!.variance).toMatchObject({ kind: 'poisson', offset: 0 });
    expect((s!.variance as { gain: number }).gain).toBeCloseTo(0.1285347044467926, 12);
    // An explicit gain still wins.
    s!.estimatePoissonianNoiseVariance({ gain: 2 });
    expect(s!.variance).toMatchObject({ kind: 'poisson', gain: 2, floor: 2 });
  });
});
