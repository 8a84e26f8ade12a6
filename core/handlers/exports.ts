// Getting results out: a trained model exported by a worker job (runs.export), and runs or their
// metrics as CSV text (runs.csv) for the host to save.
import { metricsFor } from '../../db/metrics.js';
import * as runsDb from '../../db/runs.js';
import { predictionsCsv } from '../predictions-csv.js';
import { toCsv } from '../csv.js';
import { runsCsv, toRunRows } from '../run-view.js';
import { getRunRow, type Handlers, type ServiceContext } from './context.js';

export function exportHandlers({ db, dbPath, jobs }: ServiceContext): Handlers<'runs.export' | 'runs.csv'> {
  return {
    'runs.export': ({ id, outDir, checkpoint, force, format }) => {
      getRunRow(db, id);
      return jobs.complete({ kind: 'export', dbPath, runId: id, checkpoint, outDir, force: force ?? false, format });
    },
    'runs.csv': ({ ids, what }) => {
      if (what === 'predictions') {
        const runs = runsDb
          .listRuns(db)
          .filter((r) => !ids || ids.includes(r.id))
          .reverse();
        return {
          fileName: ids?.length === 1 ? `run-${ids[0]}-predictions.csv` : 'predictions.csv',
          csv: predictionsCsv(db, runs),
        };
      }
      const rows = toRunRows(db, runsDb.listRuns(db)).filter((r) => !ids || ids.includes(r.id));
      if (what === 'runs') return { fileName: 'runs.csv', csv: runsCsv(rows) };
      const points = rows.length
        ? metricsFor(
            db,
            rows.map((r) => r.id),
          )
        : [];
      const names = new Map(rows.map((r) => [r.id, r.name]));
      return {
        fileName: 'metrics.csv',
        csv: toCsv(
          ['run_id', 'run_name', 'key', 'epoch', 'step', 'value', 'wall_time'],
          points.map((m) => [m.run_id, names.get(m.run_id), m.key, m.epoch, m.step, m.value, m.wall_time]),
        ),
      };
    },
  };
}
