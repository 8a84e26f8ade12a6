// Predicted versus actual on the test split: the actual series once, one predicted series per
// run and the naive / seasonal-naive baselines (of the first run) dashed.
import type { Predictions } from '../../../core/contract.js';
import { isEpochMs } from '../lib/format.js';
import { base, PALETTE, valueX, zoom, type Option } from './common.js';

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

export function predictionsOption(runs: readonly RunPredictions[], output = 0, theme: 'light' | 'dark' = 'light'): Option {
  const first = runs[0]?.predictions;
  if (!first) return { ...base(), series: [] } as Option;
  const O = first.outputs.length || 1;
  const x = first.time.length ? first.time : column(first.actual, O, 0).map((_, i) => i);
  const timeAxis = isEpochMs(x);
  const pair = (vals: number[]) => vals.map((v, i) => [x[i]!, v]);
  const line = (name: string, vals: number[], color: string, dashed = false) => ({
    name,
    type: 'line' as const,
    showSymbol: false,
    sampling: 'lttb' as const,
    color,
    lineStyle: { width: dashed ? 1 : 1.5, type: dashed ? ('dashed' as const) : ('solid' as const), opacity: dashed ? 0.7 : 1 },
    data: pair(vals),
  });
  const series = [line('actual', column(first.actual, O, output), theme === 'dark' ? '#f0f0f0' : '#222222')];
  runs.forEach((r, i) =>
    series.push(line(`#${r.id} ${r.name}`, column(r.predictions.predicted, r.predictions.outputs.length || 1, output), PALETTE[i % PALETTE.length]!)),
  );
  if (first.naive) series.push(line('naive', column(first.naive, O, output), '#999999', true));
  if (first.seasonalNaive) series.push(line('seasonal naive', column(first.seasonalNaive, O, output), '#b5a000', true));
  if (first.ets) series.push(line('ETS', column(first.ets, O, output), '#2a9d8f', true));
  return {
    ...base(),
    xAxis: timeAxis ? { type: 'time' } : valueX('test window', { scale: true }),
    yAxis: { type: 'value', name: first.outputs[output] ?? '', scale: true },
    dataZoom: zoom(),
    series,
  } as Option;
}

/** Rows of the metrics table: metric × (model, naive, seasonal) per run from `run.test`. */
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
      if (metric === 'windows' || metric.includes('.')) continue; // per-class and confusion cells: not here
      metrics.add(metric);
      sources.add(src);
    }
  }
  const order = (s: string) => (s === 'test' ? 0 : s === 'naive' ? 1 : 2);
  const srcs = [...sources].sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  const columns: { label: string; runId: number; source: string }[] = tests
    .filter((t) => Object.keys(t.test).some((k) => k.startsWith('test.')))
    .map((t) => ({ label: `#${t.id} ${t.name}`, runId: t.id, source: 'test' }));
  // Baselines do not depend on the model: one column each, from the first run that has them.
  for (const s of srcs.filter((x) => x !== 'test')) {
    const t = tests.find((x) => Object.keys(x.test).some((k) => k.startsWith(`${s}.`)));
    if (t) columns.push({ label: s === 'seasonal' ? 'seasonal naive' : s, runId: t.id, source: s });
  }
  const byId = new Map(tests.map((t) => [t.id, t.test]));
  return {
    metrics: [...metrics].sort(),
    columns,
    value: (runId, source, metric) => byId.get(runId)?.[`${source}.${metric}`] ?? null,
  };
}
