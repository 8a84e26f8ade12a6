// The JobLauncher for the desktop app: each import/train job runs in an Electron utilityProcess
// (a Node child managed by Chromium's process model) instead of child_process.fork, so the
// packaged app needs no separate Node. The worker talks to it through process.parentPort
// (worker/channel.ts). It also remembers its live children so quitting can stop them all.
import type { UtilityProcess } from 'electron';
import { workerEntry, type HostToWorker, type Job, type JobHandle, type JobLauncher, type WorkerToHost } from '../core/jobs.js';

/** The part of Electron's utilityProcess module used here. */
export interface UtilityProcessModule {
  fork(modulePath: string, args?: string[], options?: Electron.ForkOptions): UtilityProcess;
}

export interface UtilityLauncher extends JobLauncher {
  /** Live children. */
  readonly running: number;
  /**
   * Sends every live child `stop` (finish the batch, save a checkpoint, exit), waits up to
   * `graceMs`, then kills the ones still alive. Resolves when all have exited.
   */
  stopAll(graceMs: number): Promise<void>;
}

export interface UtilityLauncherOptions {
  /** Worker entry file; defaults to core/jobs' workerEntry() (dist/worker/main.js). */
  entry?: () => string;
  /** Extra environment for workers (e.g. the Electron build of better-sqlite3). */
  env?: NodeJS.ProcessEnv;
}

export function createUtilityLauncher(utility: UtilityProcessModule, options: UtilityLauncherOptions = {}): UtilityLauncher {
  const live = new Map<UtilityProcess, { exited: Promise<void>; handle: JobHandle }>();
  const launcher: UtilityLauncher = {
    get running() {
      return live.size;
    },
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
      const exitedPromise = new Promise<void>((resolveExit) => {
        child.once('exit', (code: number) => {
          exited = true;
          live.delete(child);
          // utilityProcess reports only a code; say SIGKILL when we killed it so the service can
          // tell a stop from a crash.
          for (const l of exitListeners) l(code, killedByHost ? 'SIGKILL' : null);
          resolveExit();
        });
      });
      const handle: JobHandle = {
        get pid() {
          return child.pid;
        },
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
      live.set(child, { exited: exitedPromise, handle });
      // Messages posted before the child has spawned are queued by Electron.
      handle.send({ type: 'start', job });
      return handle;
    },
    async stopAll(graceMs: number) {
      const children = [...live.values()];
      for (const { handle } of children) handle.send({ type: 'stop' });
      const all = Promise.all(children.map((c) => c.exited));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        all.then(() => false),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs))),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        for (const { handle } of children) handle.kill();
        // A killed child always exits; the bound only guards against a wedged process table.
        await Promise.race([all, new Promise((r) => setTimeout(r, 5000).unref())]);
      }
    },
  };
  return launcher;
}
