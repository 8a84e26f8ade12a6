// The one place that knows which worker processes (import, train, export) the service started,
// and the one way to stop them: a stop message (finish the batch, save, exit), then a kill once
// the grace period is over. `runs.stop`, service close and the desktop app's quit all use it.
import { ServiceError, type ErrorCode } from './contract.js';
import type { Job, JobHandle, JobLauncher, WorkerToHost } from './jobs.js';

export interface TrackedJob {
  readonly job: Job;
  readonly handle: JobHandle;
  /** Resolves once the process has exited and the `onExit` given to `start` has run. */
  readonly exited: Promise<void>;
}

export interface JobListeners {
  onMessage?: (m: WorkerToHost) => void;
  /** Runs when the process exits, before the job leaves the registry and `exited` resolves. */
  onExit?: (code: number | null, signal: string | null) => void;
}

/** A killed process always exits; this bound only keeps a wedged one from holding up a quit. */
const AFTER_KILL_MS = 5000;

export class JobRegistry {
  private readonly live = new Set<TrackedJob>();
  private readonly trainers = new Map<number, TrackedJob>();

  constructor(
    private readonly launcher: JobLauncher,
    private readonly graceMs: number,
  ) {}

  /** Starts a worker for `job` and tracks it until its process exits. */
  start(job: Job, listeners: JobListeners = {}): TrackedJob {
    const handle = this.launcher.start(job);
    if (listeners.onMessage) handle.onMessage(listeners.onMessage);
    let resolveExit!: () => void;
    const tracked: TrackedJob = { job, handle, exited: new Promise<void>((r) => (resolveExit = r)) };
    handle.onExit((code, signal) => {
      this.live.delete(tracked);
      if (job.kind === 'train' && this.trainers.get(job.runId) === tracked) this.trainers.delete(job.runId);
      listeners.onExit?.(code, signal);
      resolveExit();
    });
    this.live.add(tracked);
    if (job.kind === 'train') this.trainers.set(job.runId, tracked);
    return tracked;
  }

  /** Runs a short job (import, export) to completion: its `done` result, or its error as a ServiceError. */
  complete<T>(job: Job, onMessage?: (m: WorkerToHost) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = (f: () => void) => {
        if (settled) return;
        settled = true;
        f();
      };
      this.start(job, {
        onMessage: (m) => {
          onMessage?.(m);
          if (m.type === 'done') settle(() => resolve(m.result as T));
          else if (m.type === 'error')
            settle(() => reject(new ServiceError(m.error.code as ErrorCode, m.error.message, m.error.field)));
        },
        onExit: (code, signal) =>
          settle(() =>
            reject(
              new ServiceError('internal', `${job.kind} worker exited (${signal ?? `code ${code}`}) before finishing`),
            ),
          ),
      });
    });
  }

  /** The trainer of this run started here, if it is still running. */
  trainer(runId: number): TrackedJob | undefined {
    return this.trainers.get(runId);
  }

  /** The runs whose trainer this registry started and whose process has not exited (loading ones too). */
  trainerRunIds(): number[] {
    return [...this.trainers.keys()];
  }

  /** Stop message, then a kill after the grace period; resolves when the process has exited. */
  async stop(tracked: TrackedJob): Promise<void> {
    tracked.handle.send({ type: 'stop' });
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<boolean>((r) => (timer = setTimeout(() => r(true), this.graceMs)));
    const timedOut = await Promise.race([tracked.exited.then(() => false), killed]);
    clearTimeout(timer);
    if (!timedOut) return;
    tracked.handle.kill();
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([tracked.exited, new Promise((r) => (bound = setTimeout(r, AFTER_KILL_MS)))]);
    clearTimeout(bound);
  }

  /** Stops every job still running (each with its grace period, all at once). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.live].map((j) => this.stop(j)));
  }
}
