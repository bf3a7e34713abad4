/**
 * A chart option rendered once, off screen, as a PNG data URL: the map
 * export draws its own chart (no cursor, no selection) instead of copying
 * the one on screen.
 */
import type { EChartsOption } from 'echarts';
import { disposeChart, echarts } from './echarts.js';

/** The export's pixel ratio: twice the CSS size, for print. */
export const PNG_PIXEL_RATIO = 2;

export function renderPng(
  option: EChartsOption,
  size: { width: number; height: number },
  background: string,
): string {
  const host = document.createElement('div');
  const chart = echarts.init(host, undefined, {
    renderer: 'canvas',
    width: Math.max(1, Math.round(size.width)),
    height: Math.max(1, Math.round(size.height)),
  });
  try {
    chart.setOption(option, { notMerge: true, lazyUpdate: false });
    return chart.getDataURL({
      type: 'png',
      pixelRatio: PNG_PIXEL_RATIO,
      backgroundColor: background,
    });
  } finally {
    disposeChart(chart);
  }
}
