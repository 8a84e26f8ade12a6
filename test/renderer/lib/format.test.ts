// The one formatting module: durations under a second, MAPE with its %, tooltips without 16
// digits, and time stamps written to the unit the data uses (yearly data as "1749").
import { describe, expect, it } from 'vitest';
import {
  fmtDuration,
  fmtMetric,
  fmtNum,
  fmtTime,
  isEpochMs,
  timeUnit,
  unitOfFormat,
} from '../../../renderer/src/lib/format.js';

const Y = (y: number, m = 0, d = 1, h = 0) => Date.UTC(y, m, d, h);

describe('format', () => {
  it('durations under a second read as milliseconds, short ones with a decimal', () => {
    expect(fmtDuration(0.42)).toBe('420 ms');
    expect(fmtDuration(0)).toBe('0 s');
    expect(fmtDuration(4.2)).toBe('4.2 s');
    expect(fmtDuration(42.4)).toBe('42 s');
    expect(fmtDuration(185)).toBe('3m 05s');
    expect(fmtDuration(null)).toBe('—');
  });

  it('MAPE and sMAPE carry a percent sign; other metrics do not', () => {
    expect(fmtMetric('mape', 12.3456)).toBe('12.35 %');
    expect(fmtMetric('test.smape', 3)).toBe('3 %');
    expect(fmtMetric('ets.mape@2', 7.5)).toBe('7.5 %');
    expect(fmtMetric('mae', 12.3456)).toBe('12.35');
    expect(fmtMetric('mape', null)).toBe('—');
  });

  it('never prints a float with 16 digits', () => {
    expect(fmtNum(80.90000000000001)).toBe('80.9');
    expect(fmtNum(473385600000.123)).toBe('4.73e+11');
  });

  it('finds the unit of a series of time stamps and writes them to it', () => {
    expect(timeUnit([Y(1700), Y(1701), Y(1950)])).toBe('year');
    expect(timeUnit([Y(2024, 0), Y(2024, 1)])).toBe('month');
    expect(timeUnit([Y(2024, 0, 1), Y(2024, 0, 2)])).toBe('day');
    expect(timeUnit([Y(2024, 0, 1, 0), Y(2024, 0, 1, 1)])).toBe('minute');
    expect(fmtTime(Y(1749), 'year')).toBe('1749');
    expect(fmtTime(Y(2024, 2), 'month')).toBe('2024-03');
    expect(fmtTime(Y(2024, 2, 5), 'day')).toBe('2024-03-05');
    expect(fmtTime(Y(2024, 2, 5, 14), 'minute')).toBe('2024-03-05 14:00');
    expect(unitOfFormat('YYYY')).toBe('year');
    expect(unitOfFormat('YYYY-MM')).toBe('month');
    expect(unitOfFormat('D/M/YYYY')).toBe('day');
    expect(unitOfFormat('YYYY-MM-DD HH:mm')).toBe('minute');
    expect(unitOfFormat('YYYY-MM-DDTHH:mm:ss')).toBe('second');
  });

  it('tells time stamps (also before 1970) from window indices', () => {
    expect(isEpochMs([Y(1950), Y(1951)])).toBe(true); // negative
    expect(isEpochMs([Y(2024), Y(2025)])).toBe(true);
    expect(isEpochMs([0, 1, 2, 3])).toBe(false);
    expect(isEpochMs([])).toBe(false);
  });
});
