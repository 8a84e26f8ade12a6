// The runs table group: runs, run_tags, params. Plain records only (db/ imports nothing of ours);
// core/ maps them to the contract's RunRow.
import { randomUUID } from 'node:crypto';
import type { DB } from './open.js';
import { nowIso } from './time.js';

export type RunStatusValue = 'queued' | 'running' | 'completed' | 'failed' | 'stopped' | 'interrupted' | 'pruned';

/** Statuses from which a run may be resumed, and those in which a trainer owns it. */
export const RESUMABLE: readonly RunStatusValue[] = ['interrupted', 'stopped', 'failed'];
export const ACTIVE: readonly RunStatusValue[] = ['queued', 'running'];

/** How often a trainer writes its heartbeat (worker/train/trainer.ts beats every 2 s between batches). */
export const HEARTBEAT_MS = 2000;
/**
 * A run whose trainer has not beaten for this long, and whose process cannot be confirmed by pid
 * and start time, has lost its trainer: three missed beats.
 */
export const STALE_HEARTBEAT_MS = 3 * HEARTBEAT_MS;

export interface RunRecord {
  id: number;
  name: string;
  dataset_id: number | null;
  dataset_name: string | null;
  status: RunStatusValue;
  spec: string;
  seed: number;
  backend: string | null;
  device: string | null;
  impl: string | null;
  param_count: number | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  error: string | null;
  parent_id: number | null;
  notes: string;
  worker_pid: number | null;
  /** The trainer process's start time (Linux: /proc/<pid>/stat field 22), so a reused pid is not taken for it. */
  worker_started: number | null;
  heartbeat: number | null;
  /** Why a queued run has not started yet; NULL once it has. */
  wait_reason: string | null;
  test_metrics: string;
  /** How the season was found (migration 006; null before the test evaluation or for old runs). */
  season_how: string | null;
  /** json string[]: the test evaluation's notes (the ETS variants). */
  test_notes: string;
  /** The study the run is a trial of, and its trial number (migration 008); null outside studies. */
  study_id?: number | null;
  trial?: number | null;
}

const SELECT_RUN = `SELECT r.*, d.name AS dataset_name FROM runs r LEFT JOIN datasets d ON d.id = r.dataset_id`;

export interface NewRun {
  name: string;
  datasetId: number;
  spec: string;
  seed: number;
  parentId?: number | null;
  params: Record<string, string>;
  tags?: string[];
}

export function insertRun(db: DB, run: NewRun): number {
  return db.transaction(() => {
    // The parent is checked inside the insert's transaction, so a concurrent delete cannot slip between.
    if (run.parentId != null && !db.prepare(`SELECT 1 FROM runs WHERE id = ?`).get(run.parentId)) {
      throw new MissingParentError(run.parentId);
    }
    const info = db
      .prepare(
        `INSERT INTO runs (name, dataset_id, status, spec, seed, created_at, parent_id, uuid) VALUES (?, ?, 'queued', ?, ?, ?, ?, ?)`,
      )
      // The uuid names the run across databases (run bundles); the id is only this file's.
      .run(run.name, run.datasetId, run.spec, run.seed, nowIso(), run.parentId ?? null, randomUUID());
    const id = Number(info.lastInsertRowid);
    const p = db.prepare(`INSERT INTO params (run_id, key, value) VALUES (?, ?, ?)`);
    for (const [k, v] of Object.entries(run.params)) p.run(id, k, v);
    setTags(db, id, run.tags ?? []);
    return id;
  })();
}

/**
 * A value the trainer resolved when the run started (`window.lookback: auto` → a number): the
 * stored spec and its params row say what the run trained with, so every view shows it.
 */
export function setResolvedSpecValue(db: DB, id: number, key: string, value: number | string): void {
  db.transaction(() => {
    const row = db.prepare(`SELECT spec FROM runs WHERE id = ?`).get(id) as { spec: string } | undefined;
    if (!row) return;
    const spec = JSON.parse(row.spec) as Record<string, unknown>;
    const path = key.split('.');
    let at = spec;
    for (const k of path.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
    at[path[path.length - 1]!] = value;
    db.prepare(`UPDATE runs SET spec = ? WHERE id = ?`).run(JSON.stringify(spec), id);
    db.prepare(`UPDATE params SET value = ? WHERE run_id = ? AND key = ?`).run(String(value), id, key);
  })();
}

export function getRun(db: DB, id: number): RunRecord | undefined {
  return db.prepare(`${SELECT_RUN} WHERE r.id = ?`).get(id) as RunRecord | undefined;
}

export function listRuns(db: DB, datasetId?: number): RunRecord[] {
  if (datasetId !== undefined)
    return db.prepare(`${SELECT_RUN} WHERE r.dataset_id = ? ORDER BY r.id DESC`).all(datasetId) as RunRecord[];
  return db.prepare(`${SELECT_RUN} ORDER BY r.id DESC`).all() as RunRecord[];
}

export function runTags(db: DB, ids?: number[]): Map<number, string[]> {
  const rows = db.prepare(`SELECT run_id, tag FROM run_tags ORDER BY tag`).all() as { run_id: number; tag: string }[];
  const want = ids ? new Set(ids) : null;
  const out = new Map<number, string[]>();
  for (const r of rows) {
    if (want && !want.has(r.run_id)) continue;
    const list = out.get(r.run_id) ?? [];
    list.push(r.tag);
    out.set(r.run_id, list);
  }
  return out;
}

export function setTags(db: DB, runId: number, tags: string[]): void {
  db.prepare(`DELETE FROM run_tags WHERE run_id = ?`).run(runId);
  const ins = db.prepare(`INSERT OR IGNORE INTO run_tags (run_id, tag) VALUES (?, ?)`);
  for (const t of tags) ins.run(runId, t);
}

export function updateRunFields(db: DB, id: number, fields: Partial<Pick<RunRecord, 'name' | 'notes'>>): void {
  if (fields.name !== undefined) db.prepare(`UPDATE runs SET name = ? WHERE id = ?`).run(fields.name, id);
  if (fields.notes !== undefined) db.prepare(`UPDATE runs SET notes = ? WHERE id = ?`).run(fields.notes, id);
}

/**
 * The trainer takes its queued run. Only a queued run starts: a run stopped while its trainer was
 * loading, or one another trainer already took, stays as it is (false: the caller must not train).
 */
export function markStarted(
  db: DB,
  id: number,
  info: { pid: number; started?: number | null; backend: string; device: string; impl: string; paramCount: number },
): boolean {
  return (
    db
      .prepare(
        `UPDATE runs SET status = 'running', started_at = COALESCE(started_at, ?), ended_at = NULL, error = NULL, wait_reason = NULL,
       worker_pid = ?, worker_started = ?, heartbeat = ?, backend = ?, device = ?, impl = ?, param_count = ? WHERE id = ? AND status = 'queued'`,
      )
      .run(
        nowIso(),
        info.pid,
        info.started ?? null,
        Date.now(),
        info.backend,
        info.device,
        info.impl,
        info.paramCount,
        id,
      ).changes > 0
  );
}

export function heartbeat(db: DB, id: number): void {
  db.prepare(`UPDATE runs SET heartbeat = ? WHERE id = ?`).run(Date.now(), id);
}

/** Ends a run. Only a queued or running run changes, so a late message never overwrites a final status. */
export function finishRun(
  db: DB,
  id: number,
  status: Exclude<RunStatusValue, 'queued' | 'running'>,
  error: string | null = null,
): boolean {
  const info = db
    .prepare(
      `UPDATE runs SET status = ?, error = ?, ended_at = ?, worker_pid = NULL, worker_started = NULL, wait_reason = NULL
       WHERE id = ? AND status IN ('queued', 'running')`,
    )
    .run(status, error, nowIso(), id);
  return info.changes > 0;
}

/** Carries the contract's error code and field (core/errors.ts reads them; db/ imports nothing of ours). */
export class MissingParentError extends Error {
  readonly code = 'not_found';
  readonly field = 'parentId';
  constructor(readonly parentId: number) {
    super(`parent run ${parentId} does not exist`);
    this.name = 'MissingParentError';
  }
}

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/**
 * Moves a run from one of `from` to `to` in ONE statement and says whether it did. Two hosts that
 * both read "interrupted" and both resume would otherwise start two trainers on one run; with the
 * check and the change in one UPDATE, SQLite's write lock lets exactly one of them win.
 */
export function claimRun(db: DB, id: number, from: readonly RunStatusValue[], to: RunStatusValue): boolean {
  const clearEnd = to === 'queued' || to === 'running';
  // A requeued run gets a fresh heartbeat: until its trainer starts, that is its sign of life, so
  // another host starting meanwhile does not take it for one whose trainer vanished long ago.
  const info = db
    .prepare(
      `UPDATE runs SET status = ?${clearEnd ? ', error = NULL, ended_at = NULL, worker_pid = NULL, worker_started = NULL, wait_reason = NULL, heartbeat = ?' : ''} WHERE id = ? AND status IN (${placeholders(from.length)})`,
    )
    .run(...(clearEnd ? [to, Date.now()] : [to]), id, ...from);
  return info.changes > 0;
}

/** A resumable run becomes queued; false when another host got there first or the run is not resumable. */
export function requeueRun(db: DB, id: number): boolean {
  return claimRun(db, id, RESUMABLE, 'queued');
}

export function setTestMetrics(
  db: DB,
  id: number,
  metrics: Record<string, number>,
  info: { seasonHow?: string | null; notes?: string[] } = {},
): void {
  db.prepare(`UPDATE runs SET test_metrics = ?, season_how = ?, test_notes = ? WHERE id = ?`).run(
    JSON.stringify(metrics),
    info.seasonHow ?? null,
    JSON.stringify(info.notes ?? []),
    id,
  );
}

/** Deletes a run unless a trainer owns it (queued or running), in one statement. */
export function deleteRun(db: DB, id: number): boolean {
  return (
    db.prepare(`DELETE FROM runs WHERE id = ? AND status NOT IN (${placeholders(ACTIVE.length)})`).run(id, ...ACTIVE)
      .changes > 0
  );
}

/** Records why a queued run waits (NULL: it does not); a run that has left the queue is not touched. */
export function setWaitReason(db: DB, id: number, reason: string | null): void {
  db.prepare(`UPDATE runs SET wait_reason = ? WHERE id = ? AND status = 'queued'`).run(reason, id);
}

/** The host's sign of life for runs it holds queued: another host does not take them for abandoned. */
export function beatQueued(db: DB, ids: readonly number[]): void {
  if (ids.length === 0) return;
  db.prepare(`UPDATE runs SET heartbeat = ? WHERE status = 'queued' AND id IN (${placeholders(ids.length)})`).run(
    Date.now(),
    ...ids,
  );
}

/** Runs whose trainer process is gone (host crash, SIGKILL): status says running/queued but nobody works on them. */
export function activeRuns(db: DB): RunRecord[] {
  return db.prepare(`${SELECT_RUN} WHERE r.status IN ('queued', 'running')`).all() as RunRecord[];
}
