// The process launcher interface. Headless hosts fork Node children (`forkLauncher`), Electron
// uses utilityProcess (electron/launcher.ts); the service only sees this interface.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ColumnTypes, ImportProgress, ParsedArgs, RunEpoch, RunLog, RunProgress } from './contract.js';

export type Job =
  | {
      kind: 'import';
      dbPath: string;
      path: string;
      name?: string;
      /** The size the file must have (an upload's byte count); another size fails the import. */
      expectedBytes?: number;
      /** Stored with the dataset, so the host can delete it when the job fails after committing. */
      importToken?: string;
      /** The user's column type overrides (datasets.import `columnTypes`). */
      columnTypes?: ColumnTypes;
    }
  | { kind: 'train'; dbPath: string; runId: number; resume: boolean }
  | {
      kind: 'export';
      dbPath: string;
      runId: number;
      checkpoint: 'best' | 'last';
      outDir: string;
      force?: boolean;
      format?: ParsedArgs<'runs.export'>['format'];
    }
  | { kind: 'predict'; dbPath: string; runId: number; checkpoint: 'best' | 'last'; steps?: number; csvPath?: string }
  | { kind: 'bundle'; dbPath: string; ids: number[]; outPath: string; data: boolean; force: boolean }
  | { kind: 'import-bundle'; dbPath: string; path: string; expectedBytes?: number };

/**
 * Runs one warm trainer takes before it exits (worker/main.ts): bounds what past runs may leave in
 * its memory. The warm pool (core/warm-launcher.ts) forks a replacement when it hands out the last.
 */
export const WARM_TRAINER_RUNS = 8;

export type HostToWorker = { type: 'start'; job: Job } | { type: 'stop' };

export type WorkerToHost =
  | { type: 'import-progress'; progress: ImportProgress }
  | { type: 'run-progress'; progress: RunProgress }
  | { type: 'run-epoch'; epoch: RunEpoch }
  | { type: 'log'; log: RunLog }
  | { type: 'status'; runId: number; status: string; error?: string | null }
  | { type: 'done'; result: unknown }
  /** A reusable warm trainer finished its run and waits for another (core/warm-launcher.ts): its job has ended. */
  | { type: 'ready' }
  | { type: 'error'; error: { code: string; message: string; field?: string } };

export interface JobHandle {
  send(msg: HostToWorker): void;
  kill(): void;
  onMessage(listener: (msg: WorkerToHost) => void): void;
  onExit(listener: (code: number | null, signal: string | null) => void): void;
}

export interface JobLauncher {
  start(job: Job): JobHandle;
  /** Ends what the launcher keeps besides its jobs (a warm trainer waiting for work). */
  close?(): void;
  /**
   * Keeps `n` trainers warm for coming train jobs (a study's concurrency), besides the launcher's
   * own spares; 0 hands the extra ones back. Launchers that cannot warm a process ignore it.
   */
  warm?(n: number): void;
}

const here = dirname(fileURLToPath(import.meta.url));
const fromSource = fileURLToPath(import.meta.url).endsWith('.ts');

/** The worker entry file beside this module: compiled JS in dist/, TypeScript when run from source. */
export function workerEntry(): string {
  const file = join(here, '..', 'worker', fromSource ? 'main.ts' : 'main.js');
  if (!existsSync(file)) throw new Error(`worker entry not found: ${file}`);
  return file;
}

/**
 * V8 flags for the worker: WebAssembly relaxed SIMD (FMA in the fused kernels) ships on by default
 * from V8 11.4 (Node 22; Electron's utility process has it); Node 20's V8 11.3 needs the flag, and
 * V8s that no longer know it would refuse to start, so it is passed to V8 11.x before 11.4 only.
 */
export function relaxedSimdFlag(v8 = process.versions.v8): string[] {
  const [major, minor] = v8.split('.').map(Number) as [number, number];
  return major === 11 && minor < 4 ? ['--experimental-wasm-relaxed-simd'] : [];
}

/** Node execArgv for a worker: the V8 flags, and tsx for a child running the TypeScript sources. */
export function workerExecArgv(): string[] {
  return [...relaxedSimdFlag(), ...(fromSource ? ['--import', 'tsx'] : [])];
}

/** A forked worker process waiting for its job (`env`: extra variables, e.g. the warm trainer's). */
export function forkWorker(env?: Record<string, string>): ChildProcess {
  return fork(workerEntry(), [], {
    execArgv: workerExecArgv(),
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    ...(env ? { env: { ...process.env, ...env } } : {}),
  });
}

/** The host's handle on a forked worker, its job sent. */
export function forkHandle(child: ChildProcess, job: Job): JobHandle {
  const handle: JobHandle = {
    // A worker that has just exited can still look connected; the write then fails with EPIPE
    // (seen when a stop raced an import's exit). Its exit reaches onExit, so the error is dropped.
    send: (msg) => {
      if (child.connected) child.send(msg, (err) => void err);
    },
    kill: () => {
      child.kill('SIGKILL');
    },
    onMessage: (l) => child.on('message', (m) => l(m as WorkerToHost)),
    // 'close', not 'exit': it comes after the IPC channel is drained, so every message the
    // worker wrote (a large result included) is delivered before the host sees the exit.
    onExit: (l) => child.on('close', (code, signal) => l(code, signal)),
  };
  handle.send({ type: 'start', job });
  return handle;
}

export const forkLauncher: JobLauncher = {
  start: (job) => forkHandle(forkWorker(), job),
};
