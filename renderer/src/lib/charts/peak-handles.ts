/**
 * Handles on the spectrum for a peak's starting guess: one at the top of
 * each active component with a `centre` and an amplitude `A` (Gaussian,
 * Lorentzian, Voigt...). Dropping a handle moves the centre to the x of the
 * drop and scales A so the peak's top reaches its y (A is linear in height
 * for these shapes, so no formula per kind is needed).
 */
import type { ModelState, ParameterEdit, SpectrumView } from '@samfire/core/api';

export interface PeakHandle {
  component: string;
  /** The top of the peak now, in axis values. */
  x: number;
  y: number;
  centre: string;
  amplitude: string;
  amplitudeValue: number;
}

/**
 * The curve's value at x (linear between channels; NaN outside the axis).
 * The axis may be non-uniform (an energy axis from wavelengths): the
 * channels either side of x are found by bisection, whichever way it runs.
 */
export function valueAt(xs: Float64Array, ys: Float64Array, x: number): number {
  const n = xs.length;
  if (n === 0 || !Number.isFinite(x)) return NaN;
  if (n === 1) return x === xs[0] ? ys[0]! : NaN;
  const up = xs[n - 1]! >= xs[0]!;
  const lo = up ? xs[0]! : xs[n - 1]!;
  const hi = up ? xs[n - 1]! : xs[0]!;
  if (x < lo || x > hi) return NaN;
  // The last channel i with xs[i] at or before x (in the axis's direction), at most n - 2.
  let a = 0;
  let b = n - 1;
  while (b - a > 1) {
    const m = (a + b) >> 1;
    if (up ? xs[m]! <= x : xs[m]! >= x) a = m;
    else b = m;
  }
  const span = xs[b]! - xs[a]!;
  const f = span === 0 ? 0 : (x - xs[a]!) / span;
  return ys[a]! + f * (ys[b]! - ys[a]!);
}

export function peakHandles(model: ModelState, view: SpectrumView): PeakHandle[] {
  const out: PeakHandle[] = [];
  for (const c of model.components) {
    if (!c.active) continue;
    const centre = c.parameters.find((p) => p.name === 'centre' && p.values.length === 1);
    const amplitude = c.parameters.find((p) => p.name === 'A' && p.values.length === 1);
    const curve = view.components.find((x) => x.name === c.name);
    if (!centre || !amplitude || !curve || !centre.free) continue;
    const x = centre.values[0]!;
    const y = valueAt(view.x, curve.values, x);
    if (Number.isFinite(y)) {
      out.push({
        component: c.name,
        x,
        y,
        centre: centre.fullName,
        amplitude: amplitude.fullName,
        amplitudeValue: amplitude.values[0]!,
      });
    }
  }
  return out;
}

/** The edits that move a peak's top to (x, y): its centre, and A scaled to the new height. */
export function peakEdits(handle: PeakHandle, x: number, y: number): ParameterEdit[] {
  const edits: ParameterEdit[] = [];
  if (Number.isFinite(x) && x !== handle.x) edits.push({ parameter: handle.centre, value: x });
  if (Number.isFinite(y) && y > 0 && handle.y > 0 && y !== handle.y)
    edits.push({ parameter: handle.amplitude, value: (handle.amplitudeValue * y) / handle.y });
  return edits;
}

/** What drawing handles needs from a chart (ECharts' instance has it). */
export interface HandleChart {
  convertToPixel(finder: { gridIndex: number }, value: number[]): unknown;
  convertFromPixel(finder: { gridIndex: number }, value: number[]): unknown;
  setOption(option: object, opts: { replaceMerge: string[] }): void;
}

/**
 * Draws the handles as draggable circles over the plot; a drop calls `ondrop`
 * in axis values. Returns where they were drawn (chart pixels).
 */
export function drawPeakHandles(
  chart: HandleChart,
  handles: readonly PeakHandle[],
  colour: string,
  ondrop: (handle: PeakHandle, x: number, y: number) => void,
): { component: string; x: number; y: number }[] {
  const placed: { component: string; x: number; y: number }[] = [];
  const graphic = handles.flatMap((h) => {
    const p = chart.convertToPixel({ gridIndex: 0 }, [h.x, h.y]) as number[] | undefined;
    if (!p || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) return [];
    placed.push({ component: h.component, x: Math.round(p[0]!), y: Math.round(p[1]!) });
    return [
      {
        type: 'circle',
        id: `peak-${h.component}`,
        x: p[0],
        y: p[1],
        z: 200,
        draggable: true,
        cursor: 'move',
        shape: { cx: 0, cy: 0, r: 7 },
        style: { fill: 'rgba(255,255,255,0.85)', stroke: colour, lineWidth: 2 },
        textContent: { style: { text: h.component, fill: colour, fontSize: 11 } },
        textConfig: { position: 'top' },
        ondragend(this: { x: number; y: number }) {
          const v = chart.convertFromPixel({ gridIndex: 0 }, [this.x, this.y]) as
            number[] | undefined;
          if (v) ondrop(h, v[0]!, v[1]!);
        },
      },
    ];
  });
  chart.setOption({ graphic }, { replaceMerge: ['graphic'] });
  return placed;
}
