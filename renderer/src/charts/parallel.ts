// Parallel coordinates: one axis per parameter that differs between the runs, the last axis the
// chosen metric; one line per run.
import type { RunRow } from '../../../core/contract.js';
import { flattenSpec } from '../../../core/contract.js';
import { base, PALETTE, type Option } from './common.js';

/** Flattened spec keys whose values differ between runs (all keys when only one run). */
export function differingParams(runs: readonly RunRow[]): string[] {
  const flat = runs.map((r) => flattenSpec(r.spec));
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  if (runs.length < 2) return keys;
  return keys.filter((k) => new Set(flat.map((f) => f[k] ?? '')).size > 1);
}

export function metricValue(run: RunRow, metric: string): number | null {
  if (metric in run.test) return run.test[metric]!;
  const s = run.summary.find((x) => x.key === metric);
  return s ? s.best : null;
}

export function parallelOption(runs: readonly RunRow[], params: readonly string[], metric: string): Option {
  const flat = runs.map((r) => flattenSpec(r.spec));
  const dims = params.map((key, i) => {
    const values = flat.map((f) => f[key] ?? '');
    const numeric = values.every((v) => v !== '' && Number.isFinite(Number(v)));
    return numeric
      ? { dim: i, name: key, type: 'value' as const, scale: true }
      : { dim: i, name: key, type: 'category' as const, data: [...new Set(values)].sort() };
  });
  dims.push({ dim: params.length, name: metric, type: 'value' as const, scale: true });
  return {
    ...base(),
    tooltip: { trigger: 'item' },
    parallel: { left: 60, right: 90, top: 48, bottom: 30 },
    parallelAxis: dims,
    series: runs.map((r, i) => ({
      name: `#${r.id} ${r.name}`,
      type: 'parallel' as const,
      lineStyle: { width: 2, color: PALETTE[i % PALETTE.length] },
      data: [
        [
          ...params.map((k) => {
            const v = flat[i]![k] ?? '';
            return dims[params.indexOf(k)]!.type === 'value' ? Number(v) : v;
          }),
          metricValue(r, metric) ?? NaN,
        ],
      ],
    })),
  } as Option;
}
