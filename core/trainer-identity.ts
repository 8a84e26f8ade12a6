// Is the trainer a run row names still alive? A pid alone cannot say: once the trainer dies the
// kernel may give its pid to any process (a `sleep` that got it was killed by `stop`). On Linux the
// pid and the process start time (field 22 of /proc/<pid>/stat, clock ticks since boot) together
// name one process for the life of the machine; the trainer records both when it takes its run.
// Where there is no /proc, or a row from before the start time was recorded, the heartbeat decides.
import { readFileSync } from 'node:fs';
import { STALE_HEARTBEAT_MS, type RunRecord } from '../db/runs.js';

/** The start time of process `pid` (clock ticks since boot), or null when it cannot be read. */
export function processStartTime(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Field 2 (comm) is in parentheses and may itself hold spaces and ')': fields 3.. follow the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(rest[22 - 3]);
  return Number.isFinite(ticks) ? ticks : null;
}

/** True when this system reports process start times (Linux /proc). */
export const hasProcStartTimes = (): boolean => processStartTime(process.pid) !== null;

/** False only when no process has this pid (EPERM means one exists that we may not signal). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export type TrainerLiveness =
  /** The recorded process is the trainer and it is running: it may be signalled. */
  | 'alive'
  /** The trainer is gone: no such pid, the pid belongs to another process, or its heartbeat is stale. */
  | 'gone';

/**
 * The state of a running run's trainer process as the database records it. `alive` only when the
 * pid exists and is that same process: its start time matches, or (no start time to compare) its
 * heartbeat is fresh.
 */
export function trainerLiveness(
  run: Pick<RunRecord, 'worker_pid' | 'worker_started' | 'heartbeat'>,
  now = Date.now(),
): TrainerLiveness {
  const pid = run.worker_pid;
  if (!pid || !pidExists(pid)) return 'gone';
  const started = processStartTime(pid);
  if (run.worker_started !== null && started !== null) return started === run.worker_started ? 'alive' : 'gone';
  return run.heartbeat !== null && now - run.heartbeat <= STALE_HEARTBEAT_MS ? 'alive' : 'gone';
}

/** The error recorded on a run whose trainer vanished. */
export const vanishedMessage = (pid: number | null): string =>
  `the trainer process${pid ? ` (pid ${pid})` : ''} ended without finishing the run; resume it to continue from its last checkpoint`;
