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
      let exited = false;
      let killedByHost = false;
      const exitListeners: Array<(code: number | null, signal: string | null) => void> = [];
      child.once('exit', (code: number) => {
        exited = true;
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
