// runs.* queries and edits, answered from SQLite: list, get, estimate, update, delete, metrics,
// predictions. Starting and stopping trainers is in training.ts, exports in exports.ts.
import { ServiceError } from '../contract.js';
import { estimateRun } from '../estimate.js';
import { toRunRows } from '../run-view.js';
import * as runsDb from '../../db/runs.js';
import { metricsFor } from '../../db/metrics.js';
import { f64, loadPredictions } from '../../db/checkpoints.js';
import type { DB } from '../../db/open.js';
import { runLog } from '../../db/run-log.js';
import { getRunRow, type Handler, type Handlers, type ServiceContext } from './context.js';

type RunQuery =
  | 'runs.list'
  | 'runs.get'
  | 'runs.estimate'
  | 'runs.update'
  | 'runs.delete'
  | 'runs.metrics'
  | 'runs.predictions'
  | 'runs.log';

export function runHandlers({ db }: ServiceContext): Handlers<RunQuery> {
  return {
    'runs.list': ({ datasetId }) => toRunRows(db, runsDb.listRuns(db, datasetId)),
    'runs.get': ({ id }) => getRunRow(db, id),
    'runs.estimate': ({ datasetId, spec }) => estimateRun(db, datasetId, spec),
    'runs.update': ({ id, name, notes, tags }) => {
      getRunRow(db, id);
      db.transaction(() => {
        runsDb.updateRunFields(db, id, {
          ...(name !== undefined ? { name } : {}),
          ...(notes !== undefined ? { notes } : {}),
        });
        if (tags) runsDb.setTags(db, id, tags);
      })();
      return getRunRow(db, id);
    },
    'runs.delete': ({ id }) => {
      const run = getRunRow(db, id);
      if (run.status === 'running' || run.status === 'queued')
        throw new ServiceError('conflict', `run ${id} is ${run.status}; stop it before deleting`, 'id');
      const deleted = runsDb.deleteRun(db, id); // refuses a queued or running run in the same statement
      if (!deleted && runsDb.getRun(db, id))
        throw new ServiceError('conflict', `run ${id} is ${getRunRow(db, id).status}; stop it before deleting`, 'id');
      return { deleted };
    },
    'runs.metrics': ({ ids, keys }) =>
      metricsFor(db, ids, keys).map((m) => ({
        runId: m.run_id,
        key: m.key,
        epoch: m.epoch,
        step: m.step,
        value: m.value,
        wallTime: m.wall_time,
      })),
    'runs.predictions': (a) => predictions(db, a),
    'runs.log': ({ id, afterSeq }) => {
      getRunRow(db, id);
      return runLog(db, id, afterSeq ?? 0).map((l) => ({
        runId: l.run_id,
        seq: l.seq,
        level: l.level,
        message: l.message,
        time: l.at,
      }));
    },
  };
}

function predictions(db: DB, { id, split }: Parameters<Handler<'runs.predictions'>>[0]) {
  getRunRow(db, id);
  const p = loadPredictions(db, id, split);
  if (!p) return null;
  return {
    runId: id,
    split,
    outputs: JSON.parse(p.outputs) as string[],
    actual: Array.from(f64(p.actual)),
    predicted: Array.from(f64(p.predicted)),
    ...(p.naive ? { naive: Array.from(f64(p.naive)) } : {}),
    ...(p.seasonal ? { seasonalNaive: Array.from(f64(p.seasonal)) } : {}),
    ...(p.ets ? { ets: Array.from(f64(p.ets)) } : {}),
    time: Array.from(f64(p.time)),
    ...(p.series ? { series: JSON.parse(p.series) as string[] } : {}),
    ...(p.classes ? { classes: JSON.parse(p.classes) as string[] } : {}),
  };
}
