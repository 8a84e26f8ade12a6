import { describe, expect, it } from 'vitest';
import { inferFrequency } from '../../../worker/data/frequency.js';

const H = 3_600_000;
const D = 24 * H;
const start = Date.UTC(2020, 0, 1);
const every = (n: number, step: number, from = start) => Float64Array.from({ length: n }, (_, i) => from + i * step);
const months = (n: number, perStep = 1) => Float64Array.from({ length: n }, (_, i) => Date.UTC(2000, i * perStep, 1));

describe('inferFrequency', () => {
  it.each([
    ['hourly', every(500, H), [24, 168]],
    ['daily', every(400, D), [7, 365]],
    ['weekly', every(200, 7 * D), [52]],
    ['monthly', months(120), [12]],
    ['quarterly', months(60, 3), [4]],
    ['yearly', Float64Array.from({ length: 50 }, (_, i) => Date.UTC(1950 + i, 0, 1)), []],
  ] as const)('%s timestamps', (unit, time, seasons) => {
    const f = inferFrequency(time, 'datetime');
    expect(f.unit).toBe(unit);
    expect('seasons' in f && f.seasons).toEqual(seasons);
    expect(f.how).toContain(unit);
  });

  it('month ends (28-31 day steps), unsorted rows and a few missing months are still monthly', () => {
    const ends = Float64Array.from({ length: 60 }, (_, i) => Date.UTC(2001, i + 1, 0));
    expect(inferFrequency(ends, 'datetime').unit).toBe('monthly');
    const gappy = Array.from(months(60))
      .filter((_, i) => i % 10 !== 5)
      .reverse();
    expect(inferFrequency(gappy, 'datetime').unit).toBe('monthly');
  });

  it('weekly with gaps (2-week steps) is weekly; 10-minute data has 144 per day', () => {
    const w = Array.from(every(100, 7 * D)).filter((_, i) => i % 7 !== 3);
    expect(inferFrequency(w, 'datetime').unit).toBe('weekly');
    const f = inferFrequency(every(300, 10 * 60_000), 'datetime');
    expect(f.unit).toBe('minutes');
    expect('seasons' in f && f.seasons).toEqual([144]);
  });

  it('business days (no weekends) → 5', () => {
    const t = Array.from(every(300, D, Date.UTC(2021, 0, 4))).filter((v) => ![0, 6].includes(new Date(v).getUTCDay()));
    const f = inferFrequency(t, 'datetime');
    expect(f.unit).toBe('business-daily');
    expect('seasons' in f && f.seasons).toEqual([5]);
  });

  it('irregular timestamps → null with the reason', () => {
    let t = start;
    const time = Float64Array.from({ length: 200 }, (_, i) => (t += D * (1 + ((i * 7919) % 13))));
    const f = inferFrequency(time, 'datetime');
    expect(f.unit).toBeNull();
    expect(f.how).toMatch(/irregular|matches no calendar unit/);
  });

  it('numeric years: integer years are yearly, decimal years monthly, a row index has no unit', () => {
    expect(
      inferFrequency(
        Float64Array.from({ length: 60 }, (_, i) => 1900 + i),
        'numeric',
      ).unit,
    ).toBe('yearly');
    expect(
      inferFrequency(
        Float64Array.from({ length: 120 }, (_, i) => 1958 + (i + 0.5) / 12),
        'numeric',
      ).unit,
    ).toBe('monthly');
    expect(
      inferFrequency(
        Float64Array.from({ length: 60 }, (_, i) => 1990 + i / 4),
        'numeric',
      ).unit,
    ).toBe('quarterly');
    expect(
      inferFrequency(
        Float64Array.from({ length: 60 }, (_, i) => i),
        'numeric',
      ).unit,
    ).toBeNull();
  });
});
