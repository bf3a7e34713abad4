/**
 * A line scan's map (one navigation axis) as a line plot: the value against
 * the calibrated position along the scan, with ±1 std error bars when the
 * std is given, gaps and grey bands where pixels are unfitted (NaN), the
 * current pixel as a dashed line and seeds as diamonds. A strip one pixel
 * tall says little; this is how a line scan is read.
 */
import type { EChartsOption, SeriesOption } from 'echarts';
import type { AxisInfo, NavigatorImage } from '@samfire/core/api';
import { NAN_COLOURS } from '../logic/colour-scale.js';
import type { ColourMapName } from '../logic/colour-scale.js';

export type LineAxis = Pick<AxisInfo, 'name' | 'offset' | 'scale' | 'units'>;

export interface LineScanInput {
  image: NavigatorImage;
  /** The navigation axis (its calibration and units). */
  axis: LineAxis;
  /** ±1 std per pixel (NaN: no bar), e.g. a parameter's std map. */
  std?: Float64Array | null;
  selected: number | null;
  dark?: boolean;
  seeds?: readonly number[];
  colourMap?: ColourMapName;
  /** Show the map's name above it. @default true */
  title?: boolean;
}

/** Room around the plot: title above, the value axis on the left, the position axis below. */
export const LINE_GRID = { left: 64, right: 24, top: 30, bottom: 44 };

/** The calibrated position of pixel i. */
export function linePosition(axis: LineAxis, i: number): number {
  return axis.offset + i * axis.scale;
}

/** The pixel nearest a position along the axis, or null outside the scan. */
export function lineIndex(axis: LineAxis, x: number, n: number): number | null {
  if (!Number.isFinite(x)) return null;
  const i = Math.round((x - axis.offset) / axis.scale);
  return i >= 0 && i < n ? i : null;
}

/** Runs of consecutive NaN values as [first, last] index pairs. */
export function nanRuns(values: Float64Array): [number, number][] {
  const out: [number, number][] = [];
  let start = -1;
  for (let i = 0; i <= values.length; i++) {
    const missing = i < values.length && Number.isNaN(values[i]!);
    if (missing && start < 0) start = i;
    else if (!missing && start >= 0) {
      out.push([start, i - 1]);
      start = -1;
    }
  }
  return out;
}

type Point = [number, number | '-'];

/** Error bars as one polyline broken by gaps: a vertical bar and two caps per pixel with a std. */
export function errorBarPoints(
  axis: LineAxis,
  values: Float64Array,
  std: Float64Array,
  cap: number,
): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const s = std[i]!;
    if (!Number.isFinite(v) || !Number.isFinite(s) || s <= 0) continue;
    const x = linePosition(axis, i);
    out.push([x, v - s], [x, v + s], [x, '-']);
    out.push([x - cap, v + s], [x + cap, v + s], [x, '-']);
    out.push([x - cap, v - s], [x + cap, v - s], [x, '-']);
  }
  return out;
}

function axisTitle(name: string, units: string): string {
  const n = name.trim() || 'position';
  return units.trim() && units !== '<undefined>' ? `${n} (${units})` : n;
}

export function lineScanOption({
  image,
  axis,
  std = null,
  selected,
  dark = false,
  seeds = [],
  colourMap = 'viridis',
  title = true,
}: LineScanInput): EChartsOption {
  const fg = dark ? '#e6e8ee' : '#1d2330';
  const grid = dark ? '#343a46' : '#e4e7ec';
  const line = dark ? '#7aa7ff' : '#1f5fbf';
  const n = image.values.length;
  const step = Math.abs(axis.scale);
  const xs = [linePosition(axis, 0), linePosition(axis, n - 1)];
  const data: Point[] = Array.from(image.values, (v, i) => [
    linePosition(axis, i),
    Number.isFinite(v) ? v : '-',
  ]);
  const series: SeriesOption[] = [
    {
      type: 'line',
      name: image.label,
      data,
      connectNulls: false,
      showSymbol: true,
      symbol: 'circle',
      symbolSize: n > 200 ? 0 : 4,
      lineStyle: { color: line, width: 1.5 },
      itemStyle: { color: line },
      silent: true,
      emphasis: { disabled: true },
      z: 3,
      markArea: {
        silent: true,
        itemStyle: { color: NAN_COLOURS[colourMap], opacity: 0.45 },
        data: nanRuns(image.values).map(([a, b]) => [
          { xAxis: linePosition(axis, a) - axis.scale / 2 },
          { xAxis: linePosition(axis, b) + axis.scale / 2 },
        ]) as never,
      },
      ...(selected !== null && selected < n
        ? {
            markLine: {
              silent: true,
              symbol: 'none',
              label: { show: false },
              lineStyle: { color: dark ? '#ffffff' : '#00a3ff', type: 'dashed', width: 1.5 },
              data: [{ xAxis: linePosition(axis, selected) }],
            },
          }
        : {}),
    },
  ];
  if (std) {
    series.push({
      type: 'line',
      name: '± std',
      data: errorBarPoints(axis, image.values, std, (step * 0.3) / Math.max(1, n / 60)),
      connectNulls: false,
      showSymbol: false,
      lineStyle: { color: dark ? '#c7d2e6' : '#5c6370', width: 1 },
      silent: true,
      emphasis: { disabled: true },
      z: 2,
    });
  }
  if (seeds.length > 0) {
    series.push({
      type: 'scatter',
      name: 'seeds',
      data: seeds
        .filter((p) => p < n && Number.isFinite(image.values[p]!))
        .map((p) => [linePosition(axis, p), image.values[p]!]),
      symbol: 'diamond',
      symbolSize: 10,
      itemStyle: { color: '#ffffff', borderColor: '#000000', borderWidth: 1 },
      silent: true,
      z: 9,
    });
  }
  const unfitted = nanRuns(image.values).reduce((k, [a, b]) => k + b - a + 1, 0);
  const units = image.units.trim();
  return {
    animation: false,
    title: {
      show: title,
      text: image.label + (units ? ` (${units})` : ''),
      subtext: [
        unfitted > 0 ? `grey: not fitted (${unfitted} of ${n})` : '',
        std ? 'error bars: ±1 std' : '',
      ]
        .filter((t) => t !== '')
        .join(' · '),
      left: 'center',
      top: 0,
      itemGap: 2,
      textStyle: { fontSize: 13, color: fg },
      subtextStyle: { fontSize: 10, color: fg },
    },
    tooltip: { show: false },
    grid: { ...LINE_GRID, top: unfitted > 0 || std ? 40 : LINE_GRID.top },
    xAxis: {
      type: 'value',
      min: Math.min(...xs) - step / 2,
      max: Math.max(...xs) + step / 2,
      name: axisTitle(axis.name, axis.units),
      nameLocation: 'middle',
      nameGap: 26,
      nameTextStyle: { color: fg },
      // The ends are half a pixel past the first and last positions: no labels there.
      axisLabel: { color: fg, hideOverlap: true, showMinLabel: false, showMaxLabel: false },
      splitLine: { show: false },
    },
    yAxis: {
      // The units are in the title.
      type: 'value',
      scale: true,
      axisLabel: { color: fg, hideOverlap: true },
      splitLine: { lineStyle: { color: grid } },
    },
    series,
  };
}
