// Compare's small multiples: one small chart per per-epoch metric, every run drawn twice, the raw
// values faint underneath and the EMA-smoothed line on top (as TensorBoard does). The small charts
// carry no legend (eight legends would collide): the page shows one shared legend of run chips,
// and each chart's tooltip names the runs.
import type { MetricPoint } from '../../../core/contract.js';
import { axisTooltip, base, ema, valueX, valueY, type Option } from './common.js';
import type { CompareCurveSettings, RunRef } from './curves.js';
import { runColor } from './palette.js';

/** The metric keys worth a small chart: every per-epoch key, losses and validation metrics first. */
export function multipleKeys(points: readonly MetricPoint[]): string[] {
  const keys = [...new Set(points.map((p) => p.key))];
  const rank = (k: string) => (k === 'val_loss' ? 0 : k === 'loss' ? 1 : k.startsWith('val_') ? 2 : 3);
  return keys.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** x/y pairs of one run's metric, sorted by epoch, raw and smoothed; log scale drops values <= 0. */
export function runLine(
  points: readonly MetricPoint[],
  runId: number,
  key: string,
  s: Omit<CompareCurveSettings, 'key'>,
): { raw: [number, number][]; smooth: [number, number][] } {
  const pts = points.filter((p) => p.runId === runId && p.key === key).sort((a, b) => a.epoch - b.epoch);
  const smoothed = ema(
    pts.map((p) => p.value),
    s.smoothing,
  );
  const keep = ([, v]: [number, number]) => Number.isFinite(v) && (!s.logScale || v > 0);
  const x = (p: MetricPoint) => (s.x === 'epoch' ? p.epoch : p.wallTime);
  return {
    raw: pts.map((p) => [x(p), p.value] as [number, number]).filter(keep),
    smooth: pts.map((p, j) => [x(p), smoothed[j]!] as [number, number]).filter(keep),
  };
}

/** Opacity of a run outside the brushed ranges (parallel coordinates on Compare): a trace, for context. */
export const FADED = 0.12;
/** A series for a run outside the brushed ranges: no tooltip, no hover, drawn below the others. */
export const OUTSIDE = { silent: true, tooltip: { show: false }, z: 1 } as const;

/**
 * One small chart: `key` for every run, the raw line faint under the smoothed one, no legend.
 * Runs in `faded` (outside the brushed ranges) are drawn as faint traces without tooltip, under
 * the others, and only their smoothed line.
 */
export function smallMultipleOption(
  runs: readonly RunRef[],
  points: readonly MetricPoint[],
  key: string,
  s: Omit<CompareCurveSettings, 'key'>,
  faded: ReadonlySet<number> = new Set(),
): Option {
  const smoothing = s.smoothing > 0;
  const series = runs.flatMap((run) => {
    const { raw, smooth } = runLine(points, run.id, key, s);
    const color = runColor(run.id);
    const name = `#${run.id} ${run.name}`;
    if (faded.has(run.id)) {
      const trace = { opacity: FADED, width: 1 };
      return [{ name, type: 'line' as const, showSymbol: false, color, lineStyle: trace, ...OUTSIDE, data: smooth }];
    }
    const main = {
      name,
      type: 'line' as const,
      showSymbol: smooth.length < 30,
      symbolSize: 4,
      color,
      data: smooth,
      z: 3,
    };
    if (!smoothing) return [main];
    return [
      {
        name: `${name} (raw)`,
        type: 'line' as const,
        showSymbol: false,
        color,
        lineStyle: { opacity: 0.25, width: 1 },
        tooltip: { show: false },
        silent: true,
        z: 2,
        data: raw,
      },
      main,
    ];
  });
  return {
    ...base(),
    legend: { show: false },
    grid: { left: 8, right: 12, top: 12, bottom: 28, containLabel: true },
    tooltip: axisTooltip({ label: s.x === 'epoch' ? 'epoch' : 'second' }),
    xAxis: valueX(s.x === 'epoch' ? 'epoch' : 'wall time (s)', {
      minInterval: s.x === 'epoch' ? 1 : 0,
      scale: true,
      nameGap: 20,
    }),
    yAxis: s.logScale ? valueY('', { type: 'log', scale: false }) : valueY(''),
    series,
  } as Option;
}
