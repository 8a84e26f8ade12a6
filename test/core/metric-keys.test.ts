// The typed test-split record must flatten to the keys earlier versions stored in
// runs.test_metrics (existing databases, the CLI and the renderer read those strings).
import { describe, expect, it } from 'vitest';
import { EPOCH_METRICS, flattenTestMetrics, testKey } from '../../core/metric-keys.js';

describe('metric keys', () => {
  it('flattens a forecast evaluation to the stored keys, leaving out scores that were not finite', () => {
    const flat = flattenTestMetrics({
      task: 'forecast',
      windows: 12,
      seasonLength: 24,
      scores: {
        test: { mae: 1, rmse: 2, mape: 3, smape: 4, mase: 0.5 },
        naive: { mae: 2, rmse: 3, smape: 5, mase: 1 },
        seasonal: { mae: 3, rmse: 4, mape: 6, smape: 7, mase: 1.5 },
        ets: { mae: 1.5, mase: 0.75 },
      },
      perStep: { 'test.mae@1': 0.5, 'test.mae@2': 1.5 },
    });
    expect(flat).toEqual({
      season_length: 24, 'test.windows': 12,
      'test.mae': 1, 'test.rmse': 2, 'test.mape': 3, 'test.smape': 4, 'test.mase': 0.5,
      'naive.mae': 2, 'naive.rmse': 3, 'naive.smape': 5, 'naive.mase': 1,
      'seasonal.mae': 3, 'seasonal.rmse': 4, 'seasonal.mape': 6, 'seasonal.smape': 7, 'seasonal.mase': 1.5,
      'ets.mae': 1.5, 'ets.mase': 0.75, 'test.mae@1': 0.5, 'test.mae@2': 1.5,
    });
    expect(Object.keys(flat).slice(0, 4)).toEqual(['season_length', 'test.windows', 'test.mae', 'test.rmse']);
  });

  it('flattens a classification evaluation to accuracies, per-class precision and recall, and the confusion matrix', () => {
    const flat = flattenTestMetrics({
      task: 'classify',
      windows: 5,
      accuracy: { test: 0.8, naive: 0.6, majority: 0.4 },
      perClass: [{ label: 'up', precision: 1, recall: 0.5 }, { label: 'down', precision: 0.75, recall: 1 }],
      confusion: { labels: ['up', 'down'], counts: [[1, 1], [0, 3]] },
    });
    expect(flat).toEqual({
      'test.accuracy': 0.8, 'naive.accuracy': 0.6, 'majority.accuracy': 0.4, 'test.windows': 5,
      'test.precision.up': 1, 'test.recall.up': 0.5, 'test.precision.down': 0.75, 'test.recall.down': 1,
      'test.confusion.up.up': 1, 'test.confusion.up.down': 1, 'test.confusion.down.up': 0, 'test.confusion.down.down': 3,
    });
  });

  it('names keys as before', () => {
    expect(testKey('seasonal', 'mase')).toBe('seasonal.mase');
    expect(EPOCH_METRICS).toContain('val_loss');
  });
});
