// Per-epoch metrics and the run summary (last, best, best epoch, min, max) kept in step with them
// in the same transaction, so a killed trainer never leaves a summary that disagrees with its rows.
import type { DB } from './open.js';

/** Keys where larger is better; every other metric (losses, errors) is better when smaller. */
export function higherIsBetter(key: string): boolean {
  return /acc|accuracy|precision|recall|f1|r2|samples_per_sec/i.test(key);
}

export function logEpoch(
  db: DB,
  runId: number,
  epoch: number,
  step: number,
  metrics: Record<string, number>,
  wallTime: number,
): void {
  const ins = db.prepare(`INSERT INTO metrics (run_id, key, epoch, step, value, wall_time) VALUES (?, ?, ?, ?, ?, ?)`);
  const get = db.prepare(`SELECT best, min, max FROM run_summary WHERE run_id = ? AND key = ?`);
  const upsert = db.prepare(
    `INSERT INTO run_summary (run_id, key, last, best, best_epoch, min, max) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (run_id, key) DO UPDATE SET last = excluded.last, best = excluded.best, best_epoch = excluded.best_epoch,
       min = excluded.min, max = excluded.max`,
  );
  const getBestEpoch = db.prepare(`SELECT best_epoch FROM run_summary WHERE run_id = ? AND key = ?`);
  for (const [key, value] of Object.entries(metrics)) {
    if (!Number.isFinite(value)) continue;
    ins.run(runId, key, epoch, step, value, wallTime);
    const prev = get.get(runId, key) as { best: number; min: number; max: number } | undefined;
    if (!prev) {
      upsert.run(runId, key, value, value, epoch, value, value);
      continue;
    }
    const better = higherIsBetter(key) ? value > prev.best : value < prev.best;
    const bestEpoch = better ? epoch : (getBestEpoch.get(runId, key) as { best_epoch: number }).best_epoch;
    upsert.run(
      runId,
      key,
      value,
      better ? value : prev.best,
      bestEpoch,
      Math.min(prev.min, value),
      Math.max(prev.max, value),
    );
  }
}

export interface SummaryRecord {
  run_id: number;
  key: string;
  last: number;
  best: number;
  best_epoch: number;
  min: number;
  max: number;
}

export function summaries(db: DB): Map<number, SummaryRecord[]> {
  const rows = db.prepare(`SELECT * FROM run_summary ORDER BY key`).all() as SummaryRecord[];
  const out = new Map<number, SummaryRecord[]>();
  for (const r of rows) {
    const list = out.get(r.run_id) ?? [];
    list.push(r);
    out.set(r.run_id, list);
  }
  return out;
}

export function runSummary(db: DB, runId: number): SummaryRecord[] {
  return db.prepare(`SELECT * FROM run_summary WHERE run_id = ? ORDER BY key`).all(runId) as SummaryRecord[];
}

export interface MetricRecord {
  run_id: number;
  key: string;
  epoch: number;
  step: number;
  value: number;
  wall_time: number;
}

export function metricsFor(db: DB, runIds: number[], keys?: string[]): MetricRecord[] {
  const q = `SELECT run_id, key, epoch, step, value, wall_time FROM metrics WHERE run_id IN (${runIds.map(() => '?').join(',')})
    ${keys && keys.length ? `AND key IN (${keys.map(() => '?').join(',')})` : ''} ORDER BY run_id, key, step`;
  return db.prepare(q).all(...runIds, ...(keys ?? [])) as MetricRecord[];
}

/** Epochs completed: the highest epoch with a val loss recorded (or train loss). */
export function epochsDone(db: DB): Map<number, number> {
  const rows = db.prepare(`SELECT run_id, MAX(epoch) AS e FROM metrics WHERE key = 'loss' GROUP BY run_id`).all() as {
    run_id: number;
    e: number;
  }[];
  return new Map(rows.map((r) => [r.run_id, r.e]));
}

/** Drops metrics after an epoch: a resumed run continues from its checkpoint, not from half-logged epochs. */
export function truncateAfter(db: DB, runId: number, epoch: number): void {
  db.prepare(`DELETE FROM metrics WHERE run_id = ? AND epoch > ?`).run(runId, epoch);
  db.prepare(`DELETE FROM run_summary WHERE run_id = ?`).run(runId);
  const rows = db.prepare(`SELECT key, epoch, step, value FROM metrics WHERE run_id = ? ORDER BY step`).all(runId) as {
    key: string;
    epoch: number;
    step: number;
    value: number;
  }[];
  // Rebuild the summary from the rows that remain.
  const byKey = new Map<string, { last: number; best: number; bestEpoch: number; min: number; max: number }>();
  for (const r of rows) {
    const s = byKey.get(r.key);
    if (!s) {
      byKey.set(r.key, { last: r.value, best: r.value, bestEpoch: r.epoch, min: r.value, max: r.value });
      continue;
    }
    s.last = r.value;
    s.min = Math.min(s.min, r.value);
    s.max = Math.max(s.max, r.value);
    if (higherIsBetter(r.key) ? r.value > s.best : r.value < s.best) {
      s.best = r.value;
      s.bestEpoch = r.epoch;
    }
  }
  const ins = db.prepare(
    `INSERT INTO run_summary (run_id, key, last, best, best_epoch, min, max) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const [k, s] of byKey) ins.run(runId, k, s.last, s.best, s.bestEpoch, s.min, s.max);
}
