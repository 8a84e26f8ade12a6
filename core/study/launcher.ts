// The seam between a study and whatever trains its trials. A study creates each trial's run row
// itself (so a trial number can never get two runs) and then hands it to a launcher. The local
// launcher puts it in this host's trainer queue, exactly like runs.create: same worker processes,
// same slot limit, same stop mechanism. A remote launcher (docs/scale-out.md: Ray Jobs, Kubernetes
// Jobs) would bundle the run, submit a container running `rnn-workbench train` on it, and import
// the result bundle back; the study loop only reads trial state from SQLite either way.
import type { ServiceContext, Handlers } from '../handlers/context.js';
import { readSettings } from '../handlers/settings.js';
import type { JobLauncher } from '../jobs.js';
import type { TrainerQueue } from '../trainer-queue.js';

export interface TrialLauncher {
  /** `local`, `ray`, `k8s`, ...: recorded in logs. */
  readonly kind: string;
  /** Starts a trial whose run row exists and is `queued`. */
  launch(runId: number): void;
  /** Continues a trial that ended early (interrupted or stopped) from its last checkpoint. */
  resume(runId: number): Promise<void>;
  /** Asks a trial to stop: it finishes its batch, saves and evaluates its best checkpoint. */
  stop(runId: number): Promise<void>;
  /** Whether this launcher started the trial's trainer (queued or training in this host). */
  holds(runId: number): boolean;
  /**
   * The trials this host's studies keep in flight (their concurrency summed; 0: none): a launcher
   * that can prepare trainers ahead (warm processes) keeps that many ready.
   */
  reserve(n: number): void;
}

export type TrainingHandlers = Handlers<'runs.create' | 'runs.stop' | 'runs.resume'>;

/** Trials as local trainer processes, through this host's trainer queue. */
export function localLauncher(
  ctx: ServiceContext,
  queue: TrainerQueue,
  training: TrainingHandlers,
  processes?: JobLauncher,
): TrialLauncher {
  // The trials this host queued or resumed: they are its to start, whoever else looks at the database.
  const mine = new Set<number>();
  return {
    kind: 'local',
    launch(runId) {
      mine.add(runId);
      ctx.emit('run:status', { runId, status: 'queued' });
      queue.enqueue(runId, false);
    },
    async resume(runId) {
      mine.add(runId);
      await training['runs.resume']({ id: runId });
    },
    async stop(runId) {
      await training['runs.stop']({ id: runId });
    },
    holds: (runId) => mine.has(runId) || ctx.jobs.trainer(runId) !== undefined,
    // No more warm trainers than may train at once (the trainer slots of settings.maxTrainers).
    // (0 reads nothing: it also comes while the host closes its database.)
    reserve: (n) => processes?.warm?.(n > 0 ? Math.min(n, readSettings(ctx.db).maxTrainers) : 0),
  };
}
