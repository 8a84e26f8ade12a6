// The parts of ECharts the workbench uses, registered once (keeps the bundle to what we draw).
import { LineChart, ParallelChart, ScatterChart } from 'echarts/charts';
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  MarkPointComponent,
  ParallelComponent,
  TooltipComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  LineChart,
  ParallelChart,
  ScatterChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  DataZoomComponent,
  ParallelComponent,
  // The best epoch on the run overview's metric charts.
  MarkLineComponent,
  MarkPointComponent,
  CanvasRenderer,
]);

export { echarts };
