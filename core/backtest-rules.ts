// The pure rules of a rolling-origin backtest, shared by the service and its tests: where each
// fold cuts the series, what spec a fold trains with, the default step, and the mean ± std of the
// folds' test metrics. A fold is an ordinary run whose spec carries `cutoff` (rows dropped from
// the end of every series before splitting, worker/data/prepare.ts), so fold i's test split ends
// step·(folds−1−i) rows before each series' end and the last fold is the plain run's split.
import { splitRows } from './spec-rules.js';
import type { RunSpec } from './spec.js';

/** Rows cut from the end of every series in each fold, fold 0 (the earliest origin) first; `origin` is cut from every fold. */
export function foldCutoffs(folds: number, step: number, origin = 0): number[] {
  return Array.from({ length: folds }, (_, i) => origin + step * (folds - 1 - i));
}

/** Rows every fold of a stored backtest spec is cut by first: its `cutoff` when it backtests before the test split, else none. */
export function backtestOrigin(spec: RunSpec): number {
  return spec.backtest?.beforeTest ? (spec.cutoff ?? 0) : 0;
}

/** The test split's rows of the longest series: cut from every fold, no fold reads any series' test split. */
export function testRows(spec: RunSpec, seriesRows: number[]): number {
  return Math.max(0, ...seriesRows.map((n) => n - splitRows(n, spec.split).testStart));
}

/** The spec fold `i` trains with: the backtest's spec without its `backtest` field, cut at `cutoff`. */
export function foldSpec(base: RunSpec, cutoff: number): RunSpec {
  const { backtest: _backtest, cutoff: _cutoff, initFrom: _initFrom, ...rest } = base;
  return { ...rest, cutoff };
}

/** Default step: the test split's rows of the shortest series (consecutive folds' test windows then abut). */
export function defaultStep(spec: RunSpec, seriesRows: number[]): number {
  const tests = seriesRows.map((n) => n - splitRows(n, spec.split).testStart);
  return Math.max(1, Math.min(...tests));
}

export type BacktestStatusValue = 'running' | 'completed' | 'stopped' | 'failed' | 'interrupted';

/**
 * A backtest's status, derived from its fold runs so that it can never disagree with them: a fold
 * training (or this host between folds) → running; every fold completed → completed; otherwise
 * the last fold's end (failed, stopped), or interrupted when the host went away between folds.
 */
export function backtestStatus(
  folds: number,
  runs: { status: string }[],
  driving: boolean,
  stopRequested: boolean,
): BacktestStatusValue {
  if (driving || runs.some((r) => r.status === 'queued' || r.status === 'running')) return 'running';
  if (runs.filter((r) => r.status === 'completed').length >= folds) return 'completed';
  const last = runs.at(-1)?.status;
  if (last === 'failed') return 'failed';
  if (stopRequested || last === 'stopped') return 'stopped';
  return 'interrupted';
}

export interface FoldStat {
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a single fold. */
  std: number;
  /** Folds the value was averaged over. */
  n: number;
}

/** Mean ± std per test metric over the given (completed) folds; a key missing in some fold is averaged over the folds that have it. */
export function aggregateFolds(folds: Record<string, number>[]): Record<string, FoldStat> {
  const keys = [...new Set(folds.flatMap((f) => Object.keys(f)))].sort();
  const out: Record<string, FoldStat> = {};
  for (const k of keys) {
    const xs = folds.map((f) => f[k]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (xs.length === 0) continue;
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const std = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
    out[k] = { mean, std, n: xs.length };
  }
  return out;
}
