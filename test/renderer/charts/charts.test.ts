// Chart option builders: pure data → ECharts option, checked without a canvas.
import { describe, expect, it } from 'vitest';
import type { MetricPoint, Predictions } from '../../../core/contract.js';
import { ema } from '../../../renderer/src/charts/common.js';
import { compareCurvesOption, liveCurvesOption, metricKeys } from '../../../renderer/src/charts/curves.js';
import { datasetLineOption, mergeSeriesData } from '../../../renderer/src/charts/dataset.js';
import { differingParams, parallelOption } from '../../../renderer/src/charts/parallel.js';
import { horizonOption, horizonSeries, horizonSteps } from '../../../renderer/src/charts/horizon.js';
import { column, metricsTable, predictionsOption, seriesOf } from '../../../renderer/src/charts/predictions.js';
import { makeRun } from '../runs.js';

type AnyOpt = Record<string, any>;

describe('dataset line chart', () => {
  it('zooms and samples with LTTB, x on the time axis', () => {
    const o = datasetLineOption({
      time: [1.7e12, 1.7e12 + 3.6e6],
      series: [{ name: 'load', values: [1, null] }],
    }) as AnyOpt;
    expect(o.xAxis.type).toBe('time');
    expect(o.dataZoom.map((z: AnyOpt) => z.type)).toEqual(['inside', 'slider']);
    expect(o.series[0].sampling).toBe('lttb');
    expect(o.series[0].data).toEqual([
      [1.7e12, 1],
      [1.7e12 + 3.6e6, null],
    ]);
  });

  it('gives two columns of different scales their own y axes and falls back to row index', () => {
    const o = datasetLineOption({
      time: null,
      series: [
        { name: 'a', values: [1, 2, 3] },
        { name: 'b', values: [100, 200, 300] },
      ],
    }) as AnyOpt;
    expect(o.xAxis.type).toBe('value');
    expect(o.yAxis).toHaveLength(2);
    expect(o.series.map((s: AnyOpt) => s.yAxisIndex)).toEqual([0, 1]);
    expect(o.series[1].data[2]).toEqual([2, 300]);
  });

  it('draws every point the host sent (the host decimates) and keeps the zoom across redraws', () => {
    const n = 10_000;
    const values = Array.from({ length: n }, (_, i) => Math.sin(i / 100));
    const time = Array.from({ length: n }, (_, i) => 1.7e12 + i * 3.6e6);
    const o = datasetLineOption({ time, series: [{ name: 'x', values }] }) as AnyOpt;
    const data = o.series[0].data as [number, number][];
    expect(data).toHaveLength(n);
    expect(data[0]).toEqual([time[0], values[0]]);
    expect(data.at(-1)).toEqual([time[n - 1], values[n - 1]]);
    const lo = time[5_000]!;
    const hi = time[5_999]!;
    const z = datasetLineOption({ time, series: [{ name: 'x', values }] }, { range: [lo, hi] }) as AnyOpt;
    expect(z.dataZoom[0].startValue).toBe(lo);
    expect(z.dataZoom[1].endValue).toBe(hi);
    expect(z.xAxis.max).toBe(time[n - 1]);
  });

  it('puts decimated points at their row on a row-index axis', () => {
    const o = datasetLineOption({
      time: null,
      series: [{ name: 'v', values: [1, 5, 2] }],
      total: 1000,
      index: [0, 500, 999],
    }) as AnyOpt;
    expect(o.series[0].data).toEqual([
      [0, 1],
      [500, 5],
      [999, 2],
    ]);
    expect(o.xAxis.max).toBe(999);
  });
});

describe('curves', () => {
  it('EMA matches TensorBoard: debiased, identity at 0', () => {
    expect(ema([1, 2, 3], 0)).toEqual([1, 2, 3]);
    const s = ema([10, 10, 10], 0.9);
    s.forEach((v) => expect(v).toBeCloseTo(10, 10)); // debiasing: a constant stays constant
    const t = ema([0, 10], 0.5);
    expect(t[1]).toBeCloseTo((0.5 * 0 * 0.5 + 0.5 * 10) / (1 - 0.25), 10);
  });

  it('live curves draw train and val loss per epoch and the ghost faintly', () => {
    const epochs = [2, 1].map((e) => ({ runId: 1, epoch: e, wallTime: e, metrics: { loss: 1 / e, val_loss: 2 / e } }));
    const o = liveCurvesOption(epochs, { name: 'best earlier', points: [[1, 3]] }) as AnyOpt;
    expect(o.series.map((s: AnyOpt) => s.name)).toEqual(['train loss', 'val loss', 'best earlier']);
    expect(o.series[0].data).toEqual([
      [1, 1],
      [2, 0.5],
    ]);
    expect(o.series[2].lineStyle.opacity).toBeLessThan(0.6);
  });

  it('compare curves: one series per run, EMA, log scale drops non-positive values, wall-time x', () => {
    const pts: MetricPoint[] = [];
    for (const runId of [1, 2])
      for (let e = 1; e <= 3; e++)
        pts.push({ runId, key: 'val_loss', epoch: e, step: e, value: runId === 1 ? e - 1 : e, wallTime: e * 10 });
    const runs = [
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ];
    const lin = compareCurvesOption(runs, pts, {
      key: 'val_loss',
      smoothing: 0,
      logScale: false,
      x: 'epoch',
    }) as AnyOpt;
    expect(lin.series).toHaveLength(2);
    expect(lin.series[0].data).toEqual([
      [1, 0],
      [2, 1],
      [3, 2],
    ]);
    const log = compareCurvesOption(runs, pts, { key: 'val_loss', smoothing: 0, logScale: true, x: 'wall' }) as AnyOpt;
    expect(log.yAxis.type).toBe('log');
    expect(log.series[0].data).toEqual([
      [20, 1],
      [30, 2],
    ]);
    const smooth = compareCurvesOption(runs, pts, {
      key: 'val_loss',
      smoothing: 0.9,
      logScale: false,
      x: 'epoch',
    }) as AnyOpt;
    expect(smooth.series[1].data[2][1]).toBeLessThan(3);
    expect(metricKeys([...pts, { ...pts[0]!, key: 'loss' }, { ...pts[0]!, key: 'val_mae' }])).toEqual([
      'val_loss',
      'loss',
      'val_mae',
    ]);
  });
});

describe('parallel coordinates and predictions', () => {
  it('uses only differing parameters, numeric or categorical axes, and the metric last', () => {
    const a = makeRun(1, { units: 8, rmse: 9 });
    const b = makeRun(2, { units: 16, rmse: 7 });
    b.spec.model.cell = 'lstm';
    const diff = differingParams([a, b]);
    expect(diff).toEqual(['model.cell', 'model.layers.0.units']);
    const o = parallelOption([a, b], diff, 'test.rmse') as AnyOpt;
    expect(o.parallelAxis.map((x: AnyOpt) => [x.name, x.type])).toEqual([
      ['model.cell', 'category'],
      ['model.layers.0.units', 'value'],
      ['test.rmse', 'value'],
    ]);
    expect(o.series[1].data).toEqual([['lstm', 16, 7]]);
  });

  it('draws actual once, one prediction per run and dashed baselines', () => {
    const p = (pred: number[]): Predictions => ({
      runId: 1,
      split: 'test',
      outputs: ['y@1', 'y@2'],
      actual: [1, 10, 2, 20],
      predicted: pred,
      naive: [0, 0, 1, 1],
      seasonalNaive: [5, 5, 6, 6],
      time: [1.7e12, 1.7e12 + 1000],
    });
    expect(column([1, 10, 2, 20], 2, 1)).toEqual([10, 20]);
    const o = predictionsOption(
      [
        { id: 1, name: 'a', predictions: p([1, 1, 1, 1]) },
        { id: 2, name: 'b', predictions: p([3, 30, 4, 40]) },
      ],
      1,
    ) as AnyOpt;
    expect(o.series.map((s: AnyOpt) => s.name)).toEqual(['actual', '#1 a', '#2 b', 'naive', 'seasonal naive']);
    expect(o.series[0].data).toEqual([
      [1.7e12, 10],
      [1.7e12 + 1000, 20],
    ]);
    expect(o.series[2].data[1]).toEqual([1.7e12 + 1000, 40]);
    expect(o.series[3].lineStyle.type).toBe('dashed');
    expect(o.xAxis.type).toBe('time');
  });

  it('draws one series of a long-format dataset at a time (their windows share time stamps)', () => {
    const t0 = 1.7e12;
    const pred: Predictions = {
      runId: 1,
      split: 'test',
      outputs: ['y@1'],
      actual: [1, 2, 100, 200],
      predicted: [1.5, 2.5, 150, 250],
      naive: [0, 1, 90, 190],
      time: [t0, t0 + 1000, t0, t0 + 1000],
      series: ['north', 'north', 'south', 'south'],
    };
    const runs = [{ id: 1, name: 'a', predictions: pred }];
    expect(seriesOf(runs)).toEqual(['north', 'south']);
    const first = predictionsOption(runs) as AnyOpt;
    expect(first.series[0].data).toEqual([
      [t0, 1],
      [t0 + 1000, 2],
    ]);
    const south = predictionsOption(runs, 0, 'light', 'south') as AnyOpt;
    expect(south.series.map((x: AnyOpt) => x.data)).toEqual([
      [
        [t0, 100],
        [t0 + 1000, 200],
      ],
      [
        [t0, 150],
        [t0 + 1000, 250],
      ],
      [
        [t0, 90],
        [t0 + 1000, 190],
      ],
    ]);
    expect(seriesOf([{ id: 2, name: 'b', predictions: { ...pred, series: undefined } }])).toEqual([]);
  });

  it('lays out test metrics against the baselines, one column per run and one per baseline', () => {
    const t = metricsTable([
      {
        id: 1,
        name: 'a',
        test: { 'test.rmse': 2, 'naive.rmse': 3, 'seasonal.rmse': 4, 'test.windows': 9, season_length: 24 },
      },
      { id: 2, name: 'b', test: { 'test.rmse': 1, 'naive.rmse': 3, 'seasonal.rmse': 4, 'test.precision.x': 1 } },
    ]);
    expect(t.metrics).toEqual(['rmse']);
    expect(t.columns.map((c) => c.label)).toEqual(['#1 a', '#2 b', 'naive', 'seasonal naive']);
    expect(t.value(2, 'test', 'rmse')).toBe(1);
    expect(t.value(1, 'seasonal', 'rmse')).toBe(4);
  });

  it('puts ETS beside naive and seasonal naive, metrics in their usual order, per-step scores left out', () => {
    const test = {
      'test.mae': 2,
      'test.mase': 1.5,
      'test.rmse': 3,
      'ets.mae': 1,
      'ets.rmse': 2,
      'naive.mae': 3,
      'seasonal.mae': 4,
      'test.mae@1': 1,
      'ets.mae@2': 1,
      season_length: 12,
    };
    const t = metricsTable([{ id: 1, name: 'a', test }]);
    expect(t.columns.map((c) => c.label)).toEqual(['#1 a', 'naive', 'seasonal naive', 'ETS']);
    expect(t.metrics).toEqual(['mae', 'rmse', 'mase']);
    expect(t.value(1, 'ets', 'mae')).toBe(1);
  });

  it('gives each run its own baseline column when the runs disagree on the baseline (other data or windows)', () => {
    const t = metricsTable([
      { id: 1, name: 'a', test: { 'test.mae': 2, 'naive.mae': 3, 'ets.mae': 1 } },
      { id: 2, name: 'b', test: { 'test.mae': 2, 'naive.mae': 3, 'ets.mae': 1.5, 'seasonal.mae': 4 } },
    ]);
    expect(t.columns.map((c) => c.label)).toEqual(['#1 a', 'ETS (#1)', '#2 b', 'ETS (#2)', 'naive', 'seasonal naive']);
    expect(t.value(2, 'ets', 'mae')).toBe(1.5);
  });

  it('draws the ETS line when the predictions have one', () => {
    const pred: Predictions = {
      runId: 1,
      split: 'test',
      outputs: ['y'],
      actual: [1, 2],
      predicted: [1, 2],
      naive: [0, 1],
      ets: [1.5, 2.5],
      time: [],
    };
    const o = predictionsOption([{ id: 1, name: 'a', predictions: pred }]) as AnyOpt;
    const ets = o.series.find((s: AnyOpt) => s.name === 'ETS');
    expect(ets.data).toEqual([
      [0, 1.5],
      [1, 2.5],
    ]);
    expect(ets.lineStyle.type).toBe('dashed');
  });
});

describe('per-horizon errors', () => {
  const steps = (who: string, m: string, v: number[]) =>
    Object.fromEntries(v.map((x, i) => [`${who}.${m}@${i + 1}`, x]));
  const a = {
    id: 1,
    name: 'gru',
    test: {
      season_length: 24,
      'test.mae': 2,
      ...steps('test', 'mae', [1, 2, 3]),
      ...steps('naive', 'mae', [1.5, 2.5, 3.5]),
      ...steps('seasonal', 'mae', [4, 4, 4]),
      ...steps('ets', 'mae', [1.2, 1.9, 2.6]),
      ...steps('test', 'rmse', [2, 3, 4]),
    },
  };

  it('draws the model per run and each baseline dashed, MAE per step ahead', () => {
    const b = {
      id: 2,
      name: 'lstm',
      test: { ...steps('test', 'mae', [0.5, 1, 1.5]), ...steps('ets', 'mae', [9, 9, 9]) },
    };
    expect(horizonSteps([a, b])).toBe(3);
    const o = horizonOption([a, b]) as AnyOpt;
    expect(o.xAxis).toMatchObject({ type: 'category', name: 'steps ahead', data: ['1', '2', '3'] });
    expect(o.yAxis.name).toBe('test MAE');
    expect(o.series.map((s: AnyOpt) => s.name)).toEqual(['#1 gru', '#2 lstm', 'naive', 'seasonal naive', 'ETS']);
    expect(o.series[1].data).toEqual([0.5, 1, 1.5]);
    // Baselines come from the first run that has them.
    expect(o.series[4].data).toEqual([1.2, 1.9, 2.6]);
    expect(o.series[4].lineStyle.type).toBe('dashed');
    expect(o.series[0].lineStyle.type).toBeUndefined();
  });

  it('charts another metric with gaps where a step has no score, and nothing for one-step runs', () => {
    const o = horizonOption([a], 'rmse') as AnyOpt;
    expect(o.yAxis.name).toBe('test RMSE');
    expect(o.series.map((s: AnyOpt) => s.name)).toEqual(['#1 gru']);
    expect(
      horizonSeries([{ ...a, test: { ...a.test, 'test.mae@2': undefined as unknown as number } }])[0]!.values,
    ).toEqual([1, null, 3]);
    const one = { id: 3, name: 'h1', test: { 'test.mae': 1 } };
    expect(horizonSteps([one])).toBe(0);
    expect(horizonSeries([one])).toEqual([]);
  });

  it('leaves out seasonal naive when there is no season (it is the naive forecast again)', () => {
    const o = horizonOption([{ ...a, test: { ...a.test, season_length: 1 } }]) as AnyOpt;
    expect(o.series.map((s: AnyOpt) => s.name)).toEqual(['#1 gru', 'naive', 'ETS']);
  });
});

describe('mergeSeriesData', () => {
  it('merges the overview and the zoomed detail in row order, once per row', () => {
    const overview = { time: [0, 50, 99], series: [{ name: 'v', values: [1, 2, 3] }], total: 100, index: [0, 50, 99] };
    const detail = { time: [49, 50, 51], series: [{ name: 'v', values: [9, 2, 8] }], total: 100, index: [49, 50, 51] };
    const m = mergeSeriesData(overview, detail);
    expect(m.index).toEqual([0, 49, 50, 51, 99]);
    expect(m.time).toEqual([0, 49, 50, 51, 99]);
    expect(m.series[0]!.values).toEqual([1, 9, 2, 8, 3]);
    expect(mergeSeriesData(overview, null)).toBe(overview);
  });
});
