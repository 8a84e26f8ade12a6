// The run's heartbeat in the runs table: a timer, not a per-batch write, so it keeps beating
// through anything long that lets the event loop turn (an epoch on the GPU is one submit; a CPU
// epoch yields every 50 ms). A host treats a run whose heartbeat is stale as abandoned.
import type { DB } from '../../db/open.js';
import * as runsDb from '../../db/runs.js';

export const HEARTBEAT_MS = 2000;

/** The interval: RNN_WORKBENCH_HEARTBEAT_MS (tests shorten it; at least 50 ms), else HEARTBEAT_MS. */
function intervalMs(): number {
  const env = Number(process.env.RNN_WORKBENCH_HEARTBEAT_MS);
  return Number.isFinite(env) && env > 0 ? Math.max(50, env) : HEARTBEAT_MS;
}

/** Beats every `ms` until the returned function is called. */
export function startHeartbeat(db: DB, runId: number, ms = intervalMs()): () => void {
  const beat = () => {
    try {
      runsDb.heartbeat(db, runId);
    } catch {
      // A busy or full database: the next beat tries again; a missed beat must not end the run.
    }
  };
  beat();
  const timer = setInterval(beat, ms);
  // The timer alone must never keep a finished trainer alive.
  timer.unref();
  return () => clearInterval(timer);
}
