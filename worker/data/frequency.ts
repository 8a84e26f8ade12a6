// Sampling frequency from a time column, and the season lengths it suggests (hourly → 24,
// daily → 7, weekly → 52, monthly → 12, quarterly → 4, yearly → none). Datetime columns are
// ms since the epoch (UTC); numeric time columns are recognised as integer or decimal years.

export type TimeUnit =
  'minutes' | 'hourly' | 'daily' | 'business-daily' | 'weekly' | 'monthly' | 'quarterly' | 'yearly';

export interface Frequency {
  unit: TimeUnit;
  /** Season lengths worth testing, most usual first (empty: the unit has no season). */
  seasons: number[];
  /** e.g. "monthly timestamps (median step 31 days, 98% of steps regular)". */
  how: string;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const YEAR_DAYS = 365.2425;

/**
 * Positive steps between consecutive distinct times (sorted). Typed arrays throughout: a million
 * timestamps are usually in order already (checked in O(n)), and a typed sort needs no comparator.
 */
function steps(time: ArrayLike<number>): Float64Array {
  const t = finite(time);
  let sorted = true;
  for (let i = 1; i < t.length && sorted; i++) sorted = t[i - 1]! <= t[i]!;
  if (!sorted) t.sort();
  let k = 0;
  for (let i = 1; i < t.length; i++) if (t[i]! > t[i - 1]!) k++;
  const out = new Float64Array(k);
  k = 0;
  for (let i = 1; i < t.length; i++) if (t[i]! > t[i - 1]!) out[k++] = t[i]! - t[i - 1]!;
  return out;
}

/** The finite values, in order, as a fresh Float64Array. */
function finite(v: ArrayLike<number>): Float64Array {
  let k = 0;
  for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i]!)) k++;
  const out = new Float64Array(k);
  k = 0;
  for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i]!)) out[k++] = v[i]!;
  return out;
}

/** The median (upper middle) step; regular sampling has one step length, found without a sort. */
function median(v: Float64Array): number {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) {
    if (v[i]! < min) min = v[i]!;
    if (v[i]! > max) max = v[i]!;
  }
  return min === max ? min : Float64Array.from(v).sort()[Math.floor(v.length / 2)]!;
}

interface Band {
  unit: TimeUnit;
  /** Step length range, in days (datetime) or years (decimal years). */
  lo: number;
  hi: number;
  seasons: number[];
}

const DAY_BANDS: Band[] = [
  { unit: 'daily', lo: 0.99, hi: 1.01, seasons: [7, 365] },
  { unit: 'weekly', lo: 6.99, hi: 7.01, seasons: [52] },
  { unit: 'monthly', lo: 27.9, hi: 31.1, seasons: [12] },
  { unit: 'quarterly', lo: 88.9, hi: 92.1, seasons: [4] },
  { unit: 'yearly', lo: 364.9, hi: 366.1, seasons: [] },
];

const YEAR_BANDS: Band[] = [
  { unit: 'daily', lo: 0.98 / YEAR_DAYS, hi: 1.02 / 365, seasons: [7, 365] },
  { unit: 'weekly', lo: 0.98 / 52.2, hi: 1.02 / 52, seasons: [52] },
  { unit: 'monthly', lo: 0.98 / 12, hi: 1.02 / 12, seasons: [12] },
  { unit: 'quarterly', lo: 0.98 / 4, hi: 1.02 / 4, seasons: [4] },
  { unit: 'yearly', lo: 0.999, hi: 1.001, seasons: [] },
];

/** Share of steps that are a whole number (1, 2, … : gaps are allowed) of the band's step. */
function regularShare(st: Float64Array, per: number, band: Band): number {
  const mid = (band.lo + band.hi) / 2;
  const tol = (band.hi - band.lo) / 2 / mid + 0.002;
  let ok = 0;
  for (const s of st) {
    const k = Math.max(1, Math.round(s / per / mid));
    if (Math.abs(s / per / (k * mid) - 1) <= tol * (k === 1 ? 1 : 1.2)) ok++;
  }
  return ok / st.length;
}

const pct = (x: number) => `${Math.round(100 * x)}%`;

/**
 * The sampling frequency of a time column, or null (with why) when it has no recognisable
 * regular step: too few rows, irregular steps, or a plain numeric index without a unit.
 */
export function inferFrequency(
  time: ArrayLike<number>,
  kind: 'datetime' | 'numeric',
): Frequency | { unit: null; how: string } {
  const st = steps(time);
  if (st.length < 3) return { unit: null, how: 'too few distinct times to infer a frequency' };
  const med = median(st);
  if (kind === 'numeric') return numericFrequency(time, st, med);
  const days = med / DAY;
  if (med < DAY) {
    const perDay = DAY / med;
    if (Math.abs(perDay - Math.round(perDay)) > 0.01)
      return { unit: null, how: `median step ${med / 1000} s does not divide a day` };
    const n = Math.round(perDay);
    const band: Band = {
      unit: n === 24 ? 'hourly' : 'minutes',
      lo: 0.995 / n,
      hi: 1.005 / n,
      seasons: n === 24 ? [24, 168] : [n],
    };
    return judge(st, DAY, band, `${band.unit === 'hourly' ? 'hourly' : `${n} per day`} timestamps`);
  }
  const band = DAY_BANDS.find((b) => days >= b.lo && days <= b.hi);
  if (!band) return { unit: null, how: `median step ${days.toFixed(2)} days matches no calendar unit` };
  if (band.unit === 'daily') {
    // Trading days: steps of 1 and 3 days (weekends), no Saturday or Sunday.
    const t = finite(time);
    const weekend = t.some((v) => [0, 6].includes(new Date(v).getUTCDay()));
    const threes = st.filter((s) => Math.abs(s / DAY - 3) < 0.01).length / st.length;
    if (!weekend && threes > 0.1) {
      return judge(
        st,
        DAY,
        { unit: 'business-daily', lo: 0.99, hi: 1.01, seasons: [5] },
        'business-day timestamps (no weekends)',
        3,
      );
    }
  }
  return judge(st, DAY, band, `${band.unit} timestamps`);
}

function numericFrequency(
  time: ArrayLike<number>,
  st: Float64Array,
  med: number,
): Frequency | { unit: null; how: string } {
  const t = finite(time);
  const yearLike = t.every((v) => v >= 1000 && v <= 3000);
  if (!yearLike) return { unit: null, how: 'numeric time column without a calendar unit (not years)' };
  if (med === 1 && t.every(Number.isInteger)) return judge(st, 1, YEAR_BANDS[4]!, 'integer years');
  const band = YEAR_BANDS.find((b) => med >= b.lo && med <= b.hi);
  if (!band)
    return { unit: null, how: `decimal years with a median step of ${med.toPrecision(3)} match no calendar unit` };
  return judge(st, 1, band, `decimal years, ${band.unit}`);
}

function judge(
  st: Float64Array,
  per: number,
  band: Band,
  what: string,
  maxGap = 1,
): Frequency | { unit: null; how: string } {
  const share =
    maxGap > 1 ? st.filter((s) => s / per <= maxGap * band.hi).length / st.length : regularShare(st, per, band);
  if (share < 0.9)
    return { unit: null, how: `${what} but only ${pct(share)} of steps are regular: irregular sampling` };
  return { unit: band.unit, seasons: band.seasons, how: `${what} (${pct(share)} of steps regular)` };
}
