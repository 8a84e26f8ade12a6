// `normalize: auto` between global scaling and window (or season) normalisation, decided by
// validation for the case the stationarity test cannot settle. KPSS calls a short series'
// level stationary whenever it lacks the power to say otherwise (r-wwwusage, 100 rows of a
// random-walk-like series, passes it), and the forecast battery (docs/benchmarks.md, "Global or
// window for a level-stationary series") shows neither choice wins there: window normalisation
// was better on 4 of the 11 real level-stationary series and worse on 7. So for a single
// level-stationary target with a small train split, the trainer trains the network both ways
// (same seed, the run's own epochs and early stopping, nothing recorded) and keeps the
// normalisation whose best epoch has the lower validation MAE in original units, the units in
// which the two are comparable. A non-stationary level keeps window normalisation without a probe:
// there global scaling is the failure this issue started from (test values beyond anything the
// network saw), and validation, which lies between train and test, does not always show it.
// The choice is written into the run's stored spec (like `lookback: auto`), so resume and the
// next backtest fold use it without probing again, and the same seed then retrains exactly the
// network the probe measured.
import type * as tf from '@tensorflow/tfjs';
import type { RunSpec } from '../../core/contract.js';
import type { DatasetInfo, SourceColumn } from '../../core/spec-rules.js';
import { windowCount } from '../data/batches.js';
import { prepare, type Prepared } from '../data/prepare.js';
import type { Normalize } from '../data/transforms.js';
import { buildModel, lossFor, optimizerFor, type RnnFactory } from '../model/build.js';
import { Rng } from '../util/random.js';
import { cpuEpochRunner } from './cpu-epochs.js';
import { valMetrics } from './evaluate.js';

/** Above this many train windows the probe's extra trainings cost more than the choice is worth (and KPSS has power). */
export const PROBE_MAX_TRAIN_WINDOWS = 1000;
/**
 * Epochs a candidate trains at most: a spec with thousands of epochs and no early stopping would
 * otherwise train them all twice before its first recorded epoch (the default spec stops early far
 * below this, so there the run replays exactly what the probe measured).
 */
export const PROBE_MAX_EPOCHS = 200;

/** The normalisations to compare, or null when the automatic choice stands without a probe. */
export function probeCandidates(spec: RunSpec, p: Prepared): Normalize[] | null {
  if (spec.normalize !== 'auto' || p.task !== 'forecast' || p.targetPrep.length !== 1) return null;
  const target = p.targets[0]!;
  if (!p.features.includes(target) || p.targetPrep[0]!.normalize !== 'global') return null;
  if (windowCount(p.windows.train) > PROBE_MAX_TRAIN_WINDOWS || windowCount(p.windows.val) === 0) return null;
  const seasonal = p.seasonLength > 1 && p.lookback > p.seasonLength;
  return ['global', seasonal ? 'season' : 'window'];
}

export interface ProbeResult {
  normalize: Normalize;
  /** The run's spec with that normalisation, and the data prepared for it. */
  spec: RunSpec;
  p: Prepared;
  /** One line for the run log: both validation MAEs and the choice. */
  reason: string;
}

interface ProbeContext {
  ds: DatasetInfo;
  load: (name: string) => SourceColumn;
  factory: RnnFactory;
  /** The data as the stationarity test prepared it. */
  first: Prepared;
  /** True when the run should stop (the probe then gives up and the automatic choice stands). */
  stop: () => boolean;
  log: (message: string) => void;
}

/** Trains one candidate as the run would (seeded shuffles, early stopping); its best epoch's val MAE, or null if stopped. */
async function trainCandidate(spec: RunSpec, p: Prepared, ctx: ProbeContext): Promise<number | null> {
  const shape = { lookback: p.lookback, features: p.features.length, outputs: p.outputs.length };
  const model: tf.LayersModel = buildModel(spec, shape, ctx.factory);
  const optimizer = optimizerFor(spec);
  model.compile({ optimizer, loss: lossFor(spec) as never });
  const runner = cpuEpochRunner(model, optimizer, p);
  const rng = new Rng(spec.train.seed);
  const nTrain = windowCount(p.windows.train);
  const { batchSize, maxBatchesPerEpoch, epochs, patience } = spec.train;
  const batches = Math.min(Math.ceil(nTrain / batchSize), maxBatchesPerEpoch > 0 ? maxBatchesPerEpoch : Infinity);
  let best = Infinity;
  let bestMae = NaN;
  let bad = 0;
  let lastYield = Date.now();
  // As the trainer's loop does: a turn of the event loop every 50 ms, so a stop (and the host's
  // other messages) reach this process while the probe trains.
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
    for (let epoch = 1; epoch <= Math.min(epochs, PROBE_MAX_EPOCHS); epoch++) {
      const order = rng.shuffle(Int32Array.from({ length: nTrain }, (_, i) => i));
      const r = await runner.run({ epoch, order, batches, batchSize }, hooks);
      if (r.interrupted) return null;
      await runner.syncModel();
      const { metrics } = valMetrics(model, p, spec);
      if (metrics.val_loss < best - 1e-12) {
        best = metrics.val_loss;
        bestMae = 'val_mae' in metrics ? metrics.val_mae : NaN;
        bad = 0;
      } else bad++;
      if (patience > 0 && bad >= patience) break;
    }
    return bestMae;
  } finally {
    runner.dispose();
    optimizer.dispose();
    model.dispose();
  }
}

/**
 * Trains every candidate and returns the one with the lower validation MAE (the stationarity
 * test's choice, the first candidate, on a tie), or null when the probe was stopped.
 */
export async function probeNormalize(
  spec: RunSpec,
  candidates: Normalize[],
  ctx: ProbeContext,
): Promise<ProbeResult | null> {
  const tried: { normalize: Normalize; spec: RunSpec; p: Prepared; mae: number }[] = [];
  ctx.log(
    `normalize auto: the level looks stationary, but the test has little power on ${windowCount(ctx.first.windows.train)} train windows; training the network as ${candidates.join(' and as ')} to choose by validation`,
  );
  for (const normalize of candidates) {
    const s: RunSpec = { ...spec, normalize };
    const p = prepare(s, ctx.ds, ctx.load);
    const mae = await trainCandidate(s, p, ctx);
    if (mae === null) return null;
    tried.push({ normalize, spec: s, p, mae });
  }
  const best = tried.reduce((a, b) => (b.mae < a.mae ? b : a));
  const shown = tried.map((t) => `${t.normalize} ${t.mae.toPrecision(4)}`).join(', ');
  return {
    normalize: best.normalize,
    spec: best.spec,
    p: best.p,
    reason: `normalize auto → ${best.normalize}: the lower validation MAE of the two (${shown})`,
  };
}
