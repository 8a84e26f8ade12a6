// The spec rules that host and worker both apply: which columns a spec uses, how a series splits
// into train/val/test rows, how many windows each split holds, and the one wording of a window
// that does not fit. Pure (no database, no TF.js): the run designer's estimate (core/estimate.ts)
// and the worker's data preparation (prepare()) call the same functions.
import { ServiceError, type RunSpec } from './contract.js';

export interface SourceColumn {
  name: string;
  kind: 'numeric' | 'datetime' | 'categorical';
  values?: Float64Array;
  codes?: Int32Array;
  labels?: string[];
}

export interface DatasetInfo {
  name: string;
  rowCount: number;
  timeColumn: string | null;
  seriesColumn: string | null;
  columns: { name: string; kind: SourceColumn['kind'] }[];
}

export type Split = 'train' | 'val' | 'test';

/** Resolves the spec's columns against the dataset, naming the offending field on error. */
export function resolveColumns(spec: RunSpec, ds: DatasetInfo): { targets: string[]; features: string[]; time: string | null; series: string | null } {
  const byName = new Map(ds.columns.map((c) => [c.name, c]));
  const known = ds.columns.map((c) => c.name).join(', ');
  const need = (name: string, field: string) => {
    const c = byName.get(name);
    if (!c) throw new ServiceError('bad_input', `${field}: unknown column "${name}" in dataset "${ds.name}" (columns: ${known})`, field);
    return c;
  };
  const time = spec.time ?? ds.timeColumn;
  if (spec.time) need(spec.time, 'spec.time');
  const series = spec.series === undefined ? ds.seriesColumn : spec.series;
  if (series) need(series, 'spec.series');
  spec.target.forEach((t, i) => {
    const c = need(t, spec.target.length > 1 ? `spec.target.${i}` : 'spec.target');
    if (spec.task === 'forecast' && c.kind !== 'numeric') {
      throw new ServiceError('bad_input', `spec.target: column "${t}" is ${c.kind}; a forecast target must be numeric (use "task": "classify" for labels)`, 'spec.target');
    }
  });
  let features = spec.features;
  if (!features) {
    features =
      spec.task === 'forecast'
        ? [...spec.target]
        : ds.columns.filter((c) => c.kind === 'numeric' && c.name !== time && c.name !== series && !spec.target.includes(c.name)).map((c) => c.name);
    if (features.length === 0) throw new ServiceError('bad_input', 'spec.features: the dataset has no numeric column to use as a feature', 'spec.features');
  }
  features.forEach((f, i) => {
    const c = need(f, `spec.features.${i}`);
    if (c.kind !== 'numeric') throw new ServiceError('bad_input', `spec.features.${i}: column "${f}" is ${c.kind}; features must be numeric`, `spec.features.${i}`);
  });
  return { targets: spec.target, features, time: time ?? null, series: series ?? null };
}

/** Windows whose last input row t lies in [from, …) and whose targets lie inside [start, end). */
export function countWindows(start: number, end: number, lookback: number, horizon: number, stride: number, from: number): number {
  // Window ends t with t >= from (inputs reach back at most to row 0), targets t+1..t+horizon inside [start, end).
  const lo = Math.max(start - 1, lookback - 1, from);
  const hi = end - 1 - horizon;
  return hi < lo ? 0 : Math.floor((hi - lo) / stride) + 1;
}

/** Split row counts for a series of n rows. */
export function splitRows(n: number, split: RunSpec['split']): { valStart: number; testStart: number } {
  const valStart = Math.floor(n * split.train);
  const testStart = Math.floor(n * (split.train + split.val));
  return { valStart, testStart };
}

/** The one place that words a window that does not fit a split (the trainer and the run designer's estimate). */
export function refuseEmptySplits(spec: RunSpec, rows: Record<Split, number>, windows: Record<Split, number>): void {
  const { lookback, horizon } = spec.window;
  if (windows.train === 0) {
    throw new ServiceError(
      'bad_input',
      `spec.window: lookback ${lookback} + horizon ${horizon} needs more rows than the train split has (${rows.train} rows); lower the lookback or horizon, or raise split.train`,
      'spec.window.lookback',
    );
  }
  for (const s of ['val', 'test'] as const) {
    if (windows[s] > 0) continue;
    throw new ServiceError(
      'bad_input',
      rows[s] === 0
        ? `spec.split.${s}: the ${s} split has no rows; raise split.${s}`
        : `spec.window.horizon: horizon ${horizon} is larger than the ${s} split (${rows[s]} rows); lower the horizon or raise split.${s}`,
      rows[s] === 0 ? `spec.split.${s}` : 'spec.window.horizon',
    );
  }
}

/** Windows of a split without building the data (run designer estimate). */
export function estimateWindows(spec: RunSpec, groupSizes: number[]): { rows: Record<Split, number>; windows: Record<Split, number> } {
  const { lookback, horizon, stride } = spec.window;
  const rows = { train: 0, val: 0, test: 0 };
  const windows = { train: 0, val: 0, test: 0 };
  for (const n of groupSizes) {
    const { valStart, testStart } = splitRows(n, spec.split);
    rows.train += valStart;
    rows.val += testStart - valStart;
    rows.test += n - testStart;
    windows.train += countWindows(0, valStart, lookback, horizon, stride, 0);
    windows.val += countWindows(valStart, testStart, lookback, horizon, stride, 0);
    windows.test += countWindows(testStart, n, lookback, horizon, stride, 0);
  }
  return { rows, windows };
}
