// The contract implemented over db/ and worker processes; the same code serves the CLI, the
// browser-mode server and Electron. Queries are answered from SQLite directly; imports, training
// and exports run as jobs in worker processes that write their own results.
import { EventEmitter } from 'node:events';
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import {
  RunSpecSchema, ServiceError, describeZodError, parseArgs, type Args, type DatasetSummary, type EventMap, type EventName,
  type MethodName, type Output, type ParsedArgs, type Result, type RunRow, type RunSpec, flattenSpec,
} from './contract.js';
import type { Api } from './api.js';
import { forkLauncher, type Job, type JobHandle, type JobLauncher, type WorkerToHost } from './jobs.js';
import { runsCsv, toCsv, toRunRows } from './run-view.js';
import { openDb, type DB } from '../db/open.js';
import * as runsDb from '../db/runs.js';
import { metricsFor } from '../db/metrics.js';
import { f64, loadPredictions } from '../db/checkpoints.js';
import { listDatasetSummaries, readDatasetSummary, readRows, readSeries, updateDataset, deleteDataset } from './datasets.js';
import { estimateRun } from './estimate.js';
import { APP_VERSION as VERSION } from './version.js';

export interface ServiceOptions {
  dbPath: string;
  launcher?: JobLauncher;
  /** Which host runs the service (`cli`, `server`, `electron`), reported by system.info. */
  host?: string;
  /** Seconds a trainer gets to save after a stop request before it is killed. */
  stopGraceSeconds?: number;
}

export interface Service extends Api {
  readonly dbPath: string;
  /** Stops every job this service started (stop message, grace period, kill) and closes the DB. */
  close(): Promise<void>;
  /** Resolves when the run's worker has exited (or at once when none is running here). */
  waitForRun(runId: number): Promise<void>;
}

type Handler<M extends MethodName> = (args: ParsedArgs<M>) => Promise<Output<M>> | Output<M>;

export function createService(opts: ServiceOptions): Service {
  const db: DB = openDb(opts.dbPath);
  const launcher = opts.launcher ?? forkLauncher;
  const grace = (opts.stopGraceSeconds ?? 30) * 1000;
  const events = new EventEmitter();
  events.setMaxListeners(100);
  const jobs = new Map<number, { handle: JobHandle; exited: Promise<void> }>();
  const emit = <E extends EventName>(e: E, payload: EventMap[E]) => events.emit(e, payload);

  recoverVanishedRuns(db, emit);

  const getRunRow = (id: number): RunRow => {
    const r = runsDb.getRun(db, id);
    if (!r) throw new ServiceError('not_found', `run ${id} does not exist`, 'id');
    return toRunRows(db, [r])[0]!;
  };

  /** Runs a short job (import, export) to completion and returns its result. */
  function runJob<T>(job: Job, onMessage?: (m: WorkerToHost) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const h = launcher.start(job);
      let settled = false;
      h.onMessage((m) => {
        onMessage?.(m);
        if (m.type === 'done' && !settled) {
          settled = true;
          resolve(m.result as T);
        } else if (m.type === 'error' && !settled) {
          settled = true;
          reject(new ServiceError(m.error.code as never, m.error.message, m.error.field));
        }
      });
      h.onExit((code, signal) => {
        if (!settled) {
          settled = true;
          reject(new ServiceError('internal', `${job.kind} worker exited (${signal ?? `code ${code}`}) before finishing`));
        }
      });
    });
  }

  function startTrainer(runId: number, resume: boolean): void {
    const handle = launcher.start({ kind: 'train', dbPath: opts.dbPath, runId, resume });
    let lastError: string | null = null;
    handle.onMessage((m) => {
      if (m.type === 'run-progress') emit('run:progress', m.progress);
      else if (m.type === 'run-epoch') emit('run:epoch', m.epoch);
      else if (m.type === 'log') emit('run:log', m.log);
      else if (m.type === 'status') emit('run:status', { runId, status: m.status as RunRow['status'], error: m.error ?? null });
      else if (m.type === 'error') lastError = m.error.message;
    });
    const exited = new Promise<void>((resolve) =>
      handle.onExit((code, signal) => {
        jobs.delete(runId);
        // A worker that died without ending its run (SIGKILL, crash, out of memory) leaves it interrupted or failed.
        const status = signal || code === null ? 'interrupted' : 'failed';
        const error = lastError ?? (signal ? `trainer process was killed (${signal})` : `trainer exited with code ${code}`);
        if (code !== 0 && runsDb.finishRun(db, runId, status, error)) {
          emit('run:status', { runId, status, error });
        } else if (code === 0 && runsDb.finishRun(db, runId, 'interrupted', 'trainer exited without finishing the run')) {
          emit('run:status', { runId, status: 'interrupted', error: 'trainer exited without finishing the run' });
        }
        resolve();
      }),
    );
    jobs.set(runId, { handle, exited });
  }

  function validateSpec(input: unknown): RunSpec {
    const parsed = RunSpecSchema.safeParse(input ?? {});
    if (!parsed.success) {
      const e = describeZodError(parsed.error, 'spec');
      throw new ServiceError('invalid_args', e.message, e.field);
    }
    return parsed.data;
  }

  const handlers: { [M in MethodName]: Handler<M> } = {
    'system.info': () => ({ version: VERSION, dbPath: opts.dbPath, host: opts.host ?? 'cli' }),
    'datasets.list': () => listDatasetSummaries(db),
    'datasets.get': ({ id }) => readDatasetSummary(db, id),
    'datasets.import': async ({ path, name }) => {
      if (!existsSync(path)) throw new ServiceError('bad_input', `file not found: ${path}`, 'path');
      if (statSync(path).isDirectory()) throw new ServiceError('bad_input', `${path} is a folder, not a CSV file`, 'path');
      const summary = await runJob<DatasetSummary>({ kind: 'import', dbPath: opts.dbPath, path, ...(name ? { name } : {}) }, (m) => {
        if (m.type === 'import-progress') emit('import:progress', { ...m.progress, file: basename(path) });
      });
      emit('datasets:changed', { id: summary.id });
      return summary;
    },
    'datasets.update': (a) => {
      updateDataset(db, a);
      emit('datasets:changed', { id: a.id });
      return readDatasetSummary(db, a.id);
    },
    'datasets.delete': ({ id }) => {
      const deleted = deleteDataset(db, id);
      if (deleted) emit('datasets:changed', { id });
      return { deleted };
    },
    'datasets.rows': ({ id, offset, limit }) => readRows(db, id, offset, limit),
    'datasets.series': ({ id, columns, series, buckets, range }) => readSeries(db, id, columns, series, { buckets, range }),
    'runs.list': ({ datasetId }) => toRunRows(db, runsDb.listRuns(db, datasetId)),
    'runs.get': ({ id }) => getRunRow(id),
    'runs.estimate': ({ datasetId, spec }) => estimateRun(db, datasetId, validateSpec(spec)),
    'runs.create': ({ datasetId, spec: input, name, parentId, tags }) => {
      const spec = validateSpec(input);
      estimateRun(db, datasetId, spec); // refuses unknown columns and impossible windows before anything is stored
      if (parentId !== undefined && !runsDb.getRun(db, parentId)) throw new ServiceError('not_found', `parent run ${parentId} does not exist`, 'parentId');
      const id = runsDb.insertRun(db, {
        name: name ?? `${spec.model.cell} ${spec.model.layers.map((l) => l.units).join('x')} lb${spec.window.lookback}`,
        datasetId,
        spec: JSON.stringify(spec),
        seed: spec.train.seed,
        parentId: parentId ?? null,
        params: flattenSpec(spec),
        tags: tags ?? [],
      });
      emit('run:status', { runId: id, status: 'queued' });
      startTrainer(id, false);
      return getRunRow(id);
    },
    'runs.stop': ({ id }) => {
      const run = getRunRow(id);
      if (run.status !== 'running' && run.status !== 'queued') return run;
      const job = jobs.get(id);
      if (job) {
        job.handle.send({ type: 'stop' });
        const timer = setTimeout(() => job.handle.kill(), grace);
        void job.exited.then(() => clearTimeout(timer));
      } else {
        // Trained by another host process: ask it by signal, or end the run if that process is gone.
        const rec = runsDb.getRun(db, id)!;
        if (rec.worker_pid && isAlive(rec.worker_pid)) process.kill(rec.worker_pid, 'SIGTERM');
        else if (runsDb.finishRun(db, id, 'stopped')) emit('run:status', { runId: id, status: 'stopped' });
      }
      return getRunRow(id);
    },
    'runs.resume': ({ id }) => {
      const run = getRunRow(id);
      if (!['interrupted', 'stopped', 'failed'].includes(run.status)) {
        throw new ServiceError('conflict', `run ${id} is ${run.status}; only interrupted, stopped or failed runs can be resumed`, 'id');
      }
      if (run.datasetId === null) throw new ServiceError('conflict', `run ${id}: its dataset was deleted, so it cannot resume`, 'id');
      // Check and change in one statement: of two concurrent resumes exactly one gets the run.
      if (!runsDb.requeueRun(db, id)) throw new ServiceError('conflict', `run ${id} is ${getRunRow(id).status}; another resume or trainer took it first`, 'id');
      emit('run:status', { runId: id, status: 'queued' });
      startTrainer(id, run.epochsDone > 0);
      return getRunRow(id);
    },
    'runs.update': ({ id, name, notes, tags }) => {
      getRunRow(id);
      db.transaction(() => {
        runsDb.updateRunFields(db, id, { ...(name !== undefined ? { name } : {}), ...(notes !== undefined ? { notes } : {}) });
        if (tags) runsDb.setTags(db, id, tags);
      })();
      return getRunRow(id);
    },
    'runs.delete': ({ id }) => {
      const run = getRunRow(id);
      if (run.status === 'running' || run.status === 'queued') throw new ServiceError('conflict', `run ${id} is ${run.status}; stop it before deleting`, 'id');
      const deleted = runsDb.deleteRun(db, id); // refuses a queued or running run in the same statement
      if (!deleted && runsDb.getRun(db, id)) throw new ServiceError('conflict', `run ${id} is ${getRunRow(id).status}; stop it before deleting`, 'id');
      return { deleted };
    },
    'runs.metrics': ({ ids, keys }) =>
      metricsFor(db, ids, keys).map((m) => ({ runId: m.run_id, key: m.key, epoch: m.epoch, step: m.step, value: m.value, wallTime: m.wall_time })),
    'runs.predictions': ({ id, split }) => {
      getRunRow(id);
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
        time: Array.from(f64(p.time)),
        ...(p.classes ? { classes: JSON.parse(p.classes) as string[] } : {}),
      };
    },
    'runs.export': ({ id, outDir, checkpoint, force }) => {
      getRunRow(id);
      return runJob({ kind: 'export', dbPath: opts.dbPath, runId: id, checkpoint, outDir, force: force ?? false });
    },
    'runs.csv': ({ ids, what }) => {
      const rows = toRunRows(db, runsDb.listRuns(db)).filter((r) => !ids || ids.includes(r.id));
      if (what === 'runs') return { fileName: 'runs.csv', csv: runsCsv(rows) };
      const points = rows.length ? metricsFor(db, rows.map((r) => r.id)) : [];
      const names = new Map(rows.map((r) => [r.id, r.name]));
      return {
        fileName: 'metrics.csv',
        csv: toCsv(['run_id', 'run_name', 'key', 'epoch', 'step', 'value', 'wall_time'], points.map((m) => [m.run_id, names.get(m.run_id), m.key, m.epoch, m.step, m.value, m.wall_time])),
      };
    },
  };

  async function call<M extends MethodName>(method: M, args: Args<M>): Promise<Result<Output<M>>> {
    const parsed = parseArgs(method, args);
    if (!parsed.ok) return parsed;
    try {
      const value = await (handlers[method] as Handler<M>)(parsed.value);
      return { ok: true, value };
    } catch (e) {
      if (e instanceof ServiceError) return { ok: false, error: { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) } };
      if (e instanceof z.ZodError) return { ok: false, error: describeZodError(e) };
      return { ok: false, error: { code: 'internal', message: e instanceof Error ? e.message : String(e) } };
    }
  }

  return {
    dbPath: opts.dbPath,
    call,
    on(event, listener) {
      events.on(event, listener as (p: unknown) => void);
      return () => events.off(event, listener as (p: unknown) => void);
    },
    waitForRun: async (runId) => {
      await jobs.get(runId)?.exited;
    },
    async close() {
      const pending = [...jobs.entries()].map(([, j]) => {
        j.handle.send({ type: 'stop' });
        const timer = setTimeout(() => j.handle.kill(), grace);
        return j.exited.then(() => clearTimeout(timer));
      });
      await Promise.all(pending);
      db.close();
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** At start: a run marked running/queued whose trainer process no longer exists is interrupted. */
function recoverVanishedRuns(db: DB, emit: <E extends EventName>(e: E, p: EventMap[E]) => void): void {
  const staleQueuedMs = 60_000;
  for (const r of runsDb.activeRuns(db)) {
    const gone = r.worker_pid ? !isAlive(r.worker_pid) : Date.now() - (r.heartbeat ?? Date.parse(r.created_at)) > staleQueuedMs && r.status === 'queued';
    if (gone && runsDb.finishRun(db, r.id, 'interrupted', 'the trainer process ended without finishing the run; resume it to continue from its last checkpoint')) {
      emit('run:status', { runId: r.id, status: 'interrupted' });
    }
  }
}
