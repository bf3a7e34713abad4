/**
 * EELSCLEdge: an ionisation edge, with HyperSpy's parameters
 *   intensity            linear, the number of atoms per unit area times
 *                        the incident electrons (per barn: the component is
 *                        intensity * dsigma/dE in barn/eV)
 *   fine_structure_coeff linear amplitudes of Gaussians that tile the
 *                        fine-structure window above the onset (ELNES),
 *                        fixed at 0 unless the fine structure is active
 *   effective_angle      the collection semi-angle of the cross section,
 *                        mrad (fixed by default)
 *   onset_energy         eV (fixed by default, bounded to +-10 eV of the
 *                        table's onset)
 *
 *   f(x) = intensity * s(x - onset_energy) + sum_k c_k G_k(x - onset_energy),
 *
 * s(e) the hydrogenic dsigma/dE at the table's onset + e (eels/hydrogenic.ts),
 * 0 below the onset: moving the onset shifts the edge's shape. It is
 * tabulated every STEP eV as far as the axis needs and interpolated by
 * cubic Hermite splines, so that df/donset = -intensity s'(x - onset) -
 * sum_k c_k G_k' is exact for the interpolant (the step at the onset itself
 * has no derivative and is left out, as in any smooth optimiser). The
 * effective angle's column is a central difference (two more tables).
 *
 * Options (plain data, recreate the function): element, subshell ('K' or
 * 'L3': the L2,3 edge, with the 2s electrons above L1), beamEnergy (keV),
 * collectionAngle (mrad), fineStructureActive, fineStructureWidth (eV),
 * fineStructureCount (number of Gaussians).
 */
import type { ComponentFunction, ParameterSpec } from '../components/component.js';
import { selectWindow } from '../components/estimate.js';
import { xrayElement } from '../eds/xray-lines.js';
import { differentialCrossSection, type HydrogenicEdge } from './hydrogenic.js';

/** Table step (eV) of the edge's shape. */
const STEP = 0.25;
const ONSET_WINDOW = 10;

export interface EelsEdgeOptions {
  element: string;
  /** 'K', or 'L3' for the L2,3 edge (as HyperSpy names it: `Fe_L3`). */
  subshell: 'K' | 'L3';
  /** keV @default 200 */
  beamEnergy?: number;
  /** Collection semi-angle, mrad. @default 10 */
  collectionAngle?: number;
  /** @default false */
  fineStructureActive?: boolean;
  /** eV above the onset covered by the fine structure. @default 30 */
  fineStructureWidth?: number;
  /** Gaussians in that window. @default 10 */
  fineStructureCount?: number;
}

export interface ResolvedEdge {
  element: string;
  subshell: 'K' | 'L3';
  z: number;
  onset: number;
  hydrogenic: HydrogenicEdge;
}

/**
 * K-edge onsets (eV) of the light elements as EELS measures them in solids
 * (the EELS Atlas values users quote), where the X-ray table's free-atom
 * absorption edges lie several eV higher (O K 543.1 in the table, 532 in an
 * oxide; N K 409.9 against 401). Started from the table, an O K onset would
 * sit on its bound (table +-10 eV) and the pre-edge window would take in the
 * edge's rise. Heavier edges agree with the table within a few eV.
 */
const EELS_K_ONSETS: Readonly<Record<string, number>> = {
  B: 188,
  C: 284,
  N: 401,
  O: 532,
  F: 685,
  Ne: 867,
};

/**
 * The onset (eV) of an element's K or L3 edge (the X-ray table's, or the
 * solid-state EELS onset for the light K edges above), and the model's shell.
 */
export function resolveEdge(element: string, subshell: string): ResolvedEdge {
  const e = xrayElement(element);
  if (subshell !== 'K' && subshell !== 'L3')
    throw new Error(
      `EELSCLEdge ${e.symbol}_${subshell}: the hydrogenic model has K and L3 (L2,3) edges only`,
    );
  const edge = e.edges.find((d) => d.shell === subshell);
  if (!edge) throw new Error(`EELSCLEdge: ${e.symbol} has no ${subshell} edge in the table`);
  const l1 = e.edges.find((d) => d.shell === 'L1');
  const hydrogenic: HydrogenicEdge =
    subshell === 'K'
      ? { z: e.Z, shell: 'K' }
      : l1
        ? { z: e.Z, shell: 'L', l1Onset: l1.energy, l3Onset: edge.energy }
        : { z: e.Z, shell: 'L', l3Onset: edge.energy };
  if (subshell === 'L3' && e.Z < 11)
    throw new Error(`EELSCLEdge ${e.symbol}_L3: the hydrogenic L shell needs Z >= 11`);
  const onset = subshell === 'K' ? (EELS_K_ONSETS[e.symbol] ?? edge.energy) : edge.energy;
  return { element: e.symbol, subshell, z: e.Z, onset, hydrogenic };
}

function num(o: Readonly<Record<string, unknown>>, key: string, fallback: number): number {
  const v = o[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new Error(`EELSCLEdge option '${key}' must be a finite number, got ${JSON.stringify(v)}`);
  return v;
}

export function eelsEdgeOptions(o: Readonly<Record<string, unknown>>): EelsEdgeOptions {
  let element = o['element'];
  let subshell = o['subshell'];
  const es = o['element_subshell'];
  if (typeof es === 'string' && element === undefined) {
    const m = /^([A-Z][a-z]?)_(\w+)$/.exec(es);
    if (!m) throw new Error(`EELSCLEdge: element_subshell '${es}' is not like 'O_K' or 'Fe_L3'`);
    element = m[1];
    subshell = m[2];
  }
  if (typeof element !== 'string') throw new Error("EELSCLEdge option 'element' must be a string");
  if (subshell !== 'K' && subshell !== 'L3')
    throw new Error(
      `EELSCLEdge option 'subshell' must be 'K' or 'L3', got ${JSON.stringify(subshell)}`,
    );
  const out: EelsEdgeOptions = {
    element,
    subshell,
    beamEnergy: num(o, 'beamEnergy', 200),
    collectionAngle: num(o, 'collectionAngle', 10),
    fineStructureActive: o['fineStructureActive'] === true,
    fineStructureWidth: num(o, 'fineStructureWidth', 30),
    fineStructureCount: Math.round(num(o, 'fineStructureCount', 10)),
  };
  if (!(out.beamEnergy! > 0)) throw new Error('EELSCLEdge: beamEnergy must be > 0 keV');
  if (!(out.collectionAngle! > 0)) throw new Error('EELSCLEdge: collectionAngle must be > 0 mrad');
  if (!(out.fineStructureWidth! > 0)) throw new Error('EELSCLEdge: fineStructureWidth must be > 0');
  // At least 5: HyperSpy's fine structure has 4 values more than its smoothing gives.
  if (!(out.fineStructureCount! >= 5))
    throw new Error('EELSCLEdge: fineStructureCount must be at least 5');
  return out;
}

/** The edge's shape s(e) every STEP eV above the onset, for one angle; grown on demand. */
class ShapeTable {
  values = new Float64Array(0);
  constructor(
    readonly edge: ResolvedEdge,
    readonly beamEnergy: number,
    readonly beta: number,
  ) {}
  /** Makes sure the table covers [0, e] eV above the onset (plus the spline's neighbours). */
  cover(e: number): void {
    const need = Math.ceil(Math.max(e, 0) / STEP) + 3;
    const old = this.values.length;
    if (need <= old) return;
    const size = Math.max(need, Math.ceil(old * 1.5), 64);
    const next = new Float64Array(size);
    next.set(this.values);
    for (let i = old; i < size; i++)
      next[i] = differentialCrossSection(
        this.edge.hydrogenic,
        this.edge.onset + i * STEP,
        this.beamEnergy,
        this.beta,
      );
    this.values = next;
  }
}

/**
 * Cubic Hermite (Catmull-Rom inside, one-sided at the onset) value and
 * derivative of the table at e >= 0; writes [value, derivative] into out.
 */
function interpolate(t: Float64Array, e: number, out: Float64Array): void {
  const u = e / STEP;
  const i = Math.floor(u);
  const f = u - i;
  const y0 = t[i]!;
  const y1 = t[i + 1]!;
  const m0 = i === 0 ? y1 - y0 : (y1 - t[i - 1]!) / 2;
  const m1 = (t[i + 2]! - y0) / 2;
  const f2 = f * f;
  const f3 = f2 * f;
  out[0] =
    (2 * f3 - 3 * f2 + 1) * y0 + (f3 - 2 * f2 + f) * m0 + (-2 * f3 + 3 * f2) * y1 + (f3 - f2) * m1;
  out[1] =
    ((6 * f2 - 6 * f) * y0 +
      (3 * f2 - 4 * f + 1) * m0 +
      (-6 * f2 + 6 * f) * y1 +
      (3 * f2 - 2 * f) * m1) /
    STEP;
}

export function eelsClEdge(raw: Readonly<Record<string, unknown>>): ComponentFunction {
  const o = eelsEdgeOptions(raw);
  const edge = resolveEdge(o.element, o.subshell);
  const beamEnergy = o.beamEnergy!;
  const fsActive = o.fineStructureActive!;
  const fsWidth = o.fineStructureWidth!;
  const nFs = o.fineStructureCount!;
  const spacing = fsWidth / nFs;
  // Gaussians with FWHM = their spacing: a smooth partition of the window.
  const fsSigma = spacing / (2 * Math.sqrt(2 * Math.LN2));
  // Beyond 8 sigma past the last centre the Gaussians are below 1e-14: left out.
  const fsEnd = fsWidth + 8 * fsSigma;
  const tables = new Map<number, ShapeTable>();
  const table = (beta: number): ShapeTable => {
    let t = tables.get(beta);
    if (!t) {
      if (tables.size > 8) tables.clear();
      t = new ShapeTable(edge, beamEnergy, beta);
      tables.set(beta, t);
    }
    return t;
  };
  const parameters: ParameterSpec[] = [
    { name: 'intensity', value: 1, bmin: 0, linear: true },
    { name: 'fine_structure_coeff', length: nFs, value: 0, free: fsActive, linear: true },
    { name: 'effective_angle', value: o.collectionAngle!, free: false, bmin: 0, units: 'mrad' },
    {
      name: 'onset_energy',
      value: edge.onset,
      free: false,
      bmin: edge.onset - ONSET_WINDOW,
      bmax: edge.onset + ONSET_WINDOW,
      units: 'eV',
    },
  ];
  const iBeta = 1 + nFs;
  const iOnset = 2 + nFs;
  const pair = new Float64Array(2);
  let maxX = -Infinity;
  const shapeFor = (x: Float64Array, n: number, beta: number, onset: number): Float64Array => {
    const t = table(beta);
    let hi = maxX;
    for (let i = 0; i < n; i++) if (x[i]! > hi) hi = x[i]!;
    maxX = hi;
    t.cover(hi - onset);
    return t.values;
  };
  const evaluateWith = (
    x: Float64Array,
    n: number,
    p: Float64Array,
    out: Float64Array,
    beta: number,
  ): void => {
    const intensity = p[0]!;
    const onset = p[iOnset]!;
    const t = shapeFor(x, n, beta, onset);
    for (let i = 0; i < n; i++) {
      const e = x[i]! - onset;
      if (e < 0) {
        out[i] = 0;
        continue;
      }
      interpolate(t, e, pair);
      let v = intensity * pair[0]!;
      if (fsActive && e < fsEnd) {
        for (let k = 0; k < nFs; k++) {
          const d = (e - (k + 0.5) * spacing) / fsSigma;
          v += p[1 + k]! * Math.exp(-0.5 * d * d);
        }
      }
      out[i] = v;
    }
  };
  let scratch = new Float64Array(0);
  return {
    kind: 'EELSCLEdge',
    options: { ...o },
    parameters,
    size: 3 + nFs,
    analyticJacobian: true,
    evaluate(x, n, p, out) {
      evaluateWith(x, n, p, out, p[iBeta]!);
    },
    jacobian(x, n, p, out, rows) {
      const intensity = p[0]!;
      const onset = p[iOnset]!;
      const beta = p[iBeta]!;
      const t = shapeFor(x, n, beta, onset);
      const rI = rows[0]! * n;
      const rO = rows[iOnset]! * n;
      for (let i = 0; i < n; i++) {
        const e = x[i]! - onset;
        let dOnset = 0;
        let s = 0;
        if (e >= 0) {
          interpolate(t, e, pair);
          s = pair[0]!;
          dOnset = -intensity * pair[1]!;
        }
        if (rI >= 0) out[rI + i] = s;
        for (let k = 0; k < nFs; k++) {
          const r = rows[1 + k]!;
          let g = 0;
          if (fsActive && e >= 0 && e < fsEnd) {
            const d = (e - (k + 0.5) * spacing) / fsSigma;
            g = Math.exp(-0.5 * d * d);
            dOnset += (p[1 + k]! * g * d) / fsSigma;
          }
          if (r >= 0) out[r * n + i] = g;
        }
        if (rO >= 0) out[rO + i] = dOnset;
      }
      const rB = rows[iBeta]!;
      if (rB >= 0) {
        if (scratch.length < 2 * n) scratch = new Float64Array(2 * n);
        const h = 1e-4 * Math.max(Math.abs(beta), 1);
        const plus = scratch.subarray(0, n);
        const minus = scratch.subarray(n, 2 * n);
        evaluateWith(x, n, p, plus, beta + h);
        evaluateWith(x, n, p, minus, beta - h);
        for (let i = 0; i < n; i++) out[rB * n + i] = (plus[i]! - minus[i]!) / (2 * h);
      }
    },
    estimate(x, y, p, range) {
      return estimateEdge(x, y, p, range, (xs, n, q, out) =>
        evaluateWith(xs, n, q, out, p[iBeta]!),
      );
    },
  };
}

/**
 * The edge's intensity from data: the least-squares amplitude of the
 * cross section over the channels of the range above the onset (with the
 * fine structure left out), the data being what the edge should account
 * for (the background already subtracted). Non-negative.
 */
function estimateEdge(
  x: Float64Array,
  y: Float64Array,
  p: Float64Array,
  range: { start: number; end: number } | undefined,
  shape: (x: Float64Array, n: number, p: Float64Array, out: Float64Array) => void,
): { fromData: boolean; note: string } {
  const w = selectWindow(x, y, range);
  const n = w.x.length;
  const unit = Float64Array.from(p);
  unit[0] = 1;
  for (let k = 1; k < unit.length - 2; k++) unit[k] = 0;
  const s = new Float64Array(n);
  shape(w.x, n, unit, s);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += s[i]! * w.y[i]!;
    den += s[i]! * s[i]!;
  }
  if (!(den > 0)) {
    return {
      fromData: false,
      note: 'no channel of the range lies above the onset: intensity kept',
    };
  }
  const a = num / den;
  if (!(a > 0) || !Number.isFinite(a)) {
    p[0] = 0;
    return {
      fromData: false,
      note: 'no positive counts above the onset in the range: intensity 0',
    };
  }
  p[0] = a;
  return { fromData: true, note: 'least-squares amplitude of the cross section above the onset' };
}
