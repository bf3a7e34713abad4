/**
 * A map as an ECharts heatmap: one cell per pixel (row 0 at the top, as
 * images are read), square cells, a colour scale chosen by the kind of map
 * (continuous, on/off, the marker's signed priorities) with the map's units,
 * NaN cells (unfitted pixels) grey and named in a legend, a scale bar from the
 * calibrated navigation axes, the current pixel outlined, seeds marked and a
 * rectangle selection drawn.
 * Large maps (more than BITMAP_THRESHOLD pixels, given a painter) are one
 * image filling the same grid instead, coloured alike (bitmap.ts), with the
 * same axes, colour scale (shown, applied to no series) and overlays.
 */
import type {
  EChartsOption,
  GraphicComponentOption,
  SeriesOption,
  VisualMapComponentOption,
} from 'echarts';
import type { AxisInfo, ImageRequest, NavigatorImage } from '@samfire/core/api';
import {
  COLOUR_MAPS,
  MARKER_COLOURS,
  NAN_COLOURS,
  ON_OFF_COLOURS,
  scaleKind,
  scaleRange,
} from '../logic/colour-scale.js';
import { bitmapScale, drawsAsBitmap } from './bitmap.js';
import type { BitmapScale } from './bitmap.js';
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
  /**
   * The navigation axes in data order: a map of two calibrated axes gets a scale bar along x (the
   * columns). Without them, or with uncalibrated axes, no scale bar.
   */
  axes?: readonly Pick<AxisInfo, 'name' | 'scale' | 'units' | 'size'>[];
  /**
   * Paints a large map (more than BITMAP_THRESHOLD pixels) as one image, once the size is known;
   * without it every map is a heatmap. See bitmap-canvas.ts.
   */
  paint?: BitmapPainter;
}

type GraphicImageOption = Extract<GraphicComponentOption, { type?: 'image' }>;
/** What ECharts can draw as an image (a canvas, in the app). */
export type MapImageSource = NonNullable<NonNullable<GraphicImageOption['style']>['image']>;
/** Paints an image's pixels with a colour scale into an image source for a grid of this size. */
export type BitmapPainter = (
  image: NavigatorImage,
  scale: BitmapScale,
  grid: GridBox,
) => MapImageSource;

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

/** Robust ranges of the images seen (their values are never changed in place). */
const robustRanges = new WeakMap<Float64Array, ScaleRange>();

/** The colour range: the image's own finite range, or a robust one. */
export function imageRange(image: NavigatorImage, mode: RangeMode = 'full'): ScaleRange {
  if (mode === 'robust') {
    // Sorting a large map on every redraw (a click, a hover outline) would cost milliseconds.
    let r = robustRanges.get(image.values);
    if (!r) robustRanges.set(image.values, (r = scaleRange(image.values, 'robust')));
    return { ...r };
  }
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

/** How many pixels of an image are NaN (unfitted, or undefined). */
export function countNaN(values: Float64Array): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== values[i]) n++;
  return n;
}

/** Units that say nothing about length: no scale bar for them. */
const UNCALIBRATED = new Set(['', '<undefined>', 'px', 'pixel', 'pixels', 'index']);

/** SI prefixes of length units, in metres. */
const LENGTH_UNITS: [string, number][] = [
  ['pm', 1e-12],
  ['nm', 1e-9],
  ['µm', 1e-6],
  ['mm', 1e-3],
  ['m', 1],
];

/** The largest 1, 2 or 5 × 10^k not above `target` (> 0). */
export function roundLength(target: number): number {
  const k = Math.floor(Math.log10(target));
  const base = 10 ** k;
  for (const m of [5, 2, 1])
    if (m * base <= target * (1 + 1e-9)) return Number((m * base).toPrecision(1));
  return Number(base.toPrecision(1));
}

export interface ScaleBar {
  /** The bar's length in the axis's units, and in screen pixels. */
  length: number;
  pixels: number;
  /** "5 µm" (a length unit rescaled to a readable prefix: 0.5 µm is "500 nm"). */
  label: string;
}

/**
 * A scale bar for a map's x axis (its columns) drawn `gridWidth` pixels wide: a round length
 * (1, 2 or 5 × 10^k in the axis's units) near a fifth of the map's width. Null for an uncalibrated
 * axis (no units, or pixel units).
 */
export function scaleBar(
  axis: Pick<AxisInfo, 'scale' | 'units'>,
  cols: number,
  gridWidth: number,
): ScaleBar | null {
  const units = axis.units.trim();
  const step = Math.abs(axis.scale);
  if (UNCALIBRATED.has(units.toLowerCase()) || !(step > 0) || !(gridWidth > 0) || cols < 1)
    return null;
  const length = roundLength((cols * step) / 5);
  const pixels = (length / step) * (gridWidth / cols);
  const unit = units === 'um' ? 'µm' : units;
  const metres = LENGTH_UNITS.find(([u]) => u === unit)?.[1];
  let label = `${length} ${unit}`;
  if (metres !== undefined) {
    const si = length * metres;
    const [u, f] =
      [...LENGTH_UNITS].reverse().find(([, f]) => si >= f * (1 - 1e-9)) ?? LENGTH_UNITS[0]!;
    label = `${Number((si / f).toPrecision(3))} ${u}`;
  }
  return { length, pixels, label };
}

/** The visual map (colour scale) for a kind of image. */
export function colourScale(
  request: ImageRequest,
  range: ScaleRange,
  colourMap: ColourMapName,
  fg: string,
  /** Length of the colour bar in pixels. */
  length = 150,
  /** The values' units, written after the scale's upper end. */
  units = '',
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
        {
          value: 0,
          label: request.kind === 'seeds' ? 'not a seed' : 'off',
          color: ON_OFF_COLOURS[0],
        },
        { value: 1, label: on, color: ON_OFF_COLOURS[1] },
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
        { lte: -2, label: 'kept', color: MARKER_COLOURS.kept },
        { gt: -2, lte: -1, label: 'done', color: MARKER_COLOURS.done },
        { gt: -1, lte: 0, label: 'none', color: MARKER_COLOURS.none },
        { gt: 0, lt: top / 2, label: 'candidate', color: MARKER_COLOURS.candidate },
        { gte: top / 2, label: 'next', color: MARKER_COLOURS.next },
      ],
    };
  }
  return {
    ...common,
    type: 'continuous',
    min: range.min,
    max: range.max,
    calculable: false,
    // The range's ends beside the bar: [right end, left end]; the units after the upper one.
    text: [`${scaleLabel(range.max)}${units ? ` ${units}` : ''}`, scaleLabel(range.min)],
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
  paint,
  axes,
}: HeatmapInput): EChartsOption {
  const [rows, cols] = image.shape;
  const fg = dark ? '#e6e8ee' : '#1d2330';
  const grid = size ? heatmapGrid(size, image.shape) : null;
  const cell = grid ? grid.width / cols : 10;
  const range = imageRange(image, rangeMode);
  // Unfitted pixels get a legend entry left of the colour bar, which then moves to the right.
  const unfitted = countNaN(image.values);
  const legendRow = !!size && unfitted > 0;
  // A large map is one image (drawn once the grid is known), not a rectangle per pixel.
  const bitmap = !!paint && drawsAsBitmap(image.shape);
  const series: SeriesOption[] = bitmap
    ? []
    : [
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
      range,
      colourMap,
      fg,
      grid
        ? Math.max(60, Math.min(legendRow ? 200 : 260, grid.width * (legendRow ? 0.42 : 0.6)))
        : 150,
      image.units,
    ),
    series,
  };
  if (legendRow) {
    const legend = option.visualMap as VisualMapComponentOption;
    delete legend.left;
    legend.right = MARGIN.right;
  }
  const graphic: GraphicComponentOption[] = [];
  if (grid && unfitted > 0) {
    // NaN cells (no heatmap cell, a transparent texel) show this grey, named in a legend.
    graphic.push({
      type: 'rect',
      id: 'unfitted-background',
      silent: true,
      z: 1,
      shape: { x: grid.left, y: grid.top, width: grid.width, height: grid.height },
      style: { fill: NAN_COLOURS[colourMap] },
    });
    graphic.push({
      type: 'group',
      id: 'unfitted-legend',
      silent: true,
      left: 8,
      bottom: 5,
      children: [
        {
          type: 'rect',
          shape: { x: 0, y: 0, width: 11, height: 11 },
          style: { fill: NAN_COLOURS[colourMap], stroke: fg, lineWidth: 0.5 },
        },
        {
          type: 'text',
          x: 15,
          y: 0,
          style: {
            text: `not fitted (${unfitted})`,
            fill: fg,
            font: '11px sans-serif',
          },
        },
      ],
    });
  }
  const bar =
    grid && axes?.length === 2 && axes[1]!.size === cols
      ? scaleBar(axes[1]!, cols, grid.width)
      : null;
  if (grid && bar && bar.pixels <= grid.width - 16) {
    // Bottom left inside the map: a white bar and its length on a dark box, readable on any colour.
    const pad = 5;
    const w = Math.max(bar.pixels, bar.label.length * 6.5) + 2 * pad;
    const h = 26;
    graphic.push({
      type: 'group',
      id: 'scale-bar',
      silent: true,
      z: 50,
      x: grid.left + 6,
      y: grid.top + grid.height - 6 - h,
      children: [
        // z on each element: a group's z does not reach its children.
        {
          type: 'rect',
          z: 50,
          shape: { x: 0, y: 0, width: w, height: h, r: 3 },
          style: { fill: 'rgba(0,0,0,0.55)' },
        },
        {
          type: 'rect',
          z: 51,
          shape: { x: pad, y: h - pad - 4, width: bar.pixels, height: 4 },
          style: { fill: '#ffffff' },
        },
        {
          type: 'text',
          z: 51,
          x: pad,
          y: 3,
          style: { text: bar.label, fill: '#ffffff', font: '11px sans-serif' },
        },
      ],
    });
  }
  if (bitmap) {
    // The colour scale stays as the legend, applied to no series (the image has its colours).
    const legend = option.visualMap as VisualMapComponentOption;
    option.visualMap =
      legend.type === 'piecewise'
        ? { ...legend, seriesIndex: [], selectedMode: false }
        : { ...legend, seriesIndex: [] };
    if (grid && paint) {
      graphic.push({
        type: 'image',
        id: 'map-bitmap',
        silent: true,
        // Above the axes, below the seeds, current pixel and selection (as the heatmap's cells).
        z: 2,
        style: {
          image: paint(image, bitmapScale(image.request, range, colourMap), grid),
          x: grid.left,
          y: grid.top,
          width: grid.width,
          height: grid.height,
        },
      });
    }
  }
  if (selection && grid) {
    const ch = grid.height / rows;
    graphic.push({
      type: 'rect',
      id: 'selection',
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
    });
  }
  if (graphic.length > 0) option.graphic = graphic;
  return option;
}
