/**
 * A pixel's spectrum as an ECharts line plot: the data, the total model, each
 * component (dashed), and the residual in a strip below, on the calibrated
 * axis, with the channels outside the signal range shaded.
 */
import type { EChartsOption, SeriesOption } from 'echarts';
import type { SpectrumView } from '../../../../core/src/api/types.js';

/** [x, y] pairs for a line series (NaN kept out: ECharts would break the line there anyway). */
export function xyPairs(x: Float64Array, y: Float64Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < x.length; i++) if (Number.isFinite(y[i])) out.push([x[i]!, y[i]!]);
  return out;
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

export function spectrumOption(view: SpectrumView, dark = false): EChartsOption {
  const fg = dark ? '#e6e8ee' : '#1d2330';
  const axisName = `${view.xLabel || 'Signal axis'}${view.xUnits ? ` (${view.xUnits})` : ''}`;
  const series: SeriesOption[] = [
    {
      type: 'line',
      name: 'data',
      data: xyPairs(view.x, view.data),
      showSymbol: false,
      lineStyle: { width: 1, color: dark ? '#98a2b3' : '#667085' },
      itemStyle: { color: dark ? '#98a2b3' : '#667085' },
      markArea: {
        silent: true,
        itemStyle: { color: 'rgba(128,128,128,0.15)' },
        data: excludedRanges(view.x, view.channelSwitches).map(([a, b]) => [
          { xAxis: a },
          { xAxis: b },
        ]),
      },
    },
  ];
  if (view.model) {
    series.push({
      type: 'line',
      name: 'model',
      data: xyPairs(view.x, view.model),
      showSymbol: false,
      lineStyle: { width: 2, color: '#d9480f' },
      itemStyle: { color: '#d9480f' },
    });
  }
  for (const c of view.components) {
    series.push({
      type: 'line',
      name: c.name,
      data: xyPairs(view.x, c.values),
      showSymbol: false,
      lineStyle: { width: 1, type: 'dashed' },
    });
  }
  if (view.residual) {
    series.push({
      type: 'line',
      name: 'residual',
      xAxisIndex: 1,
      yAxisIndex: 1,
      data: xyPairs(view.x, view.residual),
      showSymbol: false,
      lineStyle: { width: 1, color: '#2f9e44' },
      itemStyle: { color: '#2f9e44' },
    });
  }
  const chi = Number.isFinite(view.redChisq)
    ? `   reduced χ² = ${view.redChisq.toPrecision(4)}`
    : '';
  return {
    animation: false,
    title: {
      text: `Pixel (${view.position.join(', ')})${chi}`,
      left: 'center',
      top: 0,
      textStyle: { fontSize: 13, color: fg },
    },
    legend: { top: 22, textStyle: { color: fg }, type: 'scroll' },
    tooltip: { trigger: 'axis' },
    grid: [
      { left: 60, right: 20, top: 56, height: '58%' },
      { left: 60, right: 20, bottom: 40, height: '16%' },
    ],
    xAxis: [
      {
        type: 'value',
        gridIndex: 0,
        scale: true,
        axisLabel: { show: false },
        axisLine: { lineStyle: { color: fg } },
      },
      {
        type: 'value',
        gridIndex: 1,
        scale: true,
        name: axisName,
        nameLocation: 'middle',
        nameGap: 26,
        axisLabel: { color: fg },
        nameTextStyle: { color: fg },
      },
    ],
    yAxis: [
      {
        type: 'value',
        gridIndex: 0,
        scale: true,
        axisLabel: { color: fg },
        splitLine: { lineStyle: { opacity: 0.3 } },
      },
      {
        type: 'value',
        gridIndex: 1,
        scale: true,
        axisLabel: { color: fg },
        splitNumber: 2,
        splitLine: { lineStyle: { opacity: 0.3 } },
      },
    ],
    dataZoom: [{ type: 'inside', xAxisIndex: [0, 1] }],
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    series,
  };
}
