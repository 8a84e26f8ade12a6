// The studies table and the trial runs that belong to one (runs.study_id, runs.trial). Plain
// records only; core/study/ samples configurations, schedules trials and prunes them.
import { randomUUID } from 'node:crypto';
import type { DB } from './open.js';
import { insertRun, type NewRun, type RunStatusValue } from './runs.js';
import { nowIso } from './time.js';

export type StudyStateValue = 'running' | 'stopped' | 'completed' | 'interrupted';

export interface StudyRecord {
  id: number;
  uuid: string;
  name: string;
  dataset_id: number | null;
  base: string;
  space: string;
  strategy: 'grid' | 'random' | 'tpe';
  budget_trials: number | null;
  budget_seconds: number | null;
  seeds: number;
  sampler_seed: number;
  objective: string;
  prune: string;
  concurrency: number;
  first_configs: string;
  state: StudyStateValue;
  error: string | null;
  created_at: string;
  ended_at: string | null;
  elapsed_ms: number;
  host_pid: number | null;
  host_started: number | null;
  heartbeat: number | null;
  /** The next trial number to hand out (migration 010): numbers below it were used, even if their run was deleted since. */
  next_trial: number;
  /** tune's pick by a backtest (migration 012), JSON; null: none. */
  selection: string | null;
}

export type NewStudy = Pick<
  StudyRecord,
  | 'name'
  | 'dataset_id'
  | 'base'
  | 'space'
  | 'strategy'
  | 'budget_trials'
  | 'budget_seconds'
  | 'seeds'
  | 'sampler_seed'
  | 'objective'
  | 'prune'
  | 'concurrency'
  | 'first_configs'
>;

/** The host that drives a study: its pid and the pid's start time (null where there is no /proc). */
export interface HostIdentity {
  pid: number;
  started: number | null;
}

/** Inserts a study, already `running` and owned by `host`. */
export function insertStudy(db: DB, s: NewStudy, host: HostIdentity): number {
  const info = db
    .prepare(
      `INSERT INTO studies (uuid, name, dataset_id, base, space, strategy, budget_trials, budget_seconds, seeds, sampler_seed,
         objective, prune, concurrency, first_configs, state, created_at, host_pid, host_started, heartbeat)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)`,
    )
    .run(
      randomUUID(),
      s.name,
      s.dataset_id,
      s.base,
      s.space,
      s.strategy,
      s.budget_trials,
      s.budget_seconds,
      s.seeds,
      s.sampler_seed,
      s.objective,
      s.prune,
      s.concurrency,
      s.first_configs,
      nowIso(),
      host.pid,
      host.started,
      Date.now(),
    );
  return Number(info.lastInsertRowid);
}

export function getStudy(db: DB, id: number): StudyRecord | undefined {
  return db.prepare(`SELECT * FROM studies WHERE id = ?`).get(id) as StudyRecord | undefined;
}

export function listStudies(db: DB, datasetId?: number): StudyRecord[] {
  if (datasetId !== undefined)
    return db.prepare(`SELECT * FROM studies WHERE dataset_id = ? ORDER BY id DESC`).all(datasetId) as StudyRecord[];
  return db.prepare(`SELECT * FROM studies ORDER BY id DESC`).all() as StudyRecord[];
}

/** Studies marked running: each is driven by a live host, or its host died (the caller checks which). */
export function runningStudies(db: DB): StudyRecord[] {
  return db.prepare(`SELECT * FROM studies WHERE state = 'running'`).all() as StudyRecord[];
}

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/**
 * Moves a study from one of `from` to `running`, owned by `host`, in ONE statement: of two hosts
 * resuming the same study exactly one gets it (see runs.claimRun).
 */
export function claimStudy(db: DB, id: number, from: readonly StudyStateValue[], host: HostIdentity): boolean {
  return (
    db
      .prepare(
        `UPDATE studies SET state = 'running', error = NULL, ended_at = NULL, host_pid = ?, host_started = ?, heartbeat = ?
         WHERE id = ? AND state IN (${placeholders(from.length)})`,
      )
      .run(host.pid, host.started, Date.now(), id, ...from).changes > 0
  );
}

/** Ends a running study (stopped, completed, interrupted); false when it was not running. */
export function endStudy(
  db: DB,
  id: number,
  state: Exclude<StudyStateValue, 'running'>,
  error: string | null = null,
): boolean {
  return (
    db
      .prepare(
        `UPDATE studies SET state = ?, error = ?, ended_at = ?, host_pid = NULL, host_started = NULL
         WHERE id = ? AND state = 'running'`,
      )
      .run(state, error, nowIso(), id).changes > 0
  );
}

/** Stores tune's pick (JSON of core/study-schemas.ts Selection) on its study. */
export function setSelection(db: DB, id: number, selection: string): boolean {
  return db.prepare(`UPDATE studies SET selection = ? WHERE id = ?`).run(selection, id).changes > 0;
}

/** A running study's time budget (its loop reads it every pass); false when it is not running. */
export function setBudgetSeconds(db: DB, id: number, seconds: number): boolean {
  return (
    db.prepare(`UPDATE studies SET budget_seconds = ? WHERE id = ? AND state = 'running'`).run(seconds, id).changes > 0
  );
}

/** The driving host's beat: its sign of life, and the study's running time grows by `elapsedMs`. */
export function beatStudy(db: DB, id: number, elapsedMs: number): void {
  db.prepare(`UPDATE studies SET heartbeat = ?, elapsed_ms = elapsed_ms + ? WHERE id = ? AND state = 'running'`).run(
    Date.now(),
    Math.max(0, elapsedMs),
    id,
  );
}

export interface TrialRecord {
  run_id: number;
  trial: number;
  status: RunStatusValue;
  seed: number;
  trial_params: string;
  config_hash: string;
  rung: number | null;
  prune_requested: number;
  test_metrics: string;
  heartbeat: number | null;
}

/** The trial runs created so far, trial 0 first. */
export function trialRuns(db: DB, studyId: number): TrialRecord[] {
  return db
    .prepare(
      `SELECT id AS run_id, trial, status, seed, trial_params, config_hash, rung, prune_requested, test_metrics, heartbeat
       FROM runs WHERE study_id = ? ORDER BY trial`,
    )
    .all(studyId) as TrialRecord[];
}

export interface TrialLink {
  studyId: number;
  trial: number;
  params: string;
  configHash: string;
}

/**
 * Inserts a trial's run and links it to its study in one transaction, taking the trial number:
 * only the study's next number is taken (null: another host or a deleted run used it already),
 * and the unique index on (study_id, trial) refuses a second run for one trial number.
 */
export function insertTrialRun(db: DB, run: NewRun, link: TrialLink): number | null {
  return db.transaction(() => {
    if (db.prepare(`SELECT 1 FROM runs WHERE study_id = ? AND trial = ?`).get(link.studyId, link.trial)) return null;
    const took = db
      .prepare(`UPDATE studies SET next_trial = ? WHERE id = ? AND next_trial = ?`)
      .run(link.trial + 1, link.studyId, link.trial).changes;
    if (took === 0) return null;
    const id = insertRun(db, run);
    db.prepare(`UPDATE runs SET study_id = ?, trial = ?, trial_params = ?, config_hash = ? WHERE id = ?`).run(
      link.studyId,
      link.trial,
      link.params,
      link.configHash,
      id,
    );
    return id;
  })();
}

/** Records that a trial passed rung `rung` (never lowers it). */
export function setRung(db: DB, runId: number, rung: number): void {
  db.prepare(`UPDATE runs SET rung = ? WHERE id = ? AND (rung IS NULL OR rung < ?)`).run(rung, runId, rung);
}

/** The scheduler's decision, recorded before the stop is sent: a host that dies meanwhile still knows. */
export function requestPrune(db: DB, runId: number): void {
  db.prepare(`UPDATE runs SET prune_requested = 1 WHERE id = ?`).run(runId);
}

/** Whether the scheduler stopped this run to prune it (its trainer then skips the ETS baseline). */
export function pruneRequested(db: DB, runId: number): boolean {
  const r = db.prepare(`SELECT prune_requested FROM runs WHERE id = ?`).get(runId) as
    { prune_requested: number } | undefined;
  return r?.prune_requested === 1;
}

/** A trial stopped for pruning ends `pruned` (from stopped, or interrupted/failed when its stop raced a crash). */
export function markPruned(db: DB, runId: number): boolean {
  return (
    db
      .prepare(
        `UPDATE runs SET status = 'pruned', ended_at = COALESCE(ended_at, ?), worker_pid = NULL, worker_started = NULL, wait_reason = NULL
         WHERE id = ? AND prune_requested = 1 AND status IN ('stopped', 'interrupted', 'failed')`,
      )
      .run(nowIso(), runId).changes > 0
  );
}

/**
 * The best value of per-epoch metric `key` (lowest, or highest with `higher`) of each of `runIds`
 * over epochs 1..epoch, for the runs that have completed that epoch: what ASHA compares at a rung.
 */
export function metricAtEpoch(
  db: DB,
  runIds: readonly number[],
  key: string,
  epoch: number,
  higher = false,
): Map<number, number> {
  if (runIds.length === 0) return new Map();
  const rows = db
    .prepare(
      `SELECT run_id, ${higher ? 'MAX' : 'MIN'}(CASE WHEN epoch <= ? THEN value END) AS v, MAX(epoch) AS last FROM metrics
       WHERE key = ? AND run_id IN (${placeholders(runIds.length)}) GROUP BY run_id`,
    )
    .all(epoch, key, ...runIds) as { run_id: number; v: number | null; last: number }[];
  return new Map(rows.filter((r) => r.last >= epoch && r.v !== null).map((r) => [r.run_id, r.v!]));
}

/** The best value of each per-epoch metric and the epochs done, per trial run of a study. */
export function trialProgress(db: DB, studyId: number): Map<number, { best: Record<string, number>; epochs: number }> {
  const out = new Map<number, { best: Record<string, number>; epochs: number }>();
  const get = (id: number) => out.get(id) ?? out.set(id, { best: {}, epochs: 0 }).get(id)!;
  const sums = db
    .prepare(`SELECT s.run_id, s.key, s.best FROM run_summary s JOIN runs r ON r.id = s.run_id WHERE r.study_id = ?`)
    .all(studyId) as { run_id: number; key: string; best: number }[];
  for (const s of sums) get(s.run_id).best[s.key] = s.best;
  const epochs = db
    .prepare(
      `SELECT m.run_id, MAX(m.epoch) AS n FROM metrics m JOIN runs r ON r.id = m.run_id
       WHERE r.study_id = ? AND m.key = 'loss' GROUP BY m.run_id`,
    )
    .all(studyId) as { run_id: number; n: number }[];
  for (const e of epochs) get(e.run_id).epochs = e.n;
  return out;
}
