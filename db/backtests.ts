// The backtests table and the fold runs that belong to one (runs.backtest_id, runs.fold). Plain
// records only; core/backtest.ts drives the folds and aggregates their metrics.
import type { DB } from './open.js';
import type { RunStatusValue } from './runs.js';
import { nowIso } from './time.js';

export interface BacktestRecord {
  id: number;
  name: string;
  dataset_id: number | null;
  spec: string;
  folds: number;
  step: number;
  warm_start: number;
  stop_requested: number;
  created_at: string;
}

export interface FoldRecord {
  run_id: number;
  fold: number;
  status: RunStatusValue;
  test_metrics: string;
}

export function insertBacktest(
  db: DB,
  b: { name: string; datasetId: number; spec: string; folds: number; step: number; warmStart: boolean },
): number {
  const info = db
    .prepare(
      `INSERT INTO backtests (name, dataset_id, spec, folds, step, warm_start, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(b.name, b.datasetId, b.spec, b.folds, b.step, b.warmStart ? 1 : 0, nowIso());
  return Number(info.lastInsertRowid);
}

export function getBacktest(db: DB, id: number): BacktestRecord | undefined {
  return db.prepare(`SELECT * FROM backtests WHERE id = ?`).get(id) as BacktestRecord | undefined;
}

export function listBacktests(db: DB): BacktestRecord[] {
  return db.prepare(`SELECT * FROM backtests ORDER BY id DESC`).all() as BacktestRecord[];
}

/** The fold runs created so far, fold 0 first. */
export function foldRuns(db: DB, backtestId: number): FoldRecord[] {
  return db
    .prepare(`SELECT id AS run_id, fold, status, test_metrics FROM runs WHERE backtest_id = ? ORDER BY fold`)
    .all(backtestId) as FoldRecord[];
}

/** Marks a run as fold `fold` of a backtest; the unique index refuses a second run for one fold. */
export function attachFold(db: DB, runId: number, backtestId: number, fold: number): void {
  db.prepare(`UPDATE runs SET backtest_id = ?, fold = ? WHERE id = ?`).run(backtestId, fold, runId);
}

/** The backtest of a run, if it is a fold of one. */
export function backtestOfRun(db: DB, runId: number): { backtest_id: number; fold: number } | undefined {
  const r = db.prepare(`SELECT backtest_id, fold FROM runs WHERE id = ? AND backtest_id IS NOT NULL`).get(runId) as
    { backtest_id: number; fold: number } | undefined;
  return r;
}

/**
 * The baselines a fold's backtest asks for (the stored spec's `backtest.baselines`): `naive` for
 * tune's re-ranking folds, `all` for any other run, fold or not.
 */
export function foldBaselines(db: DB, runId: number): 'all' | 'naive' {
  const r = db
    .prepare(
      `SELECT json_extract(b.spec, '$.backtest.baselines') AS baselines
       FROM runs r JOIN backtests b ON b.id = r.backtest_id WHERE r.id = ?`,
    )
    .get(runId) as { baselines: string | null } | undefined;
  return r?.baselines === 'naive' ? 'naive' : 'all';
}

export function setStopRequested(db: DB, id: number, stop: boolean): void {
  db.prepare(`UPDATE backtests SET stop_requested = ? WHERE id = ?`).run(stop ? 1 : 0, id);
}
