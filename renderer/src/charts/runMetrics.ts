// The live run overview: one small chart per metric the epochs carry, the best epoch marked on
// each (a vertical line at the epoch whose checkpoint is kept, a point on its value).
import type { RunEpoch } from '../../../core/contract.js';
import { base, PALETTE, valueX, valueY, type Option } from './common.js';

export interface RunMetric {
  key: string;
  label: string;
}

/** The metrics drawn, in this order, when the epochs carry them (worker/train/commit.ts). */
export const RUN_METRICS: readonly RunMetric[] = [
  { key: 'val_mae', label: 'val MAE' },
  { key: 'val_mae_shrunk', label: 'val MAE, shrunk (the forecast)' },
  { key: 'val_rmse', label: 'val RMSE' },
  { key: 'samples_per_sec', label: 'samples/s' },
  { key: 'epoch_seconds', label: 'epoch time (s)' },
];

/** The metrics present in at least one epoch. */
export function presentMetrics(epochs: readonly RunEpoch[]): RunMetric[] {
  return RUN_METRICS.filter((m) => epochs.some((e) => Number.isFinite(e.metrics[m.key])));
}

/** The epoch with the lowest val_loss (the trainer keeps its checkpoint as `best`); null before any. */
export function bestEpoch(epochs: readonly RunEpoch[]): number | null {
  let best: RunEpoch | null = null;
  for (const e of epochs) {
    const v = e.metrics.val_loss;
    if (v === undefined || !Number.isFinite(v)) continue;
    if (!best || v < best.metrics.val_loss!) best = e;
  }
  return best?.epoch ?? null;
}

export function runMetricOption(
  epochs: readonly RunEpoch[],
  metric: RunMetric,
  best: number | null,
  index = 0,
): Option {
  const data = [...epochs]
    .sort((a, b) => a.epoch - b.epoch)
    .filter((e) => Number.isFinite(e.metrics[metric.key]))
    .map((e) => [e.epoch, e.metrics[metric.key]!] as [number, number]);
  const at = best === null ? undefined : data.find(([x]) => x === best);
  return {
    ...base(),
    grid: { left: 48, right: 16, top: 12, bottom: 36, containLabel: true },
    legend: { show: false },
    xAxis: valueX('epoch', { minInterval: 1, min: 1, nameGap: 22 }),
    yAxis: valueY(''),
    series: [
      {
        name: metric.label,
        type: 'line',
        showSymbol: data.length < 40,
        color: PALETTE[index % PALETTE.length],
        data,
        ...(at
          ? {
              markLine: {
                symbol: 'none',
                silent: true,
                label: { formatter: 'best', position: 'insideEndTop' },
                lineStyle: { type: 'dashed', color: '#888888' },
                data: [{ xAxis: at[0] }],
              },
              markPoint: {
                symbol: 'circle',
                symbolSize: 9,
                label: { show: false },
                data: [{ name: `best epoch ${at[0]}`, coord: at }],
              },
            }
          : {}),
      },
    ],
  } as Option;
}
