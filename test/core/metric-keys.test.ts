// The typed test-split record must flatten to the keys earlier versions stored in
// runs.test_metrics (existing databases, the CLI and the renderer read those strings).
import { describe, expect, it } from 'vitest';
import {
  baselineVerdicts,
  describeSeason,
  EPOCH_METRICS,
  flattenTestMetrics,
  seasonLengths,
  stepCount,
  stepScores,
  testKey,
} from '../../core/metric-keys.js';

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
      season_length: 24,
      'test.windows': 12,
      'test.mae': 1,
      'test.rmse': 2,
      'test.mape': 3,
      'test.smape': 4,
      'test.mase': 0.5,
      'naive.mae': 2,
      'naive.rmse': 3,
      'naive.smape': 5,
      'naive.mase': 1,
      'seasonal.mae': 3,
      'seasonal.rmse': 4,
      'seasonal.mape': 6,
      'seasonal.smape': 7,
      'seasonal.mase': 1.5,
      'ets.mae': 1.5,
      'ets.mase': 0.75,
      'test.mae@1': 0.5,
      'test.mae@2': 1.5,
    });
    expect(Object.keys(flat).slice(0, 4)).toEqual(['season_length', 'test.windows', 'test.mae', 'test.rmse']);
  });

  it('flattens a classification evaluation to accuracies, per-class precision and recall, and the confusion matrix', () => {
    const flat = flattenTestMetrics({
      task: 'classify',
      windows: 5,
      accuracy: { test: 0.8, naive: 0.6, majority: 0.4 },
      perClass: [
        { label: 'up', precision: 1, recall: 0.5 },
        { label: 'down', precision: 0.75, recall: 1 },
      ],
      confusion: {
        labels: ['up', 'down'],
        counts: [
          [1, 1],
          [0, 3],
        ],
      },
    });
    expect(flat).toEqual({
      'test.accuracy': 0.8,
      'naive.accuracy': 0.6,
      'majority.accuracy': 0.4,
      'test.windows': 5,
      'test.precision.up': 1,
      'test.recall.up': 0.5,
      'test.precision.down': 0.75,
      'test.recall.down': 1,
      'test.confusion.up.up': 1,
      'test.confusion.up.down': 1,
      'test.confusion.down.up': 0,
      'test.confusion.down.down': 3,
    });
  });

  it('names keys as before', () => {
    expect(testKey('seasonal', 'mase')).toBe('seasonal.mase');
    expect(EPOCH_METRICS).toContain('val_loss');
  });
});

describe('the model against its baselines', () => {
  const test = {
    season_length: 12,
    'test.mae': 1.12,
    'naive.mae': 1.6,
    'seasonal.mae': 1.12,
    'ets.mae': 1,
    'test.mase': 3,
    'naive.mase': 1,
  };

  it('says by how much the model loses to or beats each baseline', () => {
    expect(baselineVerdicts(test).map((v) => v.text)).toEqual([
      'beats naive by 30% MAE',
      'ties with seasonal naive on MAE',
      'loses to ETS by 12% MAE',
    ]);
    const ets = baselineVerdicts(test).find((v) => v.baseline === 'ets')!;
    expect(ets).toMatchObject({ outcome: 'loses', percent: 12, model: 1.12, base: 1 });
    expect(ets.ratio).toBeCloseTo(1.12, 12);
  });

  it('gives a factor from twice the baseline error up, and leaves out what cannot be compared', () => {
    expect(baselineVerdicts(test, 'mase').map((v) => v.text)).toEqual(['loses to naive by 3.0× MASE']);
    // No season: seasonal naive is the naive forecast again; a zero baseline error has no ratio.
    expect(
      baselineVerdicts({ season_length: 1, 'test.mae': 2, 'naive.mae': 0, 'seasonal.mae': 1 }).map((v) => v.text),
    ).toEqual([]);
    expect(baselineVerdicts({ 'naive.mae': 1 })).toEqual([]);
    expect(baselineVerdicts({ 'test.mae': 25, 'naive.mae': 1 })[0]!.text).toBe('loses to naive by 25× MAE');
  });

  it('reads per-step scores in step order, with gaps as null', () => {
    const t = { 'test.mae@1': 1, 'test.mae@3': 3, 'ets.mae@2': 2, 'test.mae': 2 };
    expect(stepCount(t)).toBe(3);
    expect(stepScores(t, 'test', 'mae')).toEqual([1, null, 3]);
    expect(stepScores(t, 'ets', 'mae')).toEqual([null, 2, null]);
    expect(stepCount({ 'test.mae': 1 })).toBe(0);
  });

  it('lists the distinct season lengths of runs', () => {
    expect(seasonLengths([{ season_length: 24 }, {}, { season_length: 5 }, { season_length: 24 }])).toEqual([24, 5]);
  });
});

describe('describeSeason', () => {
  it('names the season and how it was found', () => {
    expect(
      describeSeason(
        { season_length: 12 },
        'monthly time column (100% of steps regular) → season 12, confirmed on the train split',
      ),
    ).toBe('season 12: monthly time column (100% of steps regular) → season 12, confirmed on the train split');
    expect(describeSeason({ season_length: 1 }, 'yearly time column: no season')).toBe(
      'no season: yearly time column: no season',
    );
    expect(describeSeason({ season_length: 5 }, 'season 5 given in the spec')).toBe('season 5: given in the spec');
    expect(describeSeason({ season_length: 24 }, null)).toBe('season 24');
    expect(describeSeason({ 'test.accuracy': 1 }, 'classification: no season')).toBeNull();
  });
});
