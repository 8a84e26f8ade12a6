// Error per step ahead (horizon > 1): one line per run's model and one per baseline (dashed, of
// the first run that has it), from the per-step scores in `run.test` (`test.mae@1`, `ets.mae@2`).
// Errors usually grow with the step; where the model's line crosses a baseline's shows from
// which step on a statistical forecast is the better one.
import { BASELINE_LABELS, stepCount, stepScores, type ForecastMetric } from '../../../core/metric-keys.js';
import { base, BASELINE_COLORS, tooltipValue, type Option } from './common.js';
import { runColor } from './palette.js';

export interface HorizonRun {
  id: number;
  name: string;
  test: Readonly<Record<string, number>>;
}

export interface HorizonSeries {
  name: string;
  kind: 'model' | 'baseline';
  color: string;
  /** index h-1; null where the step has no score */
  values: (number | null)[];
}

/** The most steps ahead any of the runs scored (0 or 1: nothing to chart). */
export function horizonSteps(runs: readonly HorizonRun[]): number {
  return Math.max(0, ...runs.map((r) => stepCount(r.test)));
}

export function horizonSeries(runs: readonly HorizonRun[], metric: ForecastMetric = 'mae'): HorizonSeries[] {
  const withSteps = runs.filter((r) => stepCount(r.test) > 1);
  const out: HorizonSeries[] = withSteps.map((r) => ({
    name: `#${r.id} ${r.name}`,
    kind: 'model',
    color: runColor(r.id),
    values: stepScores(r.test, 'test', metric),
  }));
  for (const who of ['naive', 'seasonal', 'ets'] as const) {
    // Without a season, seasonal naive is the naive forecast again: one line is enough.
    const from = withSteps.find(
      (r) =>
        stepScores(r.test, who, metric).some((v) => v !== null) &&
        (who !== 'seasonal' || (r.test.season_length ?? 1) > 1),
    );
    if (from)
      out.push({
        name: BASELINE_LABELS[who],
        kind: 'baseline',
        color: BASELINE_COLORS[who],
        values: stepScores(from.test, who, metric),
      });
  }
  return out;
}

export function horizonOption(runs: readonly HorizonRun[], metric: ForecastMetric = 'mae'): Option {
  const H = horizonSteps(runs);
  const steps = Array.from({ length: H }, (_, i) => String(i + 1));
  const series = horizonSeries(runs, metric).map((s) => ({
    name: s.name,
    type: 'line' as const,
    color: s.color,
    showSymbol: H <= 24,
    symbolSize: s.kind === 'model' ? 6 : 4,
    connectNulls: false,
    lineStyle: s.kind === 'model' ? { width: 2 } : { width: 1.5, type: 'dashed' as const, opacity: 0.85 },
    data: steps.map((_, i) => s.values[i] ?? null),
  }));
  return {
    ...base(),
    tooltip: {
      trigger: 'axis',
      confine: true,
      valueFormatter: tooltipValue,
    },
    xAxis: {
      type: 'category',
      name: 'steps ahead',
      nameLocation: 'middle',
      nameGap: 26,
      boundaryGap: false,
      data: steps,
    },
    yAxis: { type: 'value', name: `test ${metric.toUpperCase()}`, scale: false, min: 0 },
    series,
  } as Option;
}
