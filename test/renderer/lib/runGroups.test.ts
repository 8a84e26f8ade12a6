// Groups of runs with mean ± std (renderer/src/lib/runGroups.ts), shared by the runs table and the Studies UI.
import { describe, expect, it } from 'vitest';
import {
  defaultGroupBy,
  fmtMeanStd,
  groupQuery,
  groupRuns,
  stats,
  varyingPaths,
} from '../../../renderer/src/lib/runGroups.js';
import { flatParams, metricValue, queryRuns } from '../../../renderer/src/lib/runsTable.js';
import { RunSpecSchema } from '../../../core/contract.js';
import { makeRun } from '../runs.js';

const spec = (cell: 'gru' | 'lstm', units: number, seed: number) =>
  RunSpecSchema.parse({ target: 'load_mw', model: { cell, layers: [{ units }] }, train: { seed } });
// Two configurations × three seeds, and one lone lstm run.
const runs = [
  makeRun(1, { spec: spec('gru', 16, 1), valLoss: 1 }),
  makeRun(2, { spec: spec('gru', 16, 2), valLoss: 2 }),
  makeRun(3, { spec: spec('gru', 16, 3), valLoss: 3 }),
  makeRun(4, { spec: spec('gru', 32, 1), valLoss: 0.5 }),
  makeRun(5, { spec: spec('gru', 32, 2), valLoss: 0.5 }),
  makeRun(6, { spec: spec('gru', 32, 3), valLoss: null }),
  makeRun(7, { spec: spec('lstm', 16, 1), valLoss: 4 }),
];
const param = (r: (typeof runs)[number], p: string) => flatParams(r)[p];
const paths = [...new Set(runs.flatMap((r) => Object.keys(flatParams(r))))];

describe('runGroups', () => {
  it('computes count, mean, sample std, min and max, skipping missing values', () => {
    expect(stats([1, 2, 3, null, Number.NaN])).toEqual({ n: 3, mean: 2, std: 1, min: 1, max: 3 });
    expect(stats([5])).toEqual({ n: 1, mean: 5, std: 0, min: 5, max: 5 });
    expect(stats([null, undefined])).toBeNull();
  });

  it('groups by all parameters but the seed by default', () => {
    expect(varyingPaths(runs, paths, param).sort()).toEqual(['model.cell', 'model.layers.0.units', 'train.seed']);
    const by = defaultGroupBy(runs, paths, param);
    expect(by.sort()).toEqual(['model.cell', 'model.layers.0.units']);
    const groups = groupRuns(runs, by, param, ['val_loss', 'test.rmse'], metricValue);
    expect(groups.map((g) => g.runs.map((r) => r.id))).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(groups[0]!.values).toEqual({ 'model.cell': 'gru', 'model.layers.0.units': '16' });
    expect(groups[0]!.stats['val_loss']).toEqual({ n: 3, mean: 2, std: 1, min: 1, max: 3 });
    expect(groups[1]!.stats['val_loss']).toMatchObject({ n: 2, mean: 0.5, std: 0 });
    expect(groups[2]!.stats['test.rmse']).toMatchObject({ n: 1, mean: 17 });
    expect(fmtMeanStd(groups[0]!.stats['val_loss']!, (v) => v.toFixed(2))).toBe('2.00 ± 1.00');
    expect(fmtMeanStd(groups[2]!.stats['val_loss']!, (v) => v.toFixed(2))).toBe('4.00');
    expect(fmtMeanStd(null, String)).toBe('—');
  });

  it('groups by any chosen set, and a group reads back as a query that selects its runs', () => {
    const byCell = groupRuns(runs, ['model.cell'], param, ['val_loss'], metricValue);
    expect(byCell.map((g) => [g.values['model.cell'], g.runs.length])).toEqual([
      ['gru', 6],
      ['lstm', 1],
    ]);
    const q = groupQuery(byCell[0]!.values);
    expect(q).toBe('model.cell = gru');
    expect(queryRuns(runs, q).rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(groupQuery({ name: 'a b', x: null })).toBe('name = "a b"');
    expect(groupRuns(runs, [], param, [], metricValue)).toHaveLength(1);
  });
});
