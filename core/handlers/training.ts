// Starting and stopping trainers: runs.create, runs.stop, runs.resume. Each trainer is a worker
// job in the registry; when its process exits without ending the run (killed, crashed), the run
// is marked here. At service start, runs whose trainer vanished meanwhile are marked interrupted.
import { ServiceError, flattenSpec, type RunRow } from '../contract.js';
import { estimateRun } from '../estimate.js';
import * as runsDb from '../../db/runs.js';
import type { DB } from '../../db/open.js';
import { TrainerQueue } from '../trainer-queue.js';
import { trainerLiveness, vanishedMessage } from '../trainer-identity.js';
import { getRunRow, type Emit, type Handler, type Handlers, type ServiceContext } from './context.js';

export function trainingHandlers(
  ctx: ServiceContext,
  queue: TrainerQueue,
): Handlers<'runs.create' | 'runs.stop' | 'runs.resume'> {
  const { db, emit } = ctx;
  return {
    'runs.create': (a) => createRun(ctx, queue, a),
    'runs.stop': ({ id }) => stopRun(ctx, queue, id),
    'runs.resume': ({ id }) => {
      const run = getRunRow(db, id);
      if (!['interrupted', 'stopped', 'failed'].includes(run.status)) {
        throw new ServiceError(
          'conflict',
          `run ${id} is ${run.status}; only interrupted, stopped or failed runs can be resumed`,
          'id',
        );
      }
      if (run.datasetId === null)
        throw new ServiceError('conflict', `run ${id}: its dataset was deleted, so it cannot resume`, 'id');
      // Check and change in one statement: of two concurrent resumes exactly one gets the run.
      if (!runsDb.requeueRun(db, id))
        throw new ServiceError(
          'conflict',
          `run ${id} is ${getRunRow(db, id).status}; another resume or trainer took it first`,
          'id',
        );
      emit('run:status', { runId: id, status: 'queued' });
      queue.enqueue(id, run.epochsDone > 0);
      return getRunRow(db, id);
    },
  };
}

/**
 * Stops a run: one waiting in this host's queue leaves it; this host's trainer gets the stop
 * message; another process's trainer gets SIGTERM, but only when the recorded pid is still that
 * trainer (pid and start time, or a fresh heartbeat): a pid the kernel gave to another process is
 * never signalled, and the run, whose trainer is gone, is marked interrupted.
 */
function stopRun({ db, jobs, emit }: ServiceContext, queue: TrainerQueue, id: number): RunRow {
  const run = getRunRow(db, id);
  if (run.status !== 'running' && run.status !== 'queued') return run;
  const job = jobs.trainer(id);
  const rec = runsDb.getRun(db, id)!;
  if (job) {
    void jobs.stop(job);
  } else if (queue.remove(id) || rec.status === 'queued') {
    // Waiting here, or queued by another host (its queue finds it no longer queued and skips it).
    if (runsDb.finishRun(db, id, 'stopped')) emit('run:status', { runId: id, status: 'stopped' });
  } else if (trainerLiveness(rec) === 'alive') {
    process.kill(rec.worker_pid!, 'SIGTERM');
  } else {
    const error = vanishedMessage(rec.worker_pid);
    if (runsDb.finishRun(db, id, 'interrupted', error)) emit('run:status', { runId: id, status: 'interrupted', error });
  }
  return getRunRow(db, id);
}

function createRun(
  ctx: ServiceContext,
  queue: TrainerQueue,
  { datasetId, spec, name, parentId, tags }: Parameters<Handler<'runs.create'>>[0],
): RunRow {
  const { db } = ctx;
  estimateRun(db, datasetId, spec); // refuses unknown columns and impossible windows before anything is stored
  if (parentId !== undefined && !runsDb.getRun(db, parentId))
    throw new ServiceError('not_found', `parent run ${parentId} does not exist`, 'parentId');
  const id = runsDb.insertRun(db, {
    name: name ?? `${spec.model.cell} ${spec.model.layers.map((l) => l.units).join('x')} lb${spec.window.lookback}`,
    datasetId,
    spec: JSON.stringify(spec),
    seed: spec.train.seed,
    parentId: parentId ?? null,
    params: flattenSpec(spec),
    tags: tags ?? [],
  });
  ctx.emit('run:status', { runId: id, status: 'queued' });
  queue.enqueue(id, false);
  return getRunRow(db, id);
}

/** The queue in front of this host's trainers; a trainer's exit frees its slot for the next run. */
export function createTrainerQueue(ctx: ServiceContext): TrainerQueue {
  const queue: TrainerQueue = new TrainerQueue(ctx.db, ctx.jobs, ctx.emit, (runId, resume) =>
    startTrainer(ctx, runId, resume, () => queue.pump()),
  );
  return queue;
}

/** Starts the run's trainer, forwards its events, and marks the run if the process dies mid-run. */
function startTrainer(
  { db, dbPath, jobs, emit }: ServiceContext,
  runId: number,
  resume: boolean,
  onFreed: () => void,
): void {
  let lastError: string | null = null;
  jobs.start(
    { kind: 'train', dbPath, runId, resume },
    {
      onMessage: (m) => {
        if (m.type === 'run-progress') emit('run:progress', m.progress);
        else if (m.type === 'run-epoch') emit('run:epoch', m.epoch);
        else if (m.type === 'log') emit('run:log', m.log);
        else if (m.type === 'status')
          emit('run:status', { runId, status: m.status as RunRow['status'], error: m.error ?? null });
        else if (m.type === 'error') lastError = m.error.message;
      },
      onExit: (code, signal) => {
        // A worker that died without ending its run (SIGKILL, crash, out of memory) leaves it interrupted or failed.
        const status = signal || code === null ? 'interrupted' : 'failed';
        const error =
          lastError ?? (signal ? `trainer process was killed (${signal})` : `trainer exited with code ${code}`);
        if (code !== 0 && runsDb.finishRun(db, runId, status, error)) {
          emit('run:status', { runId, status, error });
        } else if (
          code === 0 &&
          runsDb.finishRun(db, runId, 'interrupted', 'trainer exited without finishing the run')
        ) {
          emit('run:status', { runId, status: 'interrupted', error: 'trainer exited without finishing the run' });
        }
        onFreed();
      },
    },
  );
}

/**
 * At start: a run marked running whose trainer is gone (no such process, a pid now naming another
 * process, or, where start times cannot be compared, a heartbeat stale for three beats) is
 * interrupted; so is a queued run nobody has beaten for a minute (its host died before starting it).
 */
export function recoverVanishedRuns(db: DB, emit: Emit): void {
  const staleQueuedMs = 60_000;
  for (const r of runsDb.activeRuns(db)) {
    const gone =
      r.status === 'running'
        ? trainerLiveness(r) === 'gone'
        : Date.now() - (r.heartbeat ?? Date.parse(r.created_at)) > staleQueuedMs;
    const error = vanishedMessage(r.worker_pid);
    if (gone && runsDb.finishRun(db, r.id, 'interrupted', error))
      emit('run:status', { runId: r.id, status: 'interrupted', error });
  }
}
