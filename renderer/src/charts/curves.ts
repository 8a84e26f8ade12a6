// Training curves: the live view (train and validation loss per epoch, plus the best earlier
// run drawn faintly) and the compare view (one metric for many runs, EMA, log scale, x axis).
import type { MetricPoint, RunEpoch } from '../../../core/contract.js';
import { base, ema, PALETTE, valueX, valueY, type Option } from './common.js';
import { runColor } from './palette.js';

export interface Ghost {
  name: string;
  points: [number, number][];
}

/** Keys drawn in the live view, in order of preference. */
export const LIVE_KEYS = ['loss', 'val_loss'] as const;

export function liveCurvesOption(epochs: readonly RunEpoch[], ghost: Ghost | null = null): Option {
  const sorted = [...epochs].sort((a, b) => a.epoch - b.epoch);
  const series: NonNullable<Option['series']> = LIVE_KEYS.map((key, i) => ({
    name: key === 'loss' ? 'train loss' : 'val loss',
    type: 'line' as const,
    showSymbol: sorted.length < 40,
    color: PALETTE[i],
    data: sorted.filter((e) => Number.isFinite(e.metrics[key])).map((e) => [e.epoch, e.metrics[key]!]),
  }));
  if (ghost && ghost.points.length > 0) {
    series.push({
      name: ghost.name,
      type: 'line',
      showSymbol: false,
      color: '#888888',
      lineStyle: { type: 'dashed', opacity: 0.45 },
      z: 1,
      data: ghost.points,
    });
  }
  return {
    ...base(),
    xAxis: valueX('epoch', { minInterval: 1, min: 1 }),
    yAxis: valueY('loss'),
    series,
  } as Option;
}

export interface CompareCurveSettings {
  key: string;
  /** EMA weight 0..0.99. */
  smoothing: number;
  logScale: boolean;
  x: 'epoch' | 'wall';
}

export interface RunRef {
  id: number;
  name: string;
}

export function compareCurvesOption(
  runs: readonly RunRef[],
  points: readonly MetricPoint[],
  s: CompareCurveSettings,
): Option {
  const series = runs.map((run) => {
    const pts = points.filter((p) => p.runId === run.id && p.key === s.key).sort((a, b) => a.epoch - b.epoch);
    const smoothed = ema(
      pts.map((p) => p.value),
      s.smoothing,
    );
    const data = pts
      .map((p, j) => [s.x === 'epoch' ? p.epoch : p.wallTime, smoothed[j]!] as [number, number])
      .filter(([, v]) => Number.isFinite(v) && (!s.logScale || v > 0));
    return {
      name: `#${run.id} ${run.name}`,
      type: 'line' as const,
      showSymbol: data.length < 40,
      // The run's own colour, the same in every chart and group (palette.ts).
      color: runColor(run.id),
      data,
    };
  });
  return {
    ...base(),
    xAxis: valueX(s.x === 'epoch' ? 'epoch' : 'wall time (s)', { minInterval: s.x === 'epoch' ? 1 : 0, scale: true }),
    yAxis: s.logScale ? valueY(s.key, { type: 'log', scale: false }) : valueY(s.key),
    series,
  } as Option;
}

/** Metric keys present in the points, loss-like ones first. */
export function metricKeys(points: readonly MetricPoint[]): string[] {
  const keys = [...new Set(points.map((p) => p.key))];
  const rank = (k: string) => (k === 'val_loss' ? 0 : k === 'loss' ? 1 : k.startsWith('val_') ? 2 : 3);
  return keys.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
