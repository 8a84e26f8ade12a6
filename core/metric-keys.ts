// The metric names, defined once. The worker records two kinds:
// - per epoch (SQLite `metrics` and `run_summary`, the `run-epoch` event): EPOCH_METRICS;
// - the test-split evaluation of the best checkpoint (runs.test_metrics): a typed record
//   (TestMetrics) that flattenTestMetrics() turns into the stored flat keys `test.rmse`,
//   `naive.mase`, `test.accuracy`, `test.precision.<class>`, ...
// The stored strings are unchanged from earlier versions, so existing databases read the same.
// Pure (no imports): the renderer may use it too.

export const EPOCH_METRICS = [
  'loss',
  'val_loss',
  'val_mae',
  'val_mae_shrunk',
  'val_rmse',
  'val_acc',
  'samples_per_sec',
  'epoch_seconds',
] as const;
export type EpochMetricKey = (typeof EPOCH_METRICS)[number];

/**
 * Validation metrics: val_mae and val_rmse (original units) for forecasts, val_acc for classifiers.
 * val_mae is the network's own; val_mae_shrunk is that of the forecast the run delivers, with the
 * epoch's shrinkage factors applied (`shrink`; the same as val_mae with `shrink: off`).
 */
export type ValMetrics = { val_loss: number } & (
  { val_mae: number; val_mae_shrunk: number; val_rmse: number } | { val_acc: number }
);

/** One epoch's metrics as logged. */
export type EpochMetrics = { loss: number; samples_per_sec: number; epoch_seconds: number } & ValMetrics;

/** See worker/train/metrics.ts for their definitions (MAPE and sMAPE in percent; MASE scaled by the seasonal-naive in-sample MAE). */
export const FORECAST_METRICS = ['mae', 'rmse', 'mape', 'smape', 'mase'] as const;
export type ForecastMetric = (typeof FORECAST_METRICS)[number];

/**
 * Who predicted the test split of a forecast: the model (`test`) and the baselines it is measured
 * against: the last observed value, the value one season before, exponential smoothing (ETS).
 */
export const FORECASTERS = ['test', 'naive', 'seasonal', 'ets'] as const;
export type Forecaster = (typeof FORECASTERS)[number];

/** The same for a classifier: the model, the last observed label, the train split's majority class. */
export const CLASSIFIERS = ['test', 'naive', 'majority'] as const;
export type Classifier = (typeof CLASSIFIERS)[number];

export interface ForecastTestMetrics {
  task: 'forecast';
  windows: number;
  seasonLength: number;
  /** Metrics that are not finite (e.g. MAPE with all-zero actuals) are left out. */
  scores: Record<Forecaster, Partial<Record<ForecastMetric, number>>>;
  /** horizon > 1: per step ahead, `test.mae@1`, `naive.rmse@2`, `ets.mase@3`, ... (finite values only). */
  perStep?: Record<string, number>;
}

/** Stored key of a per-step score, e.g. stepKey('ets', 'mae', 3) = 'ets.mae@3'. */
export function stepKey(who: Forecaster, metric: ForecastMetric, h: number): string {
  return `${who}.${metric}@${h}`;
}

export interface ClassifyTestMetrics {
  task: 'classify';
  windows: number;
  accuracy: Record<Classifier, number>;
  perClass: { label: string; precision: number; recall: number }[];
  /** counts[actual][predicted], in the order of `labels` */
  confusion: { labels: string[]; counts: number[][] };
}

export type TestMetrics = ForecastTestMetrics | ClassifyTestMetrics;

/** Stored key of a test-split score, e.g. testKey('naive', 'mase') = 'naive.mase'. */
export function testKey<W extends Forecaster | Classifier, M extends ForecastMetric | 'accuracy'>(
  who: W,
  metric: M,
): `${W}.${M}` {
  return `${who}.${metric}`;
}

export const TEST_WINDOWS_KEY = 'test.windows';
export const SEASON_LENGTH_KEY = 'season_length';

/** The flat record stored in runs.test_metrics (and shown by the CLI and the renderer). */
export function flattenTestMetrics(t: TestMetrics): Record<string, number> {
  if (t.task === 'forecast') {
    const out: Record<string, number> = { [SEASON_LENGTH_KEY]: t.seasonLength, [TEST_WINDOWS_KEY]: t.windows };
    for (const who of FORECASTERS) {
      for (const m of FORECAST_METRICS) {
        const v = t.scores[who][m];
        if (v !== undefined) out[testKey(who, m)] = v;
      }
    }
    return { ...out, ...t.perStep };
  }
  const out: Record<string, number> = {};
  for (const who of CLASSIFIERS) out[testKey(who, 'accuracy')] = t.accuracy[who];
  out[TEST_WINDOWS_KEY] = t.windows;
  for (const c of t.perClass) {
    out[`test.precision.${c.label}`] = c.precision;
    out[`test.recall.${c.label}`] = c.recall;
  }
  const { labels, counts } = t.confusion;
  counts.forEach((row, a) => row.forEach((v, q) => (out[`test.confusion.${labels[a]}.${labels[q]}`] = v)));
  return out;
}

/** The baselines a forecast is measured against, as people call them. */
export const BASELINE_LABELS: Record<Exclude<Forecaster, 'test'>, string> = {
  naive: 'naive',
  seasonal: 'seasonal naive',
  ets: 'ETS',
};

/** How the model's pooled score compares with one baseline's (lower is better for every forecast metric). */
export interface BaselineVerdict {
  baseline: Exclude<Forecaster, 'test'>;
  metric: ForecastMetric;
  model: number;
  base: number;
  /** model ÷ baseline */
  ratio: number;
  /** |ratio - 1| in percent, rounded: 12 means an error 12% above (loses) or below (beats) the baseline's. */
  percent: number;
  outcome: 'loses' | 'beats' | 'ties';
  /** e.g. "loses to ETS by 12% MAE", "loses to naive by 2.6× MAE", "beats naive by 30% MAE", "ties with ETS on MAE" */
  text: string;
}

/**
 * The model against each baseline on one pooled metric of `test` (a run's stored test metrics).
 * Seasonal naive is left out when there is no season (it is then the naive forecast again).
 * "Loses by 12%": the model's error is 12% above the baseline's; "beats by 30%": 30% below it.
 */
export function baselineVerdicts(
  test: Readonly<Record<string, number>>,
  metric: ForecastMetric = 'mae',
): BaselineVerdict[] {
  const model = test[testKey('test', metric)];
  if (model === undefined || !Number.isFinite(model)) return [];
  const out: BaselineVerdict[] = [];
  for (const baseline of ['naive', 'seasonal', 'ets'] as const) {
    const base = test[testKey(baseline, metric)];
    if (base === undefined || !Number.isFinite(base) || base <= 0) continue;
    if (baseline === 'seasonal' && (test[SEASON_LENGTH_KEY] ?? 1) <= 1) continue;
    const change = model / base - 1;
    const outcome = Math.abs(change) < 0.005 ? 'ties' : change > 0 ? 'loses' : 'beats';
    const percent = Math.round(Math.abs(change) * 100);
    const name = BASELINE_LABELS[baseline];
    const M = metric.toUpperCase();
    // Twice the baseline's error or worse reads better as a factor ("by 2.6×", as M4 reports do).
    const by =
      change >= 1 ? `${model / base < 10 ? (model / base).toFixed(1) : Math.round(model / base)}×` : `${percent}%`;
    const text =
      outcome === 'ties'
        ? `ties with ${name} on ${M}`
        : `${outcome === 'loses' ? 'loses to' : 'beats'} ${name} by ${by} ${M}`;
    out.push({ baseline, metric, model, base, ratio: model / base, percent, outcome, text });
  }
  return out;
}

/** The largest step h with a stored per-step score `<who>.<metric>@h` (0 when there are none). */
export function stepCount(test: Readonly<Record<string, number>>): number {
  let H = 0;
  for (const k of Object.keys(test)) {
    const at = k.lastIndexOf('@');
    if (at > 0) H = Math.max(H, Number(k.slice(at + 1)) || 0);
  }
  return H;
}

/** Per-step scores of one forecaster, index h-1; null where a step has no finite score. */
export function stepScores(
  test: Readonly<Record<string, number>>,
  who: Forecaster,
  metric: ForecastMetric,
): (number | null)[] {
  return Array.from({ length: stepCount(test) }, (_, i) => test[stepKey(who, metric, i + 1)] ?? null);
}

/** The distinct season lengths behind the runs' MASE (and seasonal naive), in the runs' order. */
export function seasonLengths(tests: readonly Readonly<Record<string, number>>[]): number[] {
  return [...new Set(tests.map((t) => t[SEASON_LENGTH_KEY]).filter((m): m is number => m !== undefined))];
}

/** The season of a forecast evaluation in two parts: "season 12" / "no season", and how it was found (null when not recorded). */
export function seasonParts(
  test: Readonly<Record<string, number>>,
  how?: string | null,
): { head: string; how: string | null } | null {
  const m = test[SEASON_LENGTH_KEY];
  if (m === undefined) return null;
  return {
    head: m > 1 ? `season ${m}` : 'no season',
    how: how ? how.replace(/^season \d+ given in the spec$/, 'given in the spec') : null,
  };
}

/**
 * The season behind seasonal naive and MASE and how it was found, for people: "season 12:
 * monthly time column (100% of steps regular) → season 12, confirmed on the train split (...)",
 * "no season: yearly time column: no season". Null when the run has no forecast evaluation.
 */
export function describeSeason(test: Readonly<Record<string, number>>, how?: string | null): string | null {
  const p = seasonParts(test, how);
  return p && (p.how ? `${p.head}: ${p.how}` : p.head);
}
