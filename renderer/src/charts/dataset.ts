// The dataset screen's line chart: chosen columns over the time column (or row index), with
// dataZoom and LTTB sampling inside ECharts. The host min/max-decimates `datasets.series` (an
// overview plus a fine window once zoomed), so the chart draws every point it is given.
import { timeUnit } from '../lib/format.js';
import { axisTooltip, base, timeX, valueX, valueY, zoom, type Option } from './common.js';

export interface SeriesData {
  time: number[] | null;
  series: { name: string; values: (number | null)[] }[];
  /** Rows in the selection (the host may send fewer points: min/max decimated). */
  total?: number;
  /** Position of each point among the rows, when the host decimated. */
  index?: number[];
}

/**
 * The host's coarse view of everything plus its fine view of the zoomed window, as one series set
 * in x order (points present in both are kept once).
 */
export function mergeSeriesData(overview: SeriesData, detail: SeriesData | null): SeriesData {
  if (!detail) return overview;
  const pos = (d: SeriesData, i: number) => (d.index ? d.index[i]! : i);
  const out: SeriesData = {
    time: overview.time ? [] : null,
    series: overview.series.map((s) => ({ name: s.name, values: [] })),
    total: overview.total,
    index: [],
  };
  const na = overview.series[0]?.values.length ?? 0;
  const nb = detail.series[0]?.values.length ?? 0;
  let a = 0;
  let b = 0;
  const push = (d: SeriesData, i: number) => {
    out.index!.push(pos(d, i));
    if (out.time) out.time.push(d.time![i]!);
    out.series.forEach((s, j) => s.values.push(d.series[j]?.values[i] ?? null));
  };
  while (a < na || b < nb) {
    const pa = a < na ? pos(overview, a) : Infinity;
    const pb = b < nb ? pos(detail, b) : Infinity;
    if (pa <= pb) {
      push(overview, a++);
      if (pa === pb) b++;
    } else push(detail, b++);
  }
  return out;
}

export interface DatasetChartView {
  /** The zoomed x window, in x units (ms or row index); null = everything. */
  range?: [number, number] | null;
}

export function datasetLineOption(data: SeriesData, view: DatasetChartView = {}): Option {
  const n = data.series[0]?.values.length ?? 0;
  const x = data.time ?? data.index ?? Array.from({ length: n }, (_, i) => i);
  const rows = data.total ?? n;
  const twoAxes = data.series.length === 2;
  const range = view.range ?? null;
  const dz = zoom() as Record<string, unknown>[];
  if (range) for (const z of dz) Object.assign(z, { startValue: range[0], endValue: range[1] });
  const unit = data.time ? timeUnit(data.time) : null;
  return {
    ...base(),
    tooltip: axisTooltip(unit ? { unit } : { label: 'row' }),
    xAxis: unit
      ? timeX(unit, { min: x[0], max: x[n - 1] }, range ?? [x[0]!, x[n - 1]!])
      : valueX('row', { min: 0, max: Math.max(rows - 1, 0) }),
    // Two columns of different scale (temperature and load) each get their own axis.
    yAxis: twoAxes ? data.series.map((s) => valueY(s.name)) : valueY(''),
    dataZoom: dz,
    series: data.series.map((s, i) => ({
      yAxisIndex: twoAxes ? i : 0,
      name: s.name,
      type: 'line' as const,
      showSymbol: false,
      sampling: 'lttb' as const,
      lineStyle: { width: 1 },
      data: s.values.map((v, k) => [x[k]!, v ?? null]),
    })),
  } as Option;
}
