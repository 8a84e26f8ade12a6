// The end of an epoch: validation metrics, the best-so-far bookkeeping, and one transaction that
// writes the epoch's metrics, the summary and the last (and, when improved, best) checkpoint
// together, so a kill at any moment leaves a consistent run behind.
import type { DB } from '../../db/open.js';
import * as runsDb from '../../db/runs.js';
import * as metricsDb from '../../db/metrics.js';
import { saveCheckpoint } from '../../db/checkpoints.js';
import type { WorkerToHost } from '../../core/jobs.js';
import type { EpochMetrics } from '../../core/metric-keys.js';
import type { ShrinkRecord } from '../data/shrink.js';
import { modelWeights } from './checkpoint.js';
import type { EpochResult } from './epoch-runner.js';
import { valMetrics } from './evaluate.js';
import type { RunSetup } from './setup.js';

export interface EpochClock {
  /** when this epoch started (ms) */
  started: number;
  /** when the run's training time started (ms), resumes included */
  t0: number;
}

/** Records the finished (or partial) epoch's outcome in the trainer state; true when val_loss improved. */
function updateState(s: RunSetup, epoch: number, valLoss: number): boolean {
  const { state } = s;
  const improved = valLoss < state.bestValLoss - 1e-12;
  state.epoch = epoch;
  if (improved) {
    state.bestValLoss = valLoss;
    state.bestEpoch = epoch;
    state.badEpochs = 0;
  } else state.badEpochs++;
  state.rng = s.rng.state;
  return improved;
}

/** A checkpoint's row; its preprocessing carries the shrinkage fitted for these weights. */
async function checkpointRecord(s: RunSetup, epoch: number, valLoss: number, shrink: ShrinkRecord | null) {
  const weights = modelWeights(s.model);
  const opt = await s.runner.optimizerState();
  return {
    run_id: s.runId,
    epoch,
    val_loss: valLoss,
    topology: JSON.stringify(s.model.toJSON(null, false)),
    weight_specs: JSON.stringify(weights.specs),
    weights: weights.data,
    optimizer: opt ? opt.data : null,
    optimizer_meta: opt ? JSON.stringify(opt.specs) : null,
    preprocessing: JSON.stringify(shrink ? { ...s.prep, shrink } : s.prep),
    trainer_state: JSON.stringify(s.state),
  };
}

/** Validates, commits and announces one epoch. */
export async function commitEpoch(
  db: DB,
  s: RunSetup,
  epoch: number,
  r: EpochResult,
  clock: EpochClock,
  send: (msg: WorkerToHost) => void,
): Promise<void> {
  await s.runner.syncModel();
  const epochSeconds = (Date.now() - clock.started) / 1000;
  const { metrics: val, shrink } = valMetrics(s.model, s.p, s.spec, await s.runner.predict?.(s.p.windows.val));
  const metrics: EpochMetrics = {
    loss: r.loss,
    ...val,
    samples_per_sec: r.seen / Math.max(epochSeconds, 1e-3),
    epoch_seconds: epochSeconds,
  };
  const improved = updateState(s, epoch, val.val_loss);
  const wallTime = (Date.now() - clock.t0) / 1000;
  s.state.wallOffset = Date.now() - clock.t0;
  const cp = await checkpointRecord(s, epoch, val.val_loss, shrink);
  db.transaction(() => {
    metricsDb.logEpoch(db, s.runId, epoch, s.state.step, metrics, wallTime);
    saveCheckpoint(db, { ...cp, kind: 'last' });
    if (improved) saveCheckpoint(db, { ...cp, kind: 'best' });
    runsDb.heartbeat(db, s.runId);
  })();
  send({ type: 'run-epoch', epoch: { runId: s.runId, epoch, metrics, wallTime } });
}
