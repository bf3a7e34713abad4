/**
 * A pixel's spectrum as an ECharts line plot: the data, the total model, each
 * component (dashed), and the residual in a strip below, on the calibrated
 * axis, with the channels outside the signal range shaded. Zoom with the
 * wheel or the slider; in range mode a drag along the axis (a brush) picks
 * the signal range.
 */
import type { EChartsOption, GridComponentOption, SeriesOption } from 'echarts';
import type { SpectrumView } from '@samfire/core/api';

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
}

/** The two grids: the spectrum above, the residual strip below it, the zoom slider at the bottom. */
export function spectrumGrids(height?: number): GridComponentOption[] {
  if (!height || height <= 0) {
    return [
      { left: 64, right: 20, top: 56, bottom: '34%' },
      { left: 64, right: 20, height: '14%', bottom: 78 },
    ];
  }
  const strip = Math.max(36, Math.round(height * 0.16));
  return [
    { left: 64, right: 20, top: 56, bottom: 78 + strip + 16 },
    { left: 64, right: 20, top: height - 78 - strip, bottom: 78 },
  ];
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
  const series: SeriesOption[] = [
    {
      type: 'line',
      name: 'data',
      data: xyPairs(view.x, view.data),
      showSymbol: false,
      emphasis: { disabled: true },
      lineStyle: { width: 1, color: dataColour },
      itemStyle: { color: dataColour },
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
  if (view.model) {
    series.push({
      type: 'line',
      name: 'model',
      data: xyPairs(view.x, view.model),
      showSymbol: false,
      emphasis: { disabled: true },
      lineStyle: { width: 2, color: '#d9480f' },
      itemStyle: { color: '#d9480f' },
    });
  }
  view.components.forEach((c, i) => {
    const colour = COMPONENT_COLOURS[i % COMPONENT_COLOURS.length]!;
    series.push({
      type: 'line',
      name: c.name,
      data: xyPairs(view.x, c.values),
      showSymbol: false,
      emphasis: { disabled: true },
      lineStyle: { width: 1, type: 'dashed', color: colour },
      itemStyle: { color: colour },
    });
  });
  if (view.residual) {
    series.push({
      type: 'line',
      name: 'residual',
      xAxisIndex: 1,
      yAxisIndex: 1,
      data: xyPairs(view.x, view.residual),
      showSymbol: false,
      emphasis: { disabled: true },
      lineStyle: { width: 1, color: '#2f9e44' },
      itemStyle: { color: '#2f9e44' },
    });
  }
  const chi = Number.isFinite(view.redChisq)
    ? `   reduced χ² = ${view.redChisq.toPrecision(4)}`
    : '';
  const zoom = options.zoom ?? { start: 0, end: 100 };
  return {
    animation: false,
    title: {
      text: `Pixel (${view.position.join(', ')})${chi}`,
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
    grid: spectrumGrids(options.height),
    xAxis: [
      {
        type: 'value',
        gridIndex: 0,
        min: 'dataMin',
        max: 'dataMax',
        axisLabel: { show: false },
        axisLine: { lineStyle: { color: fg } },
        splitLine: grid,
      },
      {
        type: 'value',
        gridIndex: 1,
        min: 'dataMin',
        max: 'dataMax',
        name: axisName,
        nameLocation: 'middle',
        nameGap: 24,
        axisLabel: { color: fg },
        nameTextStyle: { color: fg },
        splitLine: grid,
      },
    ],
    yAxis: [
      {
        type: 'value',
        gridIndex: 0,
        scale: true,
        axisLabel: { color: fg },
        splitLine: grid,
      },
      {
        type: 'value',
        gridIndex: 1,
        scale: true,
        axisLabel: { color: fg },
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
