/**
 * A map as an ECharts heatmap: one cell per pixel (row 0 at the top, as
 * images are read), square cells, a colour scale chosen by the kind of map
 * (continuous, on/off, the marker's signed priorities), NaN cells left empty,
 * the current pixel outlined, seeds marked and a rectangle selection drawn.
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
import type { ImageRequest, NavigatorImage } from '@samfire/core/api';
import {
  COLOUR_MAPS,
  MARKER_COLOURS,
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
  paint,
}: HeatmapInput): EChartsOption {
  const [rows, cols] = image.shape;
  const fg = dark ? '#e6e8ee' : '#1d2330';
  const grid = size ? heatmapGrid(size, image.shape) : null;
  const cell = grid ? grid.width / cols : 10;
  const range = imageRange(image, rangeMode);
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
      grid ? Math.max(80, Math.min(260, grid.width * 0.6)) : 150,
    ),
    series,
  };
  const graphic: GraphicComponentOption[] = [];
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
