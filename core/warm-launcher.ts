// A launcher that keeps one trainer process warm (issue 15 item 4): forked ahead of time, it has
// already started Node and imported the trainer with TF.js (worker/main.ts, RNN_WORKBENCH_WARM), so
// a Train from the UI skips the 1–4 s those take. Used by the long-lived hosts (`serve`, where a
// user trains again and again); the CLI's one-off `train` forks as before. One spare at most; it is
// made a few seconds after the host starts and after each trainer it hands out (never in the
// way of a starting run on a small machine), and is replaced when the environment the trainers
// read (RNN_WORKBENCH_*) changed since it was forked.
import type { ChildProcess } from 'node:child_process';
import { forkHandle, forkWorker, type Job, type JobHandle, type JobLauncher } from './jobs.js';

/** Seconds after the host starts, and after a spare is used, before the next spare is forked. */
const SPARE_DELAY_MS = 3000;

const trainerEnv = (): string =>
  JSON.stringify(
    Object.entries(process.env)
      .filter(([k]) => k.startsWith('RNN_WORKBENCH_'))
      .sort(),
  );

export function warmLauncher(delayMs = SPARE_DELAY_MS): JobLauncher {
  let spare: { child: ChildProcess; env: string } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;

  function makeSpare(): void {
    timer = null;
    if (closed || spare) return;
    const child = forkWorker({ RNN_WORKBENCH_WARM: 'train' });
    const mine = { child, env: trainerEnv() };
    spare = mine;
    // Idle, it must not keep the host alive; it is ref'd again when it gets a run.
    child.unref();
    child.channel?.unref();
    child.on('exit', () => {
      if (spare === mine) spare = null;
    });
  }

  function later(): void {
    if (closed || spare || timer) return;
    timer = setTimeout(makeSpare, delayMs);
    // A waiting spare must never keep a host (or a test) alive.
    timer.unref();
  }

  /** The warm trainer when it is alive and forked under the same environment; null otherwise. */
  function takeSpare(): ChildProcess | null {
    const s = spare;
    spare = null;
    if (!s) return null;
    if (s.child.connected && s.child.exitCode === null && s.env === trainerEnv()) {
      s.child.ref();
      s.child.channel?.ref();
      return s.child;
    }
    s.child.kill('SIGKILL');
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
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      spare?.child.kill('SIGKILL');
      spare = null;
    },
  };
}
