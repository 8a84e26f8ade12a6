// A backtest's folds over the series: the actual values of every fold's test window once, each
// fold's forecast over its own window (shaded), so the expanding origins are visible at a glance.
import { isEpochMs, timeUnit } from '../lib/format.js';
import { axisTooltip, base, PALETTE, timeX, valueX, valueY, zoom, type Option } from './common.js';
import { column } from './predictions.js';

export interface FoldPredictions {
  fold: number;
  runId: number;
  /** Time (or row index) of each test window's first target step. */
  time: number[];
  actual: number[];
  predicted: number[];
  outputs: number;
}

export function foldsOption(folds: readonly FoldPredictions[], theme: 'light' | 'dark' = 'light'): Option {
  const actual = new Map<number, number>();
  for (const f of folds) column(f.actual, f.outputs, 0).forEach((v, i) => actual.set(f.time[i]!, v));
  const xs = [...actual.keys()].sort((a, b) => a - b);
  const series: Record<string, unknown>[] = [
    {
      name: 'actual',
      type: 'line',
      showSymbol: false,
      color: theme === 'dark' ? '#f0f0f0' : '#222222',
      lineStyle: { width: 1.5 },
      data: xs.map((x) => [x, actual.get(x)!]),
    },
  ];
  folds.forEach((f, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    series.push({
      name: `fold ${f.fold + 1} (#${f.runId})`,
      type: 'line',
      showSymbol: false,
      color,
      lineStyle: { width: 1.5 },
      data: column(f.predicted, f.outputs, 0).map((v, j) => [f.time[j]!, v]),
      markArea: {
        silent: true,
        itemStyle: { color, opacity: 0.08 },
        data: [[{ xAxis: f.time[0]! }, { xAxis: f.time.at(-1)! }]],
      },
    });
  });
  const unit = isEpochMs(xs) ? timeUnit(xs) : null;
  return {
    ...base(),
    tooltip: axisTooltip(unit ? { unit } : { label: 'row' }),
    xAxis: unit ? timeX(unit, {}, [xs[0]!, xs[xs.length - 1]!]) : valueX('row', { scale: true }),
    yAxis: valueY(''),
    dataZoom: zoom(),
    series,
  } as Option;
}
