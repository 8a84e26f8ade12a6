// The contract's view of a study: its stored file, its trials (runs) with their sampled params,
// objective values and ASHA rungs, the best trial, counts per status, and the progress event.
import { higherIsBetter } from '../../db/metrics.js';
import * as studiesDb from '../../db/studies.js';
import type { DB } from '../../db/open.js';
import { Selection, type StudyFileParsed, type StudyProgress, type StudyRow, type TrialRow } from '../study-schemas.js';
import type { Config } from './space.js';
import { plannedConfigs } from './strategy.js';

export type Direction = 'min' | 'max';

export function objectiveOf(o: StudyFileParsed['objective']): { metric: string; direction: Direction } {
  const metric = typeof o === 'string' ? o : o.metric;
  const given = typeof o === 'string' ? undefined : o.direction;
  return { metric, direction: given ?? (higherIsBetter(metric) ? 'max' : 'min') };
}

/** The study file as stored (defaults filled in). */
export function fileOf(r: studiesDb.StudyRecord): StudyFileParsed {
  return {
    name: r.name,
    base: JSON.parse(r.base) as Record<string, unknown>,
    space: JSON.parse(r.space) as StudyFileParsed['space'],
    strategy: r.strategy,
    ...(r.budget_trials !== null ? { trials: r.budget_trials } : {}),
    ...(r.budget_seconds !== null ? { budgetSeconds: r.budget_seconds } : {}),
    seeds: r.seeds,
    seed: r.sampler_seed,
    objective: JSON.parse(r.objective) as StudyFileParsed['objective'],
    prune: JSON.parse(r.prune) as StudyFileParsed['prune'],
    concurrency: r.concurrency,
    ...(r.first_configs !== '[]' ? { first: JSON.parse(r.first_configs) as Config[] } : {}),
  };
}

/** Trials the study runs: configurations × seeds; null when only a time budget bounds it. */
export function plannedTrials(r: studiesDb.StudyRecord): number | null {
  const n = plannedConfigs(fileOf(r));
  return n === null ? null : n * r.seeds;
}

/** A trial's objective: a test metric (`test.mae`: has a dot) from the test evaluation, else the best of a per-epoch metric. */
export function objectiveValue(
  metric: string,
  best: Record<string, number>,
  test: Record<string, number>,
): number | null {
  const v = metric.includes('.') ? test[metric] : best[metric];
  return v !== undefined && Number.isFinite(v) ? v : null;
}

export function trialRows(db: DB, r: studiesDb.StudyRecord): TrialRow[] {
  const { metric } = objectiveOf(JSON.parse(r.objective) as StudyFileParsed['objective']);
  const progress = studiesDb.trialProgress(db, r.id);
  return studiesDb.trialRuns(db, r.id).map((t) => {
    const p = progress.get(t.run_id) ?? { best: {}, epochs: 0 };
    const test = JSON.parse(t.test_metrics) as Record<string, number>;
    return {
      trial: t.trial,
      runId: t.run_id,
      status: t.status,
      params: JSON.parse(t.trial_params) as Record<string, unknown>,
      seed: t.seed,
      configHash: t.config_hash,
      rung: t.rung,
      epochsDone: p.epochs,
      value: objectiveValue(metric, p.best, test),
      valLoss: p.best.val_loss ?? null,
      test,
    };
  });
}

/** The best trial by the objective; pruned trials (stopped for being worse at a rung) never count. */
export function bestTrial(trials: readonly TrialRow[], direction: Direction): TrialRow | null {
  let best: TrialRow | null = null;
  for (const t of trials) {
    if (t.status === 'pruned' || t.value === null) continue;
    if (!best || (direction === 'min' ? t.value < best.value! : t.value > best.value!)) best = t;
  }
  return best;
}

export function studyRow(db: DB, r: studiesDb.StudyRecord): StudyRow {
  const file = fileOf(r);
  const objective = objectiveOf(file.objective);
  const trials = trialRows(db, r);
  const counts: Record<string, number> = {};
  for (const t of trials) counts[t.status] = (counts[t.status] ?? 0) + 1;
  // Trials whose run was deleted: their numbers are used, they count as ended, they never come back.
  const removed = r.next_trial - trials.length;
  if (removed > 0) counts.removed = removed;
  return {
    id: r.id,
    uuid: r.uuid,
    name: r.name,
    datasetId: r.dataset_id,
    state: r.state,
    file,
    objective,
    concurrency: r.concurrency,
    plannedTrials: plannedTrials(r),
    createdAt: r.created_at,
    endedAt: r.ended_at,
    elapsedSeconds: r.elapsed_ms / 1000,
    error: r.error,
    trials,
    best: bestTrial(trials, objective.direction),
    // Validated where it leaves SQLite: a selection that no longer parses is left out, not fatal.
    selection: r.selection ? (Selection.safeParse(JSON.parse(r.selection)).data ?? null) : null,
    counts,
  };
}

export const ENDED_TRIAL: readonly TrialRow['status'][] = ['completed', 'pruned', 'failed', 'stopped', 'interrupted'];

export function progressOf(row: StudyRow, trial?: TrialRow): StudyProgress {
  const n = (s: TrialRow['status']) => row.counts[s] ?? 0;
  return {
    studyId: row.id,
    state: row.state,
    done: row.trials.filter((t) => ENDED_TRIAL.includes(t.status)).length + (row.counts.removed ?? 0),
    planned: row.plannedTrials,
    running: n('running') + n('queued'),
    pruned: n('pruned'),
    best:
      row.best && row.best.value !== null
        ? { trial: row.best.trial, runId: row.best.runId, value: row.best.value }
        : null,
    elapsedSeconds: row.elapsedSeconds,
    ...(trial
      ? {
          trial: { trial: trial.trial, runId: trial.runId, status: trial.status, value: trial.value, rung: trial.rung },
        }
      : {}),
  };
}
