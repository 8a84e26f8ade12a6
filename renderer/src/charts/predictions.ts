// Predicted versus actual on the test split: the actual series once, one predicted series per
// run and the naive, seasonal-naive and ETS baselines (of the first run) dashed.
import type { Predictions } from '../../../core/contract.js';
import { BASELINE_LABELS, FORECAST_METRICS, FORECASTERS } from '../../../core/metric-keys.js';
import { isEpochMs, timeUnit } from '../lib/format.js';
import { axisTooltip, base, BASELINE_COLORS, timeX, valueX, valueY, zoom, type Option } from './common.js';
import { runColor } from './palette.js';

export interface RunPredictions {
  id: number;
  name: string;
  predictions: Predictions;
}

/** Values of output `o` from a flattened [n, outputs] array. */
export function column(values: readonly number[], outputs: number, o: number): number[] {
  const out: number[] = [];
  for (let i = o; i < values.length; i += outputs) out.push(values[i]!);
  return out;
}

/** The series the first run's windows belong to, in order (none for a dataset of one series). */
export function seriesOf(runs: readonly RunPredictions[]): string[] {
  return [...new Set(runs[0]?.predictions.series ?? [])];
}

/** Only the windows of one series (the predictions as they are when they have no series). */
export function onlySeries(p: Predictions, name: string): Predictions {
  if (!p.series) return p;
  const O = p.outputs.length || 1;
  const keep = p.series.flatMap((s, i) => (s === name ? [i] : []));
  const rows = (a: readonly number[]) => keep.flatMap((i) => a.slice(i * O, (i + 1) * O));
  return {
    ...p,
    actual: rows(p.actual),
    predicted: rows(p.predicted),
    ...(p.naive ? { naive: rows(p.naive) } : {}),
    ...(p.seasonalNaive ? { seasonalNaive: rows(p.seasonalNaive) } : {}),
    ...(p.ets ? { ets: rows(p.ets) } : {}),
    time: keep.map((i) => p.time[i]!),
    series: keep.map(() => name),
  };
}

/**
 * The chart of the runs' test predictions for output `output`. Windows of several series share
 * time stamps, so for such a dataset one series is drawn: `seriesName` where the first run has it, else its first.
 */
export function predictionsOption(
  all: readonly RunPredictions[],
  output = 0,
  theme: 'light' | 'dark' = 'light',
  seriesName: string | null = null,
): Option {
  const names = seriesOf(all);
  const shown = seriesName !== null && names.includes(seriesName) ? seriesName : (names[0] ?? null);
  const runs = shown === null ? all : all.map((r) => ({ ...r, predictions: onlySeries(r.predictions, shown) }));
  const first = runs[0]?.predictions;
  if (!first) return { ...base(), series: [] } as Option;
  const xOf = (p: Predictions) =>
    p.time.length ? p.time : column(p.actual, p.outputs.length || 1, 0).map((_, i) => i);
  const x = xOf(first);
  // Time stamps (also before 1970, negative) or, without a time column, the windows' row index.
  const unit = isEpochMs(x) ? timeUnit(x) : null;
  // Each run is drawn at its own windows' times: runs with another lookback start elsewhere.
  const line = (name: string, xs: readonly number[], vals: number[], color: string, dashed = false) => ({
    name,
    type: 'line' as const,
    showSymbol: false,
    sampling: 'lttb' as const,
    color,
    lineStyle: {
      width: dashed ? 1 : 1.5,
      type: dashed ? ('dashed' as const) : ('solid' as const),
      opacity: dashed ? 0.7 : 1,
    },
    data: vals.map((v, i) => [xs[i]!, v]),
  });
  const O = first.outputs.length || 1;
  const series = [line('actual', x, column(first.actual, O, output), theme === 'dark' ? '#f0f0f0' : '#222222')];
  runs.forEach((r) =>
    series.push(
      line(
        `#${r.id} ${r.name}`,
        xOf(r.predictions),
        column(r.predictions.predicted, r.predictions.outputs.length || 1, output),
        runColor(r.id),
      ),
    ),
  );
  if (first.naive) series.push(line('naive', x, column(first.naive, O, output), BASELINE_COLORS.naive, true));
  if (first.seasonalNaive)
    series.push(line('seasonal naive', x, column(first.seasonalNaive, O, output), BASELINE_COLORS.seasonal, true));
  if (first.ets) series.push(line('ETS', x, column(first.ets, O, output), BASELINE_COLORS.ets, true));
  return {
    ...base(),
    tooltip: axisTooltip(unit ? { unit } : { label: 'row' }),
    xAxis: unit ? timeX(unit, {}, [x[0]!, x[x.length - 1]!]) : valueX('row', { scale: true, minInterval: 1 }),
    yAxis: valueY(first.outputs[output] ?? ''),
    dataZoom: zoom(),
    series,
  } as Option;
}

const SOURCE_ORDER: readonly string[] = [...FORECASTERS, 'majority'];
const METRIC_ORDER: readonly string[] = [...FORECAST_METRICS, 'accuracy'];
const rank = (order: readonly string[], x: string) => (order.includes(x) ? order.indexOf(x) : order.length);

/**
 * Rows of the metrics table: metric × (model per run, then naive, seasonal naive, ETS) from
 * `run.test`. A baseline does not depend on the model: one column when the runs agree on its
 * scores (same data, split and horizon), else one per run, labelled with the run and placed
 * after that run's model.
 * Per-class, confusion and per-step (`mae@3`) cells are left out: they have their own views.
 */
export function metricsTable(tests: readonly { id: number; name: string; test: Record<string, number> }[]): {
  metrics: string[];
  columns: { label: string; runId: number; source: string }[];
  value(runId: number, source: string, metric: string): number | null;
} {
  const metrics = new Set<string>();
  const sources = new Set<string>();
  for (const t of tests) {
    for (const key of Object.keys(t.test)) {
      const dot = key.indexOf('.');
      if (dot < 0) continue;
      const src = key.slice(0, dot);
      const metric = key.slice(dot + 1);
      if (metric === 'windows' || metric.includes('.') || metric.includes('@')) continue;
      metrics.add(metric);
      sources.add(src);
    }
  }
  const srcs = [...sources].sort((a, b) => rank(SOURCE_ORDER, a) - rank(SOURCE_ORDER, b) || a.localeCompare(b));
  const columns: { label: string; runId: number; source: string }[] = tests
    .filter((t) => Object.keys(t.test).some((k) => k.startsWith('test.')))
    .map((t) => ({ label: `#${t.id} ${t.name}`, runId: t.id, source: 'test' }));
  const pooled = (t: { test: Record<string, number> }, s: string) =>
    JSON.stringify(
      Object.entries(t.test)
        .filter(([k]) => k.startsWith(`${s}.`) && !k.includes('@'))
        .sort(([a], [b]) => a.localeCompare(b)),
    );
  // Baselines the runs disagree on follow their run's model column; shared ones come last.
  const shared: typeof columns = [];
  for (const s of srcs.filter((x) => x !== 'test')) {
    const label = s in BASELINE_LABELS ? BASELINE_LABELS[s as keyof typeof BASELINE_LABELS] : s;
    const having = tests.filter((x) => Object.keys(x.test).some((k) => k.startsWith(`${s}.`)));
    const distinct = new Set(having.map((t) => pooled(t, s))).size;
    if (distinct <= 1 && having[0]) {
      shared.push({ label, runId: having[0].id, source: s });
      continue;
    }
    for (const t of having) {
      const at = columns.findLastIndex((c) => c.runId === t.id);
      columns.splice(at < 0 ? columns.length : at + 1, 0, { label: `${label} (#${t.id})`, runId: t.id, source: s });
    }
  }
  columns.push(...shared);
  const byId = new Map(tests.map((t) => [t.id, t.test]));
  return {
    metrics: [...metrics].sort((a, b) => rank(METRIC_ORDER, a) - rank(METRIC_ORDER, b) || a.localeCompare(b)),
    columns,
    value: (runId, source, metric) => byId.get(runId)?.[`${source}.${metric}`] ?? null,
  };
}
