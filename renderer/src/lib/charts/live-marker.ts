/** The local strategy's live marker as a navigator image (for the heatmap). */
import type { MarkerPlotData, NavigatorImage } from '@samfire/core/api';

export function markerImage(plot: MarkerPlotData): NavigatorImage {
  let min = Infinity;
  let max = -Infinity;
  for (const v of plot.marker) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return {
    request: { kind: 'marker' },
    label: `Marker: ${plot.strategy}`,
    units: '',
    shape: plot.shape,
    values: plot.marker,
    min: min <= max ? min : NaN,
    max: min <= max ? max : NaN,
  };
}
