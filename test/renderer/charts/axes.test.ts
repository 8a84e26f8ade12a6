// Chart axes and tooltips (issue 14): predicted vs actual on a date axis even for years before
// 1970, the y axis at the left edge, tooltips through the shared number format, and no chart
// that takes the mouse wheel from the page.
import { describe, expect, it } from 'vitest';
import { timeX, yearTicks } from '../../../renderer/src/charts/common.js';
import { datasetLineOption } from '../../../renderer/src/charts/dataset.js';
import { predictionsOption } from '../../../renderer/src/charts/predictions.js';

const YEAR = (y: number) => Date.UTC(y, 0, 1);
type Any = Record<string, any>;

function preds(time: number[]) {
  const actual = time.map((_, i) => 50 + i);
  return {
    id: 1,
    name: 'sun',
    predictions: { runId: 1, split: 'test', outputs: ['SUNACTIVITY'], actual, predicted: actual, time },
  };
}

describe('chart axes', () => {
  it('predicted vs actual: yearly data before 1970 on a time axis labelled in years, y axis at the edge', () => {
    const o = predictionsOption([preds([1950, 1951, 1952].map(YEAR))]) as Any;
    expect(o.xAxis.type).toBe('time');
    expect(o.xAxis.axisLine.onZero).toBe(false);
    expect(o.yAxis.axisLine.onZero).toBe(false);
    expect(o.xAxis.axisLabel.formatter(YEAR(1951))).toBe('1951');
    const tip = o.tooltip.formatter([
      { axisValue: YEAR(1951), seriesName: '<b>x</b>', marker: '', value: [YEAR(1951), 473385600000.123] },
    ]);
    expect(tip).toContain('1951');
    expect(tip).toContain('&lt;b&gt;x&lt;/b&gt;'); // run names are the user's text: escaped
    expect(tip).not.toMatch(/\d{7,}/);
  });

  it('predicted vs actual without a time column: by the row of each window', () => {
    const o = predictionsOption([preds([0, 1, 2])]) as Any;
    expect(o.xAxis.type).toBe('value');
    expect(o.xAxis.name).toBe('row');
    expect(o.tooltip.formatter([{ axisValue: 2, seriesName: 'a', marker: '', value: [2, 1.5] }])).toContain('row 2');
  });

  it('no chart zooms on the plain wheel: the inside zoom only pans, the slider zooms', () => {
    const o = datasetLineOption({ time: [YEAR(1700), YEAR(1701)], series: [{ name: 'x', values: [1, 2] }] }) as Any;
    const inside = o.dataZoom.find((z: Any) => z.type === 'inside');
    expect(inside.zoomLock).toBe(true);
    expect(inside.zoomOnMouseWheel).toBe(false);
    expect(o.dataZoom.some((z: Any) => z.type === 'slider')).toBe(true);
    expect(o.xAxis.axisLabel.formatter(YEAR(1700))).toBe('1700');
  });
});

describe('year ticks', () => {
  it('land on round years for the span shown', () => {
    const years = (a: number, b: number) => yearTicks(YEAR(a), YEAR(b)).map((t) => new Date(t).getUTCFullYear());
    expect(years(1700, 2008)).toEqual([1700, 1750, 1800, 1850, 1900, 1950, 2000]);
    expect(years(1950, 2008)).toEqual([1950, 1960, 1970, 1980, 1990, 2000]);
    expect(years(1993, 2000)).toEqual([1993, 1994, 1995, 1996, 1997, 1998, 1999, 2000]);
  });
});

describe('hourly time axes', () => {
  it('label a midnight tick with its date alone, other ticks with the time', () => {
    const f = (timeX('minute').axisLabel as { formatter: (v: number) => string }).formatter;
    expect(f(Date.UTC(2024, 3, 15))).toBe('2024-04-15');
    expect(f(Date.UTC(2024, 3, 15, 6))).toBe('2024-04-15 06:00');
  });
});
