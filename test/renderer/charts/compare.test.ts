// Compare's option builders (issue 14): small multiples with the raw line under the smoothed one,
// run colours past ten runs, param-vs-metric scatter, parallel-coordinates brushing and missing params.
import { describe, expect, it } from 'vitest';
import { RunSpecSchema, type MetricPoint } from '../../../core/contract.js';
import { PALETTE } from '../../../renderer/src/charts/common.js';
import { FADED, multipleKeys, smallMultipleOption } from '../../../renderer/src/charts/multiples.js';
import { runColor } from '../../../renderer/src/charts/palette.js';
import { brushedRuns, MISSING, parallelOption } from '../../../renderer/src/charts/parallel.js';
import { paramScatterOption } from '../../../renderer/src/charts/scatter.js';
import { makeRun } from '../runs.js';

type AnyOpt = Record<string, any>;

const pt = (runId: number, key: string, epoch: number, value: number): MetricPoint => ({
  runId,
  key,
  epoch,
  step: epoch,
  value,
  wallTime: epoch * 2,
});
const points = [1, 2].flatMap((id) =>
  [1, 2, 3, 4].flatMap((e) => [pt(id, 'val_loss', e, id / e), pt(id, 'loss', e, 2 / e), pt(id, 'val_mae', e, e % 2)]),
);
const twoLayers = (id: number) =>
  makeRun(id, {
    spec: RunSpecSchema.parse({ target: 'load_mw', model: { cell: 'gru', layers: [{ units: 8 }, { units: 4 }] } }),
  });

describe('small multiples', () => {
  it('one chart per per-epoch metric, losses first', () => {
    expect(multipleKeys(points)).toEqual(['val_loss', 'loss', 'val_mae']);
  });

  it('draws the raw line faint under the EMA-smoothed one, no legend', () => {
    const runs = [makeRun(1), makeRun(2)];
    const o = smallMultipleOption(runs, points, 'val_mae', { smoothing: 0.6, logScale: false, x: 'epoch' }) as AnyOpt;
    expect(o.legend.show).toBe(false);
    expect(o.series.map((s: AnyOpt) => s.name)).toEqual(['#1 run-1 (raw)', '#1 run-1', '#2 run-2 (raw)', '#2 run-2']);
    const [raw, smooth] = o.series;
    expect(raw.lineStyle.opacity).toBeLessThan(0.5);
    expect(raw.z).toBeLessThan(smooth.z);
    expect(raw.data.map((d: number[]) => d[1])).toEqual([1, 0, 1, 0]);
    // Debiased EMA: the first point is the raw value, later ones lie between the extremes.
    expect(smooth.data[0][1]).toBeCloseTo(1);
    expect(smooth.data[1][1]).toBeGreaterThan(0.3);
    expect(raw.color).toBe(smooth.color);
    expect(raw.color).toBe(runColor(1));
  });

  it('fades the runs outside the brushed ranges: one faint smoothed trace, no tooltip, under the others', () => {
    const runs = [makeRun(1), makeRun(2)];
    const o = smallMultipleOption(
      runs,
      points,
      'val_mae',
      { smoothing: 0.6, logScale: false, x: 'epoch' },
      new Set([2]),
    ) as AnyOpt;
    expect(o.series.map((s: AnyOpt) => s.name)).toEqual(['#1 run-1 (raw)', '#1 run-1', '#2 run-2']);
    const trace = o.series[2];
    expect(trace.lineStyle.opacity).toBe(FADED);
    expect(trace.silent).toBe(true);
    expect(trace.tooltip.show).toBe(false);
    expect(trace.z).toBeLessThan(o.series[0].z);
    expect(o.series[1].lineStyle?.opacity ?? 1).toBe(1);
  });

  it('without smoothing draws one line per run', () => {
    const o = smallMultipleOption([makeRun(1)], points, 'loss', { smoothing: 0, logScale: false, x: 'wall' }) as AnyOpt;
    expect(o.series).toHaveLength(1);
    expect(o.series[0].data[0]).toEqual([2, 2]);
  });
});

describe('run colours', () => {
  it('start with the app palette, then stay distinct and stable past ten runs', () => {
    expect(runColor(1)).toBe(PALETTE[0]);
    const colours = Array.from({ length: 40 }, (_, i) => runColor(i + 1));
    expect(new Set(colours).size).toBe(40);
    for (const c of colours) expect(c).toMatch(/^#[0-9a-f]{6}$/i);
    expect(runColor(23)).toBe(colours[22]);
  });
});

describe('parallel coordinates', () => {
  it('puts a run without a parameter at "—", not at 0', () => {
    const runs = [makeRun(1, { units: 8 }), twoLayers(2)];
    const o = parallelOption(runs, ['model.layers.1.units'], 'test.rmse') as AnyOpt;
    expect(o.parallelAxis[0].type).toBe('category');
    expect(o.parallelAxis[0].data).toContain(MISSING);
    expect(o.series[0].data[0][0]).toBe(MISSING);
    expect(o.series[1].data[0][0]).toBe('4');
    expect(o.series[0].lineStyle.color).toBe(runColor(1));
  });

  it('keeps only the runs inside every brushed range', () => {
    const runs = [makeRun(1, { units: 8 }), makeRun(2, { units: 16 }), makeRun(3, { units: 32 })];
    const params = ['model.layers.0.units'];
    expect(brushedRuns(runs, params, 'test.rmse', {})).toBeNull();
    expect([...brushedRuns(runs, params, 'test.rmse', { 'pc-0': [[10, 40]] })!]).toEqual([2, 3]);
    // test.rmse is 10 + id: the metric axis (pc-1) narrows it to run 2.
    expect([...brushedRuns(runs, params, 'test.rmse', { 'pc-0': [[10, 40]], 'pc-1': [[11.5, 12.5]] })!]).toEqual([2]);
  });
});

describe('param-vs-metric scatter', () => {
  it('a numeric param on a value axis, one point per run in its colour', () => {
    const runs = [makeRun(1, { units: 8 }), makeRun(2, { units: 16 })];
    const o = paramScatterOption(runs, 'model.layers.0.units', 'test.rmse') as AnyOpt;
    expect(o.xAxis.type).toBe('value');
    expect(o.series.map((s: AnyOpt) => s.data)).toEqual([[[8, 11]], [[16, 12]]]);
    expect(o.series[1].color).toBe(runColor(2));
  });

  it('fades the runs outside the brushed ranges', () => {
    const runs = [makeRun(1, { units: 8 }), makeRun(2, { units: 16 })];
    const o = paramScatterOption(runs, 'model.layers.0.units', 'test.rmse', new Set([1])) as AnyOpt;
    expect(o.series[0].itemStyle.opacity).toBe(FADED);
    expect(o.series[0].tooltip.show).toBe(false);
    expect(o.series[1].itemStyle).toBeUndefined();
    expect(o.series[1].z).toBeGreaterThan(o.series[0].z);
  });

  it('a param some run lacks goes on a category axis with "—" last', () => {
    const o = paramScatterOption([makeRun(1), twoLayers(2)], 'model.layers.1.units', 'test.rmse') as AnyOpt;
    expect(o.xAxis.type).toBe('category');
    expect(o.xAxis.data).toEqual(['4', MISSING]);
    expect(o.series[0].data).toEqual([[MISSING, 11]]);
  });
});
