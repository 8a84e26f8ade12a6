// The metric names, defined once. The worker records two kinds:
// - per epoch (SQLite `metrics` and `run_summary`, the `run-epoch` event): EPOCH_METRICS;
// - the test-split evaluation of the best checkpoint (runs.test_metrics): a typed record
//   (TestMetrics) that flattenTestMetrics() turns into the stored flat keys `test.rmse`,
//   `naive.mase`, `test.accuracy`, `test.precision.<class>`, ...
// The stored strings are unchanged from earlier versions, so existing databases read the same.
// Pure (no imports): the renderer may use it too.

export const EPOCH_METRICS = ['loss', 'val_loss', 'val_mae', 'val_rmse', 'val_acc', 'samples_per_sec', 'epoch_seconds'] as const;
export type EpochMetricKey = (typeof EPOCH_METRICS)[number];

/** Validation metrics: val_mae and val_rmse (original units) for forecasts, val_acc for classifiers. */
export type ValMetrics = { val_loss: number } & ({ val_mae: number; val_rmse: number } | { val_acc: number });

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
export function testKey<W extends Forecaster | Classifier, M extends ForecastMetric | 'accuracy'>(who: W, metric: M): `${W}.${M}` {
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
