// The dataset screen's line chart: chosen columns over the time column (or row index), with
// dataZoom and LTTB downsampling so a million points stay smooth.
import { base, zoom, type Option } from './common.js';

export interface SeriesData {
  time: number[] | null;
  series: { name: string; values: (number | null)[] }[];
}

export function datasetLineOption(data: SeriesData): Option {
  const n = data.series[0]?.values.length ?? 0;
  const x = data.time ?? Array.from({ length: n }, (_, i) => i);
  return {
    ...base(),
    xAxis: data.time ? { type: 'time' } : { type: 'value', name: 'row', min: 'dataMin', max: 'dataMax' },
    yAxis: { type: 'value', scale: true },
    dataZoom: zoom(),
    series: data.series.map((s) => ({
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
