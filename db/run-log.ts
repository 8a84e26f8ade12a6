// The run_log table (migration 009): each run's log lines, in order. Plain records only.
import type { DB } from './open.js';

export type LogLevel = 'info' | 'warn' | 'error';

export interface RunLogRecord {
  run_id: number;
  seq: number;
  at: number;
  level: LogLevel;
  message: string;
}

/** Appends one line after the run's last; returns its seq. One statement, so it is its own transaction. */
export function appendLog(db: DB, runId: number, level: LogLevel, message: string, at = Date.now()): number {
  const row = db
    .prepare(
      `INSERT INTO run_log (run_id, seq, at, level, message)
       VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM run_log WHERE run_id = ?), ?, ?, ?) RETURNING seq`,
    )
    .get(runId, runId, at, level, message) as { seq: number };
  return row.seq;
}

/** The run's lines after `afterSeq` (all by default), oldest first, at most `limit`. */
export function runLog(db: DB, runId: number, afterSeq = 0, limit = 10_000): RunLogRecord[] {
  return db
    .prepare(`SELECT * FROM run_log WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?`)
    .all(runId, afterSeq, limit) as RunLogRecord[];
}

/** Lines written since `afterRowid` by anyone (the host's watcher publishes other processes' lines). */
export function logSince(db: DB, afterRowid: number, limit = 1000): (RunLogRecord & { rowid: number })[] {
  return db
    .prepare(`SELECT rowid, * FROM run_log WHERE rowid > ? ORDER BY rowid LIMIT ?`)
    .all(afterRowid, limit) as (RunLogRecord & { rowid: number })[];
}

/** The newest rowid (0 for none): where the watcher starts. */
export function lastLogRowid(db: DB): number {
  return (db.prepare(`SELECT COALESCE(MAX(rowid), 0) AS r FROM run_log`).get() as { r: number }).r;
}
