// The run's heartbeat in the runs table: a timer, not a per-batch write, so it keeps beating
// through anything long that lets the event loop turn (an epoch on the GPU is one submit; a CPU
// epoch yields every 50 ms). A host treats a run whose heartbeat is stale as abandoned.
import type { DB } from '../../db/open.js';
import * as runsDb from '../../db/runs.js';

export const HEARTBEAT_MS = 2000;

/** Beats every `ms` until the returned function is called. */
export function startHeartbeat(db: DB, runId: number, ms = HEARTBEAT_MS): () => void {
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
