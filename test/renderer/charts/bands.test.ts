// Seed repeats on Compare (issue 12 item 5): groups by every parameter but the seed, drawn as a
// mean line over a ±std band.
import { describe, expect, it } from 'vitest';
import type { MetricPoint } from '../../../core/contract.js';
import { bandOption, groupableParams, meanStd, seedGroups } from '../../../renderer/src/charts/bands.js';
import { runColor } from '../../../renderer/src/charts/palette.js';
import { makeRun } from '../runs.js';

type AnyOpt = Record<string, any>;

const pt = (runId: number, epoch: number, value: number): MetricPoint => ({
  runId,
  key: 'val_loss',
  epoch,
  step: epoch,
  value,
  wallTime: epoch * 10 + runId,
});

// Runs 1-3: units 8, seeds 1-3; runs 4-5: units 16, seeds 1-2.
const runs = [
  makeRun(1, { units: 8, seed: 1 }),
  makeRun(2, { units: 8, seed: 2 }),
  makeRun(3, { units: 8, seed: 3 }),
  makeRun(4, { units: 16, seed: 1 }),
  makeRun(5, { units: 16, seed: 2 }),
];
const points = [
  pt(1, 1, 1),
  pt(2, 1, 2),
  pt(3, 1, 3),
  pt(1, 2, 0.5),
  pt(2, 2, 0.5),
  pt(3, 2, 0.5),
  pt(4, 1, 4),
  pt(5, 1, 6),
];
const flat = { smoothing: 0, logScale: false, x: 'epoch' as const };

describe('seed groups', () => {
  it('groups by every differing parameter but the seed, coloured as the first run', () => {
    const g = seedGroups(runs);
    expect(g.map((x) => x.label)).toEqual(['units=8 · n=3', 'units=16 · n=2']);
    expect(g.map((x) => x.runIds)).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(g[1]!.color).toBe(runColor(4));
  });

  it('groups by the params the user picks: none pools every run, units alone ignores the cell', () => {
    expect(groupableParams(runs)).toEqual(['model.layers.0.units']);
    expect(seedGroups(runs, []).map((x) => x.label)).toEqual(['all runs · n=5']);
    const mixed = [
      ...runs,
      makeRun(6, { units: 8, seed: 4, spec: { ...runs[0]!.spec, model: { ...runs[0]!.spec.model, cell: 'lstm' } } }),
    ];
    expect(seedGroups(mixed).map((x) => x.label)).toEqual([
      'cell=gru, units=8 · n=3',
      'cell=gru, units=16 · n=2',
      'cell=lstm, units=8 · n=1',
    ]);
    expect(seedGroups(mixed, ['model.layers.0.units']).map((x) => x.runIds)).toEqual([
      [1, 2, 3, 6],
      [4, 5],
    ]);
  });

  it('mean and sample std per epoch', () => {
    expect(meanStd(points, [1, 2, 3], 'val_loss', flat)).toEqual([
      { x: 1, mean: 2, std: 1, n: 3 },
      { x: 2, mean: 0.5, std: 0, n: 3 },
    ]);
    // On the wall-time axis x is the runs' mean time at that epoch.
    expect(meanStd(points, [4, 5], 'val_loss', { ...flat, x: 'wall' })[0]!.x).toBe(14.5);
  });

  it('draws a filled band (mean − std, then 2·std stacked) under each mean line', () => {
    const o = bandOption(seedGroups(runs), points, 'val_loss', flat) as AnyOpt;
    expect(o.series).toHaveLength(6);
    const [lower, band, mean] = o.series;
    expect(lower.stack).toBe(band.stack);
    expect(lower.data).toEqual([
      [1, 1],
      [2, 0.5],
    ]);
    expect(band.data).toEqual([
      [1, 2],
      [2, 0],
    ]);
    expect(band.areaStyle.opacity).toBeGreaterThan(0);
    expect(mean.name).toBe('units=8 · n=3');
    expect(mean.data).toEqual([
      [1, 2],
      [2, 0.5],
    ]);
    expect(o.series[3].stack).not.toBe(lower.stack);
  });
});
