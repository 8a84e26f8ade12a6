// The forecast battery's series: what one entry is, calendar helpers shared with the real series,
// and the generated (seeded) series. Each generator returns CSV text; the bench writes it into
// a temp folder at run time, so nothing generated is committed.
import { noise } from '../helpers.js';

export interface BenchSeries {
  name: string;
  source: 'generated' | 'statsmodels' | 'R';
  /** What the time column steps by, as a reader would say it. */
  freq: string;
  /** What is in it (trend, season, ...), for the table's reader. */
  note: string;
  /** The spec's target column. */
  target: string;
  /** CSV text with a header line. */
  csv: () => string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-01` for the i-th month after (year, month 1-based). */
export function monthDate(year: number, month: number, i: number): string {
  const k = month - 1 + i;
  return `${year + Math.floor(k / 12)}-${pad((k % 12) + 1)}-01`;
}

/** Dates every `days` days from a UTC start (daily, weekly). */
export function dayDate(start: string, i: number, days = 1): string {
  return new Date(Date.parse(start) + i * days * 86_400_000).toISOString().slice(0, 10);
}

/** The i-th business day (Monday to Friday) from a UTC start that is a Monday. */
export function businessDate(start: string, i: number): string {
  return dayDate(start, Math.floor(i / 5) * 7 + (i % 5));
}

/** Dates for a regular series of `freq` steps a year from (year, period 1-based). */
export function periodDate(freq: number, year: number, period: number, i: number): string {
  if (freq === 12) return monthDate(year, period, i);
  if (freq === 4) return monthDate(year, 3 * (period - 1) + 1, 3 * i);
  if (freq === 1) return `${year + i}-01-01`;
  throw new Error(`no calendar for ${freq} steps a year`);
}

/** `time,value` CSV from dates and values. */
export function toCsv(dates: string[], values: ArrayLike<number>, header = 'time,value'): string {
  const lines = [header];
  for (let i = 0; i < dates.length; i++) lines.push(`${dates[i]},${Number(values[i]!.toFixed(4))}`);
  return lines.join('\n') + '\n';
}

/** A seeded standard-normal-ish generator (sum of uniforms). */
function gauss(seed: number): () => number {
  const u = noise(seed);
  return () => (u() + u() + u() + u()) * 0.866; // sd ≈ 1
}

function series(n: number, f: (t: number, e: () => number) => number, seed: number): Float64Array {
  const e = gauss(seed);
  return Float64Array.from({ length: n }, (_, t) => f(t, e));
}

const months = (n: number, y = 1990) => Array.from({ length: n }, (_, i) => monthDate(y, 1, i));
const days = (n: number, start = '2020-01-06') => Array.from({ length: n }, (_, i) => dayDate(start, i));
const TWO_PI = 2 * Math.PI;

function cumulative(
  n: number,
  step: (t: number, e: () => number) => number,
  seed: number,
  start: number,
): Float64Array {
  const e = gauss(seed);
  const y = new Float64Array(n);
  let v = start;
  for (let t = 0; t < n; t++) y[t] = v += step(t, e);
  return y;
}

function dampedTrend(n: number, seed: number): Float64Array {
  const e = gauss(seed);
  const y = new Float64Array(n);
  let level = 100;
  let slope = 2;
  for (let t = 0; t < n; t++) {
    slope *= 0.985;
    level += slope + 0.8 * e();
    y[t] = level + 1.5 * e();
  }
  return y;
}

function intermittent(n: number, seed: number): Float64Array {
  const u = noise(seed);
  return Float64Array.from({ length: n }, () => (u() > 0.6 ? Math.round(3 + 4 * (u() + 1)) : 0));
}

function longFormat(): string {
  const lines = ['month,store,sales'];
  const shapes = [
    { level: 200, slope: 0.8, amp: 30, seed: 31 },
    { level: 80, slope: 0.2, amp: 10, seed: 32 },
    { level: 500, slope: -0.5, amp: 60, seed: 33 },
  ];
  shapes.forEach((s, k) => {
    const e = gauss(s.seed);
    for (let t = 0; t < 180; t++) {
      const v = s.level + s.slope * t + s.amp * Math.sin((TWO_PI * t) / 12) + 0.1 * s.amp * e();
      lines.push(`${monthDate(2005, 1, t)},S${k + 1},${v.toFixed(3)}`);
    }
  });
  return lines.join('\n') + '\n';
}

const gen = (name: string, freq: string, note: string, csv: () => string): BenchSeries => ({
  name,
  source: 'generated',
  freq,
  note,
  target: name === 'gen-long-3' ? 'sales' : 'value',
  csv,
});

/** The generated half of the battery: one shape each, seeded. */
export function generatedSeries(): BenchSeries[] {
  return [
    gen('gen-linear-trend', 'monthly', 'linear trend + noise', () =>
      toCsv(
        months(300),
        series(300, (t, e) => 50 + 0.5 * t + 3 * e(), 1),
      ),
    ),
    gen('gen-damped-trend', 'monthly', 'damped trend (phi 0.985)', () => toCsv(months(300), dampedTrend(300, 2))),
    gen('gen-mult-season', 'monthly', 'trend x multiplicative season 12', () =>
      toCsv(
        months(288, 1980),
        series(288, (t, e) => (100 + t) * (1 + 0.25 * Math.sin((TWO_PI * t) / 12)) * (1 + 0.03 * e()), 3),
      ),
    ),
    gen('gen-add-season', 'monthly', 'additive season 12, no trend', () =>
      toCsv(
        months(240),
        series(240, (t, e) => 20 + 5 * Math.sin((TWO_PI * t) / 12) + e(), 4),
      ),
    ),
    gen('gen-level-shift', 'daily', 'level shifts at 55% and 88%', () =>
      toCsv(
        days(730),
        series(730, (t, e) => (t < 400 ? 10 : t < 640 ? 18 : 14) + e(), 5),
      ),
    ),
    gen('gen-random-walk', 'daily', 'random walk', () =>
      toCsv(
        days(800),
        cumulative(800, (_, e) => e(), 6, 100),
      ),
    ),
    gen('gen-rw-drift', 'daily', 'random walk with drift', () =>
      toCsv(
        days(800),
        cumulative(800, (_, e) => 0.3 + e(), 7, 50),
      ),
    ),
    gen('gen-noise', 'daily', 'white noise', () =>
      toCsv(
        days(600),
        series(600, (_, e) => 5 + e(), 8),
      ),
    ),
    gen('gen-ar1', 'daily', 'AR(1) phi 0.8 around a mean', () => {
      const e = gauss(9);
      let v = 0;
      return toCsv(
        days(600),
        Float64Array.from({ length: 600 }, () => 20 + (v = 0.8 * v + e())),
      );
    }),
    gen('gen-intermittent', 'daily', 'intermittent demand (60% zeros)', () => toCsv(days(730), intermittent(730, 10))),
    gen('gen-hourly-daily', 'hourly', 'hourly, daily season 24 + slow trend', () => {
      const n = 24 * 45;
      const d = Array.from({ length: n }, (_, i) =>
        new Date(Date.UTC(2022, 0, 1) + i * 3_600_000).toISOString().slice(0, 19),
      );
      return toCsv(
        d,
        series(n, (t, e) => 10 + 0.003 * t + 5 * Math.sin((TWO_PI * t) / 24) + 0.5 * e(), 11),
      );
    }),
    gen('gen-daily-weekly', 'daily', 'daily, weekly season + trend', () => {
      const week = [0, 2, 3, 3, 5, 12, 9];
      return toCsv(
        days(730),
        series(730, (t, e) => 50 + 0.02 * t + week[t % 7]! + 1.5 * e(), 12),
      );
    }),
    gen('gen-weekly-yearly', 'weekly', 'weekly, yearly season 52 + trend', () =>
      toCsv(
        Array.from({ length: 520 }, (_, i) => dayDate('2010-01-04', i, 7)),
        series(520, (t, e) => 100 + 0.05 * t + 20 * Math.sin((TWO_PI * t) / 52) + 3 * e(), 13),
      ),
    ),
    gen('gen-quarterly', 'quarterly', 'quarterly season 4 + trend', () => {
      const q = [5, -3, 8, -10];
      return toCsv(
        Array.from({ length: 120 }, (_, i) => monthDate(1990, 1, 3 * i)),
        series(120, (t, e) => 100 + 0.8 * t + q[t % 4]! + 2 * e(), 14),
      );
    }),
    gen('gen-exp-growth', 'monthly', 'exponential growth 1%/month, positive', () =>
      toCsv(
        months(240),
        series(240, (t, e) => 10 * 1.01 ** t * (1 + 0.04 * e()), 15),
      ),
    ),
    gen('gen-long-3', 'monthly', '3 series in long format (trend + season)', longFormat),
    gen('gen-monthly-1000', 'monthly', '1,000 rows: trend + season 12 + AR noise (timing)', () => {
      const e = gauss(16);
      let a = 0;
      return toCsv(
        months(1000, 1900),
        Float64Array.from(
          { length: 1000 },
          (_, t) => 500 + 0.3 * t + 40 * Math.sin((TWO_PI * t) / 12) + (a = 0.6 * a + 5 * e()),
        ),
      );
    }),
  ];
}
