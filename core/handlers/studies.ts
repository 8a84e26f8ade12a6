// studies.*: create a hyperparameter study and drive it (core/study/runner.ts), list and show
// studies with their trials, stop one, resume one; runs.groups: runs grouped by params with
// mean ± std over seeds (core/study/groups.ts).
import { ServiceError, type StudyRow } from '../contract.js';
import { toRunRows } from '../run-view.js';
import * as runsDb from '../../db/runs.js';
import * as studiesDb from '../../db/studies.js';
import type { DB } from '../../db/open.js';
import { createStudy } from '../study/create.js';
import { groupInputOf, groupRuns } from '../study/groups.js';
import { StudyDriver, thisHost } from '../study/runner.js';
import { progressOf, studyRow } from '../study/view.js';
import { trainerLiveness } from '../trainer-identity.js';
import type { Handler, Handlers, ServiceContext } from './context.js';

type StudyMethod =
  'studies.create' | 'studies.list' | 'studies.get' | 'studies.stop' | 'studies.resume' | 'runs.groups';

export function studyHandlers(ctx: ServiceContext, driver: StudyDriver): Handlers<StudyMethod> {
  const { db } = ctx;
  const row = (id: number): StudyRow => {
    const s = studiesDb.getStudy(db, id);
    if (!s) throw new ServiceError('not_found', `study ${id} does not exist`, 'id');
    return studyRow(db, s);
  };
  return {
    'studies.create': (a) => {
      const id = createStudy(db, a);
      ctx.emit('study:status', { studyId: id, state: 'running' });
      driver.drive(id);
      return row(id);
    },
    'studies.list': ({ datasetId }) => studiesDb.listStudies(db, datasetId).map((s) => studyRow(db, s)),
    'studies.get': ({ id }) => row(id),
    'studies.stop': async ({ id }) => {
      const s = row(id);
      if (s.state !== 'running') return s;
      if (studiesDb.endStudy(db, id, 'stopped')) ctx.emit('study:status', { studyId: id, state: 'stopped' });
      for (const t of s.trials)
        if (t.status === 'queued' || t.status === 'running') await driver.launcher.stop(t.runId);
      const after = row(id);
      ctx.emit('study:progress', progressOf(after));
      return after;
    },
    'studies.resume': ({ id }) => resumeStudy(ctx, driver, row(id)).then(() => row(id)),
    'runs.groups': (a) => groups(db, a),
  };
}

/**
 * Takes the study for this host (one statement: of two resuming hosts one wins), settles its
 * trials (pruning decisions a crash cut short; queued trials nobody holds; trainers that vanished),
 * resumes those that ended early, and drives it again.
 */
async function resumeStudy(ctx: ServiceContext, driver: StudyDriver, s: StudyRow): Promise<void> {
  const { db } = ctx;
  if (s.state === 'completed') throw new ServiceError('conflict', `study ${s.id} is completed`, 'id');
  if (s.state === 'running') {
    const rec = studiesDb.getStudy(db, s.id)!;
    const host = { worker_pid: rec.host_pid, worker_started: rec.host_started, heartbeat: rec.heartbeat };
    if (driver.driving(s.id) || trainerLiveness(host) === 'alive')
      throw new ServiceError('conflict', `study ${s.id} is running (host pid ${rec.host_pid})`, 'id');
    studiesDb.endStudy(db, s.id, 'interrupted', 'its host ended without finishing it');
  }
  if (s.datasetId === null) throw new ServiceError('conflict', `study ${s.id}: its dataset was deleted`, 'id');
  if (!studiesDb.claimStudy(db, s.id, ['stopped', 'interrupted'], thisHost()))
    throw new ServiceError('conflict', `study ${s.id}: another host resumed it first`, 'id');
  ctx.emit('study:status', { studyId: s.id, state: 'running' });
  for (const t of studiesDb.trialRuns(db, s.id)) {
    if (studiesDb.markPruned(db, t.run_id)) continue;
    const run = runsDb.getRun(db, t.run_id)!;
    const mine = driver.launcher.holds(t.run_id);
    if (t.status === 'queued' && !mine) runsDb.claimRun(db, t.run_id, ['queued'], 'interrupted');
    if (t.status === 'running' && !mine && trainerLiveness(run) === 'gone')
      runsDb.finishRun(db, t.run_id, 'interrupted', 'its trainer ended with the study host');
    const now = runsDb.getRun(db, t.run_id)!.status;
    if (now === 'interrupted' || (now === 'stopped' && t.prune_requested === 0)) await driver.launcher.resume(t.run_id);
  }
  driver.drive(s.id);
}

function groups(db: DB, { ids, studyId, by }: Parameters<Handler<'runs.groups'>>[0]) {
  let records = runsDb.listRuns(db);
  if (studyId !== undefined) {
    const inStudy = new Set(studiesDb.trialRuns(db, studyId).map((t) => t.run_id));
    records = records.filter((r) => inStudy.has(r.id));
  }
  if (ids) {
    const want = new Set(ids);
    records = records.filter((r) => want.has(r.id));
  }
  return groupRuns(toRunRows(db, records).reverse().map(groupInputOf), by);
}
