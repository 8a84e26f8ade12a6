// The Forecast panel's chart: the last stretch of one target's history, then runs.predict's
// forecast for the same series, dashed, on a time axis (datetime data) or a value axis.
import type { PredictResult } from '../../../core/contract.js';
import { PALETTE, type Option } from './common.js';

export interface History {
  /** ms since the epoch (datetime time column), else the time value or row index. */
  x: number[];
  values: (number | null)[];
}

export function forecastOption(r: PredictResult, series: string, history: History | null): Option {
  const target = r.outputs[0];
  const rows = r.rows.filter((x) => x.series === series && x.target === target);
  const isTime = rows.length > 0 && typeof rows[0]!.time === 'string';
  const toX = (t: string | number) => (typeof t === 'string' ? Date.parse(t) : t);
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 50, right: 20, top: 30, bottom: 30 },
    xAxis: { type: isTime ? 'time' : 'value', scale: true },
    yAxis: { type: 'value', scale: true, name: target },
    series: [
      {
        name: 'history',
        type: 'line',
        showSymbol: false,
        color: PALETTE[0],
        data: history ? history.x.map((x, i) => [x, history.values[i] ?? null]) : [],
      },
      {
        name: 'forecast',
        type: 'line',
        color: PALETTE[1],
        lineStyle: { type: 'dashed' },
        data: rows.map((x) => [toX(x.time), x.value]),
      },
    ],
  };
}
