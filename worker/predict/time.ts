// Time stamps after the end of a series: a datetime column continues by its inferred calendar
// frequency (worker/data/frequency.ts: months stay month ends or firsts, business days skip
// weekends), anything else (unknown frequency, numeric time, row index) by the median step.
import { inferFrequency, type TimeUnit } from '../data/frequency.js';

const DAY = 86_400_000;
const MONTHS: Partial<Record<TimeUnit, number>> = { monthly: 1, quarterly: 3, yearly: 12 };

function medianStep(time: ArrayLike<number>): number {
  const st: number[] = [];
  for (let i = 1; i < time.length; i++) if (time[i]! > time[i - 1]!) st.push(time[i]! - time[i - 1]!);
  if (!st.length) return 1;
  st.sort((a, b) => a - b);
  return st[Math.floor(st.length / 2)]!;
}

function addMonths(ms: number, k: number): number {
  const d = new Date(ms);
  const endOfMonth =
    new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate() === d.getUTCDate() &&
    d.getUTCDate() > 28;
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + k;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const day = endOfMonth ? last : Math.min(d.getUTCDate(), last);
  return Date.UTC(y, m, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

/** A function giving the time k ≥ 1 steps after the last of `time` (sorted, ms for datetime). */
export function timeAfter(
  time: ArrayLike<number>,
  kind: 'datetime' | 'numeric',
): { next: (k: number) => number; how: string } {
  const last = time[time.length - 1]!;
  const freq = time.length > 3 ? inferFrequency(time, kind) : { unit: null, how: 'too few rows' };
  const unit = freq.unit;
  if (kind === 'datetime' && unit && MONTHS[unit])
    return { next: (k) => addMonths(last, k * MONTHS[unit]!), how: freq.how };
  if (kind === 'datetime' && unit === 'business-daily') {
    const next = (k: number) => {
      let t = last;
      for (let i = 0; i < k;) {
        t += DAY;
        const wd = new Date(t).getUTCDay();
        if (wd !== 0 && wd !== 6) i++;
      }
      return t;
    };
    return { next, how: freq.how };
  }
  const step = medianStep(time);
  return {
    next: (k) => last + k * step,
    how: unit ? freq.how : `median step ${step}${kind === 'datetime' ? ' ms' : ''}`,
  };
}
