// The study charts' option builders (renderer/src/charts/study.ts), pure.
import { describe, expect, it } from 'vitest';
import type { TrialRow } from '../../../core/contract.js';
import { bestSoFarOption, trialsAxesOption, trialsSeriesOption } from '../../../renderer/src/charts/study.js';
import { trialAxes } from '../../../renderer/src/lib/studyView.js';

const trial = (n: number, over: Partial<TrialRow>): TrialRow => ({
  trial: n,
  runId: 10 + n,
  status: 'completed',
  params: {},
  seed: 42,
  configHash: `h${n}`,
  rung: null,
  epochsDone: 2,
  value: null,
  valLoss: null,
  test: {},
  ...over,
});

describe('study charts', () => {
  it('draws every trial 1-based and the best so far as a step line without the NaN start', () => {
    const o = bestSoFarOption(
      [
        { trial: 0, value: 2, best: NaN },
        { trial: 1, value: 1, best: 1 },
      ],
      'val_loss',
    ) as { series: { name: string; data: number[][]; step?: string }[] };
    expect(o.series[0]!.data).toEqual([
      [1, 2],
      [2, 1],
    ]);
    expect(o.series[1]).toMatchObject({ name: 'best so far', step: 'end', data: [[2, 1]] });
  });

  it('puts params then the objective on parallel axes, one line per trial, the best wide and pruned grey', () => {
    const trials = [
      trial(0, { params: { lr: 0.01, cell: 'gru' }, value: 0.5 }),
      trial(1, { params: { lr: 0.02, cell: 'lstm' }, value: 0.3, status: 'pruned' }),
    ];
    const axes = trialAxes(trials, ['lr', 'cell']);
    const a = trialsAxesOption(axes, 'val_loss') as { parallelAxis: { name: string; type: string; data?: string[] }[] };
    expect(a.parallelAxis.map((x) => [x.name, x.type])).toEqual([
      ['lr', 'value'],
      ['cell', 'category'],
      ['val_loss', 'value'],
    ]);
    expect(a.parallelAxis[1]!.data).toEqual(['gru', 'lstm']);
    // The brush event names its axis by id; the component reads the dimension from it.
    expect(a.parallelAxis.map((x) => (x as { id?: string }).id)).toEqual(['axis-0', 'axis-1', 'axis-2']);
    const s = trialsSeriesOption(trials, axes, 10) as {
      series: { data: { value: number[]; lineStyle: { width: number; color: string } }[] }[];
    };
    expect(s.series[0]!.data.map((d) => d.value)).toEqual([
      [0.01, 0, 0.5],
      [0.02, 1, 0.3],
    ]);
    expect(s.series[0]!.data[0]!.lineStyle.width).toBe(4);
    expect(s.series[0]!.data[1]!.lineStyle.color).toBe('#9a9a9a');
  });
});
