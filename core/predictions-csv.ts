// The stored test predictions of runs as one long CSV (issue 13): a row per run, window and output
// with the time stamp, the series, the actual value, the model's forecast and each baseline's.
// Baseline columns the database does not hold (ets before the ETS baseline, seasonal for a
// classifier) stay empty; a classifier's values are its class labels.
import { f64, loadPredictions, type PredictionRecord } from '../db/checkpoints.js';
import { readDataset } from '../db/datasets.js';
import type { DB } from '../db/open.js';
import type { RunRecord } from '../db/runs.js';
import { toCsv } from './csv.js';

export const PREDICTIONS_HEADER = [
  'run_id',
  'run_name',
  'split',
  'time',
  'series',
  'output',
  'actual',
  'predicted',
  'naive',
  'seasonal',
  'ets',
];

function timeLabel(hasTime: boolean): (t: number) => string | number {
  return (t) => (hasTime && Number.isFinite(t) ? new Date(t).toISOString() : t);
}

function rowsOf(db: DB, run: RunRecord, split: string): unknown[][] {
  const p: PredictionRecord | undefined = loadPredictions(db, run.id, split);
  if (!p) return [];
  const outputs = JSON.parse(p.outputs) as string[];
  const classes = p.classes ? (JSON.parse(p.classes) as string[]) : null;
  const value = (a: Float64Array | null, i: number): string | number => {
    if (!a) return '';
    const v = a[i]!;
    return classes ? (classes[v] ?? v) : v;
  };
  const [actual, predicted, time] = [f64(p.actual), f64(p.predicted), f64(p.time)];
  const [naive, seasonal, ets] = [p.naive, p.seasonal, p.ets].map((b) => (b ? f64(b) : null));
  const series = typeof p.series === 'string' ? (JSON.parse(p.series) as unknown[]) : null;
  const label = timeLabel(run.dataset_id !== null && readDataset(db, run.dataset_id)?.time_column != null);
  const out: unknown[][] = [];
  const O = outputs.length;
  for (let r = 0; r < time.length; r++) {
    for (let j = 0; j < O; j++) {
      const i = r * O + j;
      out.push([
        run.id,
        run.name,
        split,
        label(time[r]!),
        series?.[r] ?? '',
        outputs[j],
        value(actual, i),
        value(predicted, i),
        value(naive ?? null, i),
        value(seasonal ?? null, i),
        value(ets ?? null, i),
      ]);
    }
  }
  return out;
}

export function predictionsCsv(db: DB, runs: RunRecord[], split = 'test'): string {
  return toCsv(
    PREDICTIONS_HEADER,
    runs.flatMap((r) => rowsOf(db, r, split)),
  );
}
