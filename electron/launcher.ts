// The JobLauncher for the desktop app: each import/train job runs in an Electron utilityProcess
// (a Node child managed by Chromium's process model) instead of child_process.fork, so the
// packaged app needs no separate Node. The worker talks to it through process.parentPort
// (worker/channel.ts). Stopping them at quit is the service's job registry (core/jobs-registry.ts).
import type { UtilityProcess } from 'electron';
import {
  workerEntry,
  type HostToWorker,
  type Job,
  type JobHandle,
  type JobLauncher,
  type WorkerToHost,
} from '../core/jobs.js';

/** The part of Electron's utilityProcess module used here. */
export interface UtilityProcessModule {
  fork(modulePath: string, args?: string[], options?: Electron.ForkOptions): UtilityProcess;
}

export interface UtilityLauncherOptions {
  /** Worker entry file; defaults to core/jobs' workerEntry() (dist/worker/main.js). */
  entry?: () => string;
  /** Extra environment for workers (e.g. the Electron build of better-sqlite3). */
  env?: NodeJS.ProcessEnv;
  /** The main process log: each worker's start and exit. */
  log?: (message: string) => void;
  /** Keep one trainer warm, forked this many ms after the launcher is made and after each handout (default: none). */
  warmDelayMs?: number;
}

/** How a job is named in the log: `train run 7`, `import /data/prices.csv`. */
export function jobLabel(job: Job): string {
  const j = job as { kind: string; runId?: unknown; path?: unknown };
  if (typeof j.runId === 'number') return `${j.kind} run ${j.runId}`;
  if (typeof j.path === 'string') return `${j.kind} ${j.path}`;
  return j.kind;
}

export function createUtilityLauncher(
  utility: UtilityProcessModule,
  options: UtilityLauncherOptions = {},
): JobLauncher {
  const entry = () => (options.entry ?? workerEntry)();
  const env = (): NodeJS.ProcessEnv => ({ ...process.env, ...options.env });
  const spare = options.warmDelayMs === undefined ? null : warmSpare(utility, entry, env, options.warmDelayMs);
  return {
    start(job: Job): JobHandle {
      const warm = job.kind === 'train' ? spare?.take() : null;
      const child =
        warm ??
        utility.fork(entry(), [], { serviceName: `Recurrent Workbench ${job.kind}`, stdio: 'inherit', env: env() });
      (options.log ?? (() => {}))(`worker ${jobLabel(job)} started${warm ? ' (the warm trainer)' : ''}`);
      return utilityHandle(child, job, options.log ?? (() => {}));
    },
    close() {
      spare?.close();
    },
  };
}

/**
 * One trainer kept warm, as core/warm-launcher.ts does for `serve`: forked `delayMs` after the
 * launcher is made and after each handout, it has started Node and imported the trainer with
 * TF.js (worker/main.ts, RNN_WORKBENCH_WARM) before the user presses Train. Replaced when the
 * environment the trainers read (RNN_WORKBENCH_*) changed since it was forked.
 */
function warmSpare(
  utility: UtilityProcessModule,
  entry: () => string,
  env: () => NodeJS.ProcessEnv,
  delayMs: number,
): { take(): UtilityProcess | null; close(): void } {
  const trainerEnv = () =>
    JSON.stringify(
      Object.entries(env())
        .filter(([k]) => k.startsWith('RNN_WORKBENCH_'))
        .sort(),
    );
  let spare: { child: UtilityProcess; env: string; exited: boolean } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  const make = () => {
    timer = null;
    if (closed || spare) return;
    const child = utility.fork(entry(), [], {
      serviceName: 'Recurrent Workbench train',
      stdio: 'inherit',
      env: { ...env(), RNN_WORKBENCH_WARM: 'train' },
    });
    const mine = { child, env: trainerEnv(), exited: false };
    spare = mine;
    child.once('exit', () => {
      mine.exited = true;
      if (spare === mine) spare = null;
    });
  };
  const later = () => {
    if (closed || spare || timer) return;
    timer = setTimeout(make, delayMs);
    timer.unref?.();
  };
  later();
  return {
    take() {
      const s = spare;
      spare = null;
      later();
      if (!s) return null;
      if (!s.exited && s.env === trainerEnv()) return s.child;
      s.child.kill();
      return null;
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      spare?.child.kill();
      spare = null;
    },
  };
}

/** The JobHandle of a utility process running `job` (sends it the job now). */
function utilityHandle(child: UtilityProcess, job: Job, log: (message: string) => void): JobHandle {
  let exited = false;
  let killedByHost = false;
  const exitListeners: Array<(code: number | null, signal: string | null) => void> = [];
  child.once('exit', (code: number) => {
    exited = true;
    log(`worker ${jobLabel(job)} exited with code ${code}${killedByHost ? ' (killed by the host)' : ''}`);
    // utilityProcess reports only a code; say SIGKILL when we killed it so the service can
    // tell a stop from a crash.
    for (const l of exitListeners) l(code, killedByHost ? 'SIGKILL' : null);
  });
  const handle: JobHandle = {
    send(msg: HostToWorker) {
      if (!exited) child.postMessage(msg);
    },
    kill() {
      if (exited) return;
      killedByHost = true;
      child.kill();
    },
    onMessage(listener: (msg: WorkerToHost) => void) {
      child.on('message', (msg: unknown) => listener(msg as WorkerToHost));
    },
    onExit(listener) {
      exitListeners.push(listener);
    },
  };
  // Messages posted before the child has spawned are queued by Electron.
  handle.send({ type: 'start', job });
  return handle;
}
