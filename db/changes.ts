// What a host compares to notice writes by other processes on the same file (another CLI, a
// trainer it did not start): SQLite's data_version, and small stamps of runs and datasets.
import type { DB } from './open.js';
import type { RunStatusValue } from './runs.js';

/** Changes exactly when another connection commits to the file (this connection's commits do not count). */
export function dataVersion(db: DB): number {
  return db.pragma('data_version', { simple: true }) as number;
}

/** What the watcher compares per run (cheap: no spec). */
export interface RunStamp {
  id: number;
  status: RunStatusValue;
  error: string | null;
  /** Highest epoch logged; counted for running runs only (the others do not grow). */
  epoch: number | null;
  /** name, notes, end and test metrics in one string: any edit shows as a change. */
  stamp: string;
}

const STAMP_SQL = `SELECT id, status, error,
    CASE WHEN status = 'running' THEN (SELECT MAX(epoch) FROM metrics m WHERE m.run_id = r.id AND m.key = 'loss') END AS epoch,
    name || char(31) || notes || char(31) || COALESCE(ended_at, '') || char(31) || length(test_metrics) AS stamp
  FROM runs r`;

export function runStamps(db: DB): RunStamp[] {
  return db.prepare(STAMP_SQL).all() as RunStamp[];
}

/** Highest epoch logged for one run, whatever its status (0 if none). */
export function lastEpoch(db: DB, id: number): number {
  const r = db.prepare(`SELECT MAX(epoch) AS e FROM metrics WHERE run_id = ? AND key = 'loss'`).get(id) as {
    e: number | null;
  };
  return r.e ?? 0;
}

export function runStamp(db: DB, id: number): RunStamp | undefined {
  return db.prepare(`${STAMP_SQL} WHERE id = ?`).get(id) as RunStamp | undefined;
}

/** Count, largest and sum of the dataset ids: an import or a delete elsewhere changes it. */
export function datasetsStamp(db: DB): { stamp: string; maxId: number } {
  const r = db
    .prepare(`SELECT COUNT(*) AS n, COALESCE(MAX(id), 0) AS maxId, COALESCE(SUM(id), 0) AS total FROM datasets`)
    .get() as { n: number; maxId: number; total: number };
  return { stamp: `${r.n}:${r.maxId}:${r.total}`, maxId: r.maxId };
}
