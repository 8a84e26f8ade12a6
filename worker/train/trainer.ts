// The training loop of one run, inside its own worker process. It writes its own results to
// SQLite as they happen (per-epoch metrics with the summary, best and last checkpoints in one
// transaction per epoch), so a kill at any moment loses nothing already committed. A stop request
// finishes the current batch, discards the epoch if it was partial (so the run holds whole epochs
// only, and resume retrains that epoch exactly as an uninterrupted run would), evaluates the best
// checkpoint and exits. A lost host (its channel closed) ends the same way, but the run is left
// `interrupted` for resume, without the test evaluation.
//
// The parts: setup.ts (everything before the first epoch), an EpochRunner (epoch-runner.ts; CPU in
// cpu-epochs.ts, GPU in gpu-epochs.ts), commit.ts (validate and commit an epoch), and finish()
// below (test evaluation of the best checkpoint, final status).
import { ServiceError } from '../../core/contract.js';
import { FORECASTERS, testKey, type TestMetrics } from '../../core/metric-keys.js';
import { openDb, type DB } from '../../db/open.js';
import * as runsDb from '../../db/runs.js';
import { loadCheckpoint } from '../../db/checkpoints.js';
import { windowCount } from '../data/batches.js';
import { setModelWeights, type WeightSpec } from './checkpoint.js';
import { commitEpoch } from './commit.js';
import type { EpochHooks, EpochResult, StopReason } from './epoch-runner.js';
import { memberNetworks } from './ensemble.js';
import { evaluateTest } from './evaluate.js';
import { startHeartbeat } from './heartbeat.js';
import type { Preprocessing } from './preprocessing.js';
import { setupRun, type Log, type RunSetup, type TrainOptions } from './setup.js';
import { StartupClock } from './startup-clock.js';
import { appendLog } from '../../db/run-log.js';
import { pruneRequested } from '../../db/studies.js';
import { foldBaselines } from '../../db/backtests.js';
import { setMemberWeights } from '../../db/members.js';
import { borrowShrink } from './shrink-from.js';

export { preprocessingOf, type Preprocessing } from './preprocessing.js';
export type { TrainOptions } from './setup.js';

export async function train(opts: TrainOptions): Promise<void> {
  const { runId, send } = opts;
  const db = openDb(opts.dbPath);
  const log = persistentLog(db, opts);
  try {
    await trainWithDb(db, opts, log);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (runsDb.finishRun(db, runId, 'failed', msg)) {
      log(msg, 'error');
      send({ type: 'status', runId, status: 'failed', error: msg });
    }
    if (!(e instanceof ServiceError)) throw e;
  } finally {
    db.close();
  }
}

/**
 * The run log: each line is written to run_log (its own transaction, so a reload or another
 * process shows the whole log) and sent to the host with its seq, which the UI merges on.
 */
function persistentLog(db: DB, { runId, send }: TrainOptions): Log {
  return (message, level = 'info') => {
    const time = Date.now();
    let seq: number | undefined;
    try {
      seq = appendLog(db, runId, level, message, time);
    } catch {
      // A busy or full database: the line still reaches the live view; training goes on.
    }
    send({ type: 'log', log: { runId, level, message, time, ...(seq !== undefined ? { seq } : {}) } });
  };
}

async function trainWithDb(db: DB, opts: TrainOptions, log: Log): Promise<void> {
  const clock = new StartupClock(log, opts.startup);
  const s = await setupRun(db, opts, log, clock);
  if (!s) return;
  // Beats until the final status is written: the test evaluation in finish() can take a while too.
  const stopBeating = startHeartbeat(db, opts.runId);
  try {
    // The runner lives through the test evaluation: the GPU runner predicts the test windows there.
    try {
      const stopped = await epochs(db, s, opts, log, () => {
        clock.step('first batch');
        log(clock.summary());
      });
      await finish(db, s, stopped, opts, log);
    } finally {
      s.runner.dispose();
    }
  } finally {
    stopBeating();
  }
}

/** Runs epochs until the last, early stopping or an interruption; returns the interruption, if any. */
async function epochs(
  db: DB,
  s: RunSetup,
  opts: TrainOptions,
  log: Log,
  firstBatch: () => void,
): Promise<StopReason | null> {
  const { spec, state } = s;
  const nTrain = windowCount(s.p.windows.train);
  const batchSize = spec.train.batchSize;
  const maxBatches = spec.train.maxBatchesPerEpoch > 0 ? spec.train.maxBatchesPerEpoch : Infinity;
  const batches = Math.min(Math.ceil(nTrain / batchSize), maxBatches);
  const t0 = Date.now() - state.wallOffset;
  const hooks = new LoopHooks(opts, { epochs: spec.train.epochs, batches, batchSize }, firstBatch);
  for (let epoch = state.epoch + 1; epoch <= spec.train.epochs; epoch++) {
    const order = s.rng.shuffle(Int32Array.from({ length: nTrain }, (_, i) => i));
    const started = Date.now();
    const r: EpochResult = await s.runner.run({ epoch, order, batches, batchSize }, hooks.forEpoch(epoch, started));
    // A partial epoch is dropped, never recorded as an epoch: the last committed epoch stays last
    // (and best), and a resume retrains this epoch from its start with the same shuffle.
    if (r.interrupted && r.steps < batches) {
      log(
        `${r.interrupted === 'host-lost' ? 'host gone' : 'stopped'} after ${r.steps} of ${batches} batches of epoch ${epoch}: that partial epoch is discarded; the run continues from epoch ${state.epoch} on resume`,
      );
      return r.interrupted;
    }
    state.step += r.steps;
    await commitEpoch(db, s, epoch, r, { started, t0 }, opts.send);
    if (spec.train.patience > 0 && state.badEpochs >= spec.train.patience) {
      log(
        `early stop at epoch ${epoch}: val_loss has not improved for ${state.badEpochs} epochs (best ${state.bestValLoss.toPrecision(4)} at epoch ${state.bestEpoch})`,
      );
      return r.interrupted;
    }
    if (r.interrupted) return r.interrupted;
  }
  return null;
}

/**
 * The loop's side of EpochHooks: throttled progress events (5 a second), a turn of the event loop
 * every 50 ms (trainOnBatch can complete without one; the stop message, the host's disconnect and
 * the heartbeat timer must get in), and the interruption check.
 *
 * Test hook for the fault suite: RNN_WORKBENCH_TEST_BATCH_DELAY_MS waits that long after every
 * batch, so that an epoch lasts long enough for a stop sent at the previous epoch's event to land
 * inside it on any machine (test/faults/stop-mid-epoch.test.ts: a faster kernel finished the
 * epoch before the stop arrived). It changes when batches run, not what they compute.
 */
class LoopHooks {
  private lastProgress = 0;
  private lastYield = Date.now();
  private readonly testDelayMs = Math.max(0, Number(process.env.RNN_WORKBENCH_TEST_BATCH_DELAY_MS) || 0);

  constructor(
    private readonly opts: TrainOptions,
    private readonly plan: { epochs: number; batches: number; batchSize: number },
    private firstBatch: (() => void) | null,
  ) {}

  forEpoch(epoch: number, started: number): EpochHooks {
    return {
      progress: (p, final) => this.progress(epoch, started, p, final),
      yieldPoint: async () => {
        if (this.testDelayMs > 0) {
          await new Promise((r) => setTimeout(r, this.testDelayMs));
          this.lastYield = Date.now();
        } else if (Date.now() - this.lastYield > 50) {
          await new Promise((r) => setImmediate(r));
          this.lastYield = Date.now();
        }
        if (this.opts.hostLost?.()) return 'host-lost';
        return this.opts.stopRequested() ? 'stop-requested' : null;
      },
    };
  }

  private progress(
    epoch: number,
    started: number,
    p: { batch: number; loss: number; seen: number },
    final: boolean,
  ): void {
    if (this.firstBatch) {
      this.firstBatch();
      this.firstBatch = null;
    }
    const now = Date.now();
    if (!final && now - this.lastProgress <= 200) return;
    this.lastProgress = now;
    const { epochs, batches, batchSize } = this.plan;
    const sps = p.seen / Math.max((now - started) / 1000, 1e-3);
    const remaining = (epochs - epoch) * batches * batchSize + (batches - p.batch) * batchSize;
    const progress = {
      runId: this.opts.runId,
      epoch,
      epochs,
      batch: p.batch,
      batches,
      loss: p.loss,
      samplesPerSec: sps,
      etaSeconds: remaining / Math.max(sps, 1e-3),
    };
    this.opts.send({ type: 'run-progress', progress });
  }
}

/** The scores the run log shows: RMSE and MASE of the model and the baselines, or accuracies. */
function headline(t: TestMetrics): string {
  const shown: [string, number | undefined][] =
    t.task === 'forecast'
      ? FORECASTERS.flatMap((who) =>
          (['rmse', 'mase'] as const).map((m): [string, number | undefined] => [testKey(who, m), t.scores[who][m]]),
        )
      : [
          [testKey('test', 'accuracy'), t.accuracy.test],
          [testKey('naive', 'accuracy'), t.accuracy.naive],
        ];
  return shown
    .filter((e): e is [string, number] => e[1] !== undefined)
    .map(([k, v]) => `${k} ${v.toPrecision(4)}`)
    .join(', ');
}

/**
 * Evaluates the best checkpoint on the test split and records the final status. With the host gone
 * the run is only interrupted: it is left for resume, and nobody is there to hear a status.
 */
async function finish(db: DB, s: RunSetup, stopped: StopReason | null, opts: TrainOptions, log: Log): Promise<void> {
  const { runId } = s;
  if (stopped === 'host-lost') {
    runsDb.finishRun(
      db,
      runId,
      'interrupted',
      `the host process went away during training; resume the run to continue from epoch ${s.state.epoch}`,
    );
    return;
  }
  const status = stopped ? 'stopped' : 'completed';
  const best = loadCheckpoint(db, runId, 'best');
  if (best) {
    setModelWeights(s.model, JSON.parse(best.weight_specs) as WeightSpec[], best.weights);
    let shrink = (JSON.parse(best.preprocessing) as Preprocessing).shrink ?? null;
    if (shrink) log(shrink.reason);
    // A study trial stopped by the pruner, and a fold of tune's re-ranking (which reads only the
    // model's MAE), are never compared with the ETS baseline: no ETS fit for them.
    // A run that forecasts with ETS (spec combine: ets) always fits it.
    const skipEts =
      s.spec.combine === 'ets'
        ? null
        : stopped === 'stop-requested' && pruneRequested(db, runId)
          ? 'the trial was pruned'
          : foldBaselines(db, runId) === 'naive'
            ? "the backtest keeps only the naive baselines (tune's re-ranking)"
            : null;
    const members = memberNetworks(db, runId, s.spec, s.members, s.factory);
    if (s.spec.shrinkFrom !== undefined) {
      const borrowed = borrowShrink(
        db,
        s.spec.shrinkFrom,
        shrink,
        members.map((m) => m.shrink),
      );
      shrink = borrowed.own;
      members.forEach((m, i) => (m.shrink = borrowed.members[i]!));
      log(borrowed.note);
    }
    // The best weights' test outputs on the runner's device (the GPU), else from the model.
    const given = await s.runner.predict?.(
      s.p.windows.test,
      s.model.getWeights().map((w) => w.dataSync() as Float32Array),
    );
    let result;
    try {
      result = evaluateTest(s.model, s.p, runId, shrink?.alpha ?? null, {
        given,
        skipEts,
        members: members.map((m) => ({ ...m, alpha: m.shrink?.alpha ?? null })),
        combine: s.spec.combine === 'ets',
      });
    } finally {
      for (const m of members) m.model.dispose();
    }
    for (const note of result.notes) log(note);
    log(`test (best checkpoint, epoch ${best.epoch}): ${headline(result.test)}`);
    // The test metrics, predictions and the final status in ONE transaction: nobody ever sees a
    // run "completed" without its test table (issue 14 bug 7).
    db.transaction(() => {
      runsDb.setTestMetrics(db, runId, result.metrics, {
        seasonHow: s.p.task === 'forecast' ? s.p.seasonHow : null,
        notes: result.notes,
      });
      result.save(db);
      if (result.weights) setMemberWeights(db, runId, new Map(result.weights.slice(1).map((w, i) => [i + 1, w])));
      runsDb.finishRun(db, runId, status);
    })();
  } else runsDb.finishRun(db, runId, status);
  opts.send({ type: 'status', runId, status });
}
