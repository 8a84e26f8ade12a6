// Runs grouped by params (default: every param that differs between them but the seed) with
// mean ± std, min and max of each metric: the best of every per-epoch metric and every test
// metric. Pure: the CLI's `runs --group-by`, runs.groups and the UI share it.
import type { RunRow } from '../contract.js';
import { flattenSpec } from '../spec.js';
import type { MetricStat, RunGroup } from '../study-schemas.js';

export interface GroupInput {
  id: number;
  /** Flattened spec (`model.cell` → `gru`). */
  params: Record<string, string>;
  /** Metric key → value for this run (best per-epoch values, test metrics). */
  metrics: Record<string, number>;
}

/** Params that only name a seed (or a study's bookkeeping) and never define a configuration. */
export const SEED_PARAMS = ['train.seed'];

/** The params that differ between the runs, but the seed: the default grouping. */
export function defaultGroupBy(runs: readonly GroupInput[]): string[] {
  const keys = new Set(runs.flatMap((r) => Object.keys(r.params)));
  return [...keys]
    .filter((k) => !SEED_PARAMS.includes(k))
    .filter((k) => new Set(runs.map((r) => r.params[k] ?? '')).size > 1)
    .sort();
}

export function stat(values: readonly number[]): MetricStat {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  // Sample standard deviation (n − 1): seeds are a sample; a single run has std 0.
  const std = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, min: Math.min(...values), max: Math.max(...values), n };
}

/** Groups in first-seen order of the runs given. */
export function groupRuns(runs: readonly GroupInput[], by: readonly string[] = defaultGroupBy(runs)): RunGroup[] {
  const groups = new Map<string, { key: Record<string, string>; runs: GroupInput[] }>();
  for (const r of runs) {
    const key = Object.fromEntries(by.map((k) => [k, r.params[k] ?? '']));
    const id = JSON.stringify(by.map((k) => key[k]));
    const g = groups.get(id) ?? { key, runs: [] };
    g.runs.push(r);
    groups.set(id, g);
  }
  return [...groups.values()].map((g) => {
    const keys = [...new Set(g.runs.flatMap((r) => Object.keys(r.metrics)))].sort();
    const metrics: Record<string, MetricStat> = {};
    for (const k of keys) {
      const vs = g.runs.map((r) => r.metrics[k]).filter((v): v is number => v !== undefined && Number.isFinite(v));
      if (vs.length) metrics[k] = stat(vs);
    }
    return { key: g.key, runIds: g.runs.map((r) => r.id), metrics };
  });
}

/** Per-epoch metrics that describe speed, not quality: left out of groups. */
const SPEED = ['samples_per_sec', 'epoch_seconds'];

/** What a run contributes to a group: its flattened spec, the best of each per-epoch metric and its test metrics. */
export function groupInputOf(r: Pick<RunRow, 'id' | 'spec' | 'summary' | 'test'>): GroupInput {
  const metrics: Record<string, number> = { ...r.test };
  for (const m of r.summary) if (!SPEED.includes(m.key)) metrics[m.key] = m.best;
  return { id: r.id, params: flattenSpec(r.spec), metrics };
}
