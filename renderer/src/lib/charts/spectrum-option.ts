/**
 * A pixel's spectrum as an ECharts line plot: the data, the total model, each
 * component (dashed), and the residual in a strip below (drawn over the
 * signal range only), on the calibrated axis, with the channels outside the
 * signal range shaded. The spectrum and the strip share one x extent (the
 * axis's first and last channel, the same grid edges) and the spectrum's own
 * axis always has its tick labels, rounded to the axis's precision. Zoom with
 * the wheel or the slider; in range mode a drag along the axis (a brush)
 * picks the signal range. Optionally: a log-scale y axis, and a second
 * (pinned) spectrum drawn over this one for comparison, and marks on the
 * spikes under review. On a non-uniform axis (energy from wavelength) every
 * series is drawn at the channels' own values ([x, y] pairs on a value axis).
 */
import type { EChartsOption, GridComponentOption, SeriesOption } from 'echarts';
import type { SpectrumView } from '@samfire/core/api';

/** [x, y] pairs for a line series (NaN kept out: ECharts would break the line there anyway). */
export function xyPairs(x: Float64Array, y: Float64Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < x.length; i++) if (Number.isFinite(y[i])) out.push([x[i]!, y[i]!]);
  return out;
}

/** A gap in a line series ('-' is ECharts' empty value: the line breaks there). */
type Pair = [number, number | '-'];

/**
 * [x, y] pairs over the channels where `keep` holds, with a gap wherever it
 * does not (or y is not finite): the line breaks instead of bridging a gap.
 */
export function gappedPairs(
  x: Float64Array,
  y: Float64Array,
  keep: (i: number) => boolean,
): Pair[] {
  const out: Pair[] = [];
  let gap = true;
  for (let i = 0; i < x.length; i++) {
    if (keep(i) && Number.isFinite(y[i])) {
      out.push([x[i]!, y[i]!]);
      gap = false;
    } else if (!gap) {
      out.push([x[i]!, '-']);
      gap = true;
    }
  }
  return out;
}

/** The axis's finite extent (first to last channel, whichever way it runs). */
export function xExtent(x: Float64Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of x) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(min <= max)) return { min: 0, max: 1 };
  if (min === max) return { min: min - 0.5, max: max + 0.5 };
  return { min, max };
}

/** Decimals that resolve one channel of the axis (0 for a step of 1 or more, 2 for 0.01...). */
export function axisDecimals(x: Float64Array): number {
  const { min, max } = xExtent(x);
  const step = x.length > 1 ? (max - min) / (x.length - 1) : 1;
  if (!(step > 0) || !Number.isFinite(step)) return 0;
  return Math.min(12, Math.max(0, Math.ceil(-Math.log10(step) - 1e-9)));
}

/** A tick label of the x axis at `decimals` (19.988651339999997 at 2 decimals is "19.99"). */
export function tickLabel(v: number, decimals: number): string {
  const r = Number(v.toFixed(decimals));
  return String(Object.is(r, -0) ? 0 : r);
}

/** A y tick label short enough for the 64-pixel margin (exponent form for large and tiny values). */
export function countLabel(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e5 || a < 1e-3) return v.toExponential(1).replace('e+', 'e').replace('.0e', 'e');
  return String(Number(v.toPrecision(4)));
}

/**
 * For a log y axis: the values that can be drawn (positive), the axis's
 * lower end (the decade at or below the smallest positive data value) and
 * how many data channels are not drawn (zero or negative). Null when no
 * data value is positive (a log axis cannot show them at all).
 */
export function logScale(data: Float64Array): { min: number; hidden: number } | null {
  let least = Infinity;
  let hidden = 0;
  for (const v of data) {
    if (!Number.isFinite(v)) continue;
    if (v > 0) least = Math.min(least, v);
    else hidden++;
  }
  if (!Number.isFinite(least)) return null;
  return { min: 10 ** Math.floor(Math.log10(least)), hidden };
}

/** Contiguous runs of switched-off channels, as [start, end] in axis values. */
export function excludedRanges(x: Float64Array, switches: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  let start = -1;
  for (let i = 0; i <= switches.length; i++) {
    const off = i < switches.length && switches[i] === 0;
    if (off && start < 0) start = i;
    if (!off && start >= 0) {
      out.push([x[start]!, x[i - 1]!]);
      start = -1;
    }
  }
  return out;
}

const COMPONENT_COLOURS = [
  '#1971c2',
  '#9c36b5',
  '#0c8599',
  '#e8590c',
  '#5f3dc4',
  '#c2255c',
  '#2b8a3e',
];

export interface SpectrumOptions {
  /** Range mode: a drag along the axis selects the signal range. */
  brush?: boolean;
  /** Keep the zoom window (percent of the axis) across redraws. */
  zoom?: { start: number; end: number };
  /** The chart's height in CSS pixels (lays the residual strip out without overlap). */
  height?: number;
  /** A logarithmic y axis for the spectrum (channels at or below 0 are not drawn). */
  logY?: boolean;
  /** Another spectrum (a pinned pixel) drawn over this one, with its model and residual. */
  pinned?: SpectrumView | null;
  /** X-ray lines to mark (EDS): a labelled vertical line at each position on the axis. */
  lines?: readonly LineMark[];
  /** Spikes found in this spectrum (under review): a mark on each, at its axis value and value. */
  spikes?: readonly SpikeMark[];
}

/** A spike to mark: where it is on the axis, its value, and whether the user picked it in the list. */
export interface SpikeMark {
  x: number;
  y: number;
  selected: boolean;
}

/** The series that marks spikes under review: a triangle above each (larger when picked). */
export function spikeSeries(spikes: readonly SpikeMark[], dark: boolean): SeriesOption {
  const colour = dark ? '#ff8787' : '#e03131';
  return {
    type: 'scatter',
    name: `spikes (${spikes.length})`,
    data: spikes.map((s) => ({
      value: [s.x, s.y],
      symbolSize: s.selected ? 16 : 11,
    })),
    symbol: 'triangle',
    symbolRotate: 180,
    symbolOffset: [0, -10],
    itemStyle: { color: colour, borderColor: dark ? '#000' : '#fff', borderWidth: 1 },
    emphasis: { disabled: true },
    z: 5,
  };
}

/** A line marker: its label, where it is, and its weight within its family (weak ones unlabelled). */
export interface LineMark {
  name: string;
  position: number;
  weight: number;
}

/** Lines this weak within their family are drawn without a label (they crowd the strong ones). */
export const LABEL_WEIGHT = 0.1;

/** The series that draws X-ray line markers: vertical lines labelled along them (Fe_Ka). */
export function lineMarkerSeries(lines: readonly LineMark[], dark: boolean): SeriesOption {
  const colour = dark ? '#ffa94d' : '#a61e4d';
  return {
    type: 'line',
    name: 'X-ray lines',
    data: [],
    silent: true,
    itemStyle: { color: colour },
    markLine: {
      silent: true,
      symbol: 'none',
      animation: false,
      lineStyle: { color: colour, type: 'dotted', width: 1 },
      label: {
        show: true,
        position: 'insideEndTop',
        formatter: '{b}',
        color: colour,
        fontSize: 10,
      },
      data: lines.map((l) => ({
        name: l.name,
        xAxis: l.position,
        ...(l.weight < LABEL_WEIGHT ? { label: { show: false } } : {}),
      })),
    },
  };
}

/** Left and right edges shared by both grids: the two plots line up channel for channel. */
export const GRID_LEFT = 64;
export const GRID_RIGHT = 28;

/**
 * The two grids: the spectrum above, the residual strip below it (when there
 * is one: else the spectrum takes its place), the zoom slider at the bottom.
 */
export function spectrumGrids(height?: number, strip = true): GridComponentOption[] {
  // No outer bounds: ECharts would otherwise shrink a grid whose labels overflow the canvas,
  // and the two plots would no longer share their edges.
  const common = { left: GRID_LEFT, right: GRID_RIGHT, outerBoundsMode: 'none' as const };
  if (!strip) {
    return [
      { ...common, top: 56, bottom: 72 },
      { ...common, height: 0, bottom: 72 },
    ];
  }
  if (!height || height <= 0) {
    return [
      { ...common, top: 56, bottom: '36%' },
      { ...common, height: '14%', bottom: 78 },
    ];
  }
  const stripHeight = Math.max(36, Math.round(height * 0.16));
  return [
    { ...common, top: 56, bottom: 78 + stripHeight + 30 },
    { ...common, top: height - 78 - stripHeight, bottom: 78 },
  ];
}

/** Where a spectrum comes from, for titles and legends: a pixel, or a region's sum or mean. */
export function spectrumName(view: SpectrumView): string {
  const r = view.region;
  if (!r) return `Pixel (${view.position.join(', ')})`;
  const span = (a: number, b: number): string => (a === b ? `${a}` : `${a}–${b}`);
  return `${r.reduce === 'sum' ? 'Sum' : 'Mean'} of rows ${span(r.rows[0], r.rows[1])}, columns ${span(r.cols[0], r.cols[1])} (${r.pixels} pixels)`;
}

interface CurveStyle {
  width: number;
  color: string;
  type?: 'solid' | 'dashed' | 'dotted';
  opacity?: number;
}

const MODEL_STYLE: CurveStyle = { width: 2, color: '#d9480f' };
const RESIDUAL_STYLE: CurveStyle = { width: 1, color: '#2f9e44' };
const PINNED_FIT_COLOUR = '#9c36b5';

/** A plain line of the spectrum chart; `residual` puts it on the lower (residual) grid. */
function curveSeries(
  name: string,
  data: Pair[],
  lineStyle: CurveStyle,
  residual = false,
): SeriesOption {
  return {
    type: 'line',
    name,
    ...(residual ? { xAxisIndex: 1, yAxisIndex: 1 } : {}),
    data,
    showSymbol: false,
    emphasis: { disabled: true },
    lineStyle,
    itemStyle: { color: lineStyle.color },
  };
}

export function spectrumOption(
  view: SpectrumView,
  dark = false,
  options: SpectrumOptions = {},
): EChartsOption {
  const fg = dark ? '#e6e8ee' : '#1d2330';
  const grid = { lineStyle: { color: dark ? '#343a46' : '#e4e7ec' } };
  const dataColour = dark ? '#adb5bd' : '#495057';
  const axisName = `${view.xLabel || 'Signal axis'}${view.xUnits ? ` (${view.xUnits})` : ''}`;
  const log = options.logY ? logScale(view.data) : null;
  // On a log axis only positive values can be drawn; the rest leave gaps.
  const shown = (y: Float64Array): ((i: number) => boolean) =>
    log ? (i) => y[i]! > 0 : () => true;
  const curve = (y: Float64Array): Pair[] => gappedPairs(view.x, y, shown(y));
  const inRange =
    (v: SpectrumView): ((i: number) => boolean) =>
    (i) =>
      v.channelSwitches[i] === 1;
  const series: SeriesOption[] = [
    {
      ...curveSeries('data', curve(view.data), { width: 1, color: dataColour }),
      markArea: {
        silent: true,
        itemStyle: { color: dark ? 'rgba(255,255,255,0.07)' : 'rgba(0,0,0,0.07)' },
        data: excludedRanges(view.x, view.channelSwitches).map(([a, b]) => [
          { xAxis: a },
          { xAxis: b },
        ]),
      },
    },
  ];
  if (view.model) series.push(curveSeries('model', curve(view.model), MODEL_STYLE));
  view.components.forEach((c, i) => {
    const color = COMPONENT_COLOURS[i % COMPONENT_COLOURS.length]!;
    series.push(curveSeries(c.name, curve(c.values), { width: 1, type: 'dashed', color }));
  });
  // Residuals only where the model was fitted: outside the signal range they mean nothing.
  if (view.residual) {
    const residual = gappedPairs(view.x, view.residual, inRange(view));
    series.push(curveSeries('residual', residual, RESIDUAL_STYLE, true));
  }
  const pinned = options.pinned;
  const pinnedName = pinned ? spectrumName(pinned) : '';
  if (pinned && pinned.x.length === view.x.length) {
    const pinColour = dark ? '#74c0fc' : '#1864ab';
    const pinCurve = (y: Float64Array): Pair[] => gappedPairs(pinned.x, y, shown(y));
    const pinStyle = { width: 1, color: pinColour, opacity: 0.8 };
    series.push(curveSeries(`pinned ${pinnedName}`, pinCurve(pinned.data), pinStyle));
    if (pinned.model) {
      const style = { ...MODEL_STYLE, type: 'dotted' as const, color: PINNED_FIT_COLOUR };
      series.push(curveSeries('pinned model', pinCurve(pinned.model), style));
    }
    if (pinned.residual) {
      const residual = gappedPairs(pinned.x, pinned.residual, inRange(pinned));
      const style = { width: 1, type: 'dotted' as const, color: PINNED_FIT_COLOUR };
      series.push(curveSeries('pinned residual', residual, style, true));
    }
  }
  if (options.lines && options.lines.length > 0) series.push(lineMarkerSeries(options.lines, dark));
  if (options.spikes && options.spikes.length > 0) series.push(spikeSeries(options.spikes, dark));
  const chi = Number.isFinite(view.redChisq)
    ? `   reduced χ² = ${view.redChisq.toPrecision(4)}`
    : '';
  const pinnedChi =
    pinned && Number.isFinite(pinned.redChisq) ? ` (χ²ᵣ ${pinned.redChisq.toPrecision(4)})` : '';
  const versus = pinned ? `   vs pinned ${pinnedName}${pinnedChi}` : '';
  const logNote = options.logY
    ? log
      ? log.hidden > 0
        ? `   log scale: ${log.hidden} channel${log.hidden === 1 ? '' : 's'} ≤ 0 not drawn`
        : '   log scale'
      : '   log scale impossible: no positive value'
    : '';
  const zoom = options.zoom ?? { start: 0, end: 100 };
  const { min, max } = xExtent(view.x);
  const decimals = axisDecimals(view.x);
  const xLabels = {
    color: fg,
    hideOverlap: true,
    formatter: (v: number) => tickLabel(v, decimals),
  };
  const hasStrip = view.residual !== null || (pinned?.residual ?? null) !== null;
  return {
    animation: false,
    title: {
      text: `${spectrumName(view)}${chi}${versus}${logNote}`,
      left: 'center',
      top: 0,
      textStyle: { fontSize: 13, color: fg },
    },
    legend: { top: 22, textStyle: { color: fg }, type: 'scroll' },
    // Drawn on the canvas: an HTML tooltip would need inline styles, which the CSP forbids.
    tooltip: {
      trigger: 'axis',
      renderMode: 'richText',
      valueFormatter: (v) => (typeof v === 'number' ? String(Number(v.toPrecision(5))) : String(v)),
    },
    grid: spectrumGrids(options.height, hasStrip),
    xAxis: [
      {
        type: 'value',
        gridIndex: 0,
        min,
        max,
        // The spectrum's own ticks, with or without a model; the name goes under the bottom plot.
        axisLabel: xLabels,
        ...(hasStrip ? {} : { name: axisName, nameLocation: 'middle' as const, nameGap: 26 }),
        nameTextStyle: { color: fg },
        axisLine: { lineStyle: { color: fg } },
        splitLine: grid,
      },
      {
        type: 'value',
        gridIndex: 1,
        min,
        max,
        show: hasStrip,
        name: axisName,
        nameLocation: 'middle',
        nameGap: 10,
        axisLabel: { show: false },
        axisTick: { show: false },
        nameTextStyle: { color: fg },
        splitLine: grid,
      },
    ],
    yAxis: [
      log
        ? {
            type: 'log',
            gridIndex: 0,
            min: log.min,
            axisLabel: { color: fg, formatter: countLabel },
            splitLine: grid,
          }
        : {
            type: 'value',
            gridIndex: 0,
            scale: true,
            axisLabel: { color: fg, formatter: countLabel },
            splitLine: grid,
          },
      {
        type: 'value',
        gridIndex: 1,
        scale: true,
        show: hasStrip,
        axisLabel: { color: fg, formatter: countLabel },
        splitNumber: 2,
        splitLine: grid,
      },
    ],
    dataZoom: [
      {
        type: 'inside',
        xAxisIndex: [0, 1],
        start: zoom.start,
        end: zoom.end,
        moveOnMouseMove: !options.brush,
      },
      {
        type: 'slider',
        xAxisIndex: [0, 1],
        bottom: 8,
        height: 18,
        start: zoom.start,
        end: zoom.end,
        textStyle: { color: fg },
        showDetail: false,
      },
    ],
    brush: {
      xAxisIndex: 0,
      brushType: 'lineX',
      brushMode: 'single',
      transformable: false,
      throttleType: 'debounce',
      throttleDelay: 100,
      brushStyle: { color: 'rgba(217,72,15,0.18)', borderColor: '#d9480f', borderWidth: 1 },
      removeOnClick: true,
    },
    // The brush needs a toolbox (it adds one itself); ours stays hidden: the Set range button drives it.
    toolbox: { show: false },
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    series,
  };
}
