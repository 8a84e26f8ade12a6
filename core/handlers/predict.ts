// runs.predict: forecasts from a run's checkpoint, computed by a worker job (worker/predict/)
// so TF.js never loads in the host.
import { resolve } from 'node:path';
import { getRunRow, type Handlers, type ServiceContext } from './context.js';

export function predictHandlers({ db, dbPath, jobs }: ServiceContext): Handlers<'runs.predict'> {
  return {
    'runs.predict': ({ id, steps, csvPath, checkpoint }) => {
      getRunRow(db, id);
      return jobs.complete({
        kind: 'predict',
        dbPath,
        runId: id,
        checkpoint,
        ...(steps !== undefined ? { steps } : {}),
        ...(csvPath ? { csvPath: resolve(csvPath) } : {}),
      });
    },
  };
}
