import { describe, expect, it } from 'vitest';
import type { RunEpoch } from '../../../core/contract.js';
import { defaultSpec } from '../../../core/spec.js';
import { bestEpoch, presentMetrics, runMetricOption } from '../../../renderer/src/charts/runMetrics.js';
import { specParams } from '../../../renderer/src/lib/runParams.js';

const ep = (epoch: number, val_loss: number, extra: Record<string, number> = {}): RunEpoch => ({
  runId: 1,
  epoch,
  wallTime: epoch,
  metrics: { loss: val_loss * 1.1, val_loss, val_mae: val_loss / 2, samples_per_sec: 1000 + epoch, ...extra },
});

describe('run overview charts', () => {
  const epochs = [ep(1, 0.9), ep(2, 0.4), ep(3, 0.6)];

  it('draws one chart per metric the epochs carry, in a fixed order', () => {
    expect(presentMetrics(epochs).map((m) => m.key)).toEqual(['val_mae', 'samples_per_sec']);
    expect(presentMetrics([])).toEqual([]);
  });

  it('marks the epoch with the lowest val loss on each chart', () => {
    expect(bestEpoch(epochs)).toBe(2);
    expect(bestEpoch([])).toBeNull();
    const o = runMetricOption(epochs, { key: 'val_mae', label: 'val MAE' }, 2) as {
      series: {
        data: number[][];
        markLine: { data: { xAxis: number }[] };
        markPoint: { data: { coord: number[] }[] };
      }[];
    };
    expect(o.series[0]!.data).toEqual([
      [1, 0.45],
      [2, 0.2],
      [3, 0.3],
    ]);
    expect(o.series[0]!.markLine.data[0]!.xAxis).toBe(2);
    expect(o.series[0]!.markPoint.data[0]!.coord).toEqual([2, 0.2]);
  });

  it('marks nothing before the best epoch is known', () => {
    const o = runMetricOption(epochs, { key: 'val_mae', label: 'val MAE' }, null) as { series: object[] };
    expect(o.series[0]).not.toHaveProperty('markLine');
  });
});

describe('parameter summary', () => {
  it('lists the resolved spec: cell, layers, lookback, horizon, transform, optimizer, lr', () => {
    const spec = defaultSpec('y');
    spec.window.lookback = 24;
    spec.model.layers = [
      { units: 32, dropout: 0 },
      { units: 16, dropout: 0.2 },
    ];
    const p = Object.fromEntries(specParams(spec));
    expect(p).toMatchObject({
      Cell: 'gru',
      Layers: '32 × 16 (drop 0.2)',
      Lookback: '24',
      Horizon: '1',
      Transform: 'auto',
      Optimizer: 'adam',
      'Learning rate': '0.003',
    });
  });
});

describe('long-format series overlay', () => {
  it('gives exact per-series stats, missing values left out', async () => {
    const { seriesStats, seriesOverlayOption } = await import('../../../renderer/src/charts/seriesOverlay.js');
    const s = seriesStats({ id: 'A', time: null, values: [1, null, 3, 5] });
    expect(s).toMatchObject({ id: 'A', rows: 4, missing: 1, min: 1, max: 5, mean: 3, std: 2 });
    expect(seriesStats({ id: 'B', time: null, values: [null] })).toMatchObject({ min: null, mean: null, std: null });
    const o = seriesOverlayOption(
      [
        { id: 'A', time: [0, 86_400_000], values: [1, 2] },
        { id: 'B', time: [0, 86_400_000], values: [3, null] },
      ],
      'price',
    ) as { series: { name: string; data: unknown[] }[]; xAxis: { type: string } };
    expect(o.series.map((x) => x.name)).toEqual(['A', 'B']);
    expect(o.series[1]!.data).toEqual([
      [0, 3],
      [86_400_000, null],
    ]);
    expect(o.xAxis.type).toBe('time');
  });
});
