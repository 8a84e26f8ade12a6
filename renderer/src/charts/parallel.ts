// Parallel coordinates: one axis per parameter that differs between the runs, the last axis the
// chosen metric; one line per run, in the run's own colour. A run without a parameter sits at "—"
// on that axis (never at 0). Brushing an axis (drag along it) selects the runs inside the ranges:
// `brushedRuns` turns the intervals ECharts reports into the run ids the Compare table keeps.
import type { RunRow } from '../../../core/contract.js';
import { flattenSpec } from '../../../core/contract.js';
import { base, type Option } from './common.js';
import { runColor } from './palette.js';

/** The label of a parameter a run does not have. */
export const MISSING = '—';

/** Flattened spec keys whose values differ between runs (all keys when only one run). */
export function differingParams(runs: readonly RunRow[]): string[] {
  const flat = runs.map((r) => flattenSpec(r.spec));
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  if (runs.length < 2) return keys;
  return keys.filter((k) => new Set(flat.map((f) => f[k] ?? MISSING)).size > 1);
}

export function metricValue(run: RunRow, metric: string): number | null {
  if (metric in run.test) return run.test[metric]!;
  const s = run.summary.find((x) => x.key === metric);
  return s ? s.best : null;
}

export type ParallelDim =
  | { dim: number; id: string; name: string; type: 'value'; scale: true }
  | { dim: number; id: string; name: string; type: 'category'; data: string[] };

/** One axis per param (numeric when every run has a numeric value, else categories with "—"), then the metric. */
export function parallelDims(runs: readonly RunRow[], params: readonly string[], metric: string): ParallelDim[] {
  const flat = runs.map((r) => flattenSpec(r.spec));
  const dims: ParallelDim[] = params.map((key, i) => {
    const values = flat.map((f) => (f[key] === undefined || f[key] === '' ? MISSING : String(f[key])));
    const numeric = values.every((v) => v !== MISSING && Number.isFinite(Number(v)));
    return numeric
      ? { dim: i, id: `pc-${i}`, name: key, type: 'value', scale: true }
      : { dim: i, id: `pc-${i}`, name: key, type: 'category', data: [...new Set(values)].sort() };
  });
  dims.push({ dim: params.length, id: `pc-${params.length}`, name: metric, type: 'value', scale: true });
  return dims;
}

/** A run's coordinates on the axes: numbers on value axes, category labels on the others. */
export function parallelRow(run: RunRow, dims: readonly ParallelDim[], metric: string): (number | string)[] {
  const f = flattenSpec(run.spec);
  return dims.map((d, i) => {
    if (i === dims.length - 1) return metricValue(run, metric) ?? NaN;
    const v = f[d.name];
    if (d.type === 'value') return Number(v);
    return v === undefined || v === '' ? MISSING : String(v);
  });
}

export function parallelOption(runs: readonly RunRow[], params: readonly string[], metric: string): Option {
  const dims = parallelDims(runs, params, metric);
  return {
    ...base(),
    legend: { show: false },
    tooltip: { trigger: 'item' },
    parallel: { left: 60, right: 90, top: 48, bottom: 30 },
    parallelAxis: dims.map((d) => ({ ...d, realtime: true })),
    series: runs.map((r) => ({
      name: `#${r.id} ${r.name}`,
      type: 'parallel' as const,
      inactiveOpacity: 0.08,
      activeOpacity: 1,
      lineStyle: { width: 2, color: runColor(r.id), opacity: 0.9 },
      data: [parallelRow(r, dims, metric)],
    })),
  } as Option;
}

/** Brushed ranges per axis id, as ECharts reports them in `axisareaselected` (data values; category index). */
export type Brushes = Record<string, [number, number][]>;

/** The ids of the runs inside every brushed axis range; null when nothing is brushed (all runs). */
export function brushedRuns(
  runs: readonly RunRow[],
  params: readonly string[],
  metric: string,
  brushes: Brushes,
): Set<number> | null {
  const active = Object.entries(brushes).filter(([, iv]) => iv.length > 0);
  if (active.length === 0) return null;
  const dims = parallelDims(runs, params, metric);
  const keep = new Set<number>();
  for (const r of runs) {
    const row = parallelRow(r, dims, metric);
    const inside = active.every(([id, intervals]) => {
      const i = dims.findIndex((d) => d.id === id);
      if (i < 0) return true;
      const d = dims[i]!;
      const v = d.type === 'category' ? d.data.indexOf(String(row[i])) : Number(row[i]);
      return Number.isFinite(v) && intervals.some(([a, b]) => v >= Math.min(a, b) && v <= Math.max(a, b));
    });
    if (inside) keep.add(r.id);
  }
  return keep;
}
