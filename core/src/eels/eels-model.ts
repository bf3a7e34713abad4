/**
 * Building EELS core-loss models as a spectroscopist expects:
 *
 * - `fitPowerLaw`: the pre-edge background A E^-r in a window, started by
 *   Egerton's two-area estimate (PowerLaw's `estimate`) and then refined by
 *   least squares (A solved linearly for each r, r by golden-section search
 *   over the residual), ready to be extrapolated under the edges;
 * - `addEdges(model, element)`: the element's K and L2,3 edges whose onsets
 *   (the edge table) lie on the signal axis, as EELSCLEdge components with the
 *   beam energy and collection angle from the signal's metadata
 *   (Acquisition_instrument.TEM.beam_energy, keV, and
 *   .Detector.EELS.collection_angle, mrad), a PowerLaw background if the
 *   model has none, its start values from the pre-edge window, the edges'
 *   intensities from the data above them, and the model's fitting range set
 *   from the pre-edge window to the end of the axis.
 */
import { powerLaw } from '../components/power-law.js';
import { selectWindow } from '../components/estimate.js';
import { axisValues as axisValuesOf } from '../model/axis.js';
import type { Component } from '../model/component.js';
import type { Model } from '../model/model.js';
import type { Signal } from '../model/signal.js';
import { metaNumber } from '../util/metadata.js';
import { resolveEdge } from './edge-component.js';

export interface PowerLawFit {
  A: number;
  r: number;
  /** The two-area estimate the least squares started from. */
  start: { A: number; r: number };
  /** Sum of squared residuals in the window. */
  residual: number;
  /** Channels used. */
  channels: number;
}

/**
 * A power law A x^-r fitted to (x, y) in [start, end]: two-area start, then
 * least squares with r in [rMin, rMax]. Channels with x <= 0 are left out.
 */
export function fitPowerLaw(
  x: Float64Array,
  y: Float64Array,
  start: number,
  end: number,
  rMin = 0.5,
  rMax = 8,
): PowerLawFit {
  const w = selectWindow(x, y, { start, end });
  const keep: number[] = [];
  for (let i = 0; i < w.x.length; i++) if (w.x[i]! > 0) keep.push(i);
  const wx = Float64Array.from(keep, (i) => w.x[i]!);
  const wy = Float64Array.from(keep, (i) => w.y[i]!);
  const m = wx.length;
  if (m < 4)
    throw new Error(
      `power-law background: only ${m} channels above 0 in the window ${start} to ${end}`,
    );
  const p = new Float64Array([1, 0, 0, 3]);
  powerLaw().estimate!(wx, wy, p, { start, end });
  const first = { A: p[0]!, r: p[3]! };
  const lx = Float64Array.from(wx, Math.log);
  const g = new Float64Array(m);
  const cost = (r: number): { a: number; s: number } => {
    let num = 0;
    let den = 0;
    for (let i = 0; i < m; i++) {
      g[i] = Math.exp(-r * lx[i]!);
      num += g[i]! * wy[i]!;
      den += g[i]! * g[i]!;
    }
    const a = den > 0 ? num / den : 0;
    let s = 0;
    for (let i = 0; i < m; i++) s += (wy[i]! - a * g[i]!) ** 2;
    return { a, s };
  };
  // Golden section on r around the two-area value (the residual is unimodal near it).
  const phi = (Math.sqrt(5) - 1) / 2;
  let lo = Math.max(rMin, first.r - 2);
  let hi = Math.min(rMax, first.r + 2);
  let c = hi - phi * (hi - lo);
  let d = lo + phi * (hi - lo);
  let fc = cost(c).s;
  let fd = cost(d).s;
  for (let it = 0; it < 80 && hi - lo > 1e-10; it++) {
    if (fc < fd) {
      hi = d;
      d = c;
      fd = fc;
      c = hi - phi * (hi - lo);
      fc = cost(c).s;
    } else {
      lo = c;
      c = d;
      fc = fd;
      d = lo + phi * (hi - lo);
      fd = cost(d).s;
    }
  }
  const r = (lo + hi) / 2;
  const best = cost(r);
  return { A: best.a, r, start: first, residual: best.s, channels: m };
}

/** Beam energy (keV) and collection semi-angle (mrad) of an EELS signal, with their sources. */
export function eelsMicroscope(
  signal: Signal,
  options: { beamEnergy?: number; collectionAngle?: number } = {},
): { beamEnergy: number; collectionAngle: number; notes: string[] } {
  const notes: string[] = [];
  const meta = signal.metadata;
  let beamEnergy = options.beamEnergy ?? metaNumber(meta, 'Acquisition_instrument.TEM.beam_energy');
  if (beamEnergy === undefined) {
    beamEnergy = 200;
    notes.push('no beam energy in the metadata: 200 keV assumed');
  }
  let collectionAngle =
    options.collectionAngle ??
    metaNumber(meta, 'Acquisition_instrument.TEM.Detector.EELS.collection_angle');
  if (collectionAngle === undefined) {
    collectionAngle = 10;
    notes.push('no collection angle in the metadata: 10 mrad assumed');
  }
  return { beamEnergy, collectionAngle, notes };
}

export interface AddEdgesOptions {
  beamEnergy?: number;
  collectionAngle?: number;
  /** Width of the pre-edge window (eV) before the first onset. @default 50 */
  preEdge?: number;
  /** Gap (eV) between the window's end and the first onset. @default 5 */
  gap?: number;
  /** Fine structure on the new edges. @default false */
  fineStructure?: boolean;
  /** Pixel whose data start the values (all pixels get them). @default 0 */
  pixel?: number;
}

export interface AddedEdges {
  edges: Component[];
  background: Component;
  /** The fitting range set on the model. */
  range: [number, number];
  /** The pre-edge window. */
  window: [number, number];
  notes: string[];
}

/** Axis values of the signal axis. */
function axisValues(signal: Signal): Float64Array {
  return axisValuesOf(signal.signalAxis);
}

/**
 * Adds the ionisation edges of `element` lying on the axis (K, L2,3), a
 * power-law background if there is none, start values from `pixel`'s data
 * and the fitting range. Throws when the element has no edge on the axis.
 */
export function addEdges(model: Model, element: string, options: AddEdgesOptions = {}): AddedEdges {
  const signal = model.signal;
  const x = axisValues(signal);
  const lo = Math.min(x[0]!, x[x.length - 1]!);
  const hi = Math.max(x[0]!, x[x.length - 1]!);
  const { beamEnergy, collectionAngle, notes } = eelsMicroscope(signal, options);
  const found: { subshell: 'K' | 'L3'; onset: number }[] = [];
  for (const subshell of ['K', 'L3'] as const) {
    let onset: number;
    try {
      onset = resolveEdge(element, subshell).onset;
    } catch {
      continue;
    }
    if (onset > lo && onset < hi - 10) found.push({ subshell, onset });
  }
  if (found.length === 0)
    throw new Error(
      `addEdges: ${element} has no K or L2,3 edge between ${lo} and ${hi} eV on the signal axis`,
    );
  const symbol = resolveEdge(element, found[0]!.subshell).element;
  const edges = found.map((f) =>
    model.append({
      kind: 'EELSCLEdge',
      name: `${symbol}_${f.subshell}`,
      options: {
        element: symbol,
        subshell: f.subshell,
        beamEnergy,
        collectionAngle,
        fineStructureActive: options.fineStructure === true,
      },
    }),
  );
  let background = model.components.find((c) => c.kind === 'PowerLaw');
  if (!background) background = model.append({ kind: 'PowerLaw' });
  const edgeOnsets = model.components
    .filter((c) => c.kind === 'EELSCLEdge')
    .map((c) => c.parameter('onset_energy').value);
  const first = Math.min(...edgeOnsets);
  const gap = options.gap ?? 5;
  const pre = options.preEdge ?? 50;
  const wEnd = first - gap;
  const wStart = Math.max(lo, wEnd - pre);
  if (!(wEnd - wStart >= 4 * Math.abs(signal.signalAxis.scale)))
    notes.push(
      `the pre-edge window ${wStart} to ${wEnd} eV is short: the background start is rough`,
    );
  model.setSignalRange(wStart, hi);
  // Start values from the chosen pixel's data.
  const pixel = options.pixel ?? 0;
  const y = signal.readSpectrum(pixel, new Float64Array(signal.channels));
  try {
    const bg = fitPowerLaw(x, y, wStart, wEnd);
    background.parameter('A').value = bg.A;
    background.parameter('r').value = Math.min(5, Math.max(1, bg.r));
    if (bg.r < 1 || bg.r > 5)
      notes.push(`the pre-edge fit gives r = ${bg.r.toFixed(2)}, outside PowerLaw's bounds 1 to 5`);
  } catch (err) {
    notes.push(`no background start: ${err instanceof Error ? err.message : String(err)}`);
  }
  // Edge intensities, in order of onset, from what the background and earlier edges leave.
  const rest = Float64Array.from(y);
  const tmp = new Float64Array(x.length);
  const bgFn = background.fn;
  const bgP = Float64Array.from(background.parameters.flatMap((p) => [...p.current]));
  bgFn.evaluate(x, x.length, bgP, tmp);
  for (let i = 0; i < x.length; i++) rest[i] = rest[i]! - tmp[i]!;
  const sorted = [...edges].sort(
    (a, b) => a.parameter('onset_energy').value - b.parameter('onset_energy').value,
  );
  for (const e of sorted) {
    const p = Float64Array.from(e.parameters.flatMap((q) => [...q.current]));
    const on = e.parameter('onset_energy').value;
    const note = e.fn.estimate!(x, rest, p, { start: on, end: Math.min(hi, on + 50) });
    if (!note.fromData) notes.push(`${e.name}: ${note.note}`);
    e.parameter('intensity').value = p[0]!;
    p.fill(0, 1, 1 + e.parameter('fine_structure_coeff').length);
    e.fn.evaluate(x, x.length, p, tmp);
    for (let i = 0; i < x.length; i++) rest[i] = rest[i]! - tmp[i]!;
  }
  for (const c of [background, ...edges]) for (const q of c.parameters) q.assignToAll();
  return { edges, background, range: [wStart, hi], window: [wStart, wEnd], notes };
}
