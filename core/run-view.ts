// Maps the runs table group to the contract's RunRow, reading tags, summaries and epochs in one
// query each for the whole list (the runs table must stay fast with 1,000 runs).
import { parseSpec, type RunRow } from './contract.js';
import type { DB } from '../db/open.js';
import { epochsDone, summaries } from '../db/metrics.js';
import { runTags, type RunRecord } from '../db/runs.js';
import { toCsv } from './csv.js';

export function toRunRows(db: DB, records: RunRecord[]): RunRow[] {
  const tags = runTags(db);
  const sums = summaries(db);
  const epochs = epochsDone(db);
  return records.map((r) => ({
    id: r.id,
    name: r.name,
    datasetId: r.dataset_id,
    datasetName: r.dataset_name,
    status: r.status,
    spec: parseSpec(JSON.parse(r.spec)),
    seed: r.seed,
    backend: r.backend,
    device: r.device,
    impl: r.impl,
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    error: r.error,
    parentId: r.parent_id,
    notes: r.notes,
    tags: tags.get(r.id) ?? [],
    paramCount: r.param_count,
    epochsDone: epochs.get(r.id) ?? 0,
    summary: (sums.get(r.id) ?? []).map((s) => ({
      key: s.key,
      last: s.last,
      best: s.best,
      bestEpoch: s.best_epoch,
      min: s.min,
      max: s.max,
    })),
    test: JSON.parse(r.test_metrics) as Record<string, number>,
    waitReason: r.status === 'queued' ? r.wait_reason : null,
    seasonHow: r.season_how ?? null,
    testNotes: JSON.parse(r.test_notes ?? '[]') as string[],
    studyId: r.study_id ?? null,
    trial: r.study_id != null ? (r.trial ?? null) : null,
  }));
}

/** The runs table as CSV: identity, spec highlights, best values, test metrics (model, naive, seasonal, ETS; pooled and per step) and how the season was found. */
export function runsCsv(rows: RunRow[]): string {
  const summaryKeys = [...new Set(rows.flatMap((r) => r.summary.map((s) => s.key)))].sort();
  const testKeys = [...new Set(rows.flatMap((r) => Object.keys(r.test)))]
    .filter((k) => !k.includes('confusion'))
    .sort();
  const header = [
    'id',
    'name',
    'dataset',
    'status',
    'cell',
    'layers',
    'lookback',
    'horizon',
    'epochs_done',
    'backend',
    'impl',
    'created_at',
    'ended_at',
    'tags',
    ...summaryKeys.map((k) => `best_${k}`),
    ...testKeys,
    'season_how',
  ];
  const body = rows.map((r) => [
    r.id,
    r.name,
    r.datasetName,
    r.status,
    r.spec.model.cell,
    r.spec.model.layers.map((l) => l.units).join('x'),
    r.spec.window.lookback,
    r.spec.window.horizon,
    r.epochsDone,
    r.backend,
    r.impl,
    r.createdAt,
    r.endedAt,
    r.tags.join(' '),
    ...summaryKeys.map((k) => r.summary.find((s) => s.key === k)?.best ?? ''),
    ...testKeys.map((k) => r.test[k] ?? ''),
    r.seasonHow ?? '',
  ]);
  return toCsv(header, body);
}
