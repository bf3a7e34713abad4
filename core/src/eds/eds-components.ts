/**
 * The EDS model's component kinds:
 *
 * - `XrayFamily`: one element's K, L or M family, one linear amplitude `A`
 *   (the family's area, in counts for a binned axis: weights sum to 1), its
 *   lines listed in the options (energies in eV, weights and rms spreads
 *   from the database, xray-lines.ts). Each line is a Gaussian placed by the
 *   energy calibration and widened by the detector resolution:
 *
 *     f(x) = A sum_l w_l N(x; c_l, s_l)
 *     c_l  = a0 + a1 (E_l - offset) / scale
 *     s_l  = (a1 / scale) sqrt(FWHM(E_l)^2 / (8 ln 2) + spread_l^2)
 *     FWHM(E)^2 = fwhm_MnKa^2 + 2.5 eV (E - 5898.7 eV)   (Fiori and Newbury; floor 1 eV^2)
 *
 *   where x is the signal axis (nominal: x = a0 + a1 i for channel i, a0
 *   and a1 the axis's offset and scale when the model was built, kept in
 *   the options), and `offset` and `scale` are the true energies of channel
 *   0 and per channel (the axis's units): a calibration that is right gives
 *   offset = a0, scale = a1 and every line at its table energy. `offset`,
 *   `scale` (axis units) and `fwhm_MnKa` (eV) are parameters of the family,
 *   tied in an EDS model to the model's one EdsCalibration; the Jacobian is
 *   analytic in all four.
 *
 * - `EdsCalibration`: the model-level calibration and resolution (`offset`,
 *   `scale`, `fwhm_MnKa`), contributing nothing to the model: the families'
 *   parameters follow it through ties, so freeing it frees the calibration
 *   of every family at once.
 *
 * - `Bremsstrahlung`: Kramers' law for the continuum times the detector's
 *   low-energy absorption (window, dead layer, and the sample's own, lumped):
 *
 *     f(x) = A (E0 - x) / x exp(-(cutoff / x)^3)   for 0 < x < E0, else 0
 *
 *   with A linear (Kramers' constant times Z, the current and the live
 *   time), E0 = `beam_energy` and `cutoff` (the energy at which the
 *   absorption is 1/e; mass absorption coefficients scale as E^-3 away from
 *   edges) nonlinear, in the axis's units, fixed by default.
 */
import type { ComponentFunction } from '../components/component.js';
import { FANO_SLOPE, MN_KA_ENERGY } from './xray-lines.js';

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const EIGHT_LN2 = 8 * Math.LN2;
/** exp(t) for t below this is taken as 0 (e^-40 = 4e-18 of the peak). */
const EXP_CUTOFF = -40;

export interface FamilyLineSpec {
  /** Siegbahn name as users write it (Ka, Kb, La, Lb1, Ma, ...). */
  name: string;
  /** eV */
  energy: number;
  /** Weight within the family. */
  weight: number;
  /** Rms energy spread of merged sub-lines, eV. @default 0 */
  spread?: number;
}

export interface XrayFamilyOptions {
  element: string;
  family: string;
  lines: readonly FamilyLineSpec[];
  /** eV per axis unit: 1 for an eV axis, 1000 for keV. */
  energyUnit: number;
  /** The axis's offset when the model was built (axis units). */
  axisOffset: number;
  /** The axis's scale when the model was built (axis units per channel). */
  axisScale: number;
}

function finiteNumber(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new Error(`XrayFamily: ${what} must be a finite number, got ${JSON.stringify(v)}`);
  return v;
}

/** Checks plain-data options (from a file, a backup or a worker) into XrayFamilyOptions. */
export function xrayFamilyOptions(o: Readonly<Record<string, unknown>>): XrayFamilyOptions {
  const element = o['element'];
  const family = o['family'];
  if (typeof element !== 'string' || element === '')
    throw new Error("XrayFamily: option 'element' must be an element symbol");
  if (typeof family !== 'string' || family === '')
    throw new Error("XrayFamily: option 'family' must be K, L or M");
  const lines = o['lines'];
  if (!Array.isArray(lines) || lines.length === 0)
    throw new Error(`XrayFamily ${element} ${family}: option 'lines' must list at least one line`);
  const parsed = lines.map((l: unknown, i): FamilyLineSpec => {
    if (typeof l !== 'object' || l === null)
      throw new Error(`XrayFamily: line ${i} is not an object`);
    const r = l as Record<string, unknown>;
    const name = r['name'];
    if (typeof name !== 'string') throw new Error(`XrayFamily: line ${i} has no name`);
    const energy = finiteNumber(r['energy'], `line ${name}'s energy`);
    const weight = finiteNumber(r['weight'], `line ${name}'s weight`);
    const spread =
      r['spread'] === undefined ? 0 : finiteNumber(r['spread'], `line ${name}'s spread`);
    if (!(energy > 0)) throw new Error(`XrayFamily: line ${name}'s energy must be positive eV`);
    if (!(weight >= 0)) throw new Error(`XrayFamily: line ${name}'s weight must be >= 0`);
    if (!(spread >= 0)) throw new Error(`XrayFamily: line ${name}'s spread must be >= 0`);
    return { name, energy, weight, spread };
  });
  const energyUnit = finiteNumber(o['energyUnit'], "option 'energyUnit'");
  const axisOffset = finiteNumber(o['axisOffset'], "option 'axisOffset'");
  const axisScale = finiteNumber(o['axisScale'], "option 'axisScale'");
  if (!(energyUnit > 0)) throw new Error("XrayFamily: option 'energyUnit' must be positive");
  if (axisScale === 0) throw new Error("XrayFamily: option 'axisScale' must not be 0");
  return { element, family, lines: parsed, energyUnit, axisOffset, axisScale };
}

/**
 * One line's centre and width (axis units) at the given calibration, and
 * d sigma / d fwhm_MnKa, into out[0..2].
 */
export function familyLineGeometry(
  o: XrayFamilyOptions,
  line: FamilyLineSpec,
  offset: number,
  scale: number,
  fwhm: number,
  out: Float64Array,
): void {
  const u = o.energyUnit;
  const ratio = o.axisScale / scale;
  out[0] = o.axisOffset + ratio * (line.energy / u - offset);
  const f2 = fwhm * fwhm + FANO_SLOPE * (line.energy - MN_KA_ENERGY);
  const floored = f2 < 1;
  const spread = line.spread ?? 0;
  const sigmaEv = Math.sqrt((floored ? 1 : f2) / EIGHT_LN2 + spread * spread);
  out[1] = (ratio * sigmaEv) / u;
  out[2] = floored ? 0 : (ratio * fwhm) / (EIGHT_LN2 * sigmaEv * u);
}

export function xrayFamilyComponent(options: Readonly<Record<string, unknown>>): ComponentFunction {
  const o = xrayFamilyOptions(options);
  const lines = o.lines;
  const nl = lines.length;
  const geometry = new Float64Array(3);
  const centre = new Float64Array(nl);
  const sigma = new Float64Array(nl);
  const dSigmaDf = new Float64Array(nl);
  // The unit-area profile sum_l w_l N_l(x) at the last calibration: the
  // amplitude's Jacobian row and, times A, the model. With the calibration
  // fixed (per-pixel fits after calibrate) it is computed once, not per pixel.
  let profile = new Float64Array(0);
  let cacheX: Float64Array | null = null;
  let cacheN = -1;
  let cacheOffset = NaN;
  let cacheScale = NaN;
  let cacheFwhm = NaN;

  const place = (offset: number, scale: number, fwhm: number): void => {
    for (let l = 0; l < nl; l++) {
      familyLineGeometry(o, lines[l]!, offset, scale, fwhm, geometry);
      centre[l] = geometry[0]!;
      sigma[l] = geometry[1]!;
      dSigmaDf[l] = geometry[2]!;
    }
  };
  const ensureProfile = (x: Float64Array, n: number, p: Float64Array): void => {
    const offset = p[1]!;
    const scale = p[2]!;
    const fwhm = p[3]!;
    if (
      cacheX === x &&
      cacheN === n &&
      cacheOffset === offset &&
      cacheScale === scale &&
      cacheFwhm === fwhm
    )
      return;
    place(offset, scale, fwhm);
    if (profile.length < n) profile = new Float64Array(n);
    profile.fill(0, 0, n);
    for (let l = 0; l < nl; l++) {
      const c = centre[l]!;
      const s = Math.abs(sigma[l]!);
      const norm = (lines[l]!.weight * INV_SQRT_2PI) / s;
      const k = -0.5 / (s * s);
      for (let i = 0; i < n; i++) {
        const d = x[i]! - c;
        const t = k * d * d;
        if (t >= EXP_CUTOFF) profile[i] = profile[i]! + norm * Math.exp(t);
      }
    }
    cacheX = x;
    cacheN = n;
    cacheOffset = offset;
    cacheScale = scale;
    cacheFwhm = fwhm;
  };

  return {
    kind: 'XrayFamily',
    options: {
      element: o.element,
      family: o.family,
      lines: lines.map((l) => ({ ...l })),
      energyUnit: o.energyUnit,
      axisOffset: o.axisOffset,
      axisScale: o.axisScale,
    },
    parameters: [
      { name: 'A', value: 1, bmin: 0, linear: true },
      { name: 'offset', value: o.axisOffset },
      { name: 'scale', value: o.axisScale },
      { name: 'fwhm_MnKa', value: 130, bmin: 1, units: 'eV' },
    ],
    size: 4,
    analyticJacobian: true,
    weightsJacobian: true,
    evaluate(x, n, p, out) {
      ensureProfile(x, n, p);
      const a = p[0]!;
      for (let i = 0; i < n; i++) out[i] = a * profile[i]!;
    },
    jacobian(x, n, p, out, rows, weights) {
      ensureProfile(x, n, p);
      const rA = rows[0]!;
      if (rA >= 0) {
        const base = rA * n;
        for (let i = 0; i < n; i++)
          out[base + i] = weights ? profile[i]! * weights[i]! : profile[i]!;
      }
      const rO = rows[1]!;
      const rS = rows[2]!;
      const rF = rows[3]!;
      if (rO < 0 && rS < 0 && rF < 0) return;
      const a = p[0]!;
      const scale = p[2]!;
      const ratio = o.axisScale / scale;
      if (rO >= 0) out.fill(0, rO * n, rO * n + n);
      if (rS >= 0) out.fill(0, rS * n, rS * n + n);
      if (rF >= 0) out.fill(0, rF * n, rF * n + n);
      for (let l = 0; l < nl; l++) {
        const c = centre[l]!;
        const s = Math.abs(sigma[l]!);
        const norm = (a * lines[l]!.weight * INV_SQRT_2PI) / s;
        const k = -0.5 / (s * s);
        const is2 = 1 / (s * s);
        // dc/doffset = -a1/scale; dc/dscale = -(c - a0)/scale; ds/dscale = -s/scale.
        const dcO = -ratio;
        const dcS = -(c - o.axisOffset) / scale;
        const dsS = -s / scale;
        const dsF = dSigmaDf[l]!;
        for (let i = 0; i < n; i++) {
          const d = x[i]! - c;
          const t = k * d * d;
          if (t < EXP_CUTOFF) continue;
          const g = norm * Math.exp(t) * (weights ? weights[i]! : 1);
          const dfdc = g * d * is2;
          const dfds = (g * (d * d * is2 - 1)) / s;
          if (rO >= 0) out[rO * n + i] = out[rO * n + i]! + dfdc * dcO;
          if (rS >= 0) out[rS * n + i] = out[rS * n + i]! + dfdc * dcS + dfds * dsS;
          if (rF >= 0) out[rF * n + i] = out[rF * n + i]! + dfds * dsF;
        }
      }
    },
  };
}

export function edsCalibrationComponent(): ComponentFunction {
  return {
    kind: 'EdsCalibration',
    options: {},
    parameters: [
      { name: 'offset', value: 0 },
      { name: 'scale', value: 1 },
      { name: 'fwhm_MnKa', value: 130, bmin: 1, units: 'eV' },
    ],
    size: 3,
    analyticJacobian: true,
    weightsJacobian: true,
    evaluate(_x, n, _p, out) {
      out.fill(0, 0, n);
    },
    jacobian(_x, n, _p, out, rows) {
      for (let k = 0; k < 3; k++) {
        const r = rows[k]!;
        if (r >= 0) out.fill(0, r * n, r * n + n);
      }
    },
  };
}

export function bremsstrahlungComponent(): ComponentFunction {
  return {
    kind: 'Bremsstrahlung',
    options: {},
    parameters: [
      { name: 'A', value: 1, bmin: 0, linear: true },
      { name: 'beam_energy', value: 20, free: false, bmin: 0 },
      { name: 'cutoff', value: 1, free: false, bmin: 0 },
    ],
    size: 3,
    analyticJacobian: true,
    weightsJacobian: true,
    evaluate(x, n, p, out) {
      const a = p[0]!;
      const e0 = p[1]!;
      const cut = p[2]!;
      for (let i = 0; i < n; i++) {
        const e = x[i]!;
        if (!(e > 0 && e < e0)) {
          out[i] = 0;
          continue;
        }
        const q = cut / e;
        out[i] = (a * (e0 - e) * Math.exp(-q * q * q)) / e;
      }
    },
    jacobian(x, n, p, out, rows, weights) {
      const a = p[0]!;
      const e0 = p[1]!;
      const cut = p[2]!;
      const rA = rows[0]!;
      const rE = rows[1]!;
      const rC = rows[2]!;
      for (let i = 0; i < n; i++) {
        const e = x[i]!;
        const w = weights ? weights[i]! : 1;
        if (!(e > 0 && e < e0)) {
          if (rA >= 0) out[rA * n + i] = 0;
          if (rE >= 0) out[rE * n + i] = 0;
          if (rC >= 0) out[rC * n + i] = 0;
          continue;
        }
        const q = cut / e;
        const t = Math.exp(-q * q * q);
        const shape = ((e0 - e) * t) / e;
        if (rA >= 0) out[rA * n + i] = shape * w;
        if (rE >= 0) out[rE * n + i] = ((a * t) / e) * w;
        if (rC >= 0) out[rC * n + i] = a * shape * ((-3 * q * q) / e) * w;
      }
    },
  };
}
