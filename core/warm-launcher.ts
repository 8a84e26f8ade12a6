// A launcher that keeps trainer processes warm (issue 15 item 4, issue 12): forked ahead of time,
// each has already started Node and imported the trainer with TF.js (worker/main.ts,
// RNN_WORKBENCH_WARM), so a run skips the 1–4 s those take. The long-lived host (`serve`) keeps
// one spare for the user's next Train; a host driving a study asks for a pool as large as the
// study's concurrency (`warm(n)`), so each trial after the first finds a warm process; the CLI
// keeps none of its own (a one-off `train` forks as before) but warms a pool for `tune` and
// `study`. A warm trainer whose run ended normally reports `ready` instead of exiting and goes
// back to the pool (at most WARM_TRAINER_RUNS, core/jobs.ts): on a busy machine forking and importing
// again costs CPU the trials need, so a study's trials mostly reuse the same few processes.
// Spares are made one at a time, a moment after the host starts and after each one is handed out
// (never in the way of a starting run on a small machine), and are replaced when the environment
// the trainers read (RNN_WORKBENCH_*) changed since they were forked.
import type { ChildProcess } from 'node:child_process';
import {
  WARM_TRAINER_RUNS,
  forkHandle,
  forkWorker,
  type Job,
  type JobHandle,
  type JobLauncher,
  type WorkerToHost,
} from './jobs.js';

export interface WarmOptions {
  /** ms after the host starts, and after a spare is used, before the host's own spare is forked. */
  delayMs?: number;
  /** Spares the launcher keeps of its own (1 for `serve`, 0 for the CLI). */
  spares?: number;
  /**
   * ms between the spares a study asked for: shorter, since a pruned trial can end within seconds
   * of its start and the next one should find a warm process.
   */
  poolDelayMs?: number;
  /**
   * Trainers forked before the launcher existed, loading already (the CLI's `train` forks one as
   * the command starts: core/cli/early-trainer.ts), with the trainerEnv() they were forked under.
   * They are spares like the launcher's own, taken first; they leave after their run.
   */
  adopt?: { child: ChildProcess; env: string }[];
}

interface Spare {
  child: ChildProcess;
  env: string;
  /** Runs handed to it so far: after WARM_TRAINER_RUNS it exits instead of coming back. */
  runs: number;
}

/** The environment a trainer reads (RNN_WORKBENCH_*), as one string to compare. */
export const trainerEnv = (): string =>
  JSON.stringify(
    Object.entries(process.env)
      .filter(([k]) => k.startsWith('RNN_WORKBENCH_'))
      .sort(),
  );

const usable = (s: Spare): boolean => s.child.connected && s.child.exitCode === null && s.env === trainerEnv();

/** `opts` as a number: the delay (older callers and tests). */
export function warmLauncher(opts: number | WarmOptions = {}): JobLauncher {
  const pool = new WarmPool(typeof opts === 'number' ? { delayMs: opts } : opts);
  return {
    start: (job) => pool.start(job),
    warm: (n) => pool.warm(n),
    close: () => pool.close(),
  };
}

class WarmPool {
  private readonly delayMs: number;
  private readonly poolDelayMs: number;
  /** Spares of the launcher's own. */
  private readonly own: number;
  private readonly spares: Spare[] = [];
  /** Warm trainers training a run now: they come back to the pool when it ends (worker/main.ts). */
  private lent = 0;
  /** The pool a study asked for (warm(n)). */
  private asked = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(o: WarmOptions) {
    this.delayMs = o.delayMs ?? 3000;
    this.own = o.spares ?? 1;
    this.poolDelayMs = Math.min(this.delayMs, o.poolDelayMs ?? 1000);
    for (const a of o.adopt ?? []) this.watch({ ...a, runs: WARM_TRAINER_RUNS - 1 });
    this.later();
  }

  start(job: Job): JobHandle {
    if (job.kind !== 'train') return forkHandle(forkWorker(), job);
    const spare = this.take();
    if (!spare) {
      this.later();
      return forkHandle(forkWorker(), job);
    }
    // On its last run it will not come back: not counted, so its replacement is forked now.
    const returns = ++spare.runs < WARM_TRAINER_RUNS;
    if (returns) this.lent++;
    this.later();
    const gone = () => {
      if (returns) this.lent--;
      this.later();
    };
    return lentHandle(spare, job, () => this.giveBack(spare), gone);
  }

  warm(n: number): void {
    this.asked = Math.max(0, Math.floor(n));
    // Spares beyond what is wanted now (a study ended) hold memory for nothing.
    while (this.spares.length > this.target()) this.spares.pop()!.child.kill('SIGKILL');
    this.later();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.spares.splice(0)) s.child.kill('SIGKILL');
  }

  private target(): number {
    return Math.max(this.own, this.asked);
  }

  /**
   * Trainers a study borrowed come back when their trial ends: they count toward its pool. The
   * host's own spare is replaced while its trainer trains (a second Train finds one too).
   */
  private enough(): boolean {
    return this.spares.length + Math.min(this.lent, this.asked) >= this.target();
  }

  /** Puts a warm trainer in the pool, idle: it must not keep the host alive (ref'd again when it gets a run). */
  private keep(spare: Spare): void {
    this.spares.push(spare);
    spare.child.unref();
    spare.child.channel?.unref();
  }

  private makeSpare(): void {
    this.timer = null;
    if (this.closed || this.enough()) return;
    // `reuse`: this pool takes the trainer back when it reports `ready` (Electron's single spare does not).
    this.watch({ child: forkWorker({ RNN_WORKBENCH_WARM: 'train-reuse' }), env: trainerEnv(), runs: 0 });
    this.later();
  }

  /** A new spare in the pool, removed from it when its process exits. */
  private watch(spare: Spare): void {
    this.keep(spare);
    spare.child.on('exit', () => {
      const i = this.spares.indexOf(spare);
      if (i >= 0) this.spares.splice(i, 1);
    });
  }

  /** A lent trainer's run ended and it waits for another: back to the pool, unless the pool is full or closed. */
  private giveBack(spare: Spare): void {
    this.lent--;
    if (!this.closed && this.spares.length < this.target() && usable(spare)) this.keep(spare);
    else spare.child.kill('SIGKILL');
  }

  private later(): void {
    if (this.closed || this.timer || this.enough()) return;
    this.timer = setTimeout(() => this.makeSpare(), this.asked > this.own ? this.poolDelayMs : this.delayMs);
    // A waiting spare must never keep a host (or a test) alive.
    this.timer.unref();
  }

  /** A warm trainer alive and forked under the same environment; null when there is none. */
  private take(): Spare | null {
    while (this.spares.length > 0) {
      const s = this.spares.shift()!;
      if (usable(s)) {
        s.child.ref();
        s.child.channel?.ref();
        return s;
      }
      s.child.kill('SIGKILL');
    }
    return null;
  }
}

/**
 * The host's handle on a warm trainer for one job. The job ends when the process exits, or when
 * it reports `ready` (its run ended and it waits for another): then `back` puts it in the pool
 * BEFORE the job's exit listeners run, so the next trial they start takes this same process.
 * Once the job has ended, nothing of the next job reaches this handle and its kill is a no-op.
 */
function lentHandle(spare: Spare, job: Job, back: () => void, gone: () => void): JobHandle {
  const { child } = spare;
  let current = true;
  const messageListeners: ((m: WorkerToHost) => void)[] = [];
  const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
  const end = (code: number | null, signal: string | null, after: () => void) => {
    current = false;
    child.off('message', onMessage);
    child.off('close', onClose);
    after();
    for (const l of exitListeners) l(code, signal);
  };
  const onMessage = (m: unknown) => {
    if (!current) return;
    if ((m as WorkerToHost).type === 'ready') end(0, null, back);
    else for (const l of messageListeners) l(m as WorkerToHost);
  };
  const onClose = (code: number | null, signal: string | null) => {
    if (current) end(code, signal, gone);
  };
  child.on('message', onMessage);
  child.on('close', onClose);
  const handle: JobHandle = {
    send: (msg) => {
      if (current && child.connected) child.send(msg, (err) => void err);
    },
    kill: () => {
      if (current) child.kill('SIGKILL');
    },
    onMessage: (l) => void messageListeners.push(l),
    onExit: (l) => void exitListeners.push(l),
  };
  handle.send({ type: 'start', job });
  return handle;
}
