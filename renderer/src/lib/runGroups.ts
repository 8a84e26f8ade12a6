// Groups of runs by any set of parameters, with count and mean ± std (and min/max) per metric,
// pure and generic over the run type so the runs table and the Studies UI share it (issue 12
// item 5: seed repeats read as one configuration). The default grouping is "every parameter but
// the seed": the parameters that differ between the runs, less the seed paths.

export interface Stats {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a single value. */
  std: number;
  min: number;
  max: number;
}

export interface RunGroup<T> {
  /** Stable identity of the group: its parameter values joined. */
  key: string;
  /** The grouping parameters' values (as text; null when a run lacks the parameter). */
  values: Record<string, string | null>;
  runs: T[];
  /** Per metric key; null when no run of the group has the metric. */
  stats: Record<string, Stats | null>;
}

/** Paths that hold the seed (RunSpec `train.seed`, a run's own `seed`): left out of the default grouping. */
export const SEED_PATHS = ['train.seed', 'seed'];

/** Count, mean, sample std, min and max of the finite values; null when there are none. */
export function stats(values: readonly (number | null | undefined)[]): Stats | null {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (xs.length === 0) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const ss = xs.reduce((a, b) => a + (b - mean) ** 2, 0);
  return {
    n: xs.length,
    mean,
    std: xs.length > 1 ? Math.sqrt(ss / (xs.length - 1)) : 0,
    min: Math.min(...xs),
    max: Math.max(...xs),
  };
}

const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** The paths among `paths` whose value is not the same for every run. */
export function varyingPaths<T>(
  runs: readonly T[],
  paths: readonly string[],
  param: (run: T, path: string) => unknown,
): string[] {
  return paths.filter((p) => new Set(runs.map((r) => text(param(r, p)))).size > 1);
}

/** "All parameters but the seed": the varying paths less the seed paths. */
export function defaultGroupBy<T>(
  runs: readonly T[],
  paths: readonly string[],
  param: (run: T, path: string) => unknown,
): string[] {
  return varyingPaths(runs, paths, param).filter((p) => !SEED_PATHS.includes(p));
}

/**
 * Groups `runs` by the values of `by`, in order of each group's first run, with stats for every
 * key of `metrics`.
 */
export function groupRuns<T>(
  runs: readonly T[],
  by: readonly string[],
  param: (run: T, path: string) => unknown,
  metrics: readonly string[],
  metric: (run: T, key: string) => number | null | undefined,
): RunGroup<T>[] {
  const groups = new Map<string, RunGroup<T>>();
  for (const run of runs) {
    const values: Record<string, string | null> = {};
    for (const p of by) values[p] = text(param(run, p));
    const key = JSON.stringify(by.map((p) => values[p]));
    let g = groups.get(key);
    if (!g) {
      g = { key, values, runs: [], stats: {} };
      groups.set(key, g);
    }
    g.runs.push(run);
  }
  for (const g of groups.values()) {
    for (const m of metrics) g.stats[m] = stats(g.runs.map((r) => metric(r, m)));
  }
  return [...groups.values()];
}

/** "0.1234 ± 0.0050" with `fmt` for both numbers; "—" without values. */
export function fmtMeanStd(s: Stats | null, fmt: (v: number) => string): string {
  if (!s) return '—';
  return s.n > 1 ? `${fmt(s.mean)} ± ${fmt(s.std)}` : fmt(s.mean);
}

/** A query (runQuery.ts) that selects exactly one group's runs: `model.cell = gru and window.lookback = 24`. */
export function groupQuery(values: Record<string, string | null>): string {
  return Object.entries(values)
    .filter((e): e is [string, string] => e[1] !== null)
    .map(([p, v]) => (/^[^\s()<>=!~"']+$/.test(v) ? `${p} = ${v}` : `${p} = "${v}"`))
    .join(' and ');
}
