// The Forecast panel's chart option: history then the forecast of the chosen series and first
// target, on a time axis for datetime stamps and a value axis otherwise.
import { describe, expect, it } from 'vitest';
import type { PredictResult } from '../../../core/contract.js';
import { forecastOption } from '../../../renderer/src/charts/forecast.js';

type AnyOpt = Record<string, any>;

const row = (series: string, time: string | number, step: number, value: number) => ({
  series,
  time,
  step,
  target: 'sales',
  value,
  origin: time,
});

describe('forecastOption', () => {
  it('draws the chosen series: history, then the forecast dashed on a time axis', () => {
    const r: PredictResult = {
      outputs: ['sales'],
      frequency: 'monthly',
      rows: [
        row('a', '2010-01-01T00:00:00Z', 1, 5),
        row('b', '2010-01-01T00:00:00Z', 1, 9),
        row('a', '2010-02-01T00:00:00Z', 2, 6),
      ],
    };
    const o = forecastOption(r, 'a', { x: [Date.UTC(2009, 11, 1)], values: [4] }) as AnyOpt;
    expect(o.xAxis.type).toBe('time');
    expect(o.series[0].data).toEqual([[Date.UTC(2009, 11, 1), 4]]);
    expect(o.series[1].data).toEqual([
      [Date.UTC(2010, 0, 1), 5],
      [Date.UTC(2010, 1, 1), 6],
    ]);
    expect(o.series[1].lineStyle.type).toBe('dashed');
  });

  it('uses a value axis for numeric time or row indices, and draws no history without one', () => {
    const o = forecastOption(
      { outputs: ['sales'], frequency: 'median step 1', rows: [row('', 100, 1, 3)] },
      '',
      null,
    ) as AnyOpt;
    expect(o.xAxis.type).toBe('value');
    expect(o.series[0].data).toEqual([]);
    expect(o.series[1].data).toEqual([[100, 3]]);
  });

  it('draws forecasts of every window of a new CSV as one line per step ahead (first and last)', () => {
    const rows = [0, 1, 2].flatMap((o) =>
      [1, 2, 3].map((h) => ({ series: '', origin: o, time: o + h, step: h, target: 'sales', value: 10 * o + h })),
    );
    const o = forecastOption({ outputs: ['sales'], frequency: 'median step 1', rows }, '', null) as AnyOpt;
    expect(o.series.map((s: AnyOpt) => s.name)).toEqual(['history', '1 step ahead', '3 steps ahead']);
    expect(o.series[1].data).toEqual([
      [1, 1],
      [2, 11],
      [3, 21],
    ]);
    expect(o.series[2].data).toEqual([
      [3, 3],
      [4, 13],
      [5, 23],
    ]);
  });
});
