// `normalize: ensemble`: the run's forecast is the mean of two networks of its single target, one
// with global scaling (the run's own network: its epochs, curves and checkpoints) and one with
// window normalisation, or season normalisation where a season fits in the lookback (member 1,
// trained here before the run's first epoch, same seed and early stopping, stored whole in
// run_members). `normalize: auto` chooses it where the stationarity test cannot settle the
// choice: a single level-stationary target with a small train split. KPSS calls a short series'
// level stationary whenever it lacks the power to say otherwise (r-wwwusage, 100 rows of a
// random-walk-like series, passes it), and the forecast battery (docs/benchmarks.md, "Global or
// window for a level-stationary series") showed that neither normalisation wins there (window
// better on 4 of 11 real series, worse on 7), that choosing by validation picks wrongly on 4 of
// the 11 (9-63 validation windows), and that the mean of both is best on the real series (20 of
// 23 beat naive against 19; on r-ukdriverdeaths the two networks miss the 1983 level drop on
// opposite sides). A non-stationary level keeps window normalisation alone: there global scaling
// is the failure this issue started from. The choice is written into the run's stored spec, so
// resume and warm-started backtest folds reuse it, and a resume loads the stored member.
import type * as tf from '@tensorflow/tfjs';
import { ServiceError, type RunSpec } from '../../core/contract.js';
import type { DatasetInfo, SourceColumn } from '../../core/spec-rules.js';
import type { DB } from '../../db/open.js';
import { loadMembers, saveMember, type MemberRecord } from '../../db/members.js';
import { windowCount } from '../data/batches.js';
import { prepare, type Prepared } from '../data/prepare.js';
import type { ShrinkRecord } from '../data/shrink.js';
import type { Normalize } from '../data/transforms.js';
import { buildModel, lossFor, optimizerFor, type RnnFactory } from '../model/build.js';
import { Rng } from '../util/random.js';
import { modelWeights, setModelWeights, type WeightSpec } from './checkpoint.js';
import { cpuEpochRunner } from './cpu-epochs.js';
import { valMetrics } from './evaluate.js';
import { preprocessingOf } from './preprocessing.js';
import { storedNetwork } from '../export/member.js';

/** Above this many train windows `auto` keeps one network (the test has power, and a second training costs more). */
export const ENSEMBLE_MAX_TRAIN_WINDOWS = 1000;
/**
 * Epochs the member of an `auto` ensemble trains at most: a spec with thousands of epochs and no
 * early stopping would otherwise train them all before the run's first recorded epoch (the default
 * spec stops early far below this). A named `ensemble` trains the member as long as the run.
 */
export const AUTO_MEMBER_MAX_EPOCHS = 200;

export interface MemberPlan {
  /** The second network's normalisation. */
  normalize: Exclude<Normalize, 'global'>;
  /** True when `auto` chose the ensemble (the spec then records `ensemble`). */
  auto: boolean;
}

/** The member a run trains beside its own network, or null for a run of one network. */
export function memberPlan(spec: RunSpec, p: Prepared): MemberPlan | null {
  const single = p.task === 'forecast' && p.targetPrep.length === 1 && p.features.includes(p.targets[0]!);
  const seasonal = p.seasonLength > 1 && p.lookback > p.seasonLength;
  const normalize = seasonal ? 'season' : 'window';
  if (spec.normalize === 'ensemble') {
    if (!single)
      throw new ServiceError(
        'bad_input',
        `spec.normalize: ensemble averages a globally scaled and a window-normalised network of one forecast target that is also an input feature; this run has ${p.task === 'forecast' ? `targets ${p.targets.map((t) => `"${t}"`).join(', ')} and features ${p.features.map((f) => `"${f}"`).join(', ')}` : 'task classify'}`,
        'spec.normalize',
      );
    return { normalize, auto: false };
  }
  if (spec.normalize !== 'auto' || !single || p.targetPrep[0]!.normalize !== 'global') return null;
  if (windowCount(p.windows.train) > ENSEMBLE_MAX_TRAIN_WINDOWS || windowCount(p.windows.val) === 0) return null;
  return { normalize, auto: true };
}

export interface MemberContext {
  db: DB;
  runId: number;
  ds: DatasetInfo & { timeColumn: string | null; seriesColumn: string | null };
  load: (name: string) => SourceColumn;
  factory: RnnFactory;
  /** The run's own data (the member's windows must be the same). */
  first: Prepared;
  /** Seeds every random source for a training (setup.ts seedRandomness). */
  reseed: () => void;
  /** True when the run should stop (the member is then not stored). */
  stop: () => boolean;
  log: (message: string) => void;
}

/** A member ready for evaluation: its data and (loaded on demand) its network. */
export interface Member {
  normalize: Normalize;
  p: Prepared;
}

function sameWindows(a: Prepared, b: Prepared): boolean {
  const eq = (x: Int32Array, y: Int32Array) => x.length === y.length && x.every((v, i) => v === y[i]);
  return eq(a.windows.train, b.windows.train) && eq(a.windows.val, b.windows.val) && eq(a.windows.test, b.windows.test);
}

/**
 * The run's member: loaded when stored (a resume), else trained and stored; null when the run has
 * none, or when a stop came during its training (nothing is stored, a resume trains it again).
 */
export async function ensureMember(
  spec: RunSpec,
  plan: MemberPlan,
  ctx: MemberContext,
  initFrom?: number,
): Promise<Member | null> {
  const s: RunSpec = { ...spec, normalize: plan.normalize };
  const p = prepare(s, ctx.ds, ctx.load);
  if (!sameWindows(ctx.first, p))
    throw new Error(`the ${plan.normalize} member's windows differ from the run's; an ensemble needs the same windows`);
  const stored = loadMembers(ctx.db, ctx.runId).find((m) => m.member === 1 && m.normalize === plan.normalize);
  if (stored) {
    ctx.log(`ensemble: member 1 (${plan.normalize}) loaded as stored (best epoch ${stored.epoch})`);
    return { normalize: plan.normalize, p };
  }
  ctx.log(
    plan.auto
      ? `normalize auto: the level looks stationary, but the test has little power on ${windowCount(p.windows.train)} train windows; the forecast is the mean of a global and a ${plan.normalize} network, training the ${plan.normalize} one first`
      : `normalize ensemble: training the ${plan.normalize} network first; the forecast is the mean of it and the run's global network`,
  );
  for (const t of p.targetPrep) ctx.log(`ensemble: member 1 target ${t.reason}`);
  ctx.reseed(); // the member is the network a run with `normalize: ${plan.normalize}` would train
  const from = initFrom !== undefined ? loadMembers(ctx.db, initFrom).find((m) => m.member === 1) : undefined;
  const best = await trainMember(s, p, ctx, plan.auto ? AUTO_MEMBER_MAX_EPOCHS : Infinity, from);
  if (!best) return null;
  ctx.db.transaction(() => saveMember(ctx.db, { run_id: ctx.runId, member: 1, normalize: plan.normalize, ...best }))();
  ctx.log(
    `ensemble: member 1 (${plan.normalize}) best at epoch ${best.epoch}, val MAE ${best.val_mae?.toPrecision(4) ?? '–'}; stored`,
  );
  return { normalize: plan.normalize, p };
}

type TrainedMember = Pick<
  MemberRecord,
  'epoch' | 'val_loss' | 'val_mae' | 'weight_specs' | 'weights' | 'preprocessing'
>;

/** Trains the member as the run trains (seeded shuffles, early stopping); its best epoch, or null if stopped. */
async function trainMember(
  spec: RunSpec,
  p: Prepared,
  ctx: MemberContext,
  maxEpochs: number,
  from: MemberRecord | undefined,
): Promise<TrainedMember | null> {
  const shape = { lookback: p.lookback, features: p.features.length, outputs: p.outputs.length };
  const model: tf.LayersModel = buildModel(spec, shape, ctx.factory);
  if (from) setModelWeights(model, JSON.parse(from.weight_specs) as WeightSpec[], from.weights);
  const optimizer = optimizerFor(spec);
  model.compile({ optimizer, loss: lossFor(spec) as never });
  const runner = cpuEpochRunner(model, optimizer, p);
  const rng = new Rng(spec.train.seed);
  const nTrain = windowCount(p.windows.train);
  const { batchSize, maxBatchesPerEpoch, epochs, patience } = spec.train;
  const batches = Math.min(Math.ceil(nTrain / batchSize), maxBatchesPerEpoch > 0 ? maxBatchesPerEpoch : Infinity);
  const prep = preprocessingOf(p, ctx.ds);
  let best: TrainedMember | null = null;
  let bad = 0;
  let lastYield = Date.now();
  // As the trainer's loop does: a turn of the event loop every 50 ms, so a stop (and the host's
  // other messages) reach this process while the member trains.
  const hooks = {
    progress: () => {},
    yieldPoint: async () => {
      if (Date.now() - lastYield > 50) {
        await new Promise((r) => setImmediate(r));
        lastYield = Date.now();
      }
      return ctx.stop() ? ('stop-requested' as const) : null;
    },
  };
  try {
    for (let epoch = 1; epoch <= Math.min(epochs, maxEpochs); epoch++) {
      const order = rng.shuffle(Int32Array.from({ length: nTrain }, (_, i) => i));
      const r = await runner.run({ epoch, order, batches, batchSize }, hooks);
      if (r.interrupted) return null;
      await runner.syncModel();
      const { metrics, shrink } = valMetrics(model, p, spec, await runner.predict?.(p.windows.val));
      if (best === null || metrics.val_loss < (best.val_loss ?? Infinity) - 1e-12) {
        best = snapshot(model, epoch, metrics, { ...prep, ...(shrink ? { shrink: shrink as ShrinkRecord } : {}) });
        bad = 0;
      } else bad++;
      if (patience > 0 && bad >= patience) break;
    }
    return best;
  } finally {
    runner.dispose();
    optimizer.dispose();
    model.dispose();
  }
}

function snapshot(
  model: tf.LayersModel,
  epoch: number,
  metrics: { val_loss: number; val_mae?: number },
  prep: object,
): TrainedMember {
  const w = modelWeights(model);
  return {
    epoch,
    val_loss: Number.isFinite(metrics.val_loss) ? metrics.val_loss : null,
    val_mae: metrics.val_mae !== undefined && Number.isFinite(metrics.val_mae) ? metrics.val_mae : null,
    weight_specs: JSON.stringify(w.specs),
    weights: w.data,
    preprocessing: JSON.stringify(prep),
  };
}

/** The stored members of a run as networks to evaluate with (built with `factory`, best weights set). */
export function memberNetworks(
  db: DB,
  runId: number,
  spec: RunSpec,
  members: Member[],
  factory: RnnFactory,
): { model: tf.LayersModel; p: Prepared; shrink: ShrinkRecord | null; normalize: Normalize }[] {
  const stored = loadMembers(db, runId);
  return members.map((m, i) => {
    const row = stored.find((r) => r.member === i + 1);
    if (!row) throw new Error(`run ${runId}: ensemble member ${i + 1} (${m.normalize}) is not stored`);
    const model = storedNetwork(spec, m.p, row, factory);
    const shrink = (JSON.parse(row.preprocessing) as { shrink?: ShrinkRecord }).shrink ?? null;
    return { model, p: m.p, shrink, normalize: m.normalize };
  });
}
