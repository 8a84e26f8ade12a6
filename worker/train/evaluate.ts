// Validation metrics per epoch and the final test evaluation against the baselines (naive,
// seasonal naive, ETS), in original units, with per-step metrics when the horizon is > 1.
import type * as TF from '@tensorflow/tfjs';
import { tf } from '../tf.js';
import type { RunSpec } from '../../core/contract.js';
import {
  FORECASTERS,
  flattenTestMetrics,
  type ForecastMetric,
  type Forecaster,
  type TestMetrics,
  type ValMetrics,
} from '../../core/metric-keys.js';
import type { DB } from '../../db/open.js';
import { blob, savePredictions } from '../../db/checkpoints.js';
import { actualOutputs, cutBatch, originalOutputs, windowCount } from '../data/batches.js';
import type { Prepared } from '../data/prepare.js';
import {
  applyShrink,
  baseFeatures,
  describeShrink,
  fitShrink,
  shrinkBases,
  type ShrinkRecord,
} from '../data/shrink.js';
import { fusedPredictor } from '../kernels/predict.js';
import { etsBaseline } from './ets-baseline.js';
import { inverseMaeWeights, weightedMean } from './ensemble-weights.js';
import { horizonMetrics, horizonRecords } from '../baselines/horizon-metrics.js';
import { classifyMetrics, forecastMetrics, seasonalScale } from './metrics.js';

const EVAL_BATCH = 512;
/** Per-step scores are stored for steps 1..this (a long horizon would add thousands of keys to every run). */
export const MAX_STEP_METRICS = 48;

/**
 * Model outputs for every window of a split, [n, outputs] (model units / probabilities), their
 * targets, and (forecast) the shrinkage base of every output (data/shrink.ts). `given`: the outputs
 * computed elsewhere (the GPU trainer's, epoch-runner.ts `predict`); the model is not run then.
 */
export function predictWindows(
  model: TF.LayersModel,
  p: Prepared,
  windows: Int32Array,
  given?: Float32Array,
): { pred: Float32Array; y: Float32Array; base: Float32Array } {
  const n = windowCount(windows);
  const O = p.outputs.length;
  const F = p.features.length;
  if (given && given.length !== n * O)
    throw new Error(`predictions for ${given.length / O} windows, the split has ${n}`);
  const pred = given ?? new Float32Array(n * O);
  const y = new Float32Array(n * O);
  const base = new Float32Array(n * O);
  const bases = p.task === 'forecast' ? baseFeatures(p) : null;
  // The fused kernels without TF.js per batch, when they cover the model.
  const fused = given ? null : fusedPredictor(model);
  for (let from = 0; from < n; from += EVAL_BATCH) {
    const size = Math.min(EVAL_BATCH, n - from);
    const b = cutBatch(p, windows, null, from, size);
    if (given) {
      // computed already
    } else if (fused) pred.set(fused(b.x, size), from * O);
    else {
      const out = tf.tidy(() => model.predict(tf.tensor3d(b.x, [size, p.lookback, F])) as TF.Tensor);
      pred.set(out.dataSync() as Float32Array, from * O);
      out.dispose();
    }
    y.set(b.y, from * O);
    if (bases) base.set(shrinkBases(b.x, size, p.lookback, F, bases), from * O);
  }
  return { pred, y, base };
}

function lossValue(spec: RunSpec, y: Float32Array, pred: Float32Array, outputs: number): number {
  let s = 0;
  if (spec.task === 'classify') {
    for (let i = 0; i < y.length; i++) if (y[i]! > 0) s -= Math.log(Math.max(pred[i]!, 1e-7));
    return s / (y.length / outputs);
  }
  for (let i = 0; i < y.length; i++) {
    const e = Math.abs(pred[i]! - y[i]!);
    s += spec.train.loss === 'mae' ? e : spec.train.loss === 'huber' ? (e <= 1 ? 0.5 * e * e : e - 0.5) : e * e;
  }
  return s / y.length;
}

function argmax(a: Float32Array, row: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (a[row * k + c]! > a[row * k + best]!) best = c;
  return best;
}

/**
 * Validation metrics of the network as it is (they drive early stopping), and for a forecast the
 * shrinkage factors fitted on the same predictions (null when the spec turns shrinkage off).
 * `given`: the network's validation outputs computed elsewhere (predictWindows).
 */
export function valMetrics(
  model: TF.LayersModel,
  p: Prepared,
  spec: RunSpec,
  given?: Float32Array,
): { metrics: ValMetrics; shrink: ShrinkRecord | null } {
  const { pred, y, base } = predictWindows(model, p, p.windows.val, given);
  const O = p.outputs.length;
  const val_loss = lossValue(spec, y, pred, O);
  if (spec.task === 'classify') {
    const n = y.length / O;
    let correct = 0;
    for (let r = 0; r < n; r++) if (y[r * O + argmax(pred, r, O)] === 1) correct++;
    return { metrics: { val_loss, val_acc: correct / n }, shrink: null };
  }
  const w = p.windows.val;
  const actual = actualOutputs(p, w);
  const m = forecastMetrics(actual, originalOutputs(p, w, pred), NaN);
  const alpha = fitShrink(pred, y, base, O);
  const shrink = spec.shrink === 'off' ? null : { alpha, reason: describeShrink(alpha, windowCount(w)) };
  // The forecast the run delivers: with the factor 0 of a network the evidence does not support,
  // every such trial of a study gives its reference's forecast whatever its own val_mae, so a
  // search ranked by val_mae alone chases differences that never reach the forecast.
  const shrunk = shrink
    ? forecastMetrics(actual, originalOutputs(p, w, applyShrink(Float32Array.from(pred), base, alpha)), NaN).mae
    : m.mae;
  return { metrics: { val_loss, val_mae: m.mae, val_mae_shrunk: shrunk, val_rmse: m.rmse }, shrink };
}

export interface TestResult {
  /** the typed record; `metrics` is its stored flat form */
  test: TestMetrics;
  metrics: Record<string, number>;
  /** Lines for the run log (the ETS variants). */
  notes: string[];
  /** An ensemble's weights: the run's own network first, then each member's. */
  weights?: number[];
  save(db: DB): void;
}

interface TestPredictions {
  /** model outputs [n, O] (scaled units / probabilities) and their targets */
  pred: Float32Array;
  /** Forecast: the forecasts in original units when not `pred`'s (an ensemble's mean). */
  predicted?: Float64Array;
  y: Float32Array;
  /** time of each window's first predicted step */
  time: Float64Array;
  n: number;
  runId: number;
}

/**
 * The test split through the model (its outputs shrunk by `alpha` when given) and the baselines.
 * `skipEts` (the reason, for the run log) leaves the ETS baseline out where nobody compares the
 * run with it (a pruned study trial, a fold of tune's re-ranking): its fit is most of the
 * evaluation's time. The naive and seasonal-naive baselines cost next to nothing and stay.
 */
export function evaluateTest(
  model: TF.LayersModel,
  p: Prepared,
  runId: number,
  alpha: readonly number[] | null = null,
  opts: { skipEts?: string | null; members?: TestMember[]; combine?: boolean; given?: Float32Array } = {},
): TestResult {
  const w = p.windows.test;
  const n = windowCount(w);
  const { pred, y, base } = predictWindows(model, p, w, opts.given);
  if (alpha && p.task === 'forecast') applyShrink(pred, base, alpha);
  const time = new Float64Array(n);
  for (let i = 0; i < n; i++) time[i] = p.groups[w[2 * i]!]!.time[w[2 * i + 1]! + 1]!;
  const t = { pred, y, time, n, runId };
  if (p.task === 'classify') return classifyTest(p, t);
  const members = opts.members ?? [];
  const combine = opts.combine ?? false;
  if (!members.length) return forecastTest(p, t, opts.skipEts ?? null, combine);
  // An ensemble: each network's forecasts in original units, combined with weights from validation.
  const valActual = actualOutputs(p, p.windows.val);
  const nets: TestMember[] = [{ model, p, alpha, normalize: 'global' }, ...members];
  const weights = inverseMaeWeights(
    valActual,
    nets.map((m) => memberForecast(m, m.p.windows.val)),
  );
  // The run's own network's test forecasts are `pred` (already shrunk): not predicted again.
  const each = [originalOutputs(p, w, pred), ...members.map((m) => memberForecast(m, m.p.windows.test))];
  const result = forecastTest(p, { ...t, predicted: weightedMean(each, weights) }, opts.skipEts ?? null, combine);
  const actual = actualOutputs(p, w);
  const shown = nets.map(
    (m, k) =>
      `${m.normalize} ${weights[k]!.toFixed(3)} (test MAE alone ${forecastMetrics(actual, each[k]!, NaN).mae.toPrecision(4)})`,
  );
  result.notes.unshift(
    `test: the weighted mean of ${nets.length} networks, weights ∝ 1 / validation MAE: ${shown.join(', ')}`,
  );
  return { ...result, weights };
}

/** A further network of an ensemble run (train/ensemble.ts), with its own data preparation and shrinkage. */
export interface TestMember {
  model: TF.LayersModel;
  p: Prepared;
  alpha: readonly number[] | null;
  normalize: string;
}

/** A network's forecasts of a split's windows in original units, its shrinkage applied. */
function memberForecast(m: TestMember, windows: Int32Array): Float64Array {
  const { pred, base } = predictWindows(m.model, m.p, windows);
  if (m.alpha) applyShrink(pred, base, m.alpha);
  return originalOutputs(m.p, windows, pred);
}

/**
 * Each window's series key as stored JSON, null for a dataset of one series: windows of different
 * series share time stamps, so a reader pairing two runs' windows (tune's paired test) needs both.
 */
function seriesKeys(p: Prepared, w: Int32Array): string | null {
  if (p.groups.length < 2) return null;
  return JSON.stringify(Array.from({ length: windowCount(w) }, (_, i) => p.groups[w[2 * i]!]!.key));
}

/** Classes: the model, the last observed label, and the train split's majority class. */
function classifyTest(p: Prepared, { pred, y, time, n, runId }: TestPredictions): TestResult {
  const w = p.windows.test;
  const O = p.outputs.length;
  const actual = new Float64Array(n);
  const predicted = new Float64Array(n);
  const naive = new Float64Array(n);
  const counts = new Array<number>(O).fill(0);
  for (let r = 0; r < n; r++) {
    actual[r] = argmax(y, r, O);
    predicted[r] = argmax(pred, r, O);
    naive[r] = p.groups[w[2 * r]!]!.y[w[2 * r + 1]!]!; // the last observed label
  }
  for (const g of p.groups) for (let i = 0; i < g.valStart; i++) counts[g.y[i]!]!++;
  const majority = counts.indexOf(Math.max(...counts));
  const m = classifyMetrics(actual, predicted, p.classes!);
  const test: TestMetrics = {
    task: 'classify',
    windows: n,
    accuracy: {
      test: m.accuracy,
      naive: classifyMetrics(actual, naive, p.classes!).accuracy,
      majority: actual.filter((a) => a === majority).length / Math.max(n, 1),
    },
    perClass: m.perClass.map(({ label, precision, recall }) => ({ label, precision, recall })),
    confusion: { labels: p.classes!, counts: m.confusion },
  };
  return {
    test,
    metrics: flattenTestMetrics(test),
    notes: [],
    save: (db) =>
      savePredictions(db, {
        run_id: runId,
        split: 'test',
        outputs: JSON.stringify(['class']),
        actual: blob(actual),
        predicted: blob(predicted),
        naive: blob(naive),
        seasonal: null,
        time: blob(time),
        classes: JSON.stringify(p.classes),
        series: seriesKeys(p, w),
      }),
  };
}

/** The MASE denominator: the seasonal-naive in-sample MAE on the train split, averaged over targets. */
function trainSeasonalScale(p: Prepared): number {
  const T = p.targets.length;
  const scales = p.targets.map((_, j) =>
    seasonalScale(
      p.groups.map((g) => {
        const v = new Float64Array(g.valStart);
        for (let i = 0; i < g.valStart; i++) v[i] = g.raw[i * T + j]!;
        return v;
      }),
      p.seasonLength,
    ),
  );
  return scales.reduce((a, b) => a + b, 0) / scales.length;
}

/**
 * The equal-weight mean of the network's forecast and the ETS baseline's where ETS has one (spec
 * combine: ets), and the run-log line with each one's test MAE beside the mean's.
 */
export function combineWithEts(
  actual: Float64Array,
  network: Float64Array,
  ets: Float64Array,
): { predicted: Float64Array; note: string } {
  const predicted = network.map((v, i) => (Number.isFinite(ets[i]) ? (v + ets[i]!) / 2 : v));
  const fitted = ets.filter(Number.isFinite).length;
  const mae = (f: Float64Array) => forecastMetrics(actual, f, NaN).mae.toPrecision(4);
  const note = !fitted
    ? 'test: combine ets, but the ETS baseline fitted no series: the network forecasts alone'
    : `test: the mean of the network's forecast (test MAE ${mae(network)}) and the ETS baseline's (${fitted === ets.length ? mae(ets) : `on ${fitted} of ${ets.length} outputs`}), spec combine: ets: ${mae(predicted)}`;
  return { predicted, note };
}

/** Forecast: model, naive (last observed value), seasonal naive (value one season before each step) and ETS. */
function forecastTest(
  p: Prepared,
  { pred, time, n, runId, ...t }: TestPredictions,
  skipEts: string | null,
  combine = false,
): TestResult {
  const w = p.windows.test;
  const O = p.outputs.length;
  const H = p.horizon;
  const T = p.targets.length;
  const m = p.seasonLength;
  const actual = actualOutputs(p, w);
  const naive = new Float64Array(n * O);
  const seasonal = new Float64Array(n * O);
  const network = t.predicted ?? originalOutputs(p, w, pred);
  for (let r = 0; r < n; r++) {
    const g = p.groups[w[2 * r]!]!;
    const t = w[2 * r + 1]!;
    for (let j = 0; j < T; j++) {
      for (let h = 1; h <= H; h++) {
        const o = r * O + j * H + (h - 1);
        naive[o] = g.raw[t * T + j]!;
        const back = t + h - m * Math.ceil(h / m);
        seasonal[o] = g.raw[(back >= 0 ? back : t) * T + j]!;
      }
    }
  }
  const ets =
    skipEts === null
      ? etsBaseline(p)
      : { predicted: new Float64Array(n * O).fill(NaN), notes: [`ETS baseline skipped: ${skipEts}`] };
  const combined = combine ? combineWithEts(actual, network, ets.predicted) : null;
  const predicted = combined?.predicted ?? network;
  if (combined) ets.notes.unshift(combined.note);
  const scale = trainSeasonalScale(p);
  const predictions: Record<Forecaster, Float64Array> = { test: predicted, naive, seasonal, ets: ets.predicted };
  const scores = {} as Record<Forecaster, Partial<Record<ForecastMetric, number>>>;
  let perStep: Record<string, number> | undefined;
  for (const who of FORECASTERS) {
    const fm = forecastMetrics(actual, predictions[who], scale);
    scores[who] = Object.fromEntries(Object.entries(fm).filter(([, v]) => Number.isFinite(v)));
    if (H > 1 && predictions[who].every((v) => !Number.isNaN(v))) {
      const steps = horizonRecords(who, horizonMetrics(actual, predictions[who], { horizon: H, targets: T, scale }));
      perStep = {
        ...perStep,
        ...Object.fromEntries(
          Object.entries(steps).filter(([k]) => k.includes('@') && Number(k.split('@')[1]) <= MAX_STEP_METRICS),
        ),
      };
    }
  }
  const test: TestMetrics = { task: 'forecast', windows: n, seasonLength: m, scores, ...(perStep ? { perStep } : {}) };
  return {
    test,
    metrics: flattenTestMetrics(test),
    notes: ets.notes,
    save: (db) =>
      savePredictions(db, {
        run_id: runId,
        split: 'test',
        outputs: JSON.stringify(p.outputs),
        actual: blob(actual),
        predicted: blob(predicted),
        naive: blob(naive),
        seasonal: blob(seasonal),
        ets: ets.predicted.every(Number.isFinite) ? blob(ets.predicted) : null,
        time: blob(time),
        classes: null,
        series: seriesKeys(p, w),
      }),
  };
}
