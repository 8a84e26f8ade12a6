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
  return {
    start(job: Job): JobHandle {
      const entry = (options.entry ?? workerEntry)();
      const child = utility.fork(entry, [], {
        serviceName: `Recurrent Workbench ${job.kind}`,
        stdio: 'inherit',
        env: { ...process.env, ...options.env },
      });
      const log = options.log ?? (() => {});
      log(`worker ${jobLabel(job)} started`);
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
    },
  };
}
