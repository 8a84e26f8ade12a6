// Everything before the first epoch of a run: load and check the run, seed every random source,
// prepare the data, choose the implementation (GPU-fused, CPU-fused, tf.layers) and the backend,
// build and compile the model, restore a checkpoint on resume, and start the epoch runner.
import type * as tf from '@tensorflow/tfjs';
import { performance } from 'node:perf_hooks';
import { ServiceError, parseSpec, parseStoredSpec, type RunSpec } from '../../core/contract.js';
import type { WorkerToHost } from '../../core/jobs.js';
import type { DB } from '../../db/open.js';
import * as runsDb from '../../db/runs.js';
import * as metricsDb from '../../db/metrics.js';
import { loadCheckpoint } from '../../db/checkpoints.js';
import { chooseBackend } from '../backend.js';
import { windowCount } from '../data/batches.js';
import { prepare, type Prepared } from '../data/prepare.js';
import { datasetInfo, columnLoader } from '../../core/datasets.js';
import type { SourceColumn } from '../../core/spec-rules.js';
import { processStartTime } from '../../core/trainer-identity.js';
import { buildModel, countParams, lossFor, optimizerFor, type RnnFactory } from '../model/build.js';
import { chooseImpl } from '../model/impl.js';
import { Rng } from '../util/random.js';
import { restoreOptimizer, setModelWeights, type WeightSpec } from './checkpoint.js';
import { startCpuEpochRunner } from './cpu-epochs.js';
import type { EpochRunner } from './epoch-runner.js';
import { chooseGpu, gpuEpochRunner, type GpuChoice } from './gpu-epochs.js';
import { ensureMember, memberPlan, type Member, type MemberContext, type MemberPlan } from './ensemble.js';
import { preprocessingOf, type Preprocessing } from './preprocessing.js';
import { StartupClock, type StartupMarks } from './startup-clock.js';
import { checkShrinkSource } from './shrink-from.js';

export interface TrainOptions {
  dbPath: string;
  runId: number;
  resume: boolean;
  send: (msg: WorkerToHost) => void;
  stopRequested: () => boolean;
  /** True once the host is gone (its channel closed): the run ends as interrupted, resumable. */
  hostLost?: () => boolean;
  /** When the process started and how long the trainer's modules took to import (worker/main.ts). */
  startup?: StartupMarks;
}

export type Log = (message: string, level?: 'info' | 'warn' | 'error') => void;

/** What a checkpoint stores to continue the loop exactly where it was. */
export interface TrainerState {
  epoch: number;
  bestValLoss: number;
  bestEpoch: number;
  badEpochs: number;
  rng: number;
  step: number;
  wallOffset: number;
}

export interface RunSetup {
  runId: number;
  spec: RunSpec;
  p: Prepared;
  prep: Preprocessing;
  model: tf.LayersModel;
  rng: Rng;
  state: TrainerState;
  runner: EpochRunner;
  /** An ensemble's further networks (ensemble.ts); empty for a run of one network. */
  members: Member[];
  /** What builds the RNN layers (to rebuild the members for evaluation). */
  factory: RnnFactory;
}

function loadRun(db: DB, runId: number) {
  const run = runsDb.getRun(db, runId);
  if (!run) throw new ServiceError('not_found', `run ${runId} does not exist`);
  if (run.dataset_id === null)
    throw new ServiceError(
      'bad_input',
      `run ${runId}: its dataset was deleted before the run could train`,
      'datasetId',
    );
  const spec = parseStoredSpec(run.spec);
  const ds = datasetInfo(db, run.dataset_id);
  if (!ds)
    throw new ServiceError(
      'bad_input',
      `run ${runId}: dataset ${run.dataset_id} was deleted before the run could train`,
      'datasetId',
    );
  return { spec, ds, datasetId: run.dataset_id };
}

/** Everything random in this process (shuffles, dropout masks, initialisers) follows the seed. */
export function seedRandomness(seed: number): Rng {
  const mathRng = new Rng(seed ^ 0x9e3779b9);
  Math.random = () => mathRng.next();
  return new Rng(seed);
}

/** GPU-fused when a real adapter exists and the spec fits it, else CPU-fused, else tf.layers. */
async function chooseImplementation(spec: RunSpec, features: number, log: Log) {
  const gpuPick = await chooseGpu(spec, features);
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
  if (!gpuPick.gpu && 'logThreads' in impl) impl.logThreads?.((msg) => log(msg));
  return { gpu: gpuPick.gpu, impl, backend };
}

async function resumeFrom(
  db: DB,
  s: Pick<RunSetup, 'runId' | 'model' | 'state' | 'rng'>,
  optimizer: tf.Optimizer,
  log: Log,
): Promise<void> {
  const cp = loadCheckpoint(db, s.runId, 'last');
  if (!cp) throw new ServiceError('conflict', `run ${s.runId} has no checkpoint to resume from`);
  setModelWeights(s.model, JSON.parse(cp.weight_specs) as WeightSpec[], cp.weights);
  if (cp.optimizer && cp.optimizer_meta)
    await restoreOptimizer(optimizer, JSON.parse(cp.optimizer_meta) as WeightSpec[], cp.optimizer);
  Object.assign(s.state, JSON.parse(cp.trainer_state) as TrainerState);
  s.rng.state = s.state.rng;
  db.transaction(() => metricsDb.truncateAfter(db, s.runId, s.state.epoch))();
  log(`resuming from the checkpoint of epoch ${s.state.epoch}`);
}

/** A warm-started backtest fold: the previous fold's best weights, a fresh optimizer and loop. */
function warmStart(db: DB, fromRun: number, model: tf.LayersModel, log: Log): void {
  const cp = loadCheckpoint(db, fromRun, 'best');
  if (!cp)
    throw new ServiceError(
      'conflict',
      `spec.initFrom: run ${fromRun} has no checkpoint to start from`,
      'spec.initFrom',
    );
  setModelWeights(model, JSON.parse(cp.weight_specs) as WeightSpec[], cp.weights);
  log(`warm start from the best checkpoint of run ${fromRun} (epoch ${cp.epoch})`);
}

async function startRunner(
  spec: RunSpec,
  p: Prepared,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  gpu: GpuChoice | null,
  resume: boolean,
  log: Log,
): Promise<{ runner: EpochRunner; wholeStep: boolean }> {
  if (!gpu) return startCpuEpochRunner(model, optimizer, p);
  const runner = await gpuEpochRunner(spec, p, model);
  log(`GPU ${gpu.adapter}: whole epochs, and every epoch's validation and the test predictions, on the GPU`);
  if (resume)
    log("the GPU trainer restarts Adam's moments on resume (its optimizer state is not checkpointed)", 'warn');
  return { runner, wholeStep: false };
}

/** prepare() with its column reads (SQLite BLOBs → typed arrays) timed apart from the rest (scaling, windows, season). */
function timedPrepare(
  spec: RunSpec,
  ds: ReturnType<typeof loadRun>['ds'],
  load: (name: string) => SourceColumn,
  clock: StartupClock,
): Prepared {
  let loadMs = 0;
  const timed = (name: string): SourceColumn => {
    const t = performance.now();
    const c = load(name);
    loadMs += performance.now() - t;
    return c;
  };
  const p = prepare(spec, ds, timed);
  clock.step(
    'data preparation',
    `${ds.rowCount.toLocaleString('en-US')} rows; of which column reads ${Math.round(loadMs)} ms; windows: ${windowCount(p.windows.train)} train`,
  );
  return p;
}

/**
 * A warm-started fold continues the weights of the run it starts from, so it uses that run's
 * normalisation (ensemble included); the spec and data for it, or null where nothing changes.
 */
function foldNormalize(db: DB, spec: RunSpec, p: Prepared, ds: RunSetupData['ds'], load: RunSetupData['load']) {
  if (spec.initFrom === undefined || spec.normalize !== 'auto') return null;
  const from = runsDb.getRun(db, spec.initFrom);
  const normalize = from ? parseSpec(JSON.parse(from.spec)).normalize : 'auto';
  if (normalize === 'auto' || (normalize !== 'ensemble' && p.targetPrep.every((t) => t.normalize === normalize)))
    return null;
  const s: RunSpec = { ...spec, normalize };
  return {
    spec: s,
    p: prepare(s, ds, load),
    reason: `normalize auto → ${normalize}, as in run ${spec.initFrom} this fold starts from`,
  };
}

interface RunSetupData {
  ds: ReturnType<typeof loadRun>['ds'];
  load: (name: string) => SourceColumn;
}

/** The ensemble's member (ensemble.ts), trained or loaded; null for a run of one network or when stopped while training it. */
async function member(
  db: DB,
  spec: RunSpec,
  p: Prepared,
  ctx: Omit<MemberContext, 'first' | 'db'>,
  clock: StartupClock,
): Promise<{ plan: MemberPlan; member: Member } | null> {
  const plan = memberPlan(spec, p);
  if (!plan) return null;
  const m = await ensureMember(spec, plan, { ...ctx, db, first: p }, spec.initFrom);
  clock.step('ensemble member', plan.normalize);
  return m ? { plan, member: m } : null;
}

/** The loop's state before its first epoch. */
function freshState(rng: Rng): TrainerState {
  return { epoch: 0, bestValLoss: Infinity, bestEpoch: 0, badEpochs: 0, rng: rng.state, step: 0, wallOffset: 0 };
}

/** The run log's account of what the run trains and how its data was prepared. */
function logPlan(log: Log, spec: RunSpec, p: Prepared, how: string): void {
  log(
    `training ${spec.model.cell} (${how}; ` +
      `${windowCount(p.windows.train)} train, ${windowCount(p.windows.val)} val, ${windowCount(p.windows.test)} test windows; season length ${p.seasonLength}`,
  );
  log(`season: ${p.seasonHow}`);
  if (p.lookbackHow) log(p.lookbackHow);
  for (const t of p.targetPrep) log(`target ${t.reason}`);
}

/** Everything before the first epoch; null when the run is no longer queued (another trainer took it, or it was stopped). */
export async function setupRun(
  db: DB,
  opts: TrainOptions,
  log: Log,
  clock = new StartupClock(() => {}),
): Promise<RunSetup | null> {
  const { runId } = opts;
  const loaded = loadRun(db, runId);
  const { ds, datasetId } = loaded;
  let spec = loaded.spec;
  // Before the data preparation and an ensemble member's training, which a bad source would waste.
  if (spec.shrinkFrom !== undefined && !opts.resume) checkShrinkSource(db, spec.shrinkFrom);
  let rng = seedRandomness(spec.train.seed);
  const load = columnLoader(db, datasetId);
  let p = timedPrepare(spec, ds, load, clock);
  for (const w of p.warnings) log(w, 'warn');
  const { gpu, impl, backend } = await chooseImplementation(spec, p.features.length, log);
  clock.step('backend and kernels', `${backend.backend}, ${impl.name}`);
  const fold = foldNormalize(db, spec, p, ds, load);
  if (fold) ({ spec, p } = fold);
  const ens = await member(
    db,
    spec,
    p,
    {
      runId,
      ds,
      load,
      factory: impl.factory,
      stop: opts.stopRequested,
      log,
      reseed: () => seedRandomness(spec.train.seed),
    },
    clock,
  );
  if (ens) rng = seedRandomness(spec.train.seed); // the run's own network as a run of one would train it
  const shape = { lookback: p.lookback, features: p.features.length, outputs: p.outputs.length };
  const model = buildModel(spec, shape, impl.factory);
  const optimizer = optimizerFor(spec);
  model.compile({ optimizer, loss: lossFor(spec) as never });
  clock.step('model build');
  const paramCount = countParams(spec, shape);
  const state = freshState(rng);
  if (opts.resume) await resumeFrom(db, { runId, model, state, rng }, optimizer, log);
  else if (spec.initFrom !== undefined) warmStart(db, spec.initFrom, model, log);
  const { runner, wholeStep } = await startRunner(spec, p, model, optimizer, gpu, opts.resume, log);
  if (wholeStep) backend.device = `${backend.device}; whole training step in wasm`;
  clock.step(opts.resume ? 'checkpoint restore and runner' : 'runner');

  // Queued → running in one statement: of two trainers started for one run, only one gets it.
  // The pid with its start time names this process, so `stop` never signals a process that got the pid later.
  const started = processStartTime(process.pid);
  if (
    !runsDb.markStarted(db, runId, {
      pid: process.pid,
      started,
      backend: backend.backend,
      device: backend.device,
      impl: impl.name,
      paramCount,
    })
  ) {
    log(`run ${runId} is no longer queued (stopped, or taken by another trainer); this trainer leaves it`, 'warn');
    runner.dispose();
    return null;
  }
  // `lookback: auto` becomes the number it resolved to in the run's stored spec (run view, CLI show, compare).
  if (p.lookbackHow) runsDb.setResolvedSpecValue(db, runId, 'window.lookback', p.lookback);
  if (ens?.plan.auto) runsDb.setResolvedSpecValue(db, runId, 'normalize', 'ensemble');
  else if (fold) runsDb.setResolvedSpecValue(db, runId, 'normalize', fold.spec.normalize);
  opts.send({ type: 'status', runId, status: 'running' });
  logPlan(log, spec, p, `${paramCount} parameters, ${impl.name}) on ${backend.backend} / ${backend.device}`);
  if (fold) log(fold.reason);
  const members = ens ? [ens.member] : [];
  return { runId, spec, p, prep: preprocessingOf(p, ds), model, rng, state, runner, members, factory: impl.factory };
}
