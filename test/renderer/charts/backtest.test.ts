// The backtest fold chart: pure data → ECharts option.
import { describe, expect, it } from 'vitest';
import { foldsOption } from '../../../renderer/src/charts/backtest.js';

describe('foldsOption', () => {
  it('draws the actual values once and each fold over its own shaded test window', () => {
    const o = foldsOption([
      { fold: 0, runId: 7, time: [10, 11, 12], actual: [1, 2, 3], predicted: [1.1, 2.1, 3.1], outputs: 1 },
      { fold: 1, runId: 8, time: [12, 13, 14], actual: [3, 4, 5], predicted: [2.9, 4.2, 5.1], outputs: 1 },
    ]);
    const series = o.series as { name: string; data: number[][]; markArea?: { data: { xAxis: number }[][] } }[];
    expect(series.map((s) => s.name)).toEqual(['actual', 'fold 1 (#7)', 'fold 2 (#8)']);
    expect(series[0]!.data).toEqual([
      [10, 1],
      [11, 2],
      [12, 3],
      [13, 4],
      [14, 5],
    ]);
    expect(series[2]!.data).toEqual([
      [12, 2.9],
      [13, 4.2],
      [14, 5.1],
    ]);
    expect(series[1]!.markArea!.data[0]!.map((p) => p.xAxis)).toEqual([10, 12]);
    expect((o.xAxis as { type: string }).type).toBe('value');
  });
});
