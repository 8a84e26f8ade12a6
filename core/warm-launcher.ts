// A launcher that keeps trainer processes warm (issue 15 item 4, issue 12): forked ahead of time,
// each has already started Node and imported the trainer with TF.js (worker/main.ts,
// RNN_WORKBENCH_WARM), so a run skips the 1–4 s those take. The long-lived host (`serve`) keeps
// one spare for the user's next Train; a host driving a study asks for a pool as large as the
// study's concurrency (`warm(n)`), so each trial after the first finds a warm process; the CLI
// keeps none of its own (a one-off `train` forks as before) but warms a pool for `tune` and
// `study`. Spares are made one at a time, a moment after the host starts and after each one is
// handed out (never in the way of a starting run on a small machine), and are replaced when the
// environment the trainers read (RNN_WORKBENCH_*) changed since they were forked.
import type { ChildProcess } from 'node:child_process';
import { forkHandle, forkWorker, type Job, type JobHandle, type JobLauncher } from './jobs.js';

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
}

interface Spare {
  child: ChildProcess;
  env: string;
}

const trainerEnv = (): string =>
  JSON.stringify(
    Object.entries(process.env)
      .filter(([k]) => k.startsWith('RNN_WORKBENCH_'))
      .sort(),
  );

const usable = (s: Spare): boolean => s.child.connected && s.child.exitCode === null && s.env === trainerEnv();

/** `opts` as a number: the delay (older callers and tests). */
export function warmLauncher(opts: number | WarmOptions = {}): JobLauncher {
  const o: WarmOptions = typeof opts === 'number' ? { delayMs: opts } : opts;
  const delayMs = o.delayMs ?? 3000;
  const own = o.spares ?? 1;
  const poolDelayMs = Math.min(delayMs, o.poolDelayMs ?? 1000);
  const spares: Spare[] = [];
  let asked = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  const target = () => Math.max(own, asked);

  function makeSpare(): void {
    timer = null;
    if (closed || spares.length >= target()) return;
    const child = forkWorker({ RNN_WORKBENCH_WARM: 'train' });
    const mine: Spare = { child, env: trainerEnv() };
    spares.push(mine);
    // Idle, it must not keep the host alive; it is ref'd again when it gets a run.
    child.unref();
    child.channel?.unref();
    child.on('exit', () => {
      const i = spares.indexOf(mine);
      if (i >= 0) spares.splice(i, 1);
    });
    later();
  }

  function later(): void {
    if (closed || timer || spares.length >= target()) return;
    timer = setTimeout(makeSpare, asked > own ? poolDelayMs : delayMs);
    // A waiting spare must never keep a host (or a test) alive.
    timer.unref();
  }

  /** A warm trainer alive and forked under the same environment; null when there is none. */
  function takeSpare(): ChildProcess | null {
    while (spares.length > 0) {
      const s = spares.shift()!;
      if (usable(s)) {
        s.child.ref();
        s.child.channel?.ref();
        return s.child;
      }
      s.child.kill('SIGKILL');
    }
    return null;
  }

  later();
  return {
    start(job: Job): JobHandle {
      if (job.kind !== 'train') return forkHandle(forkWorker(), job);
      const child = takeSpare() ?? forkWorker();
      later();
      return forkHandle(child, job);
    },
    warm(n: number) {
      asked = Math.max(0, Math.floor(n));
      // Spares beyond what is wanted now (a study ended) hold memory for nothing.
      while (spares.length > target()) spares.pop()!.child.kill('SIGKILL');
      later();
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const s of spares.splice(0)) s.child.kill('SIGKILL');
    },
  };
}
