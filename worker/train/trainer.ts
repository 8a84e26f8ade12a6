// The training loop of one run, inside its own worker process. It writes its own results to
// SQLite as they happen (per-epoch metrics with the summary, best and last checkpoints in one
// transaction per epoch), so a kill at any moment loses nothing already committed. A stop request
// finishes the current batch, saves, evaluates the best checkpoint and exits.
import * as tf from '@tensorflow/tfjs';
import { ServiceError, parseSpec, type RunSpec } from '../../core/contract.js';
import type { WorkerToHost } from '../../core/jobs.js';
import { openDb, type DB } from '../../db/open.js';
import * as runsDb from '../../db/runs.js';
import * as metricsDb from '../../db/metrics.js';
import { loadCheckpoint, saveCheckpoint } from '../../db/checkpoints.js';
import { chooseBackend } from '../backend.js';
import { cutBatch, windowCount } from '../data/batches.js';
import { prepare, type Prepared } from '../data/prepare.js';
import { datasetInfo, columnLoader } from '../../core/datasets.js';
import { buildModel, countParams, lossFor, optimizerFor } from '../model/build.js';
import { chooseGpu, startGpuEpochs } from './gpu-epochs.js';
import { chooseImpl } from '../model/impl.js';
import { Rng } from '../util/random.js';
import { modelWeights, optimizerState, restoreOptimizer, setModelWeights, type WeightSpec } from './checkpoint.js';
import { evaluateTest, valMetrics } from './evaluate.js';

export interface TrainOptions {
  dbPath: string;
  runId: number;
  resume: boolean;
  send: (msg: WorkerToHost) => void;
  stopRequested: () => boolean;
}

interface TrainerState {
  epoch: number;
  bestValLoss: number;
  bestEpoch: number;
  badEpochs: number;
  rng: number;
  step: number;
  wallOffset: number;
}

export interface Preprocessing {
  version: 1;
  task: RunSpec['task'];
  features: string[];
  targets: string[];
  outputs: string[];
  classes: string[] | null;
  lookback: number;
  horizon: number;
  scalers: Prepared['scalers'];
  seasonLength: number;
  timeColumn: string | null;
  seriesColumn: string | null;
}

export function preprocessingOf(p: Prepared, ds: { timeColumn: string | null; seriesColumn: string | null }): Preprocessing {
  return {
    version: 1,
    task: p.task,
    features: p.features,
    targets: p.targets,
    outputs: p.outputs,
    classes: p.classes,
    lookback: p.lookback,
    horizon: p.horizon,
    scalers: p.scalers,
    seasonLength: p.seasonLength,
    timeColumn: ds.timeColumn,
    seriesColumn: ds.seriesColumn,
  };
}

export async function train(opts: TrainOptions): Promise<void> {
  const { runId, send } = opts;
  const log = (message: string, level: 'info' | 'warn' | 'error' = 'info') => send({ type: 'log', log: { runId, level, message, time: Date.now() } });
  const db = openDb(opts.dbPath);
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

async function trainWithDb(db: DB, opts: TrainOptions, log: (m: string, l?: 'info' | 'warn' | 'error') => void): Promise<void> {
  const { runId, send } = opts;
  const run = runsDb.getRun(db, runId);
  if (!run) throw new ServiceError('not_found', `run ${runId} does not exist`);
  if (run.dataset_id === null) throw new ServiceError('bad_input', `run ${runId}: its dataset was deleted before the run could train`, 'datasetId');
  const spec = parseSpec(JSON.parse(run.spec));
  const ds = datasetInfo(db, run.dataset_id);
  if (!ds) throw new ServiceError('bad_input', `run ${runId}: dataset ${run.dataset_id} was deleted before the run could train`, 'datasetId');

  // Everything random in this process (shuffles, dropout masks, initialisers) follows the seed.
  const rng = new Rng(spec.train.seed);
  const mathRng = new Rng(spec.train.seed ^ 0x9e3779b9);
  Math.random = () => mathRng.next();

  const p = prepare(spec, ds, columnLoader(db, run.dataset_id));
  for (const w of p.warnings) log(w, 'warn');
  const shape = { lookback: p.lookback, features: p.features.length, outputs: p.outputs.length };
  // GPU-fused when a real adapter exists and the spec fits it, else CPU-fused, else tf.layers.
  const gpuPick = await chooseGpu(spec, p.features.length);
  if (gpuPick.note) log(gpuPick.note);
  const cpuImpl = await chooseImpl(spec);
  // On the GPU path the TF.js model only evaluates and checkpoints: the CPU-fused layers do that fastest.
  const impl = gpuPick.gpu
    ? { name: 'fused-webgpu', factory: cpuImpl.factory, fused: true, device: `webgpu: ${gpuPick.gpu.adapter}` }
    : cpuImpl;
  if ('note' in impl && impl.note) log(impl.note);
  const backend = await chooseBackend(process.env.RNN_WORKBENCH_BACKEND, impl.fused);
  for (const s of backend.skipped) log(`backend ${s}`, 'info');
  if (impl.device) backend.device = `${backend.device}; RNN layers: ${impl.device}`;
  const model = buildModel(spec, shape, impl.factory);
  const optimizer = optimizerFor(spec);
  model.compile({ optimizer, loss: lossFor(spec) as never });
  const paramCount = countParams(spec, shape);
  const prep = preprocessingOf(p, ds);

  const state: TrainerState = { epoch: 0, bestValLoss: Infinity, bestEpoch: 0, badEpochs: 0, rng: rng.state, step: 0, wallOffset: 0 };
  if (opts.resume) {
    const cp = loadCheckpoint(db, runId, 'last');
    if (!cp) throw new ServiceError('conflict', `run ${runId} has no checkpoint to resume from`);
    setModelWeights(model, JSON.parse(cp.weight_specs) as WeightSpec[], cp.weights);
    if (cp.optimizer && cp.optimizer_meta) await restoreOptimizer(optimizer, JSON.parse(cp.optimizer_meta) as WeightSpec[], cp.optimizer);
    Object.assign(state, JSON.parse(cp.trainer_state) as TrainerState);
    rng.state = state.rng;
    db.transaction(() => metricsDb.truncateAfter(db, runId, state.epoch))();
    log(`resuming from the checkpoint of epoch ${state.epoch}`);
  }

  const gpu = gpuPick.gpu ? await startGpuEpochs(spec, p, model) : null;
  if (gpu && opts.resume) log('the GPU trainer restarts Adam\'s moments on resume (its optimizer state is not checkpointed)', 'warn');

  if (!runsDb.markStarted(db, runId, { pid: process.pid, backend: backend.backend, device: backend.device, impl: impl.name, paramCount })) {
    log(`run ${runId} is no longer queued (stopped, or taken by another trainer); this trainer leaves it`, 'warn');
    return;
  }
  send({ type: 'status', runId, status: 'running' });
  log(`training ${spec.model.cell} (${paramCount} parameters, ${impl.name}) on ${backend.backend} / ${backend.device}; ` +
    `${windowCount(p.windows.train)} train, ${windowCount(p.windows.val)} val, ${windowCount(p.windows.test)} test windows; season length ${p.seasonLength}`);

  const nTrain = windowCount(p.windows.train);
  const bs = spec.train.batchSize;
  const maxBatches = spec.train.maxBatchesPerEpoch > 0 ? spec.train.maxBatchesPerEpoch : Infinity;
  const batches = Math.min(Math.ceil(nTrain / bs), maxBatches);
  const epochs = spec.train.epochs;
  const t0 = Date.now() - state.wallOffset;
  let stopped = false;
  let lastProgress = 0;
  let lastBeat = Date.now();
  let lastYield = Date.now();

  for (let epoch = state.epoch + 1; epoch <= epochs && !stopped; epoch++) {
    const order = rng.shuffle(Int32Array.from({ length: nTrain }, (_, i) => i));
    const te = Date.now();
    let lossSum = 0;
    let seen = 0;
    if (gpu) {
      // One submit per epoch on the GPU; progress is per epoch.
      const used = order.subarray(0, Math.min(nTrain, batches * bs));
      const loss = await gpu.epoch(used);
      if (!Number.isFinite(loss)) throw new ServiceError('bad_input', `training diverged at epoch ${epoch} (loss ${loss}); lower train.learningRate`, 'spec.train.learningRate');
      await gpu.syncToModel(model);
      lossSum = loss * used.length;
      seen = used.length;
      state.step += batches;
      const sps = seen / Math.max((Date.now() - te) / 1000, 1e-3);
      send({ type: 'run-progress', progress: { runId, epoch, epochs, batch: batches, batches, loss, samplesPerSec: sps, etaSeconds: ((epochs - epoch) * seen) / Math.max(sps, 1e-3) } });
      if (opts.stopRequested()) stopped = true;
    }
    for (let b = 0; b < batches && !gpu; b++) {
      const from = b * bs;
      const size = Math.min(bs, nTrain - from);
      const batch = cutBatch(p, p.windows.train, order, from, size);
      const xs = tf.tensor3d(batch.x, [size, p.lookback, p.features.length]);
      const ys = tf.tensor2d(batch.y, [size, p.outputs.length]);
      const loss = (await model.trainOnBatch(xs, ys)) as number;
      tf.dispose([xs, ys]);
      if (!Number.isFinite(loss)) throw new ServiceError('bad_input', `training diverged at epoch ${epoch}, batch ${b + 1} (loss ${loss}); lower train.learningRate`, 'spec.train.learningRate');
      lossSum += loss * size;
      seen += size;
      state.step++;
      const now = Date.now();
      if (now - lastProgress > 200 || b === batches - 1) {
        lastProgress = now;
        const sps = seen / Math.max((now - te) / 1000, 1e-3);
        const remaining = (epochs - epoch) * batches * bs + (batches - b - 1) * bs;
        send({ type: 'run-progress', progress: { runId, epoch, epochs, batch: b + 1, batches, loss: lossSum / seen, samplesPerSec: sps, etaSeconds: remaining / Math.max(sps, 1e-3) } });
      }
      if (now - lastBeat > 2000) {
        runsDb.heartbeat(db, runId);
        lastBeat = now;
      }
      // trainOnBatch can complete without touching the event loop; yield so a stop message gets in.
      if (now - lastYield > 50) {
        await new Promise((r) => setImmediate(r));
        lastYield = Date.now();
      }
      if (opts.stopRequested()) {
        stopped = true;
        break;
      }
    }
    if (stopped && seen === 0) break;
    const epochSeconds = (Date.now() - te) / 1000;
    const val = valMetrics(model, p, spec);
    const metrics: Record<string, number> = { loss: lossSum / seen, ...val, samples_per_sec: seen / Math.max(epochSeconds, 1e-3), epoch_seconds: epochSeconds };
    const improved = val.val_loss < state.bestValLoss - 1e-12;
    state.epoch = epoch;
    if (improved) {
      state.bestValLoss = val.val_loss;
      state.bestEpoch = epoch;
      state.badEpochs = 0;
    } else state.badEpochs++;
    state.rng = rng.state;
    const wallTime = (Date.now() - t0) / 1000;
    state.wallOffset = Date.now() - t0;
    const weights = modelWeights(model);
    const opt = gpu ? null : await optimizerState(optimizer);
    const cp = {
      run_id: runId,
      epoch,
      val_loss: val.val_loss,
      topology: JSON.stringify(model.toJSON(null, false)),
      weight_specs: JSON.stringify(weights.specs),
      weights: weights.data,
      optimizer: opt ? opt.data : null,
      optimizer_meta: opt ? JSON.stringify(opt.specs) : null,
      preprocessing: JSON.stringify(prep),
      trainer_state: JSON.stringify(state),
    };
    // Metrics, summary and checkpoints of an epoch commit together or not at all.
    db.transaction(() => {
      metricsDb.logEpoch(db, runId, epoch, state.step, metrics, wallTime);
      saveCheckpoint(db, { ...cp, kind: 'last' });
      if (improved) saveCheckpoint(db, { ...cp, kind: 'best' });
      runsDb.heartbeat(db, runId);
    })();
    send({ type: 'run-epoch', epoch: { runId, epoch, metrics, wallTime } });
    if (spec.train.patience > 0 && state.badEpochs >= spec.train.patience) {
      log(`early stop at epoch ${epoch}: val_loss has not improved for ${state.badEpochs} epochs (best ${state.bestValLoss.toPrecision(4)} at epoch ${state.bestEpoch})`);
      break;
    }
  }

  gpu?.dispose();
  // Evaluate the best checkpoint on the test split.
  const best = loadCheckpoint(db, runId, 'best');
  if (best) {
    setModelWeights(model, JSON.parse(best.weight_specs) as WeightSpec[], best.weights);
    const result = evaluateTest(model, p, runId);
    db.transaction(() => {
      runsDb.setTestMetrics(db, runId, result.metrics);
      result.save(db);
    })();
    log(`test (best checkpoint, epoch ${best.epoch}): ${Object.entries(result.metrics).filter(([k]) => /^(test|naive|seasonal)\.(rmse|mase|accuracy)$/.test(k)).map(([k, v]) => `${k} ${v.toPrecision(4)}`).join(', ')}`);
  }
  const status = stopped ? 'stopped' : 'completed';
  runsDb.finishRun(db, runId, status);
  send({ type: 'status', runId, status });
}
