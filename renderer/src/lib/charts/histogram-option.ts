/**
 * A global strategy's live histograms (one per free parameter) as small
 * multiples: bars over the bins, the parameter's name above each.
 */
import type {
  EChartsOption,
  SeriesOption,
  XAXisComponentOption,
  YAXisComponentOption,
} from 'echarts';
import type { HistogramPlotData } from '@samfire/core/api';

/** Columns and rows of a near-square layout for n panels. */
export function panelLayout(n: number): { cols: number; rows: number } {
  const cols = Math.max(1, Math.ceil(Math.sqrt(n)));
  return { cols, rows: Math.max(1, Math.ceil(n / cols)) };
}

/** Bin centres, short enough for axis labels. */
export function binCentres(edges: ArrayLike<number>): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < edges.length; i++)
    out.push(String(Number(((edges[i]! + edges[i + 1]!) / 2).toPrecision(4))));
  return out;
}

export function histogramOption(plot: HistogramPlotData, dark = false): EChartsOption {
  const fg = dark ? '#e6e8ee' : '#1d2330';
  const n = plot.histograms.length;
  const { cols, rows } = panelLayout(n);
  const w = 100 / cols;
  const h = 100 / rows;
  const grid = plot.histograms.map((_, i) => {
    const c = i % cols;
    const r = Math.floor(i / cols);
    return {
      left: `${c * w + 3}%`,
      top: `${r * h + 8}%`,
      width: `${w - 6}%`,
      height: `${h - 16}%`,
    };
  });
  const xAxis: XAXisComponentOption[] = plot.histograms.map((hist, i) => ({
    type: 'category',
    gridIndex: i,
    data: binCentres(hist.edges),
    axisLabel: { color: fg, fontSize: 9, hideOverlap: true },
    axisTick: { show: false },
  }));
  const yAxis: YAXisComponentOption[] = plot.histograms.map((_, i) => ({
    type: 'value',
    gridIndex: i,
    axisLabel: { show: false },
    splitLine: { lineStyle: { color: dark ? '#343a46' : '#e4e7ec' } },
  }));
  const series: SeriesOption[] = plot.histograms.map((hist, i) => ({
    type: 'bar',
    name: hist.parameter,
    xAxisIndex: i,
    yAxisIndex: i,
    data: Array.from(hist.counts),
    barCategoryGap: '5%',
    itemStyle: { color: '#d9480f' },
  }));
  return {
    animation: false,
    title: plot.histograms.map((hist, i) => ({
      text: hist.parameter,
      left: `${(i % cols) * w + w / 2}%`,
      top: `${Math.floor(i / cols) * h}%`,
      textAlign: 'center',
      textStyle: { fontSize: 11, color: fg, fontWeight: 'normal' },
    })),
    // Drawn on the canvas: an HTML tooltip would need inline styles, which the CSP forbids.
    tooltip: { trigger: 'item', renderMode: 'richText' },
    grid,
    xAxis,
    yAxis,
    series,
  };
}
