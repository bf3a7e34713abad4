/**
 * A histogram of a map's values (the reduced χ² over the map, in the Results
 * tab): NaN (unfitted pixels) and infinities are left out and counted apart;
 * bins by the Freedman–Diaconis rule (Sturges' for few values or a zero
 * spread), 5 to 60 of them. Drawn as a filled step outline on a value axis,
 * with the goodness test's accepted band |χ²ᵣ − 1| < tolerance shaded.
 */
import type { EChartsOption } from 'echarts';
import { quantile } from '../logic/colour-scale.js';

export interface ValueHistogram {
  /** Bin edges (counts.length + 1 of them, increasing). */
  edges: Float64Array;
  counts: Float64Array;
  /** Values counted (finite). */
  finite: number;
  /** Values left out: NaN (unfitted) or infinite. */
  missing: number;
}

export function valueHistogram(values: ArrayLike<number>): ValueHistogram {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) finite.push(v);
  }
  const missing = values.length - finite.length;
  if (finite.length === 0)
    return { edges: new Float64Array(0), counts: new Float64Array(0), finite: 0, missing };
  const sorted = Float64Array.from(finite).sort();
  const lo = sorted[0]!;
  const hi = sorted[sorted.length - 1]!;
  if (!(hi > lo)) {
    const half = lo === 0 ? 0.5 : Math.abs(lo) * 0.05;
    return {
      edges: Float64Array.of(lo - half, lo + half),
      counts: Float64Array.of(finite.length),
      finite: finite.length,
      missing,
    };
  }
  const n = sorted.length;
  const iqr = quantile(sorted, 0.75) - quantile(sorted, 0.25);
  const fd = iqr > 0 ? 2 * iqr * Math.cbrt(1 / n) : 0;
  const bins = Math.max(
    5,
    Math.min(60, fd > 0 ? Math.ceil((hi - lo) / fd) : Math.ceil(Math.log2(n) + 1)),
  );
  const width = (hi - lo) / bins;
  const edges = Float64Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  edges[bins] = hi;
  const counts = new Float64Array(bins);
  for (const v of sorted) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]!++;
  return { edges, counts, finite: n, missing };
}

/** The step outline of a histogram: [edge, count] points for a line with step 'end'. */
export function stepPoints(h: ValueHistogram): [number, number][] {
  const k = h.counts.length;
  if (k === 0) return [];
  const out: [number, number][] = [[h.edges[0]!, 0]];
  for (let i = 0; i < k; i++) out.push([h.edges[i]!, h.counts[i]!]);
  out.push([h.edges[k]!, h.counts[k - 1]!], [h.edges[k]!, 0]);
  return out;
}

export interface HistogramInput {
  values: ArrayLike<number>;
  /** "Reduced χ²". */
  label: string;
  /** The accepted band to shade, e.g. [1 - tolerance, 1 + tolerance] for the reduced χ² test. */
  band?: [number, number] | null;
  dark?: boolean;
}

export function valueHistogramOption({
  values,
  label,
  band = null,
  dark = false,
}: HistogramInput): EChartsOption {
  const fg = dark ? '#e6e8ee' : '#1d2330';
  const h = valueHistogram(values);
  const k = h.counts.length;
  const lo = k ? h.edges[0]! : 0;
  const hi = k ? h.edges[k]! : 1;
  const shaded = band && k ? ([Math.max(lo, band[0]), Math.min(hi, band[1])] as const) : null;
  const fitted = `${h.finite} of ${h.finite + h.missing} pixels`;
  return {
    animation: false,
    title: {
      text: `${label} over ${fitted}${h.missing ? ` (${h.missing} not fitted, left out)` : ''}`,
      left: 'center',
      top: 0,
      textStyle: { fontSize: 12, color: fg, fontWeight: 'normal' },
    },
    tooltip: { show: false },
    grid: { left: 48, right: 18, top: 28, bottom: 38 },
    xAxis: {
      type: 'value',
      min: lo,
      max: hi,
      name: label,
      nameLocation: 'middle',
      nameGap: 24,
      nameTextStyle: { color: fg },
      axisLabel: { color: fg, hideOverlap: true },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      minInterval: 1,
      nameTextStyle: { color: fg },
      axisLabel: { color: fg },
      splitLine: { lineStyle: { color: dark ? '#343a46' : '#e4e7ec' } },
    },
    series: [
      {
        type: 'line',
        name: label,
        step: 'end',
        data: stepPoints(h),
        showSymbol: false,
        silent: true,
        lineStyle: { color: '#d9480f', width: 1.2 },
        areaStyle: { color: '#d9480f', opacity: 0.45 },
        ...(shaded && shaded[1] > shaded[0]
          ? {
              markArea: {
                silent: true,
                itemStyle: { color: '#37b24d', opacity: 0.15 },
                label: { show: true, color: fg, fontSize: 10, position: 'insideTopRight' },
                data: [
                  [{ xAxis: shaded[0], name: 'passes the test' }, { xAxis: shaded[1] }],
                ] as never,
              },
            }
          : {}),
      },
    ],
  };
}
