/**
 * An EDS model as HyperSpy 1.7.3 can hold it. HyperSpy knows only its own
 * component kinds, so for a .hspy file:
 *
 * - each XrayFamily becomes one Gaussian per line, named as HyperSpy and
 *   eXSpy name them (`Fe_Ka`, `Fe_Kb`, ...), main (heaviest) line first: the
 *   main line's `A` is the family's A times its weight; every other line's
 *   `A` is tied to it by `twin_function_expr` "r*x" (r the weight ratio).
 *   Centres and sigmas are fixed at their calibrated values, per pixel;
 *   where the calibration is the same at every pixel (as after `calibrate`)
 *   the other lines' centres and sigmas are also tied to the main line's
 *   ("x + d", "sqrt(x**2 + c)"), so that a HyperSpy user who frees the main
 *   line's centre or width moves the family together;
 * - the EdsCalibration contributes nothing and has no HyperSpy form: it is
 *   left out of HyperSpy's component list.
 *
 * The original components (families and calibration, with their maps and
 * ties) are kept by the writer in a group HyperSpy ignores, and each Gaussian
 * names its family in attributes HyperSpy ignores, so that our reader
 * collapses the Gaussians back into families.
 */
import type { Component } from '../model/component.js';
import { Model } from '../model/model.js';
import type { Parameter } from '../model/parameter.js';
import { familyLineGeometry, xrayFamilyOptions, type XrayFamilyOptions } from './eds-components.js';

/** Kinds that are written to HyperSpy files through this expansion. */
export const EXPANDED_KINDS: ReadonlySet<string> = new Set(['XrayFamily', 'EdsCalibration']);

export interface HyperspyExpansion {
  /** HyperSpy's component list: the model's other components as they are, families as Gaussians. */
  components: Component[];
  /** Per Gaussian of a family: the family's component name and the line. */
  lineOf: Map<Component, { family: string; line: string }>;
  /** The expanded components as they are (to keep in a group HyperSpy ignores), with their index. */
  originals: { index: number; component: Component }[];
}

/** Whether a model has components that need the expansion. */
export function needsExpansion(model: Model): boolean {
  return model.components.some((c) => EXPANDED_KINDS.has(c.kind));
}

/** A number as a formula literal: full precision, sympy-readable. */
function literal(v: number): string {
  return String(v);
}

function uniform(p: Parameter): boolean {
  const { values, isSet } = p.map;
  const v = p.current[0]!;
  for (let i = 0; i < isSet.length; i++) if (isSet[i] && values[i] !== v) return false;
  return true;
}

/** Values of a single-valued parameter at every pixel (the current value where unset). */
function pixelValues(p: Parameter): Float64Array {
  const { values, isSet } = p.map;
  return Float64Array.from(isSet, (set, i) => (set ? values[i]! : p.current[0]!));
}

export function expandForHyperspy(model: Model): HyperspyExpansion {
  const nav = model.signal.navigationSize;
  const scratch = new Model(model.signal);
  const components: Component[] = [];
  const lineOf = new Map<Component, { family: string; line: string }>();
  const originals: { index: number; component: Component }[] = [];
  const taken = new Set(
    model.components.filter((c) => !EXPANDED_KINDS.has(c.kind)).map((c) => c.name),
  );
  const uniqueName = (name: string): string => {
    let out = name;
    for (let i = 1; taken.has(out); i++) out = `${name}_${i}`;
    taken.add(out);
    return out;
  };
  model.followTwins();
  model.components.forEach((c, index) => {
    if (!EXPANDED_KINDS.has(c.kind)) {
      components.push(c);
      return;
    }
    originals.push({ index, component: c });
    if (c.kind !== 'XrayFamily') return;
    const o: XrayFamilyOptions = xrayFamilyOptions(c.fn.options);
    const [pA, pOffset, pScale, pFwhm] = ['A', 'offset', 'scale', 'fwhm_MnKa'].map((n) =>
      c.parameter(n),
    ) as [Parameter, Parameter, Parameter, Parameter];
    const offsets = pixelValues(pOffset);
    const scales = pixelValues(pScale);
    const fwhms = pixelValues(pFwhm);
    const sameEverywhere = uniform(pOffset) && uniform(pScale) && uniform(pFwhm);
    // Main line first: the heaviest (the database lists them so).
    const order = o.lines
      .map((l, i) => ({ l, i }))
      .sort((a, b) => b.l.weight - a.l.weight || a.i - b.i);
    const geometry = new Float64Array(3);
    const current = (line: (typeof order)[number]['l']) => {
      familyLineGeometry(o, line, pOffset.value, pScale.value, pFwhm.value, geometry);
      return { centre: geometry[0]!, sigma: geometry[1]! };
    };
    let main: Component | null = null;
    const mainLine = order[0]!.l;
    const mainNow = current(mainLine);
    for (const { l } of order) {
      const g = scratch.append({ kind: 'Gaussian', name: uniqueName(`${o.element}_${l.name}`) });
      const [gA, gCentre, gSigma] = g.parameters as [Parameter, Parameter, Parameter];
      const now = current(l);
      gA.set({ free: pA.free, bmin: pA.bmin, bmax: pA.bmax, units: pA.units });
      gA.current[0] = pA.current[0]! * l.weight;
      gA.currentStd[0] = pA.currentStd[0]! * l.weight;
      gCentre.set({ free: false, bmin: null, bmax: null, units: model.signal.signalAxis.units });
      gCentre.current[0] = now.centre;
      gSigma.set({ free: false, bmin: 0, bmax: null, units: model.signal.signalAxis.units });
      gSigma.current[0] = now.sigma;
      for (let px = 0; px < nav; px++) {
        familyLineGeometry(o, l, offsets[px]!, scales[px]!, fwhms[px]!, geometry);
        gA.map.values[px] = pA.map.values[px]! * l.weight;
        gA.map.std[px] = pA.map.std[px]! * l.weight;
        gCentre.map.values[px] = geometry[0]!;
        gSigma.map.values[px] = geometry[1]!;
        gCentre.map.std[px] = NaN;
        gSigma.map.std[px] = NaN;
      }
      for (const p of [gA, gCentre, gSigma]) p.map.isSet.set(pA.map.isSet);
      g.active = c.active;
      if (c.activeMap) g.setActiveMap(Uint8Array.from(c.activeMap));
      if (main === null) {
        main = g;
      } else {
        const [mA, mCentre, mSigma] = main.parameters as [Parameter, Parameter, Parameter];
        const ratio = l.weight / mainLine.weight;
        if (ratio > 0) gA.setTwin(mA, `${literal(ratio)}*x`, `x/${literal(ratio)}`);
        if (sameEverywhere) {
          const d = now.centre - mainNow.centre;
          gCentre.setTwin(mCentre, d < 0 ? `x - ${literal(-d)}` : `x + ${literal(d)}`);
          const c2 = now.sigma * now.sigma - mainNow.sigma * mainNow.sigma;
          gSigma.setTwin(
            mSigma,
            c2 < 0 ? `sqrt(x**2 - ${literal(-c2)})` : `sqrt(x**2 + ${literal(c2)})`,
          );
          // The formulas give these values back to rounding; keep the exact ones.
          gCentre.current[0] = now.centre;
          gSigma.current[0] = now.sigma;
        }
      }
      components.push(g);
      lineOf.set(g, { family: c.name, line: l.name });
    }
  });
  return { components, lineOf, originals };
}
