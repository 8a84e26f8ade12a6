// The dataset screen's line chart: chosen columns over the time column (or row index), with
// dataZoom and LTTB downsampling so a million points stay smooth.
import { base, valueX, zoom, type Option } from './common.js';

export interface SeriesData {
  time: number[] | null;
  series: { name: string; values: (number | null)[] }[];
}

export function datasetLineOption(data: SeriesData): Option {
  const n = data.series[0]?.values.length ?? 0;
  const x = data.time ?? Array.from({ length: n }, (_, i) => i);
  const twoAxes = data.series.length === 2;
  return {
    ...base(),
    xAxis: data.time ? { type: 'time' } : valueX('row', { min: 'dataMin', max: 'dataMax' }),
    // Two columns of different scale (temperature and load) each get their own axis.
    yAxis: twoAxes ? data.series.map((s) => ({ type: 'value', scale: true, name: s.name })) : { type: 'value', scale: true },
    dataZoom: zoom(),
    series: data.series.map((s, i) => ({
      yAxisIndex: twoAxes ? i : 0,
      name: s.name,
      type: 'line' as const,
      showSymbol: false,
      sampling: 'lttb' as const,
      lineStyle: { width: 1 },
      // Pairs keep the x of every point; ECharts samples per pixel column with LTTB.
      data: s.values.map((v, i) => [x[i]!, v]),
      large: true,
    })),
  } as Option;
}
