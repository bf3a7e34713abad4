/** ECharts with only the parts the app uses (smaller bundle, nothing loaded at run time). */
import { BarChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts';
import {
  BrushComponent,
  DataZoomComponent,
  GraphicComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
  ToolboxComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  BarChart,
  HeatmapChart,
  LineChart,
  ScatterChart,
  BrushComponent,
  DataZoomComponent,
  GraphicComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
  ToolboxComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export { echarts };
export type EChartsInstance = ReturnType<typeof echarts.init>;

/**
 * Disposes a chart safely. A large series is painted progressively, a part per
 * animation frame, and zrender's painter does not stop that when the chart is
 * disposed: the next frame then paints with a disposed painter and throws
 * ("reading 'layerStack'"). Clearing and repainting at once first gives the
 * painter a new redraw, which the pending frame sees and gives up on.
 */
export function disposeChart(chart: EChartsInstance): void {
  if (chart.isDisposed()) return;
  chart.clear();
  chart.getZr().refreshImmediately();
  chart.dispose();
}
