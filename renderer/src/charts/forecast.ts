// The Forecast panel's chart: the last stretch of one target's history, then runs.predict's
// forecast for the same series, dashed, on a time axis (datetime data) or a value axis. Forecasts
// of every window of a new CSV (many origins) are drawn as one line per step ahead (the first and
// the last step), each point at the time it forecasts.
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
  // After the data's end each step comes once; every window of a CSV repeats them.
  const windows = rows.length > new Set(rows.map((x) => x.step)).size;
  const lastStep = rows.reduce((m, x) => Math.max(m, x.step), 1);
  const forecasts = windows
    ? [...new Set([1, lastStep])].map((step, k) => ({
        name: `${step} step${step > 1 ? 's' : ''} ahead`,
        type: 'line' as const,
        showSymbol: false,
        color: PALETTE[1 + k],
        lineStyle: { type: 'dashed' as const },
        data: rows.filter((x) => x.step === step).map((x) => [toX(x.time), x.value]),
      }))
    : [
        {
          name: 'forecast',
          type: 'line' as const,
          color: PALETTE[1],
          lineStyle: { type: 'dashed' as const },
          data: rows.map((x) => [toX(x.time), x.value]),
        },
      ];
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
      ...forecasts,
    ],
  };
}
