/**
 * The navigator as an ECharts heatmap: one cell per pixel (row 0 at the top,
 * as images are read), a continuous colour scale over the finite values, NaN
 * cells left empty, and the current pixel outlined.
 */
import type { EChartsOption } from 'echarts';
import type { NavigatorImage } from '../../../../core/src/api/types.js';

export interface HeatmapInput {
  image: NavigatorImage;
  /** Flat index of the current pixel. */
  selected: number;
  dark?: boolean;
  /** The chart's size in CSS pixels, to keep the cells square (unknown: fill the chart). */
  size?: { width: number; height: number };
}

export interface GridBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Room around the map: title above, axis labels left and below, colour scale right. */
const MARGIN = { left: 40, right: 70, top: 28, bottom: 28 };

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

export function heatmapOption({
  image,
  selected,
  dark = false,
  size,
}: HeatmapInput): EChartsOption {
  const [rows, cols] = image.shape;
  const finite = Number.isFinite(image.min) && Number.isFinite(image.max);
  const min = finite ? image.min : 0;
  const max = finite ? (image.max > image.min ? image.max : image.min + 1) : 1;
  const fg = dark ? '#e6e8ee' : '#1d2330';
  const grid = size ? heatmapGrid(size, image.shape) : null;
  return {
    animation: false,
    title: {
      text: image.label + (image.units ? ` (${image.units})` : ''),
      left: 'center',
      top: grid ? Math.max(0, grid.top - 24) : 0,
      textStyle: { fontSize: 13, color: fg },
    },
    tooltip: {
      formatter: (p: unknown) => {
        const v = (p as { value?: [number, number, number] }).value;
        return v ? `(${v[1]}, ${v[0]}): ${v[2].toPrecision(5)}` : '';
      },
    },
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
    visualMap: {
      type: 'continuous',
      min,
      max,
      calculable: false,
      orient: 'vertical',
      right: 0,
      top: 'middle',
      itemHeight: 120,
      textStyle: { color: fg },
      inRange: { color: ['#0d0887', '#7e03a8', '#cc4778', '#f89540', '#f0f921'] },
    },
    series: [
      {
        type: 'heatmap',
        name: image.label,
        data: heatmapCells(image),
        progressive: 0,
        emphasis: { disabled: true },
      },
      {
        type: 'scatter',
        name: 'current pixel',
        data: [[selected % cols, Math.floor(selected / cols)]],
        symbol: 'rect',
        symbolSize: grid ? Math.max(6, grid.width / cols - 2) : 10,
        itemStyle: {
          color: 'rgba(0,0,0,0)',
          borderColor: dark ? '#ffffff' : '#00a3ff',
          borderWidth: 2,
        },
        silent: true,
        z: 10,
      },
    ],
  };
}
