/**
 * A map as an ECharts heatmap: one cell per pixel (row 0 at the top, as
 * images are read), square cells, a colour scale chosen by the kind of map
 * (continuous, on/off, the marker's signed priorities), NaN cells left empty,
 * the current pixel outlined, seeds marked and a rectangle selection drawn.
 */
import type { EChartsOption, SeriesOption, VisualMapComponentOption } from 'echarts';
import type { ImageRequest, NavigatorImage } from '../../../../core/src/api/types.js';
import { COLOUR_MAPS, scaleKind, scaleRange } from '../logic/colour-scale.js';
import type { ColourMapName, RangeMode, ScaleRange } from '../logic/colour-scale.js';
import type { CellRect } from '../logic/selection.js';

export interface HeatmapInput {
  image: NavigatorImage;
  /** Flat index of the current pixel (null: none marked). */
  selected: number | null;
  dark?: boolean;
  /** The chart's size in CSS pixels, to keep the cells square (unknown: fill the chart). */
  size?: { width: number; height: number };
  colourMap?: ColourMapName;
  rangeMode?: RangeMode;
  seeds?: readonly number[];
  selection?: CellRect | null;
  /** Show the map's name above it. @default true */
  title?: boolean;
}

export interface GridBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Room around the map: title above, axis labels left and below, the colour scale under them. */
const MARGIN = { left: 34, right: 16, top: 26, bottom: 66 };

/** The largest grid with square cells that fits the chart, centred. */
export function heatmapGrid(
  size: { width: number; height: number },
  shape: readonly [number, number],
): GridBox {
  const [rows, cols] = shape;
  const room = {
    width: Math.max(10, size.width - MARGIN.left - MARGIN.right),
    height: Math.max(10, size.height - MARGIN.top - MARGIN.bottom),
  };
  const cell = Math.min(room.width / cols, room.height / rows);
  const width = cell * cols;
  const height = cell * rows;
  return {
    left: MARGIN.left + (room.width - width) / 2,
    top: MARGIN.top + (room.height - height) / 2,
    width,
    height,
  };
}

/** The chart height that gives square cells at this width (cells at most `maxCell` px). */
export function mapHeight(
  width: number,
  shape: readonly [number, number],
  limits = { min: 170, max: 520, maxCell: 40 },
): number {
  const [rows, cols] = shape;
  const cell = Math.min(limits.maxCell, Math.max(1, width - MARGIN.left - MARGIN.right) / cols);
  const h = Math.round(cell * rows + MARGIN.top + MARGIN.bottom);
  return Math.max(limits.min, Math.min(limits.max, h));
}

/** [col, row, value] triplets for the finite cells. */
export function heatmapCells(image: NavigatorImage): [number, number, number][] {
  const [rows, cols] = image.shape;
  const out: [number, number, number][] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = image.values[r * cols + c]!;
      if (Number.isFinite(v)) out.push([c, r, v]);
    }
  }
  return out;
}

/** The colour range: the image's own finite range, or a robust one. */
export function imageRange(image: NavigatorImage, mode: RangeMode = 'full'): ScaleRange {
  if (mode === 'robust') return scaleRange(image.values, 'robust');
  if (!Number.isFinite(image.min) || !Number.isFinite(image.max)) return { min: 0, max: 1 };
  return { min: image.min, max: image.max > image.min ? image.max : image.min + 1 };
}

/** A colour-scale end as text: short but exact enough ("3.09e+5", "400.3", "0.0123"). */
export function scaleLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/** The visual map (colour scale) for a kind of image. */
export function colourScale(
  request: ImageRequest,
  range: ScaleRange,
  colourMap: ColourMapName,
  fg: string,
  /** Length of the colour bar in pixels. */
  length = 150,
): VisualMapComponentOption {
  const common = {
    left: 'center',
    bottom: 4,
    orient: 'horizontal',
    textStyle: { color: fg },
    seriesIndex: 0,
    hoverLink: false,
  } as const;
  const kind = scaleKind(request);
  if (kind === 'binary') {
    const on = request.kind === 'seeds' ? 'seed' : 'on';
    return {
      ...common,
      type: 'piecewise',
      pieces: [
        { value: 0, label: request.kind === 'seeds' ? 'not a seed' : 'off', color: '#5c6370' },
        { value: 1, label: on, color: '#f5b700' },
      ],
    };
  }
  if (kind === 'marker') {
    const top = Math.max(1, range.max);
    return {
      ...common,
      type: 'piecewise',
      itemGap: 6,
      pieces: [
        { lte: -2, label: 'kept', color: '#1c7c54' },
        { gt: -2, lte: -1, label: 'done', color: '#37b24d' },
        { gt: -1, lte: 0, label: 'none', color: '#5c6370' },
        { gt: 0, lt: top / 2, label: 'candidate', color: '#f08c00' },
        { gte: top / 2, label: 'next', color: '#e03131' },
      ],
    };
  }
  return {
    ...common,
    type: 'continuous',
    min: range.min,
    max: range.max,
    calculable: false,
    // The range's ends beside the bar: [right end, left end].
    text: [scaleLabel(range.max), scaleLabel(range.min)],
    textGap: 6,
    itemWidth: 12,
    itemHeight: length,
    inRange: { color: [...COLOUR_MAPS[colourMap]] },
  };
}

export function heatmapOption({
  image,
  selected,
  dark = false,
  size,
  colourMap = 'viridis',
  rangeMode = 'full',
  seeds = [],
  selection = null,
  title = true,
}: HeatmapInput): EChartsOption {
  const [rows, cols] = image.shape;
  const fg = dark ? '#e6e8ee' : '#1d2330';
  const grid = size ? heatmapGrid(size, image.shape) : null;
  const cell = grid ? grid.width / cols : 10;
  const series: SeriesOption[] = [
    {
      type: 'heatmap',
      name: image.label,
      data: heatmapCells(image),
      // Big maps draw in chunks over a few frames instead of one long task.
      progressive: rows * cols > 50_000 ? 20_000 : 0,
      progressiveThreshold: 50_000,
      // Pointer handling is ours (zrender events): no ECharts hover states to go stale on redraws.
      silent: true,
      emphasis: { disabled: true },
    },
  ];
  if (seeds.length > 0) {
    series.push({
      type: 'scatter',
      name: 'seeds',
      data: seeds.map((p) => [p % cols, Math.floor(p / cols)]),
      symbol: 'diamond',
      symbolSize: Math.max(5, Math.min(14, cell * 0.45)),
      itemStyle: { color: '#ffffff', borderColor: '#000000', borderWidth: 1 },
      silent: true,
      z: 9,
    });
  }
  if (selected !== null) {
    series.push({
      type: 'scatter',
      name: 'current pixel',
      data: [[selected % cols, Math.floor(selected / cols)]],
      symbol: 'rect',
      symbolSize: Math.max(6, cell - 2),
      itemStyle: {
        color: 'rgba(0,0,0,0)',
        borderColor: dark ? '#ffffff' : '#00a3ff',
        borderWidth: 2,
      },
      silent: true,
      z: 10,
    });
  }
  const option: EChartsOption = {
    animation: false,
    title: {
      show: title,
      text: image.label + (image.units ? ` (${image.units})` : ''),
      left: 'center',
      top: grid ? Math.max(0, grid.top - 24) : 0,
      textStyle: { fontSize: 13, color: fg },
    },
    tooltip: { show: false },
    grid: grid ?? { ...MARGIN },
    xAxis: {
      type: 'category',
      data: Array.from({ length: cols }, (_, i) => String(i)),
      axisLabel: { color: fg },
      splitArea: { show: false },
    },
    yAxis: {
      type: 'category',
      inverse: true,
      data: Array.from({ length: rows }, (_, i) => String(i)),
      axisLabel: { color: fg },
    },
    visualMap: colourScale(
      image.request,
      imageRange(image, rangeMode),
      colourMap,
      fg,
      grid ? Math.max(80, Math.min(260, grid.width * 0.6)) : 150,
    ),
    series,
  };
  if (selection && grid) {
    const ch = grid.height / rows;
    option.graphic = [
      {
        type: 'rect',
        silent: true,
        z: 100,
        shape: {
          x: grid.left + selection.c0 * cell,
          y: grid.top + selection.r0 * ch,
          width: (selection.c1 - selection.c0 + 1) * cell,
          height: (selection.r1 - selection.r0 + 1) * ch,
        },
        style: {
          fill: 'rgba(255,255,255,0.12)',
          stroke: dark ? '#ffffff' : '#111111',
          lineWidth: 2,
          lineDash: [5, 3],
        },
      },
    ];
  }
  return option;
}
