/**
 * Where a new component starts: from the data the user sees. The model's
 * other components, at the current pixel's values, are taken off the pixel's
 * spectrum (a new peak goes on what they leave), and the new component's
 * `estimate` reads the channels that are both in the signal range and in
 * the visible part of the axis. Values are kept within the parameters'
 * bounds.
 */
import type { Estimate } from '../components/estimate.js';
import { axisBinWidths, axisValues } from '../model/axis.js';
import type { Component } from '../model/component.js';
import type { Model } from '../model/model.js';

/** Fewer channels than this in view and range: use every channel of the view (or of the range). */
const MIN_CHANNELS = 3;

/**
 * The residual the new component should account for (per unit of the axis
 * on a binned axis), computed before it joins the model.
 */
export function placementData(model: Model, pixel: number): Float64Array {
  const signal = model.signal;
  const data = signal.readSpectrum(pixel);
  const total = model.evaluate();
  const axis = signal.signalAxis;
  const widths = axis.isBinned ? axisBinWidths(axis) : null;
  for (let i = 0; i < data.length; i++)
    data[i] = (data[i]! - total[i]!) / (widths ? widths[i]! : 1);
  return data;
}

/** The channels to estimate from: in the signal range and in view, else the view, else the range. */
export function placementChannels(
  x: Float64Array,
  switches: Uint8Array,
  view: { start: number; end: number } | undefined,
): Uint8Array {
  const lo = view ? Math.min(view.start, view.end) : -Infinity;
  const hi = view ? Math.max(view.start, view.end) : Infinity;
  const pick = (useSwitches: boolean, useView: boolean): Uint8Array | null => {
    const out = new Uint8Array(x.length);
    let n = 0;
    for (let i = 0; i < x.length; i++) {
      const inView = !useView || (x[i]! >= lo && x[i]! <= hi);
      const inRange = !useSwitches || switches[i] === 1;
      if (inView && inRange) {
        out[i] = 1;
        n++;
      }
    }
    return n >= MIN_CHANNELS ? out : null;
  };
  return (
    pick(true, true) ?? pick(false, true) ?? pick(true, false) ?? new Uint8Array(x.length).fill(1)
  );
}

/**
 * Sets `component`'s current values from `residual` (placementData, taken
 * before the component was added) over the chosen channels. Returns what the
 * estimate did, or null for a kind without an estimate (its defaults stay).
 */
export function placeComponent(
  model: Model,
  component: Component,
  residual: Float64Array,
  view?: { start: number; end: number },
): Estimate | null {
  const fn = component.fn;
  if (!fn.estimate) return null;
  const x = axisValues(model.signal.signalAxis);
  const use = placementChannels(x, model.channelSwitches, view);
  let n = 0;
  for (const u of use) n += u;
  const wx = new Float64Array(n);
  const wy = new Float64Array(n);
  for (let i = 0, k = 0; i < x.length; i++) {
    if (!use[i]) continue;
    wx[k] = x[i]!;
    wy[k] = residual[i]!;
    k++;
  }
  const p = new Float64Array(fn.size);
  let k = 0;
  for (const par of component.parameters) {
    p.set(par.current, k);
    k += par.length;
  }
  const result = fn.estimate(wx, wy, p);
  k = 0;
  for (const par of component.parameters) {
    const values = Array.from(p.subarray(k, k + par.length), (v, j) => {
      if (!Number.isFinite(v)) return par.current[j]!;
      const lo = par.bmin ?? -Infinity;
      const hi = par.bmax ?? Infinity;
      return Math.min(hi, Math.max(lo, v));
    });
    par.setValues(values);
    k += par.length;
  }
  return result;
}
