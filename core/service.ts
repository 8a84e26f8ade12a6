// The contract implemented over db/ and worker processes; the same code serves the CLI, the
// browser-mode server and Electron. Queries are answered from SQLite directly; imports, training
// and exports run as jobs in worker processes that write their own results. This file wires the
// pieces: the handler modules per method group (handlers/), the job registry, events, errors.
import { EventEmitter } from 'node:events';
import { parseArgs, type Args, type MethodName, type Output, type Result } from './contract.js';
import type { Api } from './api.js';
import { toApiError } from './errors.js';
import { forkLauncher, type JobLauncher } from './jobs.js';
import { JobRegistry } from './jobs-registry.js';
import { explainSqliteError, openDb } from '../db/open.js';
import type { Emit, Handler, Handlers, ServiceContext } from './handlers/context.js';
import { datasetHandlers } from './handlers/datasets.js';
import { runHandlers } from './handlers/runs.js';
import { createTrainerQueue, recoverVanishedRuns, trainingHandlers } from './handlers/training.js';
import { settingsHandlers } from './handlers/settings.js';
import { exportHandlers } from './handlers/exports.js';
import { bundleHandlers } from './handlers/bundles.js';
import { predictHandlers } from './handlers/predict.js';
import { backtestHandlers } from './handlers/backtests.js';
import { studyHandlers } from './handlers/studies.js';
import { StudyDriver, recoverVanishedStudies } from './study/runner.js';
import { localLauncher } from './study/launcher.js';
import { setBudgetSeconds, setSelection } from '../db/studies.js';
import { Selection } from './study-schemas.js';
import { APP_VERSION as VERSION } from './version.js';
import { watchExternalChanges, type ExternalChanges } from './external-changes.js';
import { warmLauncher } from './warm-launcher.js';

export interface ServiceOptions {
  dbPath: string;
  launcher?: JobLauncher;
  /** Which host runs the service (`cli`, `server`, `electron`), reported by system.info. */
  host?: string;
  /** Seconds a trainer gets to save after a stop request before it is killed. */
  stopGraceSeconds?: number;
  /**
   * Open the database read-only, for hosts that only query it (the CLI's runs, show, datasets,
   * compare): nothing is created, migrated or recovered, so it works in a read-only folder.
   */
  readonly?: boolean;
  /** Create the database (and its folders) when it is missing; default: true unless readonly. */
  create?: boolean;
  /**
   * How often to look for runs and datasets other processes wrote (core/external-changes.ts), in
   * ms; 0 = never. Default: 500 for the long-lived hosts (`server`, `electron`), 0 for the CLI.
   */
  watchExternalMs?: number;
}

export interface Service extends Api {
  readonly dbPath: string;
  /** Stops every job this service started (stop message, grace period, kill) and closes the DB. */
  close(): Promise<void>;
  /** Resolves when the run's worker has exited (or at once when none is running or queued here). */
  waitForRun(runId: number): Promise<void>;
  /** Resolves when this host's fold loop of the backtest has ended (or at once when it runs none). */
  waitForBacktest(id: number): Promise<void>;
  /** Resolves when this host's loop of the study has ended (or at once when it drives none). */
  waitForStudy(id: number): Promise<void>;
  /**
   * Keeps `n` trainers warm (and reused) for the runs this host starts next, as a study does for
   * its trials; 0 hands them back. tune's re-ranking backtests hold one: a cold fold spends more
   * on the process start and the TF.js import than on training.
   */
  keepTrainersWarm(n: number): void;
  /**
   * Sets a running study's time budget (seconds of its running time); false when it is not
   * running. tune hands the re-ranking's unneeded share back to its search this way.
   */
  setStudyBudget(id: number, budgetSeconds: number): boolean;
  /** Stores tune's pick on its study (validated): `studies.get` and the Studies page show it beside `best`. */
  setStudySelection(id: number, selection: Selection): boolean;
}

/** Methods that only read: no need to tell the watcher about this host's own writes after them. */
const QUERY = /\.(info|list|get|metrics|predictions|estimate|log|estimateRun)$/;

/** Every method's handler, by name. */
function allHandlers(
  ctx: ServiceContext,
  opts: ServiceOptions,
  queue: ReturnType<typeof createTrainerQueue>,
  training: ReturnType<typeof trainingHandlers>,
  backtests: ReturnType<typeof backtestHandlers>['handlers'],
  studies: StudyDriver,
): Handlers<MethodName> {
  return {
    'system.info': () => ({ version: VERSION, dbPath: opts.dbPath, host: opts.host ?? 'cli' }),
    ...datasetHandlers(ctx),
    ...runHandlers(ctx),
    ...training,
    ...exportHandlers(ctx),
    ...settingsHandlers(ctx, () => queue.pump()),
    ...bundleHandlers(ctx),
    ...predictHandlers(ctx),
    ...backtests,
    ...studyHandlers(ctx, studies),
  };
}

export function createService(opts: ServiceOptions): Service {
  const readonly = opts.readonly ?? false;
  const db = openDb(opts.dbPath, { readonly, create: opts.create ?? !readonly });
  const watchMs = opts.watchExternalMs ?? (opts.host === 'server' || opts.host === 'electron' ? 500 : 0);
  // A long-lived browser-mode host keeps a trainer warm (TF.js loaded) for the next Train; the
  // CLI keeps none of its own, but both warm one per trial slot while they drive a study.
  const launcher =
    opts.launcher ?? (readonly ? forkLauncher : warmLauncher({ spares: opts.host === 'server' ? 1 : 0 }));
  const jobs = new JobRegistry(launcher, (opts.stopGraceSeconds ?? 30) * 1000);
  const events = new EventEmitter();
  events.setMaxListeners(100);
  let external: ExternalChanges | null = null;
  const emit: Emit = (e, payload) => {
    external?.seen(e, payload);
    events.emit(e, payload);
  };
  const ctx: ServiceContext = { db, dbPath: opts.dbPath, jobs, emit };

  // Marking vanished trainers interrupted writes; a read-only host leaves that to the next writer.
  if (!readonly) {
    recoverVanishedRuns(db, emit);
    recoverVanishedStudies(ctx);
  }
  const queue = createTrainerQueue(ctx);
  if (watchMs > 0)
    external = watchExternalChanges({
      db,
      emit: (e, payload) => events.emit(e, payload),
      ownsRun: (id) => jobs.trainer(id) !== undefined,
      intervalMs: watchMs,
    });

  const training = trainingHandlers(ctx, queue);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- listeners of any event payload
  const subscribe = (e: string, l: (p: any) => void) => {
    events.on(e, l);
    return () => void events.off(e, l);
  };
  const backtests = backtestHandlers(ctx, training, (l) => subscribe('run:status', l));
  const studies = new StudyDriver(ctx, localLauncher(ctx, queue, training, launcher), subscribe);
  const handlers = allHandlers(ctx, opts, queue, training, backtests.handlers, studies);

  async function call<M extends MethodName>(method: M, args: Args<M>): Promise<Result<Output<M>>> {
    const parsed = parseArgs(method, args);
    if (!parsed.ok) return parsed;
    try {
      const value = await (handlers[method] as Handler<M>)(parsed.value);
      if (external && !QUERY.test(method)) external.absorbOwnWrites();
      return { ok: true, value };
    } catch (e) {
      // A query that finds a damaged page says which file is damaged and what to do.
      return { ok: false, error: toApiError(explainSqliteError(opts.dbPath, e, { readonly }) ?? e) };
    }
  }

  return {
    dbPath: opts.dbPath,
    call,
    on: (event, listener) => subscribe(event, listener),
    waitForRun: async (runId) => {
      // A queued run first waits for a trainer slot here, then for its trainer.
      await queue.left(runId);
      await jobs.trainer(runId)?.exited;
    },
    waitForBacktest: (id) => backtests.driver.wait(id),
    waitForStudy: (id) => studies.wait(id),
    keepTrainersWarm: (n) => studies.hold(n),
    setStudyBudget: (id, seconds) => setBudgetSeconds(db, id, seconds),
    setStudySelection: (id, selection) => setSelection(db, id, JSON.stringify(Selection.parse(selection))),
    async close() {
      external?.close();
      backtests.driver.close();
      studies.close();
      queue.close();
      await jobs.stopAll();
      launcher.close?.();
      db.close();
    },
  };
}
