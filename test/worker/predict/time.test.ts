// Time stamps after a series' end: calendar months (month ends stay month ends), business days
// skip weekends, numeric time and row indices continue by the median step.
import { describe, expect, it } from 'vitest';
import { timeAfter } from '../../../worker/predict/time.js';

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('timeAfter', () => {
  it('continues month ends as month ends and quarters by three months', () => {
    const ends = Array.from({ length: 24 }, (_, i) => Date.UTC(2020, i + 1, 0));
    const m = timeAfter(ends, 'datetime');
    expect([1, 2, 3].map((k) => iso(m.next(k)))).toEqual(['2022-01-31', '2022-02-28', '2022-03-31']);
    const q = timeAfter(
      Array.from({ length: 12 }, (_, i) => Date.UTC(2020, 3 * i, 1)),
      'datetime',
    );
    expect(iso(q.next(1))).toBe('2023-01-01');
    expect(q.how).toMatch(/quarterly/);
  });

  it('skips weekends for business days', () => {
    const days: number[] = [];
    for (let d = Date.UTC(2024, 0, 1); days.length < 30; d += 86_400_000)
      if (![0, 6].includes(new Date(d).getUTCDay())) days.push(d);
    const b = timeAfter(days, 'datetime');
    expect(new Date(days.at(-1)!).getUTCDay()).toBe(5);
    expect([1, 2].map((k) => iso(b.next(k)))).toEqual(['2024-02-12', '2024-02-13']);
  });

  it('continues numeric time and row indices by the median step', () => {
    expect(timeAfter([0, 2, 4, 6, 8], 'numeric').next(2)).toBe(12);
    const y = timeAfter([1990, 1991, 1992, 1993, 1994], 'numeric');
    expect(y.next(1)).toBe(1995);
    expect(y.how).toMatch(/years/);
  });
});
